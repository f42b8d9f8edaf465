package org.bertj.model;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * HF {@code BertOutput} ({@code bert.encoder.layer.i.output}):
 * {@code LayerNorm(dropout(dense(h)) + attentionOutput)}, intermediate → hidden size. Takes
 * {@code [B·S, I]} and the attention output {@code [B·S, H]}; returns the layer output
 * {@code [B·S, H]} (HF {@code hidden_states.{i+1}}). Hook points: {@code .dense} (before dropout
 * and the residual add) and the module's own name (the layer output).
 */
public final class BertOutput {

    private final String name;
    private final Linear dense;
    private final Dropout dropout;
    private final LayerNorm layerNorm;
    private final Point densePoint;
    private final Point out;

    BertOutput(BertConfig c, Parameters params, String prefix, int layer) {
        name = prefix.substring(0, prefix.length() - 1);
        dense = new Linear(params, prefix + "dense", c.intermediateSize(), c.hiddenSize());
        dropout = new Dropout(c.hiddenDropoutProb());
        layerNorm = new LayerNorm(params, prefix + "LayerNorm", c.hiddenSize(), c.layerNormEps());
        densePoint = Point.tokens(prefix + "dense", layer, c.hiddenSize());
        out = Point.tokens(name, layer, c.hiddenSize());
    }

    /** {@return the HF module path, e.g. {@code bert.encoder.layer.0.output}} */
    public String name() {
        return name;
    }

    void points(List<Point> list) {
        list.add(densePoint);
        list.add(out);
    }

    INDArray forward(INDArray h, INDArray residual, Pass pass) {
        if (LayerNorm.fusable(h, pass) && !pass.hooked(densePoint)) { // bias, residual and LayerNorm in one pass
            return pass.hook(out, layerNorm.forwardAdding(dense.forwardWithoutBias(h, pass), dense.bias(), residual));
        }
        INDArray y = dropout.forward(pass.hook(densePoint, dense.forward(h, pass)), pass);
        return pass.hook(out, layerNorm.forward(y.addi(residual), pass));
    }

    /** Returns {dH, dResidual}. */
    INDArray[] backward(Pass pass, INDArray dOut, Parameters grads) {
        pass.gradientAt(out, dOut);
        INDArray dSum = layerNorm.backward(pass, dOut, grads);
        INDArray dDense = dropout.backward(pass, dSum.dup());
        pass.gradientAt(densePoint, dDense);
        INDArray dH = dense.backward(pass, dDense, grads);
        return new INDArray[] {dH, dSum};
    }
}
