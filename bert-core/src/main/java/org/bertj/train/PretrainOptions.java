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

    /**
     * Checks every value, naming the one out of range. The ranges accepted:
     *
     * @param totalSteps     at least 1
     * @param batchSize      at least 1
     * @param accumulate     at least 1
     * @param maxSeqLength   at least 5, room for {@code [CLS] a [SEP] b [SEP]}
     * @param maxPredictions at least 1
     * @param maskingProb    in {@code (0, 1]}
     * @param wholeWordMask  either
     * @param shortSeqProb   in {@code [0, 1]}
     * @param learningRate   finite, at least 0
     * @param warmupSteps    in {@code [0, totalSteps]}
     * @param weightDecay    finite, at least 0
     * @param clipNorm       above 0
     * @param dropout        either
     * @param seed           any
     * @param saveEvery      at least 0
     * @param keepLast       at least 1
     * @throws IllegalArgumentException naming the first value out of its range
     */
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

    /**
     * A builder with the defaults; only the total steps have none of BERT's (default 1000).
     *
     * @return a new builder
     */
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

        /**
         * Optimizer steps of the run.
         *
         * @param v the number of optimizer steps of the whole run; default 1000
         * @return this builder
         */
        public Builder totalSteps(long v) {
            totalSteps = v;
            return this;
        }

        /**
         * Sequences per micro-batch.
         *
         * @param v sequences per micro-batch; default 32
         * @return this builder
         */
        public Builder batchSize(int v) {
            batchSize = v;
            return this;
        }

        /**
         * Micro-batches per step.
         *
         * @param v micro-batches whose gradients are summed per optimizer step; default 1
         * @return this builder
         */
        public Builder accumulate(int v) {
            accumulate = v;
            return this;
        }

        /**
         * Longest sequence.
         *
         * @param v the longest {@code [CLS] A [SEP] B [SEP]} in tokens, at least 5; default 128
         * @return this builder
         */
        public Builder maxSeqLength(int v) {
            maxSeqLength = v;
            return this;
        }

        /**
         * Masked positions per sequence at most.
         *
         * @param v the most masked positions per sequence; default 20
         * @return this builder
         */
        public Builder maxPredictions(int v) {
            maxPredictions = v;
            return this;
        }

        /**
         * Fraction of tokens predicted.
         *
         * @param v the fraction of tokens predicted, in {@code (0, 1]}; default 0.15
         * @return this builder
         */
        public Builder maskingProb(double v) {
            maskingProb = v;
            return this;
        }

        /**
         * Whole-word masking.
         *
         * @param v whether every WordPiece of a word is masked together; default false
         * @return this builder
         */
        public Builder wholeWordMask(boolean v) {
            wholeWordMask = v;
            return this;
        }

        /**
         * Probability of a shorter target length.
         *
         * @param v the probability of a shorter target length, in {@code [0, 1]}; default 0.1
         * @return this builder
         */
        public Builder shortSeqProb(double v) {
            shortSeqProb = v;
            return this;
        }

        /**
         * Peak learning rate.
         *
         * @param v the peak learning rate, reached after warmup; default 1e-4
         * @return this builder
         */
        public Builder learningRate(double v) {
            learningRate = v;
            return this;
        }

        /**
         * Warmup steps.
         *
         * @param v optimizer steps of linear warmup, at most the total steps; default 0
         * @return this builder
         */
        public Builder warmupSteps(long v) {
            warmupSteps = v;
            return this;
        }

        /**
         * Weight decay.
         *
         * @param v AdamW's decoupled weight decay; default 0.01
         * @return this builder
         */
        public Builder weightDecay(double v) {
            weightDecay = v;
            return this;
        }

        /**
         * Global gradient norm limit.
         *
         * @param v the global gradient L2 norm limit, above 0; default 1.0
         * @return this builder
         */
        public Builder clipNorm(double v) {
            clipNorm = v;
            return this;
        }

        /**
         * Dropout from the model config (true, default) or none.
         *
         * @param v true for dropout as the model config says (the default), false for none
         * @return this builder
         */
        public Builder dropout(boolean v) {
            dropout = v;
            return this;
        }

        /**
         * Seed of data and dropout.
         *
         * @param v the seed of the data pipeline and of dropout; default 42
         * @return this builder
         */
        public Builder seed(long v) {
            seed = v;
            return this;
        }

        /**
         * Checkpoint interval in steps (0: only at the end).
         *
         * @param v the checkpoint interval in optimizer steps, 0 for only at the end; default 0
         * @return this builder
         */
        public Builder saveEvery(long v) {
            saveEvery = v;
            return this;
        }

        /**
         * Checkpoints kept.
         *
         * @param v how many checkpoints are kept on disk, at least 1; default 3
         * @return this builder
         */
        public Builder keepLast(int v) {
            keepLast = v;
            return this;
        }

        /**
         * The options, checked.
         *
         * @return the options set, defaults for the rest
         * @throws IllegalArgumentException naming the first value out of its range (see the record's constructor)
         */
        public PretrainOptions build() {
            return new PretrainOptions(totalSteps, batchSize, accumulate, maxSeqLength, maxPredictions, maskingProb,
                    wholeWordMask, shortSeqProb, learningRate, warmupSteps, weightDecay, clipNorm, dropout, seed,
                    saveEvery, keepLast);
        }
    }
}
