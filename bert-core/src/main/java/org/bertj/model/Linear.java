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
            return fused ? store.fused(key) : store.get(key);
        }
    }

    private final Ref weightRef;
    private final Ref biasRef;
    private final INDArray weight;
    private final INDArray bias;
    private INDArray input;

    /** Creates {@code prefix.weight [out, in]} and {@code prefix.bias [out]} in the store. */
    Linear(Parameters params, String prefix, int in, int out) {
        this.weight = params.create(prefix + ".weight", out, in);
        this.bias = params.create(prefix + ".bias", out);
        this.weightRef = new Ref(prefix + ".weight", false);
        this.biasRef = new Ref(prefix + ".bias", false);
    }

    /** A layer over existing fused buffers (keys as given to {@link Parameters#createFused}). */
    Linear(Parameters params, String fusedWeightKey, String fusedBiasKey) {
        this.weight = params.fused(fusedWeightKey);
        this.bias = params.fused(fusedBiasKey);
        this.weightRef = new Ref(fusedWeightKey, true);
        this.biasRef = new Ref(fusedBiasKey, true);
    }

    INDArray weight() {
        return weight;
    }

    INDArray forward(INDArray x, Pass pass) {
        INDArray y = Nd4j.gemm(x, weight, false, true);
        y.addiRowVector(bias);
        input = pass.caches() ? x : null;
        return y;
    }

    /** Accumulates dW and db into {@code grads} and returns dx. */
    INDArray backward(INDArray dy, Parameters grads) {
        if (input == null) {
            throw new IllegalStateException("backward without a caching forward pass");
        }
        INDArray dW = weightRef.in(grads);
        Nd4j.gemm(dy, input, dW, true, false, 1.0, 1.0);
        biasRef.in(grads).addi(dy.sum(0));
        INDArray dx = Nd4j.gemm(dy, weight, false, false);
        input = null;
        return dx;
    }
}
