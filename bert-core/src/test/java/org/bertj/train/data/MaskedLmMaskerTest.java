package org.bertj.train.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MaskedLmMaskerTest {

    static final SyntheticCorpus CORPUS = new SyntheticCorpus(150, 21);
    static final SpecialTokens SP = SyntheticCorpus.SPECIAL;
    static final List<SentencePair> PAIRS = new SentencePairSampler(128).sample(CORPUS.corpus(), 9);

    /** The text before masking: labels where predicted, inputs elsewhere. */
    static int[] original(PretrainingInstance in) {
        int[] o = in.inputIds().clone();
        for (int i = 0; i < o.length; i++) {
            if (in.labels()[i] != PretrainingInstance.IGNORE) {
                o[i] = in.labels()[i];
            }
        }
        return o;
    }

    @Test
    void fifteenPercentEightyTenTenNoSpecialTokens() {
        MaskedLmMasker masker = MaskedLmMasker.bert(SP, 20);
        SplittableRandom rng = new SplittableRandom(3);
        long tokens = 0, predicted = 0, masked = 0, kept = 0, replaced = 0;
        for (SentencePair p : PAIRS) {
            PretrainingInstance in = masker.mask(p, rng);
            int[] orig = original(in);
            int n = in.length();
            // [CLS] A [SEP] B [SEP] with token types 0...0 1...1
            assertEquals(SP.cls(), orig[0]);
            assertEquals(SP.sep(), orig[p.tokensA().length + 1]);
            assertEquals(SP.sep(), orig[n - 1]);
            assertEquals(0, in.tokenTypeIds()[p.tokensA().length + 1]);
            assertEquals(1, in.tokenTypeIds()[p.tokensA().length + 2]);
            assertEquals(1, in.tokenTypeIds()[n - 1]);
            int expectedCount = Math.min(20, Math.max(1, (int) Math.rint(n * 0.15)));
            assertEquals(expectedCount, in.predictionCount(), "predictions for length " + n);
            tokens += n;
            for (int i = 0; i < n; i++) {
                int label = in.labels()[i];
                if (label == PretrainingInstance.IGNORE) {
                    assertEquals(orig[i], in.inputIds()[i]);
                    continue;
                }
                assertFalse(SP.isSpecial(label), "special token " + label + " chosen at " + i);
                predicted++;
                int now = in.inputIds()[i];
                if (now == SP.mask()) {
                    masked++;
                } else if (now == label) {
                    kept++;
                } else {
                    replaced++;
                }
            }
        }
        double fraction = (double) predicted / tokens;
        System.out.printf("tokens %d predicted %.4f: [MASK] %.4f kept %.4f random %.4f%n", tokens, fraction,
                (double) masked / predicted, (double) kept / predicted, (double) replaced / predicted);
        assertEquals(0.15, fraction, 0.005);
        assertEquals(0.8, (double) masked / predicted, 0.01);
        assertEquals(0.1, (double) kept / predicted, 0.01);
        assertEquals(0.1, (double) replaced / predicted, 0.01);
    }

    @Test
    void maxPredictionsCapsEverySequence() {
        MaskedLmMasker masker = MaskedLmMasker.bert(SP, 5);
        SplittableRandom rng = new SplittableRandom(4);
        for (SentencePair p : PAIRS) {
            PretrainingInstance in = masker.mask(p, rng);
            assertEquals(Math.min(5, Math.max(1, (int) Math.rint(in.length() * 0.15))), in.predictionCount());
        }
    }

    @Test
    void wholeWordMaskingMasksEveryPieceOfAWordTogether() {
        MaskedLmMasker masker = new MaskedLmMasker(SP, 0.15, 20, true, SyntheticCorpus::isContinuation);
        SplittableRandom rng = new SplittableRandom(5);
        int multiPieceWordsPredicted = 0;
        long tokens = 0, predicted = 0;
        for (SentencePair p : PAIRS) {
            PretrainingInstance in = masker.mask(p, rng);
            int[] orig = original(in);
            int n = in.length();
            int toPredict = Math.min(20, Math.max(1, (int) Math.rint(n * 0.15)));
            assertTrue(in.predictionCount() <= toPredict);
            tokens += n;
            predicted += in.predictionCount();
            // Words: a non-continuation token and the continuation pieces right after it, never
            // across a special token.
            int start = 0;
            while (start < n) {
                int end = start + 1;
                if (!SP.isSpecial(orig[start])) {
                    while (end < n && !SP.isSpecial(orig[end]) && SyntheticCorpus.isContinuation(orig[end])) {
                        end++;
                    }
                }
                boolean first = in.labels()[start] != PretrainingInstance.IGNORE;
                for (int i = start + 1; i < end; i++) {
                    assertEquals(first, in.labels()[i] != PretrainingInstance.IGNORE,
                            "word at " + start + ".." + (end - 1) + " partly predicted");
                }
                if (first && end - start > 1) {
                    multiPieceWordsPredicted++;
                }
                start = end;
            }
        }
        assertTrue(multiPieceWordsPredicted > 100, "too few multi-piece words: " + multiPieceWordsPredicted);
        // Skipping words that would overshoot costs a little of the 15%.
        assertEquals(0.15, (double) predicted / tokens, 0.01);
    }
}
