package org.bertj.train.data;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A padded batch as {@code BertForPreTraining} takes it; every tensor is int64 (LONG), as Hugging
 * Face's are.
 *
 * @param inputIds          [B, S], padded with [PAD]
 * @param tokenTypeIds      [B, S], 0 on padding
 * @param attentionMask     [B, S], 1 on real tokens, 0 on padding
 * @param labels            [B, S], original id at predicted positions, -100 elsewhere and on padding
 * @param nextSentenceLabel [B], 0 = IsNext, 1 = NotNext
 */
public record PretrainingBatch(INDArray inputIds, INDArray tokenTypeIds, INDArray attentionMask,
        INDArray labels, INDArray nextSentenceLabel) {

    /**
     * Pads instances to {@code seqLength} and stacks them.
     *
     * @param instances the rows, at least one
     * @param seqLength the padded length S; at least the longest instance (Google and Hugging Face
     *                  pad to max_seq_length; padding only to the longest saves compute)
     * @param special   the vocabulary's special ids; {@code pad()} fills the padding
     * @return the batch, {@code [B, seqLength]} tensors with B = {@code instances.size()}
     * @throws IllegalArgumentException if an instance is longer than {@code seqLength} or none is given
     */
    public static PretrainingBatch of(List<PretrainingInstance> instances, int seqLength, SpecialTokens special) {
        if (instances.isEmpty()) {
            throw new IllegalArgumentException("a batch needs at least one instance");
        }
        int b = instances.size();
        long[][] ids = new long[b][seqLength];
        long[][] types = new long[b][seqLength];
        long[][] mask = new long[b][seqLength];
        long[][] labels = new long[b][seqLength];
        long[] nsp = new long[b];
        for (int r = 0; r < b; r++) {
            PretrainingInstance in = instances.get(r);
            int n = in.length();
            if (n > seqLength) {
                throw new IllegalArgumentException("instance " + r + " of the batch has " + n
                        + " tokens, more than the sequence length " + seqLength);
            }
            for (int s = 0; s < seqLength; s++) {
                boolean real = s < n;
                ids[r][s] = real ? in.inputIds()[s] : special.pad();
                types[r][s] = real ? in.tokenTypeIds()[s] : 0;
                mask[r][s] = real ? 1 : 0;
                labels[r][s] = real ? in.labels()[s] : PretrainingInstance.IGNORE;
            }
            nsp[r] = in.nextSentenceLabel();
        }
        return new PretrainingBatch(Nd4j.createFromArray(ids), Nd4j.createFromArray(types),
                Nd4j.createFromArray(mask), Nd4j.createFromArray(labels), Nd4j.createFromArray(nsp));
    }

    /**
     * Pads to the longest instance of the batch.
     *
     * @param instances the rows, at least one
     * @param special   the vocabulary's special ids; {@code pad()} fills the padding
     * @return the batch, S the longest instance's length
     * @throws IllegalArgumentException if no instance is given
     */
    public static PretrainingBatch ofLongest(List<PretrainingInstance> instances, SpecialTokens special) {
        int longest = 0;
        for (PretrainingInstance in : instances) {
            longest = Math.max(longest, in.length());
        }
        return of(instances, longest, special);
    }

    /** {@return the batch size B} */
    public int batchSize() {
        return (int) inputIds.size(0);
    }

    /** {@return the padded sequence length S} */
    public int seqLength() {
        return (int) inputIds.size(1);
    }
}
