package org.bertj.train;

/**
 * What one optimizer step of {@link Pretrainer} measured. Losses are the mean over the step's
 * micro-batches (what its gradient is the gradient of); accuracies are over all of the step's
 * predicted tokens and sequences.
 *
 * @param step             optimizer steps completed, this one included (1 after the first)
 * @param totalSteps       steps of the whole run
 * @param loss             mlmLoss + nspLoss
 * @param mlmLoss          masked-LM cross-entropy (NaN if no token was masked)
 * @param nspLoss          next-sentence cross-entropy
 * @param mlmAccuracy      fraction of masked tokens predicted right (NaN if none was masked)
 * @param nspAccuracy      fraction of next-sentence labels predicted right
 * @param learningRate     the rate this step used
 * @param gradNorm         global gradient norm before clipping
 * @param tokens           real (non-padding) tokens this step processed
 * @param tokensPerSecond  real tokens per second since this run (or resumption) started
 * @param elapsedSeconds   seconds since this run (or resumption) started
 * @param etaSeconds       estimated seconds until {@code totalSteps}
 */
public record StepMetrics(long step, long totalSteps, double loss, double mlmLoss, double nspLoss,
        double mlmAccuracy, double nspAccuracy, double learningRate, double gradNorm, long tokens,
        double tokensPerSecond, double elapsedSeconds, double etaSeconds) {
}
