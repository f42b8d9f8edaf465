package org.bertj.model;

import org.nd4j.linalg.api.ndarray.INDArray;

/** {@code LayerNorm(act(dense(x)))}: the MLM head's transform before the tied decoder. */
public final class BertPredictionHeadTransform {

    private final Linear dense;
    private final Activation act;
    private final LayerNorm layerNorm;
    private INDArray preActivation;

    BertPredictionHeadTransform(BertConfig c, Parameters params, String prefix) {
        dense = new Linear(params, prefix + "dense", c.hiddenSize(), c.hiddenSize());
        act = c.hiddenAct();
        layerNorm = new LayerNorm(params, prefix + "LayerNorm", c.hiddenSize(), c.layerNormEps());
    }

    INDArray forward(INDArray x, Pass pass) {
        INDArray z = dense.forward(x, pass);
        preActivation = pass.caches() ? z : null;
        return layerNorm.forward(act.apply(z), pass);
    }

    INDArray backward(INDArray dOut, Parameters grads) {
        INDArray dz = act.backward(preActivation, layerNorm.backward(dOut, grads));
        preActivation = null;
        return dense.backward(dz, grads);
    }
}
