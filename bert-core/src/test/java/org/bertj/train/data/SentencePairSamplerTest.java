package org.bertj.train.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SentencePairSamplerTest {

    static final SyntheticCorpus CORPUS = new SyntheticCorpus(200, 11);

    @Test
    void pairsAreTrueContinuationsOrFromAnotherDocumentAndFitTheLength() {
        int maxSeq = 64;
        List<SentencePair> pairs = new SentencePairSampler(maxSeq).sample(CORPUS.corpus(), 5);
        int random = 0;
        int full = 0;
        int shortOnes = 0;
        for (SentencePair p : pairs) {
            int[] a = p.tokensA();
            int[] b = p.tokensB();
            assertTrue(a.length >= 1 && b.length >= 1);
            assertTrue(p.sequenceLength() <= maxSeq, "length " + p.sequenceLength());
            full += p.sequenceLength() == maxSeq ? 1 : 0;
            shortOnes += p.sequenceLength() < maxSeq / 2 ? 1 : 0;
            int docA = CORPUS.documentOf[a[0]];
            // A and B are each contiguous runs of one document (only trimmed at their ends).
            assertContiguous(a);
            assertContiguous(b);
            if (p.isRandomNext()) {
                random++;
                assertNotEquals(docA, CORPUS.documentOf[b[0]], "random next from the same document");
            } else {
                assertEquals(docA, CORPUS.documentOf[b[0]]);
                assertTrue(b[0] > a[a.length - 1], "B precedes A");
                if (p.sequenceLength() < maxSeq) { // untruncated: B starts where A ends
                    assertEquals(a[a.length - 1] + 1, b[0]);
                }
            }
        }
        double randomFraction = (double) random / pairs.size();
        // Google's procedure: 50% random, plus the single-sentence chunks that must be random.
        assertTrue(randomFraction > 0.47 && randomFraction < 0.60, "random next fraction " + randomFraction);
        assertTrue(full > pairs.size() / 3, "most sequences should be filled: " + full + "/" + pairs.size());
        assertTrue(shortOnes > 0, "short_seq_prob should make some short sequences");
        System.out.printf("pairs %d, random next %.3f, full length %.3f%n", pairs.size(), randomFraction,
                (double) full / pairs.size());
    }

    @Test
    void sameSeedSamePairsOtherSeedOtherPairs() {
        SentencePairSampler s = new SentencePairSampler(32);
        List<SentencePair> x = s.sample(CORPUS.corpus(), 1);
        List<SentencePair> y = s.sample(CORPUS.corpus(), 1);
        List<SentencePair> z = s.sample(CORPUS.corpus(), 2);
        assertEquals(x.size(), y.size());
        for (int i = 0; i < x.size(); i++) {
            assertTrue(Arrays.equals(x.get(i).tokensA(), y.get(i).tokensA()));
            assertTrue(Arrays.equals(x.get(i).tokensB(), y.get(i).tokensB()));
        }
        assertTrue(!Arrays.equals(x.get(0).tokensA(), z.get(0).tokensA())
                || !Arrays.equals(x.get(1).tokensA(), z.get(1).tokensA()));
    }

    @Test
    void longSentencesAreTruncatedFromTheLongerSegment() {
        int[] huge = new int[500];
        for (int i = 0; i < huge.length; i++) {
            huge[i] = 1000 + i;
        }
        PretrainingCorpus c = PretrainingCorpus.of(List.of(
                List.of(huge, new int[] {7, 8}), List.of(new int[] {9, 10, 11})));
        for (SentencePair p : new SentencePairSampler(16, 0).sample(c, 3)) {
            assertTrue(p.sequenceLength() <= 16, "length " + p.sequenceLength());
        }
    }

    private static void assertContiguous(int[] ids) {
        for (int i = 1; i < ids.length; i++) {
            assertEquals(ids[i - 1] + 1, ids[i], "segment not a contiguous run at " + i);
        }
    }
}
