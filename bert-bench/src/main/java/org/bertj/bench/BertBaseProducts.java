package org.bertj.bench;

import org.nd4j.linalg.api.blas.params.MMulTranspose;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Every matrix product of a bert-base-uncased forward pass at one {@link TokenShape}, and nothing
 * else: the lower bound the real forward pass is measured against ({@link MatmulYardstick}).
 *
 * <p>Same shapes, transposition flags and flop count as the model: linear layers are
 * {@code x·Wᵀ} with W stored {@code [out, in]} (gemm's transB flag, as Hugging Face stores them),
 * attention is two products per (batch, head) pair over {@code [S, D]} slices, as 2-D products
 * like the model's (ND4J's batched rank-3 product does not reach oneDNN: bench/NOTES.md,
 * "December 2, night"); the slices' views are made once here, so no call pays for them. Every operand and output is
 * allocated once here, off-heap; each layer has its own weights, so the caches see what they see in
 * the real model. Values are Gaussian with variance 1/fan-in, so nothing over- or underflows into
 * slow denormals along the chain of products.
 */
final class BertBaseProducts {

    static final int HIDDEN = 768;
    static final int HEADS = 12;
    static final int HEAD_SIZE = HIDDEN / HEADS;
    static final int INTERMEDIATE = 3072;
    static final int LAYERS = 12;
    static final int VOCAB = 30522;
    private static final MMulTranspose TRANSPOSE_B = MMulTranspose.builder().transposeB(true).build();

    private final INDArray[] wQkv = new INDArray[LAYERS];
    private final INDArray[] wAttnOut = new INDArray[LAYERS];
    private final INDArray[] wInter = new INDArray[LAYERS];
    private final INDArray[] wOut = new INDArray[LAYERS];
    private final INDArray wPool;
    private final INDArray wNsp;
    private final INDArray wTransform;
    private final INDArray wDecoder;

    private final INDArray x;
    private final INDArray qkv;
    private final INDArray q;
    private final INDArray k;
    private final INDArray[][] pairs;
    private final INDArray v;
    private final INDArray scores;
    private final INDArray context;
    private final INDArray contextRows;
    private final INDArray attnOut;
    private final INDArray inter;
    private final INDArray cls;
    private final INDArray pooled;
    private final INDArray nsp;
    private final INDArray transformed;
    private final INDArray logits;

    /**
     * @param shape    tokens per call
     * @param mlmHead  whether to allocate the MLM head's operands (the decoder alone is 94 MB)
     */
    BertBaseProducts(TokenShape shape, boolean mlmHead) {
        Nd4j.getRandom().setSeed(42);
        for (int l = 0; l < LAYERS; l++) {
            wQkv[l] = weight(3 * HIDDEN, HIDDEN);
            wAttnOut[l] = weight(HIDDEN, HIDDEN);
            wInter[l] = weight(INTERMEDIATE, HIDDEN);
            wOut[l] = weight(HIDDEN, INTERMEDIATE);
        }
        wPool = weight(HIDDEN, HIDDEN);
        wNsp = weight(2, HIDDEN);
        wTransform = mlmHead ? weight(HIDDEN, HIDDEN) : null;
        wDecoder = mlmHead ? weight(VOCAB, HIDDEN) : null;

        long n = shape.tokens();
        long bh = (long) shape.batch() * HEADS;
        long s = shape.seq();
        x = gaussian(1.0, n, HIDDEN);
        qkv = Nd4j.create(DataType.FLOAT, n, 3 * HIDDEN);
        q = gaussian(1.0, bh, s, HEAD_SIZE);
        k = gaussian(1.0 / HEAD_SIZE, bh, s, HEAD_SIZE);
        v = gaussian(1.0, bh, s, HEAD_SIZE);
        scores = Nd4j.create(DataType.FLOAT, bh, s, s);
        context = Nd4j.create(DataType.FLOAT, bh, s, HEAD_SIZE);
        contextRows = context.reshape('c', n, HIDDEN); // same buffer: the products' shapes, not a copy
        pairs = new INDArray[(int) bh][];
        for (int i = 0; i < bh; i++) {
            pairs[i] = new INDArray[] {slice(q, i), slice(k, i), slice(scores, i), slice(v, i), slice(context, i)};
        }
        attnOut = Nd4j.create(DataType.FLOAT, n, HIDDEN);
        inter = Nd4j.create(DataType.FLOAT, n, INTERMEDIATE);
        cls = gaussian(1.0, shape.batch(), HIDDEN);
        pooled = Nd4j.create(DataType.FLOAT, shape.batch(), HIDDEN);
        nsp = Nd4j.create(DataType.FLOAT, shape.batch(), 2);
        transformed = mlmHead ? Nd4j.create(DataType.FLOAT, n, HIDDEN) : null;
        logits = mlmHead ? Nd4j.create(DataType.FLOAT, n, VOCAB) : null;
    }

