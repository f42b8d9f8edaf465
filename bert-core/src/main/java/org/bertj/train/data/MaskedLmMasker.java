package org.bertj.train.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntPredicate;

/**
 * Chooses the masked-LM predictions of a sentence pair as Google's create_pretraining_data.py does
 * ({@code create_masked_lm_predictions}):
 * <ul>
 * <li>{@code min(max_predictions_per_seq, max(1, round(length * masked_lm_prob)))} positions are
 *   predicted, where length counts {@code [CLS]} and {@code [SEP]} (Python's round, half to even);</li>
 * <li>candidates are all positions except special tokens, taken in random order;</li>
 * <li>each chosen token becomes [MASK] with probability 0.8, stays itself with 0.1, and becomes a
 *   uniformly random vocabulary id with 0.1 (decided token by token, also within a whole word);</li>
 * <li>with whole-word masking a candidate is a word: a token and the continuation pieces
 *   ({@code ##...}) that follow it; a word that would overshoot the prediction count is skipped.
 *   Unlike Google's code a continuation piece never joins a word across a [SEP].</li>
 * </ul>
 * Masking is a function of the random generator passed in, so callers redo it each epoch with a new
 * seed (dynamic masking) rather than fixing it once as Google's static TFRecords do.
 */
public final class MaskedLmMasker {

    private final SpecialTokens special;
    private final double maskedLmProb;
    private final int maxPredictionsPerSeq;
    private final boolean wholeWordMask;
    private final IntPredicate isContinuation;

    /**
     * A masker with the given settings.
     *
     * @param special              special ids and vocabulary size
     * @param maskedLmProb         fraction of tokens predicted (BERT: 0.15)
     * @param maxPredictionsPerSeq cap on predictions per sequence (BERT: 20 at length 128, 80 at 512)
     * @param wholeWordMask        mask all pieces of a word together
     * @param isContinuation       whether an id is a continuation piece (its token starts with
     *                             "##"); only used with whole-word masking
     * @throws IllegalArgumentException if {@code maskedLmProb} is outside {@code (0, 1]} or
     *                                  {@code maxPredictionsPerSeq} is below 1
     */
    public MaskedLmMasker(SpecialTokens special, double maskedLmProb, int maxPredictionsPerSeq,
            boolean wholeWordMask, IntPredicate isContinuation) {
        if (!(maskedLmProb > 0 && maskedLmProb <= 1)) {
            throw new IllegalArgumentException("masked_lm_prob must be in (0, 1], got " + maskedLmProb);
        }
        if (maxPredictionsPerSeq < 1) {
            throw new IllegalArgumentException("max_predictions_per_seq must be >= 1, got " + maxPredictionsPerSeq);
        }
        this.special = special;
        this.maskedLmProb = maskedLmProb;
        this.maxPredictionsPerSeq = maxPredictionsPerSeq;
        this.wholeWordMask = wholeWordMask;
        this.isContinuation = isContinuation;
    }

    /**
     * BERT's settings: 15% of tokens, per-WordPiece masking.
     *
     * @param special              special ids and vocabulary size
     * @param maxPredictionsPerSeq cap on predictions per sequence, at least 1 (BERT: 20 at length 128)
     * @return the masker
     */
    public static MaskedLmMasker bert(SpecialTokens special, int maxPredictionsPerSeq) {
        return new MaskedLmMasker(special, 0.15, maxPredictionsPerSeq, false, id -> false);
    }

    /**
     * Builds {@code [CLS] A [SEP] B [SEP]} with its token types and masks it.
     *
     * @param pair the two segments and whether B is a random next
     * @param rng  the only source of randomness: the same state gives the same masks
     * @return the masked instance, unpadded, with its labels and NSP label
     */
    public PretrainingInstance mask(SentencePair pair, SplittableRandom rng) {
        int n = pair.sequenceLength();
        int[] tokens = new int[n];
        int[] types = new int[n];
        int[] a = pair.tokensA();
        int[] b = pair.tokensB();
        tokens[0] = special.cls();
        System.arraycopy(a, 0, tokens, 1, a.length);
        tokens[a.length + 1] = special.sep();
        System.arraycopy(b, 0, tokens, a.length + 2, b.length);
        tokens[n - 1] = special.sep();
        Arrays.fill(types, a.length + 2, n, 1);
        int[] labels = new int[n];
        Arrays.fill(labels, PretrainingInstance.IGNORE);
        maskInPlace(tokens, labels, rng);
        return new PretrainingInstance(tokens, types, labels, pair.nextSentenceLabel());
    }

    /**
     * Masks a finished sequence in place: replaces chosen tokens in {@code tokens} and writes their
     * original ids to {@code labels} (left untouched elsewhere).
     *
     * @param tokens a whole sequence with its special tokens, which are never chosen; changed in place
     * @param labels as long as {@code tokens}; the original id is written at each chosen position
     * @param rng    the only source of randomness: the same state gives the same masks
     */
    public void maskInPlace(int[] tokens, int[] labels, SplittableRandom rng) {
        List<int[]> candidates = candidates(tokens);
        for (int i = candidates.size() - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int[] t = candidates.get(i);
            candidates.set(i, candidates.get(j));
            candidates.set(j, t);
        }
        int toPredict = Math.min(maxPredictionsPerSeq,
                Math.max(1, (int) Math.rint(tokens.length * maskedLmProb)));
        int predicted = 0;
        for (int[] word : candidates) {
            if (predicted >= toPredict) {
                break;
            }
            if (predicted + word.length > toPredict) {
                continue;
            }
            for (int index : word) {
                int original = tokens[index];
                labels[index] = original;
                if (rng.nextDouble() < 0.8) {
                    tokens[index] = special.mask();
                } else if (rng.nextDouble() >= 0.5) {
                    tokens[index] = rng.nextInt(special.vocabSize());
                } // else: 10% keep the original
                predicted++;
            }
        }
    }

    /** Candidate positions, grouped into words when whole-word masking is on. */
    private List<int[]> candidates(int[] tokens) {
        List<int[]> out = new ArrayList<>(tokens.length);
        int lastCandidate = -2;
        for (int i = 0; i < tokens.length; i++) {
            if (special.isSpecial(tokens[i])) {
                continue;
            }
            if (wholeWordMask && lastCandidate == i - 1 && isContinuation.test(tokens[i])) {
                int[] word = out.get(out.size() - 1);
                int[] longer = Arrays.copyOf(word, word.length + 1);
                longer[word.length] = i;
                out.set(out.size() - 1, longer);
            } else {
                out.add(new int[] {i});
            }
            lastCandidate = i;
        }
        return out;
    }
}
