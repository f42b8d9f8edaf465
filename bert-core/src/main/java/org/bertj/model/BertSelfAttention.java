package org.bertj.model;

import org.nd4j.linalg.api.blas.params.MMulTranspose;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastSubOp;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Multi-head scaled dot-product self-attention. Query, key and value share one fused
 * {@code [3H, H]} weight (the HF-named {@code query/key/value.weight} are row-block views of it), so
 * one gemm computes all three; scores and context are batched products over {@code [B, heads, S, D]}.
 */
public final class BertSelfAttention {

    private final int heads;
    private final int headSize;
    private final int hidden;
    private final Linear qkv;
    private final Dropout dropout;
    /** The relative-position term of the scores, or null for absolute positions. */
    private final RelativePositionScores relative;

    // Training caches.
    private INDArray qkv5;
    private INDArray probs;
    private INDArray usedProbs;
    private INDArray headMask;

    BertSelfAttention(BertConfig c, Parameters params, String prefix) {
        heads = c.numAttentionHeads();
        headSize = c.headSize();
        hidden = c.hiddenSize();
        String wKey = prefix + "qkv.weight";
        String bKey = prefix + "qkv.bias";
        params.createFused(wKey, 3L * hidden, hidden);
        params.createFused(bKey, 3L * hidden);
        String[] parts = {"query", "key", "value"};
        for (int i = 0; i < 3; i++) {
            params.registerRows(prefix + parts[i] + ".weight", wKey, (long) i * hidden, (long) (i + 1) * hidden);
            params.registerRows(prefix + parts[i] + ".bias", bKey, (long) i * hidden, (long) (i + 1) * hidden);
        }
        qkv = new Linear(params, wKey, bKey);
        dropout = new Dropout(c.attentionProbsDropoutProb());
        // HF registers distance_embedding after query, key and value.
        relative = c.positionEmbeddingType().isRelative() ? new RelativePositionScores(c, params, prefix) : null;
    }

    /** Result of one attention forward: the context {@code [B·S, H]} and the probabilities {@code [B, heads, S, S]}. */
    record Result(INDArray context, INDArray probs) {
    }

    /**
     * @param x        {@code [B·S, H]}
     * @param maskBias additive mask {@code [B, S]} or {@code [B, S, S]} ({@link AttentionMaskBias}), or null
     * @param headMask multiplier per head {@code [heads]}, or null
     */
    Result forward(INDArray x, int batch, int seq, INDArray maskBias, INDArray headMask, Pass pass) {
        // The fused path has no relative-position step; relative attention runs step by step.
        if (!pass.caches() && CpuKernels.applies(x) && relative == null) {
            qkv5 = probs = usedProbs = this.headMask = null;
            return forwardCpu(x, batch, seq, maskBias, headMask);
        }
        INDArray fused = qkv.forward(x, pass).reshape('c', batch, seq, 3, heads, headSize);
        INDArray q = part(fused, 0);
        INDArray k = part(fused, 1);
        INDArray v = part(fused, 2);
        // The 1/√D scale rides on the product (gemm's alpha) instead of costing a pass of its own;
        // with relative positions HF scales (q·kᵀ + term) instead, so the scale comes after the term.
        INDArray scores = Nd4j.createUninitialized(fused.dataType(), new long[] {batch, heads, seq, seq}, 'c');
        Nd4j.exec(new Mmul(q, k, scores, relative == null ? 1.0 / Math.sqrt(headSize) : 1.0, 0.0,
                MMulTranspose.builder().transposeB(true).build()));
        if (relative != null) {
            scores.addi(relative.scores(q, k, relative.positional(seq))).divi(Math.sqrt(headSize));
        }
        if (maskBias != null) {
            AttentionMaskBias.addTo(scores, maskBias);
        }
        Nd4j.exec(new SoftMax(scores, scores, 3));
        if (maskBias != null) {
            AttentionMaskBias.uniformWhereFullyMasked(scores, maskBias);
        }
        INDArray p = scores;
        INDArray kept = pass.caches() ? p.dup() : null;
        p = dropout.forward(p, pass);
        if (headMask != null) {
            Nd4j.exec(new BroadcastMulOp(p, headMask, p, 1));
        }
        INDArray context = Nd4j.matmul(p, v); // [B, heads, S, D]
        // Heads back together: one strided copy into [B, S, heads, D] (cheaper than permute().dup()).
        INDArray out = Nd4j.createUninitialized(context.dataType(), new long[] {(long) batch * seq, hidden}, 'c');
        out.reshape('c', batch, seq, heads, headSize).permute(0, 2, 1, 3).assign(context);
        if (pass.caches()) {
            qkv5 = fused;
            probs = kept;
            usedProbs = p;
            this.headMask = headMask;
        } else {
            qkv5 = probs = usedProbs = this.headMask = null;
        }
        return new Result(out, p);
    }

