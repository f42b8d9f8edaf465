package org.bertj.train.data;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;

/**
 * Epochs of pretraining batches from a corpus, reproducible from one seed: sentence pairs are cut
 * once (or anew each epoch), and every epoch shuffles them and masks them afresh.
 *
 * <p>Every random choice derives from (seed, epoch, pair index), never from iteration order, so
 * {@link #epoch(int, long)} can resume in the middle of an epoch and produce exactly the batches an
 * uninterrupted run would have produced.
 */
public final class PretrainingDataset {

    private final PretrainingCorpus corpus;
    private final SentencePairSampler sampler;
    private final MaskedLmMasker masker;
    private final SpecialTokens special;
    private final int batchSize;
    private final long seed;
    private final boolean resamplePairsEachEpoch;
    private List<SentencePair> pairs;
    private int pairsEpoch = -1;

    /**
     * A dataset over a corpus; nothing is cut or masked until an epoch is asked for.
     *
     * @param corpus                 the tokenized documents
     * @param sampler                cuts the documents into sentence pairs
     * @param masker                 masks each pair into a training instance
     * @param special                the vocabulary's special ids, for {@code [CLS]}, {@code [SEP]} and padding
     * @param batchSize              sequences per batch, at least 1
     * @param seed                   the seed every random choice derives from
     * @param resamplePairsEachEpoch cut new pairs every epoch (as Google's dupe_factor does once
     *                               for all) instead of only the masks
     * @throws IllegalArgumentException if {@code batchSize} is below 1
     */
    public PretrainingDataset(PretrainingCorpus corpus, SentencePairSampler sampler, MaskedLmMasker masker,
            SpecialTokens special, int batchSize, long seed, boolean resamplePairsEachEpoch) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
        this.corpus = corpus;
        this.sampler = sampler;
        this.masker = masker;
        this.special = special;
        this.batchSize = batchSize;
        this.seed = seed;
        this.resamplePairsEachEpoch = resamplePairsEachEpoch;
    }

    /**
     * The sentence pairs of an epoch, before shuffling and masking.
     *
     * @param epoch the epoch, from 0; without resampling every epoch has epoch 0's pairs
     * @return the pairs as the sampler cut them, cached until another pair epoch is asked for
     */
    public synchronized List<SentencePair> pairs(int epoch) {
        int pairSeedEpoch = resamplePairsEachEpoch ? epoch : 0;
        if (pairs == null || pairsEpoch != pairSeedEpoch) {
            pairs = sampler.sample(corpus, mix(seed, pairSeedEpoch, -1));
            pairsEpoch = pairSeedEpoch;
        }
        return pairs;
    }

    /**
     * Batches per epoch (the last one may be smaller).
     *
     * @param epoch the epoch, from 0
     * @return {@code ceil(pairs / batchSize)}
     */
    public long batchesPerEpoch(int epoch) {
        return (pairs(epoch).size() + batchSize - 1) / batchSize;
    }

    /**
     * All batches of an epoch.
     *
     * @param epoch the epoch, from 0
     * @return the batches, as {@link #epoch(int, long) epoch(epoch, 0)}
     */
    public Iterator<PretrainingBatch> epoch(int epoch) {
        return epoch(epoch, 0);
    }

    /**
     * The batches of an epoch from {@code firstBatch} on, each padded to max_seq_length, masked
     * lazily as the iterator advances.
     *
     * @param epoch      the epoch, from 0; it fixes the shuffle and the masks
     * @param firstBatch the index of the first batch to produce, e.g. a resumed run's
     *                   {@link org.bertj.train.TrainerState#batchInEpoch()}
     * @return the remaining batches of the epoch, the same as an uninterrupted run's
     * @throws IllegalArgumentException if {@code epoch} or {@code firstBatch} is negative
     */
    public Iterator<PretrainingBatch> epoch(int epoch, long firstBatch) {
        if (epoch < 0 || firstBatch < 0) {
            throw new IllegalArgumentException("epoch and first batch must be >= 0, got " + epoch + ", " + firstBatch);
        }
        List<SentencePair> epochPairs = pairs(epoch);
        int[] order = new int[epochPairs.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        SplittableRandom shuffle = new SplittableRandom(mix(seed, epoch, -2));
        for (int i = order.length - 1; i > 0; i--) {
            int j = shuffle.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return new Iterator<>() {
            long next = firstBatch * batchSize;

            @Override
            public boolean hasNext() {
                return next < order.length;
            }

            @Override
            public PretrainingBatch next() {
                if (!hasNext()) {
                    throw new NoSuchElementException("epoch " + epoch + " has no more batches");
                }
                int end = (int) Math.min(order.length, next + batchSize);
                List<PretrainingInstance> instances = new ArrayList<>(end - (int) next);
                for (int i = (int) next; i < end; i++) {
                    int pairIndex = order[i];
                    SplittableRandom rng = new SplittableRandom(mix(seed, epoch, pairIndex));
                    instances.add(masker.mask(epochPairs.get(pairIndex), rng));
                }
                next = end;
                return PretrainingBatch.of(instances, sampler.maxSeqLength(), special);
            }
        };
    }

    /** A well-spread 64-bit seed from three numbers (SplitMix64's finalizer over a combination). */
    static long mix(long seed, long epoch, long index) {
        long z = seed * 0x9E3779B97F4A7C15L + epoch * 0xC2B2AE3D27D4EB4FL + index * 0x165667B19E3779F9L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
