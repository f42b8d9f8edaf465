package org.bertj.model;

/**
 * The numbers of one training step (forward, loss, backward), for progress display and logging.
 *
 * @param mlmLoss    masked-LM loss (NaN if no position was labelled)
 * @param nspLoss    next-sentence loss
 * @param loss       mlmLoss + nspLoss
 * @param mlmCount   labelled MLM positions
 * @param mlmCorrect labelled positions whose arg-max prediction is the label
 * @param nspCount   sequences
 * @param nspCorrect sequences whose NSP prediction is right
 */
public record TrainingStepResult(double mlmLoss, double nspLoss, double loss, long mlmCount, long mlmCorrect,
        long nspCount, long nspCorrect) {
}