    /**
     * Inference on the CPU backend in float32, laid out like the matrix-multiply yardstick: the
     * element-wise steps are Java passes ({@link CpuAttentionKernels}) and both batched products
     * get contiguous operands, K already transposed (on permuted views of the fused projection
     * ND4J's batched products stalled with two threads; bench/NOTES.md).
     */
    private Result forwardCpu(INDArray x, int batch, int seq, INDArray maskBias, INDArray headMask) {
        INDArray projected = qkv.forwardWithoutBias(x); // bias added while splitting heads
        long[] rows = {batch, heads, seq, headSize};
        INDArray q = Nd4j.createUninitialized(x.dataType(), rows, 'c');
        INDArray kT = Nd4j.createUninitialized(x.dataType(), new long[] {batch, heads, headSize, seq}, 'c');
        INDArray v = Nd4j.createUninitialized(x.dataType(), rows, 'c');
        CpuAttentionKernels.splitHeads(projected, qkv.bias(), batch, seq, q, kT, v);
        INDArray scores = Nd4j.createUninitialized(x.dataType(), new long[] {batch, heads, seq, seq}, 'c');
        Nd4j.exec(new Mmul(q, kT, scores, 1.0 / Math.sqrt(headSize), 0.0, MMulTranspose.allFalse()));
        if (maskBias != null) {
            AttentionMaskBias.addTo(scores, maskBias);
        }
        // ND4J's softmax: a Java one (vectorisable exp, 0.7 ms a layer alone) ran at 1.4 ms a layer
        // inside the model whatever we tried, against ND4J's 1.0 (bench/NOTES.md).
        Nd4j.exec(new SoftMax(scores, scores, 3));
        if (maskBias != null) {
            AttentionMaskBias.uniformWhereFullyMasked(scores, maskBias);
        }
        if (headMask != null) {
            Nd4j.exec(new BroadcastMulOp(scores, headMask, scores, 1));
        }
        INDArray context = Nd4j.matmul(scores, v); // eval mode: dropout is the identity
        INDArray out = Nd4j.createUninitialized(x.dataType(), new long[] {(long) batch * seq, hidden}, 'c');
        CpuAttentionKernels.mergeHeads(context, out);
        return new Result(out, scores);
    }

    /** {@code [B, heads, S, D]} view of query (0), key (1) or value (2). */
    private static INDArray part(INDArray fused, int which) {
        return fused.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(which),
                NDArrayIndex.all(), NDArrayIndex.all()).permute(0, 2, 1, 3);
    }

    /** Accumulates the fused QKV gradients and returns dx {@code [B·S, H]}. */
    INDArray backward(INDArray dContext, Parameters grads) {
        if (qkv5 == null) {
            throw new IllegalStateException("backward without a caching forward pass");
        }
        long batch = qkv5.size(0);
        long seq = qkv5.size(1);
        INDArray q = part(qkv5, 0);
        INDArray k = part(qkv5, 1);
        INDArray v = part(qkv5, 2);
        INDArray dC = dContext.reshape('c', batch, seq, heads, headSize).permute(0, 2, 1, 3);
        INDArray dV = Nd4j.matmul(usedProbs, dC, null, true, false, false);
        INDArray dP = Nd4j.matmul(dC, v, null, false, true, false);
        if (headMask != null) {
            Nd4j.exec(new BroadcastMulOp(dP, headMask, dP, 1));
        }
        dP = dropout.backward(dP);
        // softmax: dS = P · (dP - Σ_keys dP·P)
        INDArray dot = dP.mul(probs).sum(3);
        Nd4j.exec(new BroadcastSubOp(dP, dot, dP, 0, 1, 2));
        INDArray dS = dP.muli(probs);
        dS.divi(Math.sqrt(headSize));
        INDArray dQ = Nd4j.matmul(dS, k);
        INDArray dK = Nd4j.matmul(dS, q, null, true, false, false);
        if (relative != null) {
            relative.backward(dS, q, k, relative.positional((int) seq), dQ, dK, grads);
        }
        INDArray dFused = Nd4j.createUninitialized(qkv5.dataType(), new long[] {batch, seq, 3, heads, headSize}, 'c');
        part(dFused, 0).assign(dQ);
        part(dFused, 1).assign(dK);
        part(dFused, 2).assign(dV);
        qkv5 = probs = usedProbs = headMask = null;
        return qkv.backward(dFused.reshape('c', batch * seq, 3L * hidden), grads);
    }
}
