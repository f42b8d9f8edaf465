package org.bertj.train;

import java.nio.file.Path;

/** Receives {@link Pretrainer}'s progress (to draw a progress bar, log, or record losses in tests). */
public interface TrainingListener {

    /**
     * Called after every optimizer step, on the training thread.
     *
     * @param metrics the step's number, losses, accuracies, learning rate and gradient norm
     */
    void onStep(StepMetrics metrics);

    /**
     * Called after a checkpoint is complete and {@code latest} points at it; by default nothing.
     *
     * @param step the optimizer step the checkpoint holds
     * @param dir  the checkpoint's directory, {@code checkpoint-<step>} in the run directory
     */
    default void onCheckpoint(long step, Path dir) {
    }

    /** Does nothing. */
    TrainingListener NONE = m -> { };
}
