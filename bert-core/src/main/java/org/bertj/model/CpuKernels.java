package org.bertj.model;

import java.nio.FloatBuffer;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Fused float32 kernels for ND4J's CPU backend, where ND4J has no single op for the job and the
 * chain of ops it does have costs far more than the arithmetic (measured in bert-bench's
 * bench/NOTES.md): ND4J's {@code erf} alone takes ~11 ns an element, so exact GELU through it is
 * about a quarter of a bert-base forward pass; here it is ~0.5 ns. Each kernel streams blocks of
 * the off-heap data through a small on-heap scratch array that the JIT vectorises, on all cores.
 *
 * <p>Callers use a kernel only where {@link #applies} says so (CPU backend, FLOAT, C-order with
 * default strides) and otherwise fall back to ND4J ops, so the CUDA backend and float64 runs
 * (gradient checks) never come here.
 */
final class CpuKernels {

    /** Elements per block: the scratch arrays stay in L1/L2. */
    private static final int BLOCK = 8192;
    /** Below this many elements one thread does it all: a fork costs more than it saves. */
    private static final int PARALLEL_MIN = 1 << 16;
    private static final boolean CPU = Nd4j.getEnvironment().isCPU();
    /** Fork only where ND4J itself may use several threads (OMP_NUM_THREADS=1 keeps one). */
    private static final boolean PARALLEL = Nd4j.getEnvironment().maxThreads() > 1
            && Runtime.getRuntime().availableProcessors() > 1;
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[2][BLOCK]);

    // erf(x/√2)/2 = x·P(x²)/Q(x²) on |x| ≤ 4√2 (erf is ±1 in float beyond): Eigen's float erf
    // rational approximation, with its argument rescaled from x/√2 to x and the 1/2 folded in.
    private static final float CLAMP = (float) (4 * Math.sqrt(2));
    private static final float P0;
    private static final float P1;
    private static final float P2;
    private static final float P3;
    private static final float P4;
    private static final float P5;
    private static final float P6;
    private static final float Q0;
    private static final float Q1;
    private static final float Q2;
    private static final float Q3;
    private static final float Q4;

    static {
        double[] alpha = {-1.60960333262415e-02, -2.95459980854025e-03, -7.34990630326855e-04,
            -5.69250639462346e-05, -2.10102402082508e-06, 2.77068142495902e-08, -2.72614225801306e-10};
        double[] beta = {-1.42647390514189e-02, -7.37332916720468e-03, -1.68282697438203e-03,
            -2.13374055278905e-04, -1.45660718464996e-05};
        float[] p = new float[alpha.length];
        float[] q = new float[beta.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) (0.5 * alpha[i] * Math.pow(2, -(2 * i + 1) / 2.0));
        }
        for (int i = 0; i < q.length; i++) {
            q[i] = (float) (beta[i] * Math.pow(2, -i));
        }
        P0 = p[0];
        P1 = p[1];
        P2 = p[2];
        P3 = p[3];
        P4 = p[4];
        P5 = p[5];
        P6 = p[6];
        Q0 = q[0];
        Q1 = q[1];
        Q2 = q[2];
        Q3 = q[3];
        Q4 = q[4];
    }

    private CpuKernels() {
    }

    /** Whether the kernels can work on {@code a}: CPU backend, FLOAT, C order, default strides. */
    static boolean applies(INDArray a) {
        return CPU && a.dataType() == DataType.FLOAT && a.ordering() == 'c'
                && Shape.hasDefaultStridesForShape(a) && a.offset() + a.length() <= Integer.MAX_VALUE;
    }

    /**
     * {@code out = x·Φ(x) = 0.5·x·(1 + erf(x/√2))}, the exact GELU, to float precision (max abs
     * error ~1e-7 relative to |x|). {@code out} may be {@code x}.
     */
    static void gelu(INDArray x, INDArray out) {
        biasGelu(x, null, out);
    }

    /**
     * {@code out = gelu(x + bias)}, bias broadcast over the rows of {@code x [N, H]} (null: none):
     * the intermediate dense layer's bias add and activation in one pass. {@code out} may be {@code x}.
     */
    static void biasGelu(INDArray x, INDArray bias, INDArray out) {
        float[] b = bias == null ? null : bias.toFloatVector();
        int h = b == null ? BLOCK : b.length;
        if (b != null && (x.rank() != 2 || x.size(1) != h)) {
            throw new IllegalArgumentException("bias of " + h + " does not fit rows of " + java.util.Arrays.toString(x.shape()));
        }
        FloatBuffer in = x.data().asNioFloat();
        FloatBuffer to = out.data().asNioFloat();
        int inBase = (int) x.offset();
        int outBase = (int) out.offset();
        int n = (int) x.length();
        // Blocks of whole rows when there is a bias, so each block starts at column 0.
        int block = b == null ? BLOCK : Math.max(1, BLOCK / h) * h;
        int blocks = (n + block - 1) / block;
        IntStream range = IntStream.range(0, blocks);
        (PARALLEL && n >= PARALLEL_MIN ? range.parallel() : range).forEach(k -> {
            float[] buf = block <= BLOCK ? SCRATCH.get()[0] : new float[block];
            int from = k * block;
            int len = Math.min(block, n - from);
            in.get(inBase + from, buf, 0, len);
            if (b != null) {
                for (int r = 0; r < len; r += h) {
                    for (int i = 0; i < h; i++) {
                        buf[r + i] += b[i];
                    }
                }
            }
            geluBlock(buf, len);
            to.put(outBase + from, buf, 0, len);
        });
    }

    /**
     * BERT's embedding layer in one pass: row {@code r} of {@code out [N, H]} is
     * {@code LayerNorm(word[ids[r]] + position[positions[r]] + type[types[r]])}. Ids are trusted
     * (the inputs were validated against the tables' sizes).
     */
    static void embedLayerNorm(INDArray word, int[] ids, INDArray position, int[] positions, INDArray type,
            int[] types, INDArray weight, INDArray bias, double eps, INDArray out) {
        int h = (int) out.size(1);
        if (h > BLOCK) {
            throw new IllegalArgumentException("embedLayerNorm kernel handles rows of at most " + BLOCK + " elements, not " + h);
        }
        float[] g = weight.toFloatVector();
        float[] be = bias.toFloatVector();
        FloatBuffer w = word.data().asNioFloat();
        FloatBuffer p = position.data().asNioFloat();
        FloatBuffer t = type.data().asNioFloat();
        FloatBuffer to = out.data().asNioFloat();
        int wBase = (int) word.offset();
        int pBase = (int) position.offset();
        int tBase = (int) type.offset();
        int outBase = (int) out.offset();
        float epsilon = (float) eps;
        IntStream range = IntStream.range(0, ids.length);
        (PARALLEL && out.length() >= PARALLEL_MIN ? range.parallel() : range).forEach(r -> {
            float[][] scratch = SCRATCH.get();
            float[] row = scratch[1];
            float[] other = scratch[0];
            w.get(wBase + ids[r] * h, row, 0, h);
            p.get(pBase + positions[r] * h, other, 0, h);
            for (int i = 0; i < h; i++) {
                row[i] += other[i];
            }
            t.get(tBase + types[r] * h, other, 0, h);
            for (int i = 0; i < h; i++) {
                row[i] += other[i];
            }
            normaliseRow(row, h, g, be, epsilon);
            to.put(outBase + r * h, row, 0, h);
        });
    }

    /**
     * The fused projection {@code qkv [B·S, 3·heads·D]} plus its {@code bias [3·heads·D]} (null:
     * none) split into contiguous query, key and value {@code [B, heads, S, D]}: batched products on contiguous operands run like the yardstick's,
     * where ND4J's on permuted views stall with two threads.
     */
    static void splitHeads(INDArray qkv, INDArray bias, int batch, int seq, INDArray q, INDArray k, INDArray v) {
        int heads = (int) q.size(1);
        int d = (int) q.size(3);
        int hidden = heads * d;
        if (qkv.rank() != 2 || qkv.size(0) != (long) batch * seq || qkv.size(1) != 3L * hidden) {
            throw new IllegalArgumentException("qkv " + java.util.Arrays.toString(qkv.shape()) + " does not fit "
                    + batch + "x" + seq + " tokens of " + heads + " heads of " + d);
        }
        float[] b = bias == null ? null : bias.toFloatVector();
        if (b != null && b.length != 3 * hidden) {
            throw new IllegalArgumentException("qkv bias of " + b.length + " does not fit " + 3 * hidden + " columns");
        }
        FloatBuffer in = qkv.data().asNioFloat();
        FloatBuffer[] to = {q.data().asNioFloat(), k.data().asNioFloat(), v.data().asNioFloat()};
        int[] toBase = {(int) q.offset(), (int) k.offset(), (int) v.offset()};
        int inBase = (int) qkv.offset();
        IntStream range = IntStream.range(0, batch * seq);
        (PARALLEL && qkv.length() >= PARALLEL_MIN ? range.parallel() : range).forEach(row -> {
            float[] buf = 3 * hidden <= BLOCK ? SCRATCH.get()[0] : new float[3 * hidden];
            in.get(inBase + row * 3 * hidden, buf, 0, 3 * hidden);
            if (b != null) {
                for (int i = 0; i < 3 * hidden; i++) {
                    buf[i] += b[i];
                }
            }
            int seqIndex = row % seq;
            int batchIndex = row / seq;
            for (int part = 0; part < 3; part++) {
                for (int h = 0; h < heads; h++) {
                    to[part].put(toBase[part] + ((batchIndex * heads + h) * seq + seqIndex) * d, buf, part * hidden + h * d, d);
                }
            }
        });
    }

    /**
     * Multi-head context {@code [B, heads, S, D]} back to rows {@code out [B·S, heads·D]}: the
     * permuted copy ND4J's {@code assign} does, without its per-op threading cost.
     */
    static void mergeHeads(INDArray context, INDArray out) {
        int batch = (int) context.size(0);
        int heads = (int) context.size(1);
        int seq = (int) context.size(2);
        int d = (int) context.size(3);
        if (out.rank() != 2 || out.size(0) != (long) batch * seq || out.size(1) != (long) heads * d) {
            throw new IllegalArgumentException("context " + java.util.Arrays.toString(context.shape())
                    + " does not fit rows " + java.util.Arrays.toString(out.shape()));
        }
        FloatBuffer in = context.data().asNioFloat();
        FloatBuffer to = out.data().asNioFloat();
        int inBase = (int) context.offset();
        int outBase = (int) out.offset();
        int hidden = heads * d;
        IntStream range = IntStream.range(0, batch * seq);
        (PARALLEL && out.length() >= PARALLEL_MIN ? range.parallel() : range).forEach(row -> {
            float[] buf = hidden <= BLOCK ? SCRATCH.get()[0] : new float[hidden];
            int b = row / seq;
            int s = row % seq;
            for (int h = 0; h < heads; h++) {
                in.get(inBase + ((b * heads + h) * seq + s) * d, buf, h * d, d);
            }
            to.put(outBase + row * hidden, buf, 0, hidden);
        });
    }

    /** {@code (row - mean) / sqrt(var + eps) · g + b} in place; sums in double. */
    private static void normaliseRow(float[] row, int h, float[] g, float[] b, float epsilon) {
        double sum = 0;
        for (int i = 0; i < h; i++) {
            sum += row[i];
        }
        float mean = (float) (sum / h);
        double sq = 0;
        for (int i = 0; i < h; i++) {
            float d = row[i] - mean;
            sq += d * d;
        }
        float rstd = (float) (1.0 / Math.sqrt(sq / h + epsilon));
        for (int i = 0; i < h; i++) {
            row[i] = (row[i] - mean) * rstd * g[i] + b[i];
        }
    }

    private static void geluBlock(float[] a, int n) {
        for (int i = 0; i < n; i++) {
            float x = a[i];
            float c = Math.min(CLAMP, Math.max(-CLAMP, x));
            float s = c * c;
            float p = ((((((P6 * s + P5) * s + P4) * s + P3) * s + P2) * s + P1) * s + P0) * c;
            float q = (((Q4 * s + Q3) * s + Q2) * s + Q1) * s + Q0;
            a[i] = x * (0.5f + p / q);
        }
    }

    /**
     * Row-wise {@code (x - mean) / sqrt(var + eps) · weight + bias} of {@code x [N, H]} into
     * {@code out} (which may be {@code x}); biased variance from the centred values, as torch.
     */
    static void layerNorm(INDArray x, INDArray weight, INDArray bias, double eps, INDArray out) {
        addLayerNorm(x, null, null, weight, bias, eps, out);
    }

    /**
     * {@code out = LayerNorm(x + add + residual)} row by row: a dense layer's bias ({@code add [H]},
     * broadcast) and the residual ({@code [N, H]}) summed in the same pass as the normalisation;
     * either may be null. {@code out} may be {@code x}.
     */
    static void addLayerNorm(INDArray x, INDArray add, INDArray residual, INDArray weight, INDArray bias, double eps,
            INDArray out) {
        int h = (int) x.size(1);
        int rows = (int) x.size(0);
        if (h > BLOCK) {
            throw new IllegalArgumentException("layerNorm kernel handles rows of at most " + BLOCK + " elements, not " + h);
        }
        float[] g = weight.toFloatVector();
        float[] be = bias.toFloatVector();
        float[] a = add == null ? null : add.toFloatVector();
        if (residual != null && !java.util.Arrays.equals(residual.shape(), x.shape())) {
            throw new IllegalArgumentException("residual " + java.util.Arrays.toString(residual.shape())
                    + " does not match " + java.util.Arrays.toString(x.shape()));
        }
        FloatBuffer res = residual == null ? null : residual.data().asNioFloat();
        int resBase = residual == null ? 0 : (int) residual.offset();
        FloatBuffer in = x.data().asNioFloat();
        FloatBuffer to = out.data().asNioFloat();
        int inBase = (int) x.offset();
        int outBase = (int) out.offset();
        float epsilon = (float) eps;
        IntStream range = IntStream.range(0, rows);
        (PARALLEL && (long) rows * h >= PARALLEL_MIN ? range.parallel() : range).forEach(r -> {
            float[][] scratch = SCRATCH.get();
            float[] row = scratch[1];
            in.get(inBase + r * h, row, 0, h);
            if (a != null) { // (x·Wᵀ + b) + residual, in torch's order
                for (int i = 0; i < h; i++) {
                    row[i] += a[i];
                }
            }
            if (res != null) {
                float[] other = scratch[0];
                res.get(resBase + r * h, other, 0, h);
                for (int i = 0; i < h; i++) {
                    row[i] += other[i];
                }
            }
            normaliseRow(row, h, g, be, epsilon);
            to.put(outBase + r * h, row, 0, h);
        });
    }
}
