package org.bertj.model;

import org.nd4j.linalg.api.ndarray.INDArray;

/** {@code LayerNorm(dropout(dense(context)) + input)}: the projection after self-attention. */
public final class BertSelfOutput {

    private final Linear dense;
    private final Dropout dropout;
    private final LayerNorm layerNorm;

    BertSelfOutput(BertConfig c, Parameters params, String prefix) {
        dense = new Linear(params, prefix + "dense", c.hiddenSize(), c.hiddenSize());
        dropout = new Dropout(c.hiddenDropoutProb());
        layerNorm = new LayerNorm(params, prefix + "LayerNorm", c.hiddenSize(), c.layerNormEps());
    }

    INDArray forward(INDArray context, INDArray residual, Pass pass) {
        INDArray h = dropout.forward(dense.forward(context, pass), pass);
        return layerNorm.forward(h.addi(residual), pass);
    }

    /** Returns {dContext, dResidual}. */
    INDArray[] backward(INDArray dOut, Parameters grads) {
        INDArray dSum = layerNorm.backward(dOut, grads);
        INDArray dContext = dense.backward(dropout.backward(dSum.dup()), grads);
        return new INDArray[] {dContext, dSum};
    }
}
