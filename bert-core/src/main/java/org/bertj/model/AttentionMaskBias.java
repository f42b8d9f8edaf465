package org.bertj.model;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastAddOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The additive attention mask as Hugging Face's {@code get_extended_attention_mask} builds it,
 * {@code (1 − mask)·finfo(dtype).min}, and the two places it enters the attention scores.
 *
 * <p>The bias is {@code [B, S]} for a per-key mask (broadcast over heads and queries) or
 * {@code [B, S, S]} for a per-query-and-key mask (broadcast over heads, HF's {@code mask[:, None]}).
 */
final class AttentionMaskBias {

    private AttentionMaskBias() {
    }

    /** The bias of a 0/1 mask {@code [B, S]} or {@code [B, S, S]} in {@code type}. */
    static INDArray of(INDArray attentionMask, DataType type) {
        double min = type == DataType.DOUBLE ? -Double.MAX_VALUE : -Float.MAX_VALUE;
        return attentionMask.castTo(type).rsub(1.0).muli(min);
    }

    /** {@code scores [B, heads, S, S] += bias}, broadcast as described above. */
    static void addTo(INDArray scores, INDArray bias) {
        int[] dims = bias.rank() == 3 ? new int[] {0, 2, 3} : new int[] {0, 3};
        Nd4j.exec(new BroadcastAddOp(scores, bias, scores, dims));
    }

    /**
     * Sets to {@code 1/S} every row of the softmax output {@code probs [B, heads, S, S]} whose
     * query attends no key, as HF computes it: each of that row's scores is then exactly
     * {@code finfo.min} ({@code q·k/√D} is far below one ulp of it), so HF's softmax is exactly
     * uniform. ND4J's softmax gives NaN for such a row (measured: float rows at {@code −FLT_MAX},
     * double rows at {@code −1e300} and below), which would spread into the outputs and the loss.
     * The backward pass then uses the uniform row, as HF's autograd does.
     */
    static void uniformWhereFullyMasked(INDArray probs, INDArray bias) {
        // bias entries are 0 (attended) or finfo.min: a row with no 0 has a negative maximum
        INDArray rowMax = bias.max(bias.rank() - 1); // [B] or [B, S]
        double[] m = rowMax.castTo(DataType.DOUBLE).dup('c').reshape(-1).toDoubleVector();
        long seq = probs.size(3);
        double uniform = 1.0 / seq;
        for (int i = 0; i < m.length; i++) {
            if (m[i] >= 0) {
                continue;
            }
            if (bias.rank() == 2) {
                probs.get(NDArrayIndex.point(i)).assign(uniform);
            } else {
                probs.get(NDArrayIndex.point(i / seq), NDArrayIndex.all(), NDArrayIndex.point(i % seq),
                        NDArrayIndex.all()).assign(uniform);
            }
        }
    }
}
