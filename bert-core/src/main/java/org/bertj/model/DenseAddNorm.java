package org.bertj.model;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code LayerNorm(dropout(dense(x)) + residual)}, the computation HF's {@code BertSelfOutput} and
 * {@code BertOutput} share (they differ only in the input width), with their two hook points:
 * {@code PREFIX.dense} (before dropout and the residual add) and the module's own name (after the
 * LayerNorm). Both modules delegate to one of these, so forward, its fused path and backward exist
 * once.
 */
final class DenseAddNorm {

    private final Linear dense;
    private final Dropout dropout;
    private final LayerNorm layerNorm;
    private final Point densePoint;
    private final Point out;

    /**
     * @param prefix the module's HF prefix with its trailing dot, e.g. {@code bert.encoder.layer.0.output.}
     * @param in     the input width (H after attention, I after the intermediate layer)
     */
    DenseAddNorm(BertConfig c, Parameters params, String prefix, int layer, int in) {
        dense = new Linear(params, prefix + "dense", in, c.hiddenSize());
        dropout = new Dropout(c.hiddenDropoutProb());
        layerNorm = new LayerNorm(params, prefix + "LayerNorm", c.hiddenSize(), c.layerNormEps());
        densePoint = Point.tokens(prefix + "dense", layer, c.hiddenSize());
        out = Point.tokens(prefix.substring(0, prefix.length() - 1), layer, c.hiddenSize());
    }

    void points(List<Point> list) {
        list.add(densePoint);
        list.add(out);
    }

    /** @param x {@code [B·S, in]}; @param residual {@code [B·S, H]}; returns {@code [B·S, H]} */
    INDArray forward(INDArray x, INDArray residual, Pass pass) {
        if (LayerNorm.fusable(x, pass) && !pass.hooked(densePoint)) { // bias, residual and LayerNorm in one pass
            return pass.hook(out, layerNorm.forwardAdding(dense.forwardWithoutBias(x, pass), dense.bias(), residual));
        }
        INDArray y = dropout.forward(pass.hook(densePoint, dense.forward(x, pass)), pass);
        return pass.hook(out, layerNorm.forward(y.addi(residual), pass));
    }

    /** Returns {dX, dResidual}. */
    INDArray[] backward(Pass pass, INDArray dOut, Parameters grads) {
        pass.gradientAt(out, dOut);
        INDArray dSum = layerNorm.backward(pass, dOut, grads);
        INDArray dDense = dropout.backward(pass, dSum.dup());
        pass.gradientAt(densePoint, dDense);
        INDArray dX = dense.backward(pass, dDense, grads);
        return new INDArray[] {dX, dSum};
    }
}
