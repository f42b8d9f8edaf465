package org.bertj.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/** {@code tanh(dense(hidden[:, 0]))}: the first token's state, projected. */
public final class BertPooler {

    private final Linear dense;
    private INDArray output;
    private long seq;

    BertPooler(BertConfig c, Parameters params, String prefix) {
        dense = new Linear(params, prefix + "dense", c.hiddenSize(), c.hiddenSize());
    }

    /** @param hidden {@code [B·S, H]}; returns {@code [B, H]} */
    INDArray forward(INDArray hidden, int batch, int seq, Pass pass) {
        INDArray first = hidden.reshape('c', batch, seq, hidden.size(1))
                .get(NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.all()).dup('c');
        INDArray y = Transforms.tanh(dense.forward(first, pass), false);
        output = pass.caches() ? y : null;
        this.seq = seq;
        return y;
    }

    /** Returns the gradient for the whole {@code [B·S, H]} hidden input (zero except first tokens). */
    INDArray backward(INDArray dOut, Parameters grads) {
        INDArray dz = output.mul(output).rsubi(1.0).muli(dOut);
        INDArray dFirst = dense.backward(dz, grads);
        long batch = dFirst.size(0);
        long h = dFirst.size(1);
        INDArray dHidden = Nd4j.zeros(dFirst.dataType(), batch, seq, h);
        dHidden.get(NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.all()).assign(dFirst);
        output = null;
        return dHidden.reshape('c', batch * seq, h);
    }
}
