package org.bertj.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * {@code (x - mean) / sqrt(var + eps) · weight + bias} over the last axis of {@code [N, H]},
 * biased variance, as torch.nn.LayerNorm.
 */
final class LayerNorm {

    private final String prefix;
    private final INDArray weight;
    private final INDArray bias;
    private final double eps;

    /** What backward needs: x̂ {@code [N, H]} and 1/σ {@code [N, 1]}. */
    private record Saved(INDArray normalized, INDArray rstd) {
    }

    /** Creates {@code prefix.weight} and {@code prefix.bias}, both {@code [size]}. */
    LayerNorm(Parameters params, String prefix, int size, double eps) {
        this.prefix = prefix;
        this.weight = params.create(prefix + ".weight", size);
        this.bias = params.create(prefix + ".bias", size);
        this.eps = eps;
    }

    /**
     * Whether {@link #forwardAdding} may be used: an inference pass on the CPU kernels' terms.
     */
    static boolean fusable(INDArray x, Pass pass) {
        return !pass.caches() && CpuKernels.applies(x);
    }

    /**
     * Inference only ({@link #fusable}): {@code LayerNorm(y + add + residual)} in one pass,
     * written over {@code y}; {@code add} is a dense layer's bias, broadcast over the rows.
     */
    INDArray forwardAdding(INDArray y, INDArray add, INDArray residual) {
        CpuKernels.addLayerNorm(y, add, residual, weight, bias, eps, y);
        return y;
    }

    /**
     * Inference only ({@link #fusable} on the tables): the three embedding lookups, their sum and
     * this LayerNorm in one pass ({@link CpuKernels#embedLayerNorm}).
     */
    INDArray forwardEmbeddings(INDArray word, int[] ids, INDArray position, int[] positions, INDArray type,
            int[] types) {
        INDArray out = Nd4j.createUninitialized(word.dataType(), new long[] {ids.length, word.size(1)}, 'c');
        CpuKernels.embedLayerNorm(word, ids, position, positions, type, types, weight, bias, eps, out);
        return out;
    }

    INDArray forward(INDArray x, Pass pass) {
        if (!pass.caches() && CpuKernels.applies(x)) {
            INDArray out = Nd4j.createUninitialized(x.dataType(), x.shape(), 'c');
            CpuKernels.layerNorm(x, weight, bias, eps, out);
            return out;
        }
        // Few [N, H] temporaries: allocating them costs ND4J more than the arithmetic.
        INDArray mean = x.mean(true, 1);
        INDArray var = x.var(false, 1).reshape(x.size(0), 1);
        INDArray r = Transforms.pow(var.addi(eps), -0.5, false);
        INDArray xhat = x.subColumnVector(mean).muliColumnVector(r);
        if (pass.caches()) {
            pass.save(this, new Saved(xhat, r));
            return xhat.mulRowVector(weight).addiRowVector(bias);
        }
        return xhat.muliRowVector(weight).addiRowVector(bias);
    }

    /** Accumulates dweight and dbias (unless {@code grads} is null) and returns dx. */
    INDArray backward(Pass pass, INDArray dy, Parameters grads) {
        Saved s = pass.saved(this, Saved.class);
        INDArray normalized = s.normalized();
        INDArray rstd = s.rstd();
        if (grads != null) {
            grads.get(prefix + ".weight").addi(dy.mul(normalized).sum(0));
            grads.get(prefix + ".bias").addi(dy.sum(0));
        }
        INDArray dxhat = dy.mulRowVector(weight);
        // dx = rstd · (dxhat - mean(dxhat) - xhat · mean(dxhat · xhat))
        INDArray meanD = dxhat.mean(true, 1);
        INDArray meanDX = dxhat.mul(normalized).mean(true, 1);
        INDArray dx = normalized.mulColumnVector(meanDX);
        dx.rsubi(dxhat).subiColumnVector(meanD).muliColumnVector(rstd);
        return dx;
    }
}
