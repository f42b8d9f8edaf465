package org.bertj.train;

import java.nio.file.Path;

/** Receives {@link Pretrainer}'s progress (to draw a progress bar, log, or record losses in tests). */
public interface TrainingListener {

    /** After every optimizer step. */
    void onStep(StepMetrics metrics);

    /** After a checkpoint is complete and {@code latest} points at it. */
    default void onCheckpoint(long step, Path dir) {
    }

    /** Does nothing. */
    TrainingListener NONE = m -> { };
}
