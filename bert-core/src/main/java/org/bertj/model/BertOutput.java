package org.bertj.model;

import org.nd4j.linalg.api.ndarray.INDArray;

/** {@code LayerNorm(dropout(dense(h)) + attentionOutput)}, intermediate → hidden size. */
public final class BertOutput {

    private final Linear dense;
    private final Dropout dropout;
    private final LayerNorm layerNorm;

    BertOutput(BertConfig c, Parameters params, String prefix) {
        dense = new Linear(params, prefix + "dense", c.intermediateSize(), c.hiddenSize());
        dropout = new Dropout(c.hiddenDropoutProb());
        layerNorm = new LayerNorm(params, prefix + "LayerNorm", c.hiddenSize(), c.layerNormEps());
    }

    INDArray forward(INDArray h, INDArray residual, Pass pass) {
        INDArray y = dropout.forward(dense.forward(h, pass), pass);
        return layerNorm.forward(y.addi(residual), pass);
    }

    /** Returns {dH, dResidual}. */
    INDArray[] backward(INDArray dOut, Parameters grads) {
        INDArray dSum = layerNorm.backward(dOut, grads);
        INDArray dH = dense.backward(dropout.backward(dSum.dup()), grads);
        return new INDArray[] {dH, dSum};
    }
}
