package org.bertj.train.data;

/**
 * One masked, unpadded training sequence {@code [CLS] A [SEP] B [SEP]}.
 *
 * @param inputIds          token ids after masking
 * @param tokenTypeIds      0 for {@code [CLS] A [SEP]}, 1 for {@code B [SEP]}
 * @param labels            the original id where a token is to be predicted, {@link #IGNORE} elsewhere
 * @param nextSentenceLabel 0 = IsNext, 1 = NotNext
 */
public record PretrainingInstance(int[] inputIds, int[] tokenTypeIds, int[] labels, int nextSentenceLabel) {

    /** Label of a position that is not predicted (PyTorch's cross-entropy ignore_index). */
    public static final int IGNORE = -100;

    /**
     * Checks that the three arrays have one length; they are kept, not copied.
     *
     * @param inputIds          token ids after masking
     * @param tokenTypeIds      as many as {@code inputIds}
     * @param labels            as many as {@code inputIds}
     * @param nextSentenceLabel 0 or 1
     * @throws IllegalArgumentException if the lengths differ
     */
    public PretrainingInstance {
        if (tokenTypeIds.length != inputIds.length || labels.length != inputIds.length) {
            throw new IllegalArgumentException("input_ids, token_type_ids and labels differ in length: "
                    + inputIds.length + ", " + tokenTypeIds.length + ", " + labels.length);
        }
    }

    /** {@return the sequence length in tokens, special tokens included (no padding)} */
    public int length() {
        return inputIds.length;
    }

    /** {@return how many positions are to be predicted: labels that are not {@link #IGNORE}} */
    public int predictionCount() {
        int n = 0;
        for (int l : labels) {
            if (l != IGNORE) {
                n++;
            }
        }
        return n;
    }
}