    /** The products of encoder layer {@code l}; returns its output {@code [N, H]}. */
    INDArray layer(int l) {
        Nd4j.gemm(x, wQkv[l], qkv, false, true, 1.0, 0.0);
        for (INDArray[] p : pairs) {
            Nd4j.exec(new Mmul(p[0], p[1], p[2], 1.0, 0.0, TRANSPOSE_B));
        }
        for (INDArray[] p : pairs) {
            Nd4j.exec(new Mmul(p[2], p[3], p[4], 1.0, 0.0, MMulTranspose.allFalse()));
        }
        Nd4j.gemm(contextRows, wAttnOut[l], attnOut, false, true, 1.0, 0.0);
        Nd4j.gemm(attnOut, wInter[l], inter, false, true, 1.0, 0.0);
        // Written back into x: the next layer reads what this one wrote, as in the model.
        Nd4j.gemm(inter, wOut[l], x, false, true, 1.0, 0.0);
        return x;
    }

    /** All layers, the pooler and the NSP head: the products of {@code BertModel} plus NSP. */
    INDArray encoderAndPooler() {
        for (int l = 0; l < LAYERS; l++) {
            layer(l);
        }
        Nd4j.gemm(cls, wPool, pooled, false, true, 1.0, 0.0);
        Nd4j.gemm(pooled, wNsp, nsp, false, true, 1.0, 0.0);
        return nsp;
    }

    /** The MLM head at every position: transform dense, then the decoder (tied embeddings). */
    INDArray mlmHead() {
        if (wDecoder == null) {
            throw new IllegalStateException("built without the MLM head");
        }
        Nd4j.gemm(x, wTransform, transformed, false, true, 1.0, 0.0);
        Nd4j.gemm(transformed, wDecoder, logits, false, true, 1.0, 0.0);
        return logits;
    }

    /** Floating-point operations of one {@link #layer} at {@code shape} (a multiply-add counts 2). */
    static long layerFlops(TokenShape shape) {
        long n = shape.tokens();
        long s = shape.seq();
        return 2 * n * HIDDEN * (3L * HIDDEN + HIDDEN + 2L * INTERMEDIATE)
                + 2 * 2 * (long) shape.batch() * HEADS * s * s * HEAD_SIZE;
    }

    /** Floating-point operations of {@link #encoderAndPooler} at {@code shape}. */
    static long encoderFlops(TokenShape shape) {
        return LAYERS * layerFlops(shape) + 2L * shape.batch() * HIDDEN * (HIDDEN + 2);
    }

    /** Floating-point operations of {@link #mlmHead} at {@code shape}. */
    static long mlmHeadFlops(TokenShape shape) {
        return 2L * shape.tokens() * HIDDEN * (HIDDEN + VOCAB);
    }

    private static INDArray slice(INDArray a, long i) {
        return a.get(NDArrayIndex.point(i), NDArrayIndex.all(), NDArrayIndex.all());
    }

    private static INDArray weight(long out, long in) {
        return gaussian(1.0 / in, out, in);
    }

    private static INDArray gaussian(double variance, long... shape) {
        return Nd4j.randn(DataType.FLOAT, shape).muli(Math.sqrt(variance));
    }
}
