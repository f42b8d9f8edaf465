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
     * @param peakLearningRate the rate reached at the end of warmup
     * @param warmupSteps      steps of linear warmup (0 for none)
     * @param totalSteps       step at which the rate reaches 0; at least {@code warmupSteps}
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

    /** The learning rate after {@code step} completed optimizer steps (never negative). */
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

    /** Peak learning rate. */
    public double peak() {
        return peak;
    }

    /** Warmup steps. */
    public long warmupSteps() {
        return warmupSteps;
    }

    /** Total steps. */
    public long totalSteps() {
        return totalSteps;
    }
}
