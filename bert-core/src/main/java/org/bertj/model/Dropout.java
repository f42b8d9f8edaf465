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
    /** The scaled keep mask of the last training forward; null after an eval forward. */
    private INDArray mask;

    Dropout(double p) {
        this.p = p;
    }

    /** Applies dropout to {@code x} in place (training) or returns it untouched. */
    INDArray forward(INDArray x, Pass pass) {
        if (!pass.dropout() || p == 0) {
            mask = null;
            return x;
        }
        INDArray m = Nd4j.createUninitialized(x.dataType(), x.shape(), 'c');
        Nd4j.getExecutioner().exec(new BernoulliDistribution(m, 1.0 - p), pass.rng());
        m.muli(1.0 / (1.0 - p));
        mask = pass.caches() ? m : null;
        return x.muli(m);
    }

    /** The gradient through the last forward, in place on {@code dOut}. */
    INDArray backward(INDArray dOut) {
        return mask == null ? dOut : dOut.muli(mask);
    }
}
