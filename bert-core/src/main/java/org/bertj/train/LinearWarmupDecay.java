package org.bertj.train;

/**
 * Linear warmup from 0 to the peak learning rate, then linear decay to 0: Hugging Face's
 * {@code get_linear_schedule_with_warmup}, which is also what Google's BERT optimization.py does
 * (its polynomial decay with power 1.0).
 *
 * <p>{@code rate(step)} is the rate for the optimizer step taken after {@code step} completed
 * steps, as PyTorch's {@code LambdaLR} gives it: the first update (step 0) uses rate 0 when there
 * is a warmup. In a loop: {@code adam.setLearningRate(schedule.rate(adam.stepCount())); adam.step(...)}.
 */
public final class LinearWarmupDecay {

    private final double peak;
    private final long warmupSteps;
    private final long totalSteps;

    /**
     * The schedule of one run.
     *
     * @param peakLearningRate the rate reached at the end of warmup
     * @param warmupSteps      steps of linear warmup (0 for none)
     * @param totalSteps       step at which the rate reaches 0; at least {@code warmupSteps}
     * @throws IllegalArgumentException if the peak is negative or not finite, or the steps are out of order
     */
    public LinearWarmupDecay(double peakLearningRate, long warmupSteps, long totalSteps) {
        if (!(peakLearningRate >= 0) || Double.isInfinite(peakLearningRate)) {
            throw new IllegalArgumentException("peak learning rate must be finite and >= 0, got " + peakLearningRate);
        }
        if (warmupSteps < 0 || totalSteps < warmupSteps) {
            throw new IllegalArgumentException("need 0 <= warmupSteps <= totalSteps, got warmupSteps="
                    + warmupSteps + ", totalSteps=" + totalSteps);
        }
        this.peak = peakLearningRate;
        this.warmupSteps = warmupSteps;
        this.totalSteps = totalSteps;
    }

    /**
     * The learning rate for the optimizer step taken after {@code step} completed ones.
     *
     * @param step completed optimizer steps, at least 0 (e.g. {@link AdamW#stepCount()})
     * @return the rate, in {@code [0, peak]}; 0 from {@code totalSteps} on
     * @throws IllegalArgumentException if {@code step} is negative
     */
    public double rate(long step) {
        if (step < 0) {
            throw new IllegalArgumentException("step must be >= 0, got " + step);
        }
        if (step < warmupSteps) {
            return peak * step / warmupSteps;
        }
        long decaySteps = Math.max(1, totalSteps - warmupSteps);
        return peak * Math.max(0.0, (double) (totalSteps - step) / decaySteps);
    }

    /** {@return the peak learning rate, reached at the end of warmup} */
    public double peak() {
        return peak;
    }

    /** {@return the number of steps of linear warmup} */
    public long warmupSteps() {
        return warmupSteps;
    }

    /** {@return the step at which the rate reaches 0} */
    public long totalSteps() {
        return totalSteps;
    }
}
