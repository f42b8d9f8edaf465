package org.bertj.model;

import java.nio.FloatBuffer;
import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The attention's data movement as single Java passes for ND4J's CPU backend (float32
 * inference), under the same rules as {@link CpuKernels}: heads split out of the fused QKV
 * projection and merged back. The batched products and the softmax between them are ND4J's, and
 * the products get contiguous operands {@code [B, heads, S, D]}.
 *
 * <p>Each kernel moves data between ND4J's off-heap buffers and Java arrays in a few large bulk
 * copies: a bulk copy of a 64-float head slice cost ~80 ns, and one row at a time that was most of
 * a kernel's time (bench/NOTES.md).
 */
final class CpuAttentionKernels {

    private CpuAttentionKernels() {
    }

    /**
     * The fused projection {@code qkv [B·S, 3·heads·D]} plus its {@code bias [3·heads·D]} (null:
     * none) split into contiguous query, key and value {@code [B, heads, S, D]}. The key stays
     * untransposed (the score product takes it with the transpose flag): writing it transposed
     * was a scattered store per element, most of this kernel's time.
     */
    static void splitHeads(INDArray qkv, INDArray bias, int batch, int seq, INDArray q, INDArray k, INDArray v) {
        int heads = (int) q.size(1);
        int d = (int) q.size(3);
        int hidden = heads * d;
        int width = 3 * hidden;
        if (qkv.rank() != 2 || qkv.size(0) != (long) batch * seq || qkv.size(1) != width) {
            throw new IllegalArgumentException("qkv " + Arrays.toString(qkv.shape()) + " does not fit "
                    + batch + "x" + seq + " tokens of " + heads + " heads of " + d);
        }
        float[] b = bias == null ? null : CpuKernels.floats(bias);
        if (b != null && b.length != width) {
            throw new IllegalArgumentException("qkv bias of " + b.length + " does not fit " + width + " columns");
        }
        FloatBuffer in = qkv.data().asNioFloat();
        FloatBuffer[] to = {q.data().asNioFloat(), k.data().asNioFloat(), v.data().asNioFloat()};
        int[] toBase = {(int) q.offset(), (int) k.offset(), (int) v.offset()};
        int inBase = (int) qkv.offset();
        int block = seq * d; // one head of one sequence
        // One unit per (sequence, head), so that the two threads share a single long sequence too;
        // a range reads each of its sequences' rows once.
        CpuKernels.eachRange(batch * heads, qkv.length(), (first, end) -> {
            float[] rows = CpuKernels.scratch(0, seq * width);
            float[] head = CpuKernels.scratch(1, block);
            long loaded = -1;
            for (long u = first; u < end; u++) {
                int bi = (int) (u / heads);
                int h = (int) (u % heads);
                if (bi != loaded) {
                    in.get(inBase + bi * seq * width, rows, 0, seq * width);
                    loaded = bi;
                }
                for (int part = 0; part < 3; part++) {
                    int col = part * hidden + h * d;
                    if (b == null) {
                        for (int s = 0; s < seq; s++) {
                            System.arraycopy(rows, s * width + col, head, s * d, d);
                        }
                    } else {
                        for (int s = 0; s < seq; s++) {
                            int o = s * width + col;
                            for (int j = 0; j < d; j++) {
                                head[s * d + j] = rows[o + j] + b[col + j];
                            }
                        }
                    }
                    to[part].put(toBase[part] + (int) u * block, head, 0, block);
                }
            }
        });
    }

    /** Multi-head context {@code [B, heads, S, D]} back to rows {@code out [B·S, heads·D]}. */
    static void mergeHeads(INDArray context, INDArray out) {
        int batch = (int) context.size(0);
        int heads = (int) context.size(1);
        int seq = (int) context.size(2);
        int d = (int) context.size(3);
        int hidden = heads * d;
        if (out.rank() != 2 || out.size(0) != (long) batch * seq || out.size(1) != hidden) {
            throw new IllegalArgumentException("context " + Arrays.toString(context.shape())
                    + " does not fit rows " + Arrays.toString(out.shape()));
        }
        FloatBuffer in = context.data().asNioFloat();
        FloatBuffer to = out.data().asNioFloat();
        int inBase = (int) context.offset();
        int outBase = (int) out.offset();
        int n = seq * hidden; // one sequence
        CpuKernels.each(batch, out.length(), b -> {
            float[] heads4 = CpuKernels.scratch(0, n);
            float[] rows = CpuKernels.scratch(1, n);
            in.get(inBase + b * n, heads4, 0, n);
            for (int h = 0; h < heads; h++) {
                for (int s = 0; s < seq; s++) {
                    System.arraycopy(heads4, (h * seq + s) * d, rows, s * hidden + h * d, d);
                }
            }
            to.put(outBase + b * n, rows, 0, n);
        });
    }
}
