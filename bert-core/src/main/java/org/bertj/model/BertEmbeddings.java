package org.bertj.model;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * HF {@code BertEmbeddings} ({@code bert.embeddings}):
 * {@code LayerNorm(inputs_embeds + position[position_ids] + token_type[token_type_ids])}, then
 * dropout, where {@code inputs_embeds = word[input_ids]} unless the inputs give it. Output
 * {@code [B·S, H]} (HF {@code [B, S, H]}). Hook points: {@code inputs_embeds} ({@code [B, S, H]}:
 * the word vectors, looked up or given) and {@code .output}. With relative positions
 * ({@code position_embedding_type} relative_key or relative_key_query) HF adds no position
 * embedding here: the table is still a parameter (it is in the checkpoints) but unused, its
 * gradient zero.
 */
public final class BertEmbeddings {

    private final String name;
    private final Embedding word;
    private final Embedding position;
    private final Embedding tokenType;
    private final LayerNorm layerNorm;
    private final Dropout dropout;
    private final Point inputsEmbeds;
    private final boolean absolutePositions;
    private final Point out;

    /** Registers {@code prefix.word_embeddings.weight} etc. */
    BertEmbeddings(BertConfig c, Parameters params, String prefix) {
        name = prefix.substring(0, prefix.length() - 1);
        int h = c.hiddenSize();
        word = new Embedding(params, prefix + "word_embeddings", c.vocabSize(), h);
        position = new Embedding(params, prefix + "position_embeddings", c.maxPositionEmbeddings(), h);
        tokenType = new Embedding(params, prefix + "token_type_embeddings", c.typeVocabSize(), h);
        layerNorm = new LayerNorm(params, prefix + "LayerNorm", h, c.layerNormEps());
        dropout = new Dropout(c.hiddenDropoutProb());
        inputsEmbeds = Point.tokens("inputs_embeds", -1, h);
        absolutePositions = !c.positionEmbeddingType().isRelative();
        out = Point.tokens(prefix + "output", -1, h);
    }

    /** {@return the HF module path, {@code bert.embeddings}} */
    public String name() {
        return name;
    }

    /**
     * The word embedding table {@code [V, H]} (a live view of the parameter, which the MLM decoder
     * shares): row {@code id} is what {@code inputs_embeds} holds for that token.
     *
     * @return {@code [V, H]}, live: writing it changes the model
     */
    public INDArray wordEmbeddings() {
        return word.weight();
    }

    void points(List<Point> list) {
        list.add(inputsEmbeds);
        list.add(out);
    }

    /** @param in validated inputs; returns {@code [B·S, H]} */
    INDArray forward(BertInputs in, Pass pass) {
        if (absolutePositions && !in.hasInputsEmbeds() && !pass.hooked(inputsEmbeds)
                && LayerNorm.fusable(word.weight(), pass)
                && CpuKernels.applies(position.weight()) && CpuKernels.applies(tokenType.weight())) {
            // lookups, sum and LayerNorm in one pass
            return pass.hook(out, layerNorm.forwardEmbeddings(word.weight(), in.flatInputIds(), position.weight(),
                    in.flatPositionIds(), tokenType.weight(), in.flatTokenTypeIds()));
        }
        INDArray e = in.hasInputsEmbeds() ? in.flatInputsEmbeds(word.weight().dataType())
                : word.forward(in.flatInputIds(), pass);
        e = pass.hook(inputsEmbeds, e);
        if (absolutePositions) {
            e.addi(position.forward(in.flatPositionIds(), pass));
        }
        e.addi(tokenType.forward(in.flatTokenTypeIds(), pass));
        return pass.hook(out, dropout.forward(layerNorm.forward(e, pass), pass));
    }

    /** Accumulates the tables' and the LayerNorm's gradients (unless {@code grads} is null). */
    void backward(Pass pass, INDArray dOut, Parameters grads) {
        pass.gradientAt(out, dOut);
        INDArray d = layerNorm.backward(pass, dropout.backward(pass, dOut), grads);
        pass.gradientAt(inputsEmbeds, d);
        if (!pass.inputs().hasInputsEmbeds()) {
            word.backward(pass, d, grads);
        }
        if (absolutePositions) {
            position.backward(pass, d, grads);
        }
        tokenType.backward(pass, d, grads);
    }
}
