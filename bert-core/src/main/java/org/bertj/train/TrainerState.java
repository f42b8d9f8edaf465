package org.bertj.train;

/**
 * Where a training run stands, saved with each checkpoint so that a resumed run continues exactly
 * where the saved one was: same optimizer step, same place in the data, same random streams.
 *
 * @param step         optimizer steps taken
 * @param epoch        epoch of the next batch
 * @param batchInEpoch index within that epoch of the next batch (for
 *                     {@link org.bertj.train.data.PretrainingDataset#epoch(int, long)})
 * @param seed         the run's data seed; every random choice of the data pipeline derives from
 *                     it, the epoch and the example, so no generator state needs saving
 * @param lastLoss     loss of the last step (NaN if none yet)
 * @param configJson   the model's Hugging Face config.json text (written beside the weights so the
 *                     checkpoint loads with {@code from_pretrained}); may be null
 */
public record TrainerState(long step, int epoch, long batchInEpoch, long seed, double lastLoss, String configJson) {

    /**
     * Checks that counters are not negative.
     *
     * @param step         at least 0
     * @param epoch        at least 0
     * @param batchInEpoch at least 0
     * @param seed         any
     * @param lastLoss     any, NaN included
     * @param configJson   any, null included
     * @throws IllegalArgumentException if a counter is negative
     */
    public TrainerState {
        if (step < 0 || epoch < 0 || batchInEpoch < 0) {
            throw new IllegalArgumentException("step, epoch and batchInEpoch must be >= 0, got "
                    + step + ", " + epoch + ", " + batchInEpoch);
        }
    }
}
