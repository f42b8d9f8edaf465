package org.bertj.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code y = x·Wᵀ + b} on rank-2 input {@code [N, in]}, with W stored {@code [out, in]} as in
 * PyTorch; the transpose is a gemm flag, never a copy.
 */
final class Linear {

    /** Where a tensor lives in a store: a named parameter or a fused buffer. */
    record Ref(String key, boolean fused) {
        INDArray in(Parameters store) {
            return store.tensor(key, fused);
        }
    }

    private final Parameters store; // holds the bfloat16 copy of the weight for BF16 passes
    private final Ref weightRef;
    private final Ref biasRef;
    private final INDArray weight;
    private final INDArray bias;

    /** Creates {@code prefix.weight [out, in]} and {@code prefix.bias [out]} in the store. */
    Linear(Parameters params, String prefix, int in, int out) {
        this.store = params;
        this.weight = params.create(prefix + ".weight", out, in);
        this.bias = params.create(prefix + ".bias", out);
        this.weightRef = new Ref(prefix + ".weight", false);
        this.biasRef = new Ref(prefix + ".bias", false);
    }

    /** A layer over existing fused buffers (keys as given to {@link Parameters#createFused}). */
    Linear(Parameters params, String fusedWeightKey, String fusedBiasKey) {
        this.store = params;
        this.weight = params.fusedTensor(fusedWeightKey);
        this.bias = params.fusedTensor(fusedBiasKey);
        this.weightRef = new Ref(fusedWeightKey, true);
        this.biasRef = new Ref(fusedBiasKey, true);
    }

    INDArray weight() {
        return weight;
    }

    /** The bias {@code [out]}. */
    INDArray bias() {
        return bias;
    }

    /**
     * Inference only: {@code x·Wᵀ} without the bias, for a caller that adds it in a fused kernel
     * of its own (one pass over the output less). The product is in the pass's precision, as in
     * {@link #forward}, so the fused path and the step-by-step one compute the same thing.
     */
    INDArray forwardWithoutBias(INDArray x, Pass pass) {
        return product(x, weight, store, weightRef, pass);
    }

    INDArray forward(INDArray x, Pass pass) {
        INDArray y = product(x, weight, store, weightRef, pass, bias);
        if (pass.caches()) {
            pass.save(this, x);
        }
        return y;
    }

    /**
     * {@code x·Wᵀ} for {@code W [out, in]} in the pass's precision, the one place every linear
     * product of the model is chosen: bf16 ({@link Bf16Products}, W's copy from {@code store}
     * under {@code ref}); in CPU float32 inference cut over the cores by {@link CpuParallel}
     * (oneDNN's own threads hardly use the second one), from W's packed copy where the store has
     * one ({@link Parameters#packed}); otherwise one ND4J gemm.
     */
    static INDArray product(INDArray x, INDArray w, Parameters store, Ref ref, Pass pass) {
        return product(x, w, store, ref, pass, null);
    }

    /**
     * {@code x·Wᵀ + b} as {@link #product(INDArray, INDArray, Parameters, Ref, Pass)}; in CPU
     * float32 inference the bias rides on oneDNN's product (no pass of its own over the output),
     * elsewhere it is added after it. {@code bias} null adds none.
     */
    static INDArray product(INDArray x, INDArray w, Parameters store, Ref ref, Pass pass, INDArray bias) {
        INDArray y;
        if (pass.bf16()) {
            y = Bf16Products.timesTransposed(x, store, ref.key(), ref.fused());
        } else if (!pass.caches() && CpuKernels.applies(x) && CpuKernels.applies(w)) {
            return CpuParallel.xWt(x, w, store.packed(ref.key(), ref.fused()), bias);
        } else {
            y = Nd4j.gemm(x, w, false, true);
        }
        return bias == null ? y : y.addiRowVector(bias);
    }

    /**
     * Accumulates dW and db into {@code grads} (skipped when null: only input gradients wanted)
     * and returns dx.
     */
    INDArray backward(Pass pass, INDArray dy, Parameters grads) {
        INDArray input = pass.saved(this, INDArray.class);
        if (grads != null) {
            Nd4j.gemm(dy, input, weightRef.in(grads), true, false, 1.0, 1.0);
            biasRef.in(grads).addi(dy.sum(0));
        }
        return Nd4j.gemm(dy, weight, false, false);
    }
}
