package org.bertj.model;

import java.util.List;
import org.nd4j.linalg.api.blas.params.MMulTranspose;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastSubOp;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * HF {@code BertSelfAttention} ({@code bert.encoder.layer.i.attention.self}): multi-head scaled
 * dot-product self-attention. Takes the layer input {@code [B·S, H]} (HF {@code [B, S, H]}) and
 * returns the merged context {@code [B·S, H]} with the probabilities {@code [B, heads, S, S]}.
 *
 * <p>Query, key and value share one fused {@code [3H, H]} weight (the HF-named
 * {@code query/key/value.weight} are row-block views of it), so one gemm computes all three; scores
 * and context are batched products over {@code [B, heads, S, D]}. Hook points, in order:
 * {@code .query}, {@code .key}, {@code .value} ({@code [B, heads, S, D]}, bias included, unscaled),
 * {@code .scores} ({@code [B, heads, S, S]}, scaled and masked, before the softmax), {@code .probs}
 * (the softmax) and {@code .context} ({@code [B, heads, S, D]}, before the heads are merged).
 */
public final class BertSelfAttention {

    private static final MMulTranspose TRANSPOSE_B = MMulTranspose.builder().transposeB(true).build();

    private final String name;
    private final int heads;
    private final int headSize;
    private final int hidden;
    private final Linear qkv;
    private final Dropout dropout;
    /** The relative-position term of the scores, or null for absolute positions. */
    private final RelativePositionScores relative;
    private final Point query;
    private final Point key;
    private final Point value;
    private final Point scores;
    private final Point probs;
    private final Point context;
    private final Point[] points;

    /** What backward needs: the q, k, v used, the softmax output, the probabilities used, the head mask. */
    private record Saved(INDArray q, INDArray k, INDArray v, INDArray softmax, INDArray used, INDArray headMask) {
    }

    BertSelfAttention(BertConfig c, Parameters params, String prefix, int layer) {
        name = prefix.substring(0, prefix.length() - 1);
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
        query = new Point(prefix + "query", layer, Point.Kind.HEADS, headSize, heads);
        key = new Point(prefix + "key", layer, Point.Kind.HEADS, headSize, heads);
        value = new Point(prefix + "value", layer, Point.Kind.HEADS, headSize, heads);
        scores = new Point(prefix + "scores", layer, Point.Kind.SCORES, 0, heads);
        probs = new Point(prefix + "probs", layer, Point.Kind.SCORES, 0, heads);
        context = new Point(prefix + "context", layer, Point.Kind.HEADS, headSize, heads);
        points = new Point[] {query, key, value, scores, probs, context};
    }

    /** {@return the HF module path, e.g. {@code bert.encoder.layer.0.attention.self}} */
    public String name() {
        return name;
    }

    /** {@return {@code num_attention_heads}} */
    public int numHeads() {
        return heads;
    }

    /** {@return D = H / heads, the width of one head} */
    public int headSize() {
        return headSize;
    }

