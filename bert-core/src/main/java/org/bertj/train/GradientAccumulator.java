package org.bertj.train;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Sums gradients over several micro-batches so that one optimizer step sees their mean, giving a
 * larger effective batch than fits in memory at once.
 *
 * <p>Pattern: {@code add} the gradients of each of N micro-batches, then {@link #mean()} (sum / N),
 * clip, step, and {@link #reset()}. This equals Hugging Face Trainer's accumulation (loss / N per
 * micro-batch, gradients summed). It equals one big batch exactly when each micro-batch's loss is a
 * mean over the same number of items; the MLM loss averages over masked positions, whose count
 * varies between micro-batches, so there it is the mean of the micro-batch means (as in HF).
 */
public final class GradientAccumulator {

    private final Map<String, INDArray> sums = new LinkedHashMap<>();
    private int count;

    /**
     * Adds one micro-batch's gradients. The first call ever fixes the set of names and allocates
     * the sums; the arrays passed in are never modified or kept.
     *
     * @param grads one micro-batch's gradients by parameter name
     * @throws IllegalArgumentException naming the tensor if names or shapes differ from the first call
     */
    public void add(Map<String, INDArray> grads) {
        if (count == 0 && sums.isEmpty()) {
            grads.forEach((k, g) -> sums.put(k, g.dup()));
        } else {
            if (!grads.keySet().equals(sums.keySet())) {
                throw new IllegalArgumentException("gradient names differ from the first micro-batch's: "
                        + difference(grads.keySet(), sums.keySet()));
            }
            for (Map.Entry<String, INDArray> e : grads.entrySet()) {
                INDArray sum = sums.get(e.getKey());
                if (!Arrays.equals(sum.shape(), e.getValue().shape())) {
                    throw new IllegalArgumentException("gradient " + e.getKey() + " has shape "
                            + Arrays.toString(e.getValue().shape()) + ", earlier micro-batches had "
                            + Arrays.toString(sum.shape()));
                }
                if (count == 0) {
                    sum.assign(e.getValue());
                } else {
                    sum.addi(e.getValue());
                }
            }
        }
        count++;
    }

    /** {@return how many micro-batches have been added since the last reset (1 after {@link #mean()})} */
    public int count() {
        return count;
    }

    /**
     * Divides the sums by the number of micro-batches, in place, and returns them (live arrays that
     * the optimizer may read and the clipper may scale; valid until the next {@link #add}).
     *
     * @return the mean gradient by parameter name, an unmodifiable map of the live sums
     * @throws IllegalStateException if nothing was added
     */
    public Map<String, INDArray> mean() {
        if (count == 0) {
            throw new IllegalStateException("no micro-batch gradients were added since the last reset");
        }
        if (count > 1) {
            for (INDArray s : sums.values()) {
                s.divi(count);
            }
        }
        count = 1; // the arrays now hold one (mean) gradient: calling mean() again changes nothing
        return Collections.unmodifiableMap(sums);
    }

    /** Starts a new accumulation; the buffers are kept and overwritten by the next {@link #add}. */
    public void reset() {
        count = 0;
    }

    private static String difference(java.util.Set<String> a, java.util.Set<String> b) {
        java.util.Set<String> extra = new java.util.TreeSet<>(a);
        extra.removeAll(b);
        java.util.Set<String> missing = new java.util.TreeSet<>(b);
        missing.removeAll(a);
        return "unexpected " + extra + ", missing " + missing;
    }
}
