package org.bertj.train;

/**
 * Settings of a pretraining run ({@link Pretrainer}). Defaults are BERT's where BERT has one
 * (batch 32 at sequence length 128, 20 predictions, 15% masking, lr 1e-4, weight decay 0.01, clip
 * norm 1.0); build with {@link #builder()}.
 *
 * @param totalSteps      optimizer steps of the whole run (the schedule decays to 0 there)
 * @param batchSize       sequences per micro-batch
 * @param accumulate      micro-batches per optimizer step (effective batch = batchSize × accumulate)
 * @param maxSeqLength    longest {@code [CLS] A [SEP] B [SEP]}
 * @param maxPredictions  cap on masked positions per sequence
 * @param maskingProb     fraction of tokens predicted
 * @param wholeWordMask   mask every WordPiece of a word together
 * @param shortSeqProb    probability of a shorter target length (Google: 0.1)
 * @param learningRate    peak learning rate
 * @param warmupSteps     steps of linear warmup before the linear decay
 * @param weightDecay     AdamW decoupled weight decay (not on LayerNorm weights and biases)
 * @param clipNorm        global gradient norm limit
 * @param dropout         dropout as the model config says (true), or none at all (false)
 * @param seed            seed of the data pipeline and of dropout
 * @param saveEvery       write a checkpoint every this many steps (0: only at the end)
 * @param keepLast        checkpoints kept on disk (older ones are deleted)
 */
public record PretrainOptions(long totalSteps, int batchSize, int accumulate, int maxSeqLength, int maxPredictions,
        double maskingProb, boolean wholeWordMask, double shortSeqProb, double learningRate, long warmupSteps,
        double weightDecay, double clipNorm, boolean dropout, long seed, long saveEvery, int keepLast) {

    /** Checks every value, naming the one out of range. */
    public PretrainOptions {
        positive("total steps", totalSteps);
        positive("batch size", batchSize);
        positive("gradient accumulation", accumulate);
        positive("max predictions", maxPredictions);
        positive("keep-last", keepLast);
        if (maxSeqLength < 5) {
            throw new IllegalArgumentException("max_seq_length must be at least 5 ([CLS] a [SEP] b [SEP]), got "
                    + maxSeqLength);
        }
        if (!(maskingProb > 0 && maskingProb <= 1)) {
            throw new IllegalArgumentException("masking probability must be in (0, 1], got " + maskingProb);
        }
        if (!(shortSeqProb >= 0 && shortSeqProb <= 1)) {
            throw new IllegalArgumentException("short_seq_prob must be in [0, 1], got " + shortSeqProb);
        }
        if (!(learningRate >= 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("learning rate must be finite and >= 0, got " + learningRate);
        }
        if (warmupSteps < 0 || warmupSteps > totalSteps) {
            throw new IllegalArgumentException("warmup steps must be in [0, total steps = " + totalSteps
                    + "], got " + warmupSteps);
        }
        if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
            throw new IllegalArgumentException("weight decay must be finite and >= 0, got " + weightDecay);
        }
        if (!(clipNorm > 0)) {
            throw new IllegalArgumentException("clip norm must be > 0, got " + clipNorm);
        }
        if (saveEvery < 0) {
            throw new IllegalArgumentException("checkpoint interval must be >= 0, got " + saveEvery);
        }
    }

    private static void positive(String what, long v) {
        if (v < 1) {
            throw new IllegalArgumentException(what + " must be >= 1, got " + v);
        }
    }

    /** A builder with the defaults; only the total steps have none (default 1000). */
    public static Builder builder() {
        return new Builder();
    }

    /** Builder of {@link PretrainOptions}. */
    public static final class Builder {
        private long totalSteps = 1000;
        private int batchSize = 32;
        private int accumulate = 1;
        private int maxSeqLength = 128;
        private int maxPredictions = 20;
        private double maskingProb = 0.15;
        private boolean wholeWordMask;
        private double shortSeqProb = 0.1;
        private double learningRate = 1e-4;
        private long warmupSteps;
        private double weightDecay = 0.01;
        private double clipNorm = 1.0;
        private boolean dropout = true;
        private long seed = 42;
        private long saveEvery;
        private int keepLast = 3;

        private Builder() {
        }

        /** Optimizer steps of the run. */
        public Builder totalSteps(long v) {
            totalSteps = v;
            return this;
        }

        /** Sequences per micro-batch; default 32. */
        public Builder batchSize(int v) {
            batchSize = v;
            return this;
        }

        /** Micro-batches per step; default 1. */
        public Builder accumulate(int v) {
            accumulate = v;
            return this;
        }

        /** Longest sequence; default 128. */
        public Builder maxSeqLength(int v) {
            maxSeqLength = v;
            return this;
        }

        /** Masked positions per sequence at most; default 20. */
        public Builder maxPredictions(int v) {
            maxPredictions = v;
            return this;
        }

        /** Fraction of tokens predicted; default 0.15. */
        public Builder maskingProb(double v) {
            maskingProb = v;
            return this;
        }

        /** Whole-word masking; default off. */
        public Builder wholeWordMask(boolean v) {
            wholeWordMask = v;
            return this;
        }

        /** Probability of a shorter target length; default 0.1. */
        public Builder shortSeqProb(double v) {
            shortSeqProb = v;
            return this;
        }

        /** Peak learning rate; default 1e-4. */
        public Builder learningRate(double v) {
            learningRate = v;
            return this;
        }

        /** Warmup steps; default 0. */
        public Builder warmupSteps(long v) {
            warmupSteps = v;
            return this;
        }

        /** Weight decay; default 0.01. */
        public Builder weightDecay(double v) {
            weightDecay = v;
            return this;
        }

        /** Global gradient norm limit; default 1.0. */
        public Builder clipNorm(double v) {
            clipNorm = v;
            return this;
        }

        /** Dropout from the model config (true, default) or none. */
        public Builder dropout(boolean v) {
            dropout = v;
            return this;
        }

        /** Seed of data and dropout; default 42. */
        public Builder seed(long v) {
            seed = v;
            return this;
        }

        /** Checkpoint interval in steps (0: only at the end); default 0. */
        public Builder saveEvery(long v) {
            saveEvery = v;
            return this;
        }

        /** Checkpoints kept; default 3. */
        public Builder keepLast(int v) {
            keepLast = v;
            return this;
        }

        /** The options, checked. */
        public PretrainOptions build() {
            return new PretrainOptions(totalSteps, batchSize, accumulate, maxSeqLength, maxPredictions, maskingProb,
                    wholeWordMask, shortSeqProb, learningRate, warmupSteps, weightDecay, clipNorm, dropout, seed,
                    saveEvery, keepLast);
        }
    }
}