    void points(List<Point> out) {
        out.addAll(List.of(points));
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
        if (!pass.caches() && CpuKernels.applies(x) && !pass.hooked(points) && relative == null) {
            return forwardCpu(x, batch, seq, maskBias, headMask, pass);
        }
        INDArray fused = qkv.forward(x, pass).reshape('c', batch, seq, 3, heads, headSize);
        INDArray q = pass.hook(query, part(fused, 0));
        INDArray k = pass.hook(key, part(fused, 1));
        INDArray v = pass.hook(value, part(fused, 2));
        // The 1/√D scale rides on the product (gemm's alpha) instead of costing a pass of its own;
        // with relative positions HF scales (q·kᵀ + term) instead, so the scale comes after the term.
        INDArray s = Nd4j.createUninitialized(fused.dataType(), new long[] {batch, heads, seq, seq}, 'c');
        Nd4j.exec(new Mmul(q, k, s, relative == null ? 1.0 / Math.sqrt(headSize) : 1.0, 0.0, TRANSPOSE_B));
        if (relative != null) {
            s.addi(relative.scores(q, k, relative.positional(seq))).divi(Math.sqrt(headSize));
        }
        if (maskBias != null) {
            AttentionMaskBias.addTo(s, maskBias);
        }
        s = pass.hook(scores, s);
        Nd4j.exec(new SoftMax(s, s, 3));
        if (maskBias != null) {
            AttentionMaskBias.uniformWhereFullyMasked(s, maskBias);
        }
        INDArray softmax = pass.caches() ? s.dup() : null; // dropout and the head mask work in place
        INDArray p = pass.hook(probs, s);
        p = dropout.forward(p, pass);
        if (headMask != null) {
            Nd4j.exec(new BroadcastMulOp(p, headMask, p, 1));
        }
        INDArray ctx = pass.hook(context, Nd4j.matmul(p, v)); // [B, heads, S, D]
        // Heads back together: one strided copy into [B, S, heads, D] (cheaper than permute().dup()).
        INDArray out = Nd4j.createUninitialized(ctx.dataType(), new long[] {(long) batch * seq, hidden}, 'c');
        out.reshape('c', batch, seq, heads, headSize).permute(0, 2, 1, 3).assign(ctx);
        if (pass.caches()) {
            pass.save(this, new Saved(q, k, v, softmax, p, headMask));
        }
        return new Result(out, p);
    }

    /**
     * Inference on the CPU backend in float32: where {@link DnnlProducts} multiplies on addresses,
     * {@link DnnlAttention} (each (batch, head) pair carried through in one job, no copies of the
     * heads); elsewhere the element-wise steps are Java passes ({@link CpuAttentionKernels}) and
     * ND4J's products get contiguous operands (on permuted views of the fused projection ND4J's
     * batched products stalled with two threads; bench/NOTES.md). Used only when no hook is
     * attached inside the attention (it computes q, k, v and the context in its own layout).
     */
    private Result forwardCpu(INDArray x, int batch, int seq, INDArray maskBias, INDArray headMask,
            Pass pass) {
        if (DnnlProducts.active()) {
            return DnnlAttention.attend(qkv.forward(x, pass), batch, seq, heads, headSize, maskBias, headMask);
        }
        INDArray projected = qkv.forwardWithoutBias(x, pass); // bias added while splitting heads
        AttentionBuffers buf = AttentionBuffers.of(pass, x.dataType(), batch, heads, seq, headSize);
        CpuAttentionKernels.splitHeads(projected, qkv.bias(), batch, seq, buf.q(), buf.k(), buf.v());
        INDArray s = Nd4j.createUninitialized(x.dataType(), new long[] {batch, heads, seq, seq}, 'c');
        // The (batch, head) pairs are independent: each thread of CpuParallel takes a range of them.
        long pairs = (long) batch * heads;
        boolean split = splitsPairs(pairs, seq, headSize);
        INDArray s3 = s.reshape('c', pairs, seq, seq);
        INDArray[] ss = new INDArray[(int) pairs]; // each pair's scores view, for both products
        double scale = 1.0 / Math.sqrt(headSize);
        inRanges(split, pairs, (from, to) -> eachPair(from, to, i -> {
            ss[(int) i] = AttentionBuffers.pair(s3, i);
            Nd4j.exec(new Mmul(buf.qs()[(int) i], buf.ks()[(int) i], ss[(int) i], scale, 0.0, TRANSPOSE_B));
        }));
        if (maskBias != null) {
            AttentionMaskBias.addTo(s, maskBias);
        }
        inRanges(split, pairs, (from, to) -> {
            INDArray part = range(s3, from, to);
            Nd4j.exec(new SoftMax(part, part, 2));
        });
        if (maskBias != null) {
            AttentionMaskBias.uniformWhereFullyMasked(s, maskBias);
        }
        if (headMask != null) {
            Nd4j.exec(new BroadcastMulOp(s, headMask, s, 1));
        }
        // eval mode: dropout is the identity
        inRanges(split, pairs, (from, to) -> eachPair(from, to, i -> Nd4j.exec(new Mmul(ss[(int) i],
                buf.vs()[(int) i], buf.contexts()[(int) i], 1.0, 0.0, MMulTranspose.allFalse()))));
        INDArray out = Nd4j.createUninitialized(x.dataType(), new long[] {(long) batch * seq, hidden}, 'c');
        CpuAttentionKernels.mergeHeads(buf.context(), out);
        return new Result(out, s);
    }

