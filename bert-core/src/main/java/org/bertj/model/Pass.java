package org.bertj.model;

import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;

/**
 * How one forward pass runs: whether layers keep what their backward pass needs, and whether
 * dropout is active (with its own seeded random stream, so a training step is reproducible).
 */
public final class Pass {

    private static final Pass INFERENCE = new Pass(false, false, 0);

    private final boolean cache;
    private final boolean dropout;
    private final Random rng;

    private Pass(boolean cache, boolean dropout, long seed) {
        this.cache = cache;
        this.dropout = dropout;
        this.rng = dropout ? Nd4j.getRandomFactory().getNewRandomInstance(seed) : null;
    }

    /** Eval mode: no dropout, nothing kept for a backward pass. */
    public static Pass inference() {
        return INFERENCE;
    }

    /** Training mode: dropout on (masks drawn from a stream seeded with {@code seed}), caches kept. */
    public static Pass training(long seed) {
        return new Pass(true, true, seed);
    }

    /** Eval-mode arithmetic (no dropout) but caches kept, for gradients of the deterministic model. */
    public static Pass deterministicTraining() {
        return new Pass(true, false, 0);
    }

    /** Whether layers keep their inputs for {@code backward}. */
    public boolean caches() {
        return cache;
    }

    /** Whether dropout is applied. */
    public boolean dropout() {
        return dropout;
    }

    /** The dropout random stream; only in training mode. */
    Random rng() {
        if (rng == null) {
            throw new IllegalStateException("no random stream: dropout is off in this pass");
        }
        return rng;
    }
}
