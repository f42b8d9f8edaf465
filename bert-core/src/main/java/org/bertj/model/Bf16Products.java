package org.bertj.model;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * The linear layers' products in {@link MatmulPrecision#BF16}: {@code x·Wᵀ} with {@code x} and
 * {@code W} in bfloat16, accumulated in float32 by oneDNN, widened back to float32. Kept apart from
 * {@link Linear} so that the float32 path stays one line there.
 *
 * <p>Why the output is bfloat16 and then widened: ND4J's {@code matmul} refuses bfloat16 inputs
 * with a float32 output ("Op [matmul] execution failed"), and oneDNN's bf16 x bf16 -> bf16 kernel
 * already accumulates in float32 and rounds once at the end, so the only loss is that last rounding
 * (relative 2^-9) on top of the rounding of the inputs.
 *
 * <p>Why {@code assign} into a new array and not {@code castTo}: in ND4J 1.0.0-M2.1 {@code castTo}
 * took 2.6 ms for a {@code [128, 768]} input and 15 ms for a {@code [128, 3072]} output on one
 * thread, more than the product itself; {@code assign} across types does the same rounding
 * (round to nearest even, checked bit for bit) in 0.04 ms.
 */
final class Bf16Products {

    /** Null when bf16 products are usable here, else why not; computed once. */
    private static volatile String unusable;
    private static volatile boolean checked;

    private Bf16Products() {
    }

    /**
     * Refuses a BF16 pass where it would not be what {@link MatmulPrecision#BF16} promises.
     *
     * @param modelType the model's element type
     * @throws IllegalArgumentException for a model that is not FLOAT
     * @throws UnsupportedOperationException off ND4J's oneDNN CPU build
     */
    static void checkUsable(DataType modelType) {
        if (modelType != DataType.FLOAT) {
            throw new IllegalArgumentException("MatmulPrecision.BF16 needs a FLOAT model, this one is " + modelType
                    + " (a DOUBLE model is for exactness; rounding it to bfloat16 defeats it)");
        }
        if (!available()) {
            throw new UnsupportedOperationException("MatmulPrecision.BF16 is not available here: " + unusable);
        }
    }

    /** Whether this process can run bf16 products as {@link MatmulPrecision#BF16} describes them. */
    static boolean available() {
        if (!checked) {
            unusable = whyUnusable();
            checked = true;
        }
        return unusable == null;
    }

    private static String whyUnusable() {
        if (!Nd4j.getEnvironment().isCPU()) {
            return "it is implemented for ND4J's CPU backend only (oneDNN's kernels)";
        }
        String build = NativeOpsHolder.getInstance().getDeviceNativeOps().buildInfo();
        if (build == null || !build.contains("HAVE_ONEDNN")) {
            // Measured: the portable build's generic matmul accumulates bf16 products in bf16
            // (max error 0.49 against the exact product of the same bf16 inputs on a
            // [128,768]x[768,3072] product whose values reach 6.4; 0.016 with oneDNN, its final
            // rounding) and ran that product far slower than float32 (100 calls of it did not finish
            // in five minutes).
            return "ND4J's portable native build (no oneDNN) accumulates bfloat16 products in bfloat16;"
                    + " bertj loads the oneDNN build on AVX-512 CPUs (org.bertj.weights.NativeBuild)";
        }
        if (!Nd4j.getEnvironment().helpersAllowed()) {
            return "ND4J's platform helpers (oneDNN) are switched off (Environment.allowHelpers(false))";
        }
        return null;
    }

    /**
     * A bfloat16 copy of a weight, for the cache in {@link Parameters}: C order, outside any
     * workspace (it outlives the call that first needs it).
     *
     * <p>Kept {@code [out, in]} like the float32 weight, so that {@link CpuParallel#xWt} cuts it
     * into contiguous row blocks over the cores as it does the float32 one (an inference pass
     * makes each native call single-threaded). On one thread oneDNN's bf16 gemm was a little
     * faster on {@code Wᵀ} stored {@code [in, out]} (best of 10: {@code [128,3072]x[3072,768]}
     * 2.0-2.4 against 2.3-4.2 ms, the decoder 22 against 23 ms), which the split outweighs.
     *
     * @param w a weight {@code [out, in]}, float32, any layout
     * @return its values rounded to nearest (even) bfloat16, {@code [out, in]}, C order
     */
    static INDArray copyOf(INDArray w) {
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            INDArray b = Nd4j.createUninitialized(DataType.BFLOAT16, w.shape(), 'c');
            b.assign(w);
            return b;
        }
    }

    /**
     * {@code x·Wᵀ} in bf16 with float32 accumulation, allocated where the caller allocates (the
     * forward's workspace).
     *
     * @param x       {@code [N, in]} float32, any layout
     * @param weights the store holding the weight's bfloat16 copy
     * @param key     the weight's name, or its fused-buffer key if {@code fused}
     * @param fused   whether {@code key} names a fused buffer ({@link Parameters#fused})
     * @return {@code [N, out]} float32, a new C-order array
     */
    static INDArray timesTransposed(INDArray x, Parameters weights, String key, boolean fused) {
        INDArray wb = weights.bfloat16(key, fused);
        INDArray xb = Nd4j.createUninitialized(DataType.BFLOAT16, x.shape(), 'c');
        xb.assign(x);
        // The same column-block split over the cores as float32's (Linear.product); one whole
        // product where CpuParallel is off or the product is small.
        INDArray zb = CpuParallel.xWt(xb, wb, null);
        if (zb.dataType() == DataType.FLOAT) {
            return zb; // oneDNN's matmul (DnnlProducts) writes float32 itself
        }
        INDArray z = Nd4j.createUninitialized(DataType.FLOAT, zb.shape(), 'c');
        return z.assign(zb);
    }
}
