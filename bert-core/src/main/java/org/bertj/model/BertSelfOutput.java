package org.bertj.model;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * HF {@code BertSelfOutput} ({@code bert.encoder.layer.i.attention.output}):
 * {@code LayerNorm(dropout(dense(context)) + input)}, the projection after self-attention. Takes
 * the merged context and the layer input, both {@code [B·S, H]} (HF {@code [B, S, H]}); returns
 * {@code [B·S, H]}. Hook points: {@code .dense} (before dropout and the residual add) and the
 * module's own name (after the LayerNorm).
 */
public final class BertSelfOutput {

    private final String name;
    private final Linear dense;
    private final Dropout dropout;
    private final LayerNorm layerNorm;
    private final Point densePoint;
    private final Point out;

    BertSelfOutput(BertConfig c, Parameters params, String prefix, int layer) {
        name = prefix.substring(0, prefix.length() - 1);
        dense = new Linear(params, prefix + "dense", c.hiddenSize(), c.hiddenSize());
        dropout = new Dropout(c.hiddenDropoutProb());
        layerNorm = new LayerNorm(params, prefix + "LayerNorm", c.hiddenSize(), c.layerNormEps());
        densePoint = Point.tokens(prefix + "dense", layer, c.hiddenSize());
        out = Point.tokens(name, layer, c.hiddenSize());
    }

    /** {@return the HF module path, e.g. {@code bert.encoder.layer.0.attention.output}} */
    public String name() {
        return name;
    }

    void points(List<Point> list) {
        list.add(densePoint);
        list.add(out);
    }

    INDArray forward(INDArray context, INDArray residual, Pass pass) {
        if (LayerNorm.fusable(context, pass) && !pass.hooked(densePoint)) { // bias, residual, LayerNorm in one pass
            return pass.hook(out, layerNorm.forwardAdding(dense.forwardWithoutBias(context, pass), dense.bias(), residual));
        }
        INDArray h = dropout.forward(pass.hook(densePoint, dense.forward(context, pass)), pass);
        return pass.hook(out, layerNorm.forward(h.addi(residual), pass));
    }

    /** Returns {dContext, dResidual}. */
    INDArray[] backward(Pass pass, INDArray dOut, Parameters grads) {
        pass.gradientAt(out, dOut);
        INDArray dSum = layerNorm.backward(pass, dOut, grads);
        INDArray dDense = dropout.backward(pass, dSum.dup());
        pass.gradientAt(densePoint, dDense);
        INDArray dContext = dense.backward(pass, dDense, grads);
        return new INDArray[] {dContext, dSum};
    }
}
