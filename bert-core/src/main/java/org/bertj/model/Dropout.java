package org.bertj.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.random.impl.BernoulliDistribution;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Inverted dropout as torch.nn.Dropout computes it: in training, each element is kept with
 * probability {@code 1 - p} and scaled by {@code 1 / (1 - p)}; otherwise the identity.
 */
final class Dropout {

    private final double p;

    Dropout(double p) {
        this.p = p;
    }

    /** Applies dropout to {@code x} in place (training) or returns it untouched. */
    INDArray forward(INDArray x, Pass pass) {
        if (!pass.dropout() || p == 0) {
            return x;
        }
        INDArray m = Nd4j.createUninitialized(x.dataType(), x.shape(), 'c');
        Nd4j.getExecutioner().exec(new BernoulliDistribution(m, 1.0 - p), pass.rng());
        m.muli(1.0 / (1.0 - p));
        if (pass.caches()) {
            pass.save(this, m); // the scaled keep mask
        }
        return x.muli(m);
    }

    /** The gradient through this pass's forward, in place on {@code dOut}. */
    INDArray backward(Pass pass, INDArray dOut) {
        if (!pass.dropout() || p == 0) {
            return dOut;
        }
        return dOut.muli(pass.saved(this, INDArray.class));
    }
}