    /**
     * Whether the attention's {@code pairs} (batch, head) pairs are shared over the cores: small
     * attentions (tiny models) stay on the caller, as the element-wise kernels do.
     */
    static boolean splitsPairs(long pairs, int seq, int headSize) {
        return pairs * seq * seq * headSize >= CpuParallel.SPLIT_MIN / 4;
    }

    /** {@code task} on {@code [0, n)}: in ranges over the cores if {@code split}, else on the caller. */
    static void inRanges(boolean split, long n, CpuParallel.RangeTask task) {
        if (split) {
            CpuParallel.forRanges(n, task);
        } else {
            task.run(0, n);
        }
    }

    /**
     * Runs {@code body} for pairs {@code from..to-1}. The attention products go one (batch, head)
     * pair at a time as plain 2-D products because ND4J's batched (rank-3) product does not reach
     * oneDNN: on bert-base's [12, 128, 64] heads it ran at 24 GFLOP/s against 60 for the same
     * products as 24 two-dimensional calls, on one thread (bench/NOTES.md, "December 2, night").
     */
    private static void eachPair(long from, long to, java.util.function.LongConsumer body) {
        for (long i = from; i < to; i++) {
            body.accept(i);
        }
    }

    /** Rows {@code [from, to)} of a C-order rank-3 array: a contiguous view. */
    private static INDArray range(INDArray a, long from, long to) {
        return from == 0 && to == a.size(0) ? a
                : a.get(NDArrayIndex.interval(from, to), NDArrayIndex.all(), NDArrayIndex.all());
    }

    /** {@code [B, heads, S, D]} view of query (0), key (1) or value (2). */
    private static INDArray part(INDArray fused, int which) {
        return fused.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(which),
                NDArrayIndex.all(), NDArrayIndex.all()).permute(0, 2, 1, 3);
    }

    /** Accumulates the fused QKV gradients (unless {@code grads} is null) and returns dx {@code [B·S, H]}. */
    INDArray backward(Pass pass, INDArray dContext, Parameters grads) {
        Saved sv = pass.saved(this, Saved.class);
        long batch = pass.batch();
        long seq = pass.seq();
        INDArray dC = dContext.reshape('c', batch, seq, heads, headSize).permute(0, 2, 1, 3);
        pass.gradientAt(context, dC);
        INDArray dV = Nd4j.matmul(sv.used(), dC, null, true, false, false);
        INDArray dP = Nd4j.matmul(dC, sv.v(), null, false, true, false);
        if (sv.headMask() != null) {
            Nd4j.exec(new BroadcastMulOp(dP, sv.headMask(), dP, 1));
        }
        dP = dropout.backward(pass, dP);
        pass.gradientAt(probs, dP);
        // softmax: dS = P · (dP - Σ_keys dP·P)
        INDArray dot = dP.mul(sv.softmax()).sum(3);
        Nd4j.exec(new BroadcastSubOp(dP, dot, dP, 0, 1, 2));
        INDArray dS = dP.muli(sv.softmax());
        pass.gradientAt(scores, dS);
        dS.divi(Math.sqrt(headSize));
        INDArray dQ = Nd4j.matmul(dS, sv.k());
        INDArray dK = Nd4j.matmul(dS, sv.q(), null, true, false, false);
        if (relative != null) {
            relative.backward(dS, sv.q(), sv.k(), relative.positional((int) seq), dQ, dK, grads);
        }
        pass.gradientAt(query, dQ);
        pass.gradientAt(key, dK);
        pass.gradientAt(value, dV);
        INDArray dFused = Nd4j.createUninitialized(dQ.dataType(), new long[] {batch, seq, 3, heads, headSize}, 'c');
        part(dFused, 0).assign(dQ);
        part(dFused, 1).assign(dK);
        part(dFused, 2).assign(dV);
        return qkv.backward(pass, dFused.reshape('c', batch * seq, 3L * hidden), grads);
    }
}
