package org.bertj.model;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The relative-position part of one {@link BertSelfAttention}'s scores, for
 * {@code position_embedding_type} relative_key and relative_key_query (HF 4.29
 * {@code BertSelfAttention.forward}). With {@code E = distance_embedding.weight [2M − 1, D]} and
 * {@code P[l, r] = E[l − r + M − 1]} ({@code [S, S, D]}, M = max_position_embeddings), the term
 * added to {@code q·kᵀ} before the {@code 1/√D} scale is
 * {@code einsum("bhld,lrd->bhlr", q, P)}, plus {@code einsum("bhrd,lrd->bhlr", k, P)} for
 * relative_key_query.
 *
 * <p>Both einsums are batched products over one position: for each query position {@code l},
 * {@code q[:, :, l] · P[l]ᵀ}; for each key position {@code r}, {@code k[:, :, r] · P[:, r]ᵀ}.
 */
final class RelativePositionScores {

    private final boolean keyQuery;
    private final int maxPositions;
    private final int headSize;
    private final String weightName;
    private final INDArray distanceEmbedding;

    /** Registers {@code prefix + "distance_embedding.weight"} {@code [2M − 1, D]}. */
    RelativePositionScores(BertConfig c, Parameters params, String prefix) {
        keyQuery = c.positionEmbeddingType() == PositionEmbeddingType.RELATIVE_KEY_QUERY;
        maxPositions = c.maxPositionEmbeddings();
        headSize = c.headSize();
        weightName = prefix + "distance_embedding.weight";
        distanceEmbedding = params.create(weightName, 2L * maxPositions - 1, headSize);
    }

    /** {@code P [S, S, D]}: the distance embedding of {@code l − r} for every query l and key r. */
    INDArray positional(int seq) {
        int[] rows = new int[seq * seq];
        for (int l = 0; l < seq; l++) {
            for (int r = 0; r < seq; r++) {
                rows[l * seq + r] = l - r + maxPositions - 1;
            }
        }
        return Nd4j.pullRows(distanceEmbedding, 1, rows).reshape('c', seq, seq, headSize);
    }

    /**
     * The relative term {@code [B, heads, S, S]}, unscaled.
     *
     * @param q   {@code [B, heads, S, D]}
     * @param k   {@code [B, heads, S, D]}
     * @param pos {@link #positional(int)}
     */
    INDArray scores(INDArray q, INDArray k, INDArray pos) {
        long b = q.size(0);
        long h = q.size(1);
        long s = q.size(2);
        INDArray byQuery = Nd4j.matmul(perPosition(q), pos, null, false, true, false); // [l, B·h, r]
        INDArray out = byQuery.reshape('c', s, b, h, s).permute(1, 2, 0, 3).dup('c');
        if (keyQuery) {
            INDArray byKey = Nd4j.matmul(perPosition(k), byKey(pos), null, false, true, false); // [r, B·h, l]
            out.addi(byKey.reshape('c', s, b, h, s).permute(1, 2, 3, 0));
        }
        return out;
    }

    /**
     * Backward of {@link #scores}: adds the gradients through the relative term into {@code dQ} and
     * {@code dK} ({@code [B, heads, S, D]}) and into the distance embedding's gradient.
     *
     * @param dTerm gradient w.r.t. the unscaled sum {@code q·kᵀ + term}, {@code [B, heads, S, S]}
     * @param grads parameter gradients, or null for none
     */
    void backward(INDArray dTerm, INDArray q, INDArray k, INDArray pos, INDArray dQ, INDArray dK, Parameters grads) {
        long b = q.size(0);
        long h = q.size(1);
        long s = q.size(2);
        long d = q.size(3);
        INDArray dByQuery = dTerm.permute(2, 0, 1, 3).dup('c').reshape('c', s, b * h, s); // [l, B·h, r]
        dQ.addi(Nd4j.matmul(dByQuery, pos).reshape('c', s, b, h, d).permute(1, 2, 0, 3));
        INDArray dByKey = keyQuery ? dTerm.permute(3, 0, 1, 2).dup('c').reshape('c', s, b * h, s) : null; // [r, B·h, l]
        if (keyQuery) {
            dK.addi(Nd4j.matmul(dByKey, byKey(pos)).reshape('c', s, b, h, d).permute(1, 2, 0, 3));
        }
        if (grads == null) {
            return;
        }
        INDArray dPos = Nd4j.matmul(dByQuery, perPosition(q), null, true, false, false); // [l, r, D]
        if (keyQuery) {
            INDArray dPosByKey = Nd4j.matmul(dByKey, perPosition(k), null, true, false, false); // [r, l, D]
            dPos.addi(dPosByKey.permute(1, 0, 2));
        }
        scatter(dPos, grads.get(weightName));
    }

    /** {@code [B, heads, S, D]} as {@code [S, B·heads, D]}: one matrix per position. */
    private static INDArray perPosition(INDArray x) {
        return x.permute(2, 0, 1, 3).dup('c').reshape('c', x.size(2), x.size(0) * x.size(1), x.size(3));
    }

    /** {@code P [l, r, D]} as {@code [r, l, D]}. */
    private static INDArray byKey(INDArray pos) {
        return pos.permute(1, 0, 2).dup('c');
    }

    /** {@code dE[l − r + M − 1] += dPos[l, r]}: many (l, r) share a distance, so sums, not a gather's inverse. */
    private void scatter(INDArray dPos, INDArray dE) {
        int s = (int) dPos.size(0);
        double[] src = dPos.castTo(DataType.DOUBLE).dup('c').reshape(-1).toDoubleVector();
        double[] acc = new double[(2 * maxPositions - 1) * headSize];
        for (int l = 0; l < s; l++) {
            for (int r = 0; r < s; r++) {
                int from = (l * s + r) * headSize;
                int to = (l - r + maxPositions - 1) * headSize;
                for (int i = 0; i < headSize; i++) {
                    acc[to + i] += src[from + i];
                }
            }
        }
        dE.addi(Nd4j.createFromArray(acc).reshape(dE.shape()).castTo(dE.dataType()));
    }
}
