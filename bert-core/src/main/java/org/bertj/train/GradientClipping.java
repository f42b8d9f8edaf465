package org.bertj.train;

import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Gradient clipping by the global L2 norm, as BERT pretraining does (max norm 1.0). */
public final class GradientClipping {

    private GradientClipping() {
    }

    /**
     * Scales every gradient in place so that their global L2 norm is at most {@code maxNorm}, with
     * {@code torch.nn.utils.clip_grad_norm_}'s semantics: the norm is taken over all gradients
     * together, and when {@code maxNorm / (norm + 1e-6) < 1} every gradient is multiplied by that
     * factor.
     *
     * <p>A non-finite norm (a NaN or infinite gradient) leaves the gradients as they are, so the
     * caller can see it in the returned value and skip the step; PyTorch would multiply by NaN
     * or by 0 instead.
     *
     * @param grads   gradients by parameter name; scaled in place
     * @param maxNorm the largest global L2 norm allowed, above 0 (BERT: 1.0)
     * @return the global norm before clipping
     * @throws IllegalArgumentException if {@code maxNorm} is not above 0
     */
    public static double clipGlobalNorm(Map<String, INDArray> grads, double maxNorm) {
        if (!(maxNorm > 0)) {
            throw new IllegalArgumentException("max norm must be > 0, got " + maxNorm);
        }
        double norm = globalNorm(grads);
        double scale = maxNorm / (norm + 1e-6);
        if (Double.isFinite(norm) && scale < 1) {
            for (INDArray g : grads.values()) {
                g.muli(scale);
            }
        }
        return norm;
    }

    /**
     * The L2 norm of all gradients taken as one vector, accumulated in double.
     *
     * @param grads gradients by parameter name; only read
     * @return {@code sqrt(Σ g²)} over every element of every gradient; NaN or infinite if one is
     */
    public static double globalNorm(Map<String, INDArray> grads) {
        double sumSquares = 0;
        for (INDArray g : grads.values()) {
            sumSquares += sumOfSquares(g);
        }
        return Math.sqrt(sumSquares);
    }

    /** Rows short enough that a float32 sum over one row loses nothing that matters. */
    private static final int ROW = 1024;

    /**
     * Σ x² of one tensor. ND4J's float32 norm2 accumulates sequentially, which on a million
     * same-sign values is off by 0.3%; summing rows of {@value #ROW} in the tensor's own type and
     * the row results in double keeps the error at float rounding, without a double copy.
     */
    static double sumOfSquares(INDArray g) {
        long n = g.length();
        if (n <= ROW) {
            double norm = g.norm2Number().doubleValue();
            return norm * norm;
        }
        INDArray flat = g.reshape(g.ordering(), new long[] {n});
        long rows = n / ROW;
        INDArray rowNorms = flat.get(NDArrayIndex.interval(0, rows * ROW)).reshape(rows, ROW)
                .norm2(1).castTo(DataType.DOUBLE);
        double sum = rowNorms.muli(rowNorms).sumNumber().doubleValue();
        if (rows * ROW < n) {
            double rest = flat.get(NDArrayIndex.interval(rows * ROW, n)).norm2Number().doubleValue();
            sum += rest * rest;
        }
        return sum;
    }
}
