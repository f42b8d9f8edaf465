package org.bertj.model;

import org.nd4j.linalg.api.ndarray.INDArray;

/** {@code act(dense(x))}, hidden → intermediate size. */
public final class BertIntermediate {

    private final Linear dense;
    private final Activation act;
    private INDArray preActivation;

    BertIntermediate(BertConfig c, Parameters params, String prefix) {
        dense = new Linear(params, prefix + "dense", c.hiddenSize(), c.intermediateSize());
        act = c.hiddenAct();
    }

    INDArray forward(INDArray x, Pass pass) {
        INDArray z = dense.forward(x, pass);
        preActivation = pass.caches() ? z : null;
        return act.apply(z);
    }

    INDArray backward(INDArray dOut, Parameters grads) {
        INDArray dz = act.backward(preActivation, dOut);
        preActivation = null;
        return dense.backward(dz, grads);
    }
}
