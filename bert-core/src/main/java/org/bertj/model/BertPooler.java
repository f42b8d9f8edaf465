package org.bertj.model;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * HF {@code BertPooler} ({@code bert.pooler}): {@code tanh(dense(hidden[:, 0]))}, the first token's
 * state projected; {@code [B, S, H]} → {@code [B, H]}. Hook point: its own name.
 */
public final class BertPooler {

    private final String name;
    private final Linear dense;
    private final Point out;

    BertPooler(BertConfig c, Parameters params, String prefix) {
        name = prefix.substring(0, prefix.length() - 1);
        dense = new Linear(params, prefix + "dense", c.hiddenSize(), c.hiddenSize());
        out = Point.rows(name, c.hiddenSize());
    }

    /** {@return the HF module path, {@code bert.pooler}} */
    public String name() {
        return name;
    }

    void points(List<Point> list) {
        list.add(out);
    }

    /** @param hidden {@code [B·S, H]}; returns {@code [B, H]} */
    INDArray forward(INDArray hidden, int batch, int seq, Pass pass) {
        INDArray first = hidden.reshape('c', batch, seq, hidden.size(1))
                .get(NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.all()).dup('c');
        INDArray y = Transforms.tanh(dense.forward(first, pass), false);
        if (pass.caches()) {
            pass.save(this, y);
        }
        return pass.hook(out, y);
    }

    /** Returns the gradient for the whole {@code [B·S, H]} hidden input (zero except first tokens). */
    INDArray backward(Pass pass, INDArray dOut, Parameters grads) {
        pass.gradientAt(out, dOut);
        INDArray output = pass.saved(this, INDArray.class);
        INDArray dz = output.mul(output).rsubi(1.0).muli(dOut);
        INDArray dFirst = dense.backward(pass, dz, grads);
        long batch = dFirst.size(0);
        long h = dFirst.size(1);
        INDArray dHidden = Nd4j.zeros(dFirst.dataType(), batch, pass.seq(), h);
        dHidden.get(NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.all()).assign(dFirst);
        return dHidden.reshape('c', batch * pass.seq(), h);
    }
}
