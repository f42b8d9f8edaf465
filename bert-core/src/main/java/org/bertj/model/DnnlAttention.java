package org.bertj.model;

import java.lang.ref.Reference;
import java.nio.FloatBuffer;
import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link BertSelfAttention}'s float32 inference where {@link DnnlProducts} multiplies on
 * addresses: every step of one (batch, head) pair, scores, mask, softmax, head mask and context,
 * one pair after the other in a single job over the cores. The same steps as the step-by-step
 * path, in the same order; oneDNN's products on strided operands and its bias add may sum in
 * another order than on the copied heads (bert-base's last hidden state moved by at most 5.3e-5).
 *
 * <p>Why one job and no copies: each head's query, key and value are read where the fused
 * projection left them (rows {@code 3H} floats apart: oneDNN takes the stride) and each head's
 * context is written straight into its columns of the merged {@code [B·S, H]} output. Before,
 * the heads were first copied out into {@code [B, heads, S, D]} (with the projection's bias
 * added) and merged back after, and scores, softmax and context were three jobs, each waiting
 * for the slower core: on the 2-vCPU Zen 5 of bench/NOTES.md ("December 2, fused attention")
 * the split alone took 0.29-0.33 ms of a 1x128 layer's ~8 ms, the three jobs ~0.31 ms more. Now the projection's
 * product adds the bias itself, and one thread carries a pair from its scores to its context
 * while they are in its cache. The softmax is oneDNN's: on one layer's {@code [12,128,128]}
 * scores it took 0.23 ms against ND4J's 0.42 (one thread, the same values to the last bit), and a
 * Java one ran slower than ND4J's inside the model (bench/NOTES.md, "December 2, late").
 */
final class DnnlAttention {

    private DnnlAttention() {
    }

    /**
     * The attention of {@code projected [B·S, 3H]} (query, key, value side by side, bias
     * included).
     *
     * @param maskBias additive mask {@code [B, S]} or {@code [B, S, S]} ({@link AttentionMaskBias}), or null
     * @param headMask multiplier per head {@code [heads]}, or null
     * @return the merged context {@code [B·S, H]} and the probabilities {@code [B, heads, S, S]}
     */
    static BertSelfAttention.Result attend(INDArray projected, int batch, int seq, int heads, int headSize,
            INDArray maskBias, INDArray headMask) {
        long hidden = (long) heads * headSize;
        long width = 3 * hidden;
        if (!CpuKernels.applies(projected) || projected.rows() != (long) batch * seq || projected.columns() != width) {
            throw new IllegalArgumentException("projection " + Arrays.toString(projected.shape()) + " does not fit "
                    + batch + "x" + seq + " tokens of " + heads + " heads of " + headSize);
        }
        INDArray s = Nd4j.createUninitialized(projected.dataType(), new long[] {batch, heads, seq, seq}, 'c');
        INDArray out = Nd4j.createUninitialized(projected.dataType(), new long[] {(long) batch * seq, hidden}, 'c');
        DnnlProducts.Shape scores = new DnnlProducts.Shape(seq, seq, headSize, width, width, seq, true,
                (float) (1.0 / Math.sqrt(headSize)));
        DnnlProducts.Shape context = new DnnlProducts.Shape(seq, headSize, seq, seq, width, hidden, false, 1f);
        DnnlProducts.Softmax softmax = new DnnlProducts.Softmax(seq, seq);
        boolean masked = maskBias != null || headMask != null;
        if (masked && !CpuKernels.applies(s)) {
            throw new IllegalArgumentException("attention scores " + Arrays.toString(s.shape()) + " too large for a masked pass");
        }
        Masks masks = !masked ? null
                : new Masks(maskBias == null ? null : CpuKernels.floats(maskBias), maskBias != null && maskBias.rank() == 3,
                        headMask == null ? null : CpuKernels.floats(headMask), s.data().asNioFloat(), (int) s.offset(),
                        heads, seq);
        long p = DnnlProducts.address(projected);
        long sa = DnnlProducts.address(s);
        long o = DnnlProducts.address(out);
        long pairs = (long) batch * heads;
        long block = (long) seq * seq; // floats of one pair's scores
        CpuParallel.RangeTask task = (from, to) -> {
            for (long i = from; i < to; i++) {
                long b = i / heads;
                long h = i % heads;
                long q = p + (b * seq * width + h * headSize) * Float.BYTES;
                long si = sa + i * block * Float.BYTES;
                DnnlProducts.multiply(scores, q, q + hidden * Float.BYTES, si);
                if (masks != null) {
                    masks.beforeSoftmax(i);
                }
                DnnlProducts.softmax(softmax, si);
                if (masks != null) {
                    masks.afterSoftmax(i);
                }
                DnnlProducts.multiply(context, si, q + 2 * hidden * Float.BYTES,
                        o + (b * seq * hidden + h * headSize) * Float.BYTES);
            }
        };
        BertSelfAttention.inRanges(BertSelfAttention.splitsPairs(pairs, seq, headSize), pairs, task);
        // oneDNN has addresses only: the arrays must stay reachable until it is done with them
        Reference.reachabilityFence(projected);
        Reference.reachabilityFence(s);
        Reference.reachabilityFence(out);
        return new BertSelfAttention.Result(out, s);
    }

    /**
     * The mask steps of one pair's scores, in Java on a copy of its block: {@code scores +=
     * bias} broadcast as {@link AttentionMaskBias#addTo} does it, then after the softmax the
     * uniform rows of {@link AttentionMaskBias#uniformWhereFullyMasked} and the head mask's
     * factor. Only calls with a mask or a head mask come here.
     */
    private record Masks(float[] bias, boolean perQuery, float[] headMask, FloatBuffer scores, int base,
            int heads, int seq) {

        private float[] load(long pair) {
            float[] block = CpuKernels.scratch(0, seq * seq);
            scores.get(base + (int) (pair * seq * seq), block, 0, seq * seq);
            return block;
        }

        private void store(long pair, float[] block) {
            scores.put(base + (int) (pair * seq * seq), block, 0, seq * seq);
        }

        void beforeSoftmax(long pair) {
            if (bias == null) {
                return;
            }
            float[] block = load(pair);
            int b = (int) (pair / heads);
            for (int q = 0; q < seq; q++) {
                int from = perQuery ? (b * seq + q) * seq : b * seq;
                for (int k = 0; k < seq; k++) {
                    block[q * seq + k] += bias[from + k];
                }
            }
            store(pair, block);
        }

        void afterSoftmax(long pair) {
            float[] block = load(pair);
            int b = (int) (pair / heads);
            if (bias != null) {
                float uniform = (float) (1.0 / seq);
                for (int q = 0; q < seq; q++) {
                    // bias entries are 0 (attended) or finfo.min: a row with no 0 attends nothing
                    int from = perQuery ? (b * seq + q) * seq : b * seq;
                    boolean attends = false;
                    for (int k = 0; k < seq && !attends; k++) {
                        attends = bias[from + k] >= 0;
                    }
                    if (!attends) {
                        Arrays.fill(block, q * seq, (q + 1) * seq, uniform);
                    }
                }
            }
            if (headMask != null) {
                float m = headMask[(int) (pair % heads)];
                for (int j = 0; j < seq * seq; j++) {
                    block[j] *= m;
                }
            }
            store(pair, block);
        }
    }
}
