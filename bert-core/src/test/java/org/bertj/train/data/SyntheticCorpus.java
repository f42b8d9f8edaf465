package org.bertj.train.data;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A generated corpus in which every token id is unique and increases through the text, so a test
 * can tell from ids alone which document a token came from and whether two segments are adjacent.
 */
final class SyntheticCorpus {

    static final SpecialTokens SPECIAL = new SpecialTokens(0, 2, 3, 4, 200_000);
    static final int FIRST_WORD = 5;

    final List<List<int[]>> documents = new ArrayList<>();
    /** Document of each id (-1 for ids that are not words). */
    final int[] documentOf = new int[SPECIAL.vocabSize()];

    SyntheticCorpus(int documentCount, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        java.util.Arrays.fill(documentOf, -1);
        int next = FIRST_WORD;
        for (int d = 0; d < documentCount; d++) {
            List<int[]> doc = new ArrayList<>();
            int sentences = 1 + rng.nextInt(80);
            for (int s = 0; s < sentences; s++) {
                // Mostly short sentences, a few longer than a whole sequence.
                int length = rng.nextDouble() < 0.03 ? 70 + rng.nextInt(100) : 3 + rng.nextInt(18);
                int[] ids = new int[length];
                for (int k = 0; k < length; k++) {
                    documentOf[next] = d;
                    ids[k] = next++;
                }
                doc.add(ids);
            }
            documents.add(doc);
        }
    }

    PretrainingCorpus corpus() {
        return PretrainingCorpus.of(documents);
    }

    /** The test's notion of a continuation piece: every third id. */
    static boolean isContinuation(int id) {
        return id >= FIRST_WORD && id % 3 == 0;
    }
}
