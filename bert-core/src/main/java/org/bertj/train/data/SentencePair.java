package org.bertj.train.data;

/**
 * One next-sentence-prediction example before masking: segment A, segment B, and whether B is a
 * random segment from another document (NSP label 1, NotNext) or the text that follows A (label 0).
 *
 * @param tokensA      ids of segment A (at least one)
 * @param tokensB      ids of segment B (at least one)
 * @param isRandomNext true when B does not follow A
 */
public record SentencePair(int[] tokensA, int[] tokensB, boolean isRandomNext) {

    /**
     * Checks that both segments are non-empty; the arrays are kept, not copied.
     *
     * @param tokensA      at least one id
     * @param tokensB      at least one id
     * @param isRandomNext either
     * @throws IllegalArgumentException if a segment is empty
     */
    public SentencePair {
        if (tokensA.length == 0 || tokensB.length == 0) {
            throw new IllegalArgumentException("both segments need at least one token, got "
                    + tokensA.length + " and " + tokensB.length);
        }
    }

    /** {@return the length of {@code [CLS] A [SEP] B [SEP]} in tokens} */
    public int sequenceLength() {
        return tokensA.length + tokensB.length + 3;
    }

    /** {@return the NSP label: 0 = IsNext, 1 = NotNext (Hugging Face's convention)} */
    public int nextSentenceLabel() {
        return isRandomNext ? 1 : 0;
    }
}
