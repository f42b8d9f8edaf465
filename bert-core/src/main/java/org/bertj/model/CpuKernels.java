package org.bertj.model;

import java.nio.FloatBuffer;
import java.util.function.IntConsumer;
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
 * the off-heap data through a per-thread on-heap scratch array that the JIT vectorises, on the
 * calling thread, or on all cores for big inputs ({@link #PARALLEL_MIN}).
 *
 * <p>Callers use a kernel only where {@link #applies} says so (CPU backend, FLOAT, C-order with
 * default strides) and otherwise fall back to ND4J ops, so the CUDA backend and float64 runs
 * (gradient checks) never come here.
 */
final class CpuKernels {

    /** Elements per block: the scratch arrays stay in L1/L2. */
    private static final int BLOCK = 8192;
    /**
     * Below this many elements a kernel runs on the calling thread alone. Handing work to a second
     * thread costs a cross-core wake-up, ~100 µs on the 2-vCPU VM of bench/NOTES.md, about what it
     * saves on a 0.3-0.6 ms kernel: at 1x128 tokens the forward ran 1.21-1.24x its matrix products
     * with serial kernels against 1.30-1.36x with forks.
     */
    private static final int PARALLEL_MIN = 1 << 20;
    /**
     * The same threshold inside a {@link CpuParallel} pass, where the helper thread is already
     * awake (it spins between the pieces of a layer), so handing it half a kernel costs no
     * wake-up: with the kernels shared from 64K elements (two processes) and from this
     * threshold (a third), bert-base 1x128 took 192-218 ms median against 205-225 serial,
     * alternating in one process on the 2-vCPU Xeon of bench/NOTES.md ("December 2, night"),
     * where these kernels were a fifth of the caller's time.
     */
    private static final int SHARED_MIN = 1 << 14;
    static final boolean CPU = Nd4j.getEnvironment().isCPU();
    /** Fork only where inference may use several threads ({@code OMP_NUM_THREADS=1} keeps one). */
    private static final boolean PARALLEL = CpuParallel.THREADS > 1;
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

    /**
     * Runs {@code body} for indices {@code 0..n-1} of a kernel over {@code elements} elements,
     * serially unless the input is big ({@link #PARALLEL_MIN}); then on {@link CpuParallel}'s
     * threads in an inference pass that spreads its work (a ForkJoin split there would put a third
     * thread on two cores beside CPU parallel's spinning helper), else through the ForkJoin pool.
     */
    static void each(int n, long elements, IntConsumer body) {
        eachRange(n, elements, (from, to) -> {
            for (long i = from; i < to; i++) {
                body.accept((int) i);
            }
        });
    }

    /**
     * As {@link #each}, handing out ranges {@code [from, to)} of the indices, for a kernel that
     * shares work between neighbouring indices (one read of a sequence for all its heads).
     */
    static void eachRange(int n, long elements, CpuParallel.RangeTask task) {
        if (!PARALLEL || elements < (CpuParallel.active() ? SHARED_MIN : PARALLEL_MIN) || n < 2) {
            task.run(0, n);
        } else if (CpuParallel.active()) {
            CpuParallel.forRanges(n, task);
        } else {
            int parts = Math.min(n, Runtime.getRuntime().availableProcessors());
            IntStream.range(0, parts).parallel().forEach(p -> task.run((long) n * p / parts, (long) n * (p + 1) / parts));
        }
    }

    /**
     * This thread's scratch array {@code slot} (0 or 1), at least {@code n} long: grown when a
     * kernel needs more than a block (the attention kernels hold a whole sequence), never shrunk.
     */
    static float[] scratch(int slot, int n) {
        float[][] s = SCRATCH.get();
        if (s[slot].length < n) {
            s[slot] = new float[n];
        }
        return s[slot];
    }

    /** Whether the kernels can work on {@code a}: CPU backend, FLOAT, C order, default strides. */
    static boolean applies(INDArray a) {
        return CPU && a.dataType() == DataType.FLOAT && a.ordering() == 'c'
                && Shape.hasDefaultStridesForShape(a) && a.offset() + a.length() <= Integer.MAX_VALUE;
    }

    /**
     * An array's values in C order as a Java float array. One bulk read of the buffer: ND4J's
     * {@code toFloatVector} took 0.1-0.2 ms for 768 floats (bench/NOTES.md), and a bert-base
     * layer reads eight such parameter vectors per pass.
     */
    static float[] floats(INDArray v) {
        INDArray c = applies(v) ? v : v.castTo(DataType.FLOAT).dup('c');
        float[] out = new float[(int) c.length()];
        c.data().asNioFloat().get((int) c.offset(), out, 0, out.length);
        return out;
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
        float[] b = bias == null ? null : floats(bias);
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
        each(blocks, n, k -> {
            float[] buf = scratch(0, block);
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
        float[] g = floats(weight);
        float[] be = floats(bias);
        FloatBuffer w = word.data().asNioFloat();
        FloatBuffer p = position.data().asNioFloat();
        FloatBuffer t = type.data().asNioFloat();
        FloatBuffer to = out.data().asNioFloat();
        int wBase = (int) word.offset();
        int pBase = (int) position.offset();
        int tBase = (int) type.offset();
        int outBase = (int) out.offset();
        float epsilon = (float) eps;
        each(ids.length, out.length(), r -> {
            float[] row = scratch(1, h);
            float[] other = scratch(0, h);
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
     * {@code (row - mean) / sqrt(var + eps) · g + b} in place, biased variance of the centred values
     * as torch. Each sum runs in eight interleaved float partial sums, combined in double: one
     * running sum is a chain of dependent adds, four cycles each, and double sums convert every
     * element; eight float chains took 0.22-0.30 µs to sum a 768-float row against 0.59-0.64 for four
     * double ones (bench/NOTES.md, "December 2, night"). Each partial sum holds h/8 terms, so its
     * rounding error stays near torch's own vectorised float sums.
     */
    private static void normaliseRow(float[] row, int h, float[] g, float[] b, float epsilon) {
        float mean = (float) (sum8(row, h) / h);
        float rstd = (float) (1.0 / Math.sqrt(centredSquares8(row, h, mean) / h + epsilon));
        for (int i = 0; i < h; i++) {
            row[i] = (row[i] - mean) * rstd * g[i] + b[i];
        }
    }

    /** {@code Σ row[i]} over {@code i < h}, in eight float chains. */
    private static double sum8(float[] row, int h) {
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        float s4 = 0;
        float s5 = 0;
        float s6 = 0;
        float s7 = 0;
        int i = 0;
        for (; i + 7 < h; i += 8) {
            s0 += row[i];
            s1 += row[i + 1];
            s2 += row[i + 2];
            s3 += row[i + 3];
            s4 += row[i + 4];
            s5 += row[i + 5];
            s6 += row[i + 6];
            s7 += row[i + 7];
        }
        for (; i < h; i++) {
            s0 += row[i];
        }
        return (double) s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7;
    }

    /** {@code Σ (row[i] - mean)²} over {@code i < h}, in eight float chains. */
    private static double centredSquares8(float[] row, int h, float mean) {
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        float s4 = 0;
        float s5 = 0;
        float s6 = 0;
        float s7 = 0;
        int i = 0;
        for (; i + 7 < h; i += 8) {
            float d0 = row[i] - mean;
            float d1 = row[i + 1] - mean;
            float d2 = row[i + 2] - mean;
            float d3 = row[i + 3] - mean;
            float d4 = row[i + 4] - mean;
            float d5 = row[i + 5] - mean;
            float d6 = row[i + 6] - mean;
            float d7 = row[i + 7] - mean;
            s0 += d0 * d0;
            s1 += d1 * d1;
            s2 += d2 * d2;
            s3 += d3 * d3;
            s4 += d4 * d4;
            s5 += d5 * d5;
            s6 += d6 * d6;
            s7 += d7 * d7;
        }
        for (; i < h; i++) {
            float d = row[i] - mean;
            s0 += d * d;
        }
        return (double) s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7;
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
        float[] g = floats(weight);
        float[] be = floats(bias);
        float[] a = add == null ? null : floats(add);
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
        each(rows, (long) rows * h, r -> {
            float[] row = scratch(1, h);
            in.get(inBase + r * h, row, 0, h);
            if (a != null) { // (x·Wᵀ + b) + residual, in torch's order
                for (int i = 0; i < h; i++) {
                    row[i] += a[i];
                }
            }
            if (res != null) {
                float[] other = scratch(0, h);
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
