package org.bertj.model;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code LayerNorm(word[input_ids] + position[position_ids] + token_type[token_type_ids])},
 * then dropout; output {@code [B·S, H]}. With relative positions ({@code position_embedding_type}
 * relative_key or relative_key_query) HF adds no position embedding here: the table is still a
 * parameter (it is in the checkpoints) but unused, its gradient zero.
 */
public final class BertEmbeddings {

    private final Embedding word;
    private final Embedding position;
    private final Embedding tokenType;
    private final LayerNorm layerNorm;
    private final Dropout dropout;
    private final boolean absolutePositions;

    /** Registers {@code prefix.word_embeddings.weight} etc. */
    BertEmbeddings(BertConfig c, Parameters params, String prefix) {
        int h = c.hiddenSize();
        word = new Embedding(params, prefix + "word_embeddings", c.vocabSize(), h);
        position = new Embedding(params, prefix + "position_embeddings", c.maxPositionEmbeddings(), h);
        tokenType = new Embedding(params, prefix + "token_type_embeddings", c.typeVocabSize(), h);
        layerNorm = new LayerNorm(params, prefix + "LayerNorm", h, c.layerNormEps());
        dropout = new Dropout(c.hiddenDropoutProb());
        absolutePositions = !c.positionEmbeddingType().isRelative();
    }

    /** The word embedding table, which the MLM decoder shares. */
    INDArray wordEmbeddings() {
        return word.weight();
    }

    /** @param in validated inputs; returns {@code [B·S, H]} */
    INDArray forward(BertInputs in, Pass pass) {
        if (absolutePositions && LayerNorm.fusable(word.weight(), pass) && CpuKernels.applies(position.weight())
                && CpuKernels.applies(tokenType.weight())) { // lookups, sum and LayerNorm in one pass
            return layerNorm.forwardEmbeddings(word.weight(), in.flatInputIds(), position.weight(),
                    in.flatPositionIds(), tokenType.weight(), in.flatTokenTypeIds());
        }
        INDArray e = word.forward(in.flatInputIds(), pass);
        if (absolutePositions) {
            e.addi(position.forward(in.flatPositionIds(), pass));
        }
        e.addi(tokenType.forward(in.flatTokenTypeIds(), pass));
        return dropout.forward(layerNorm.forward(e, pass), pass);
    }

    /** Accumulates the three tables' and the LayerNorm's gradients. */
    void backward(INDArray dOut, Parameters grads) {
        INDArray d = layerNorm.backward(dropout.backward(dOut), grads);
        word.backward(d, grads);
        if (absolutePositions) {
            position.backward(d, grads);
        }
        tokenType.backward(d, grads);
    }
}
