package org.bertj.model;

import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * HF {@code BertLMPredictionHead} ({@code cls.predictions}), the MLM head:
 * {@code transform(x) · word_embeddingsᵀ + cls.predictions.bias}, {@code [B, S, H]} →
 * {@code [B, S, V]} ({@code [N, H]} → {@code [N, V]} inside the model). With
 * {@code tie_word_embeddings} (the default) the decoder weight is the word embedding table itself,
 * so its gradient adds into that table's gradient; without it the head has its own
 * {@code cls.predictions.decoder.weight [V, H]}. The decoder's bias is always
 * {@code cls.predictions.bias} (HF links the two whatever the tying). Hook point: its own name
 * (the logits).
 */
public final class BertLMPredictionHead {

    private final String name;
    private final int hidden;
    private final BertPredictionHeadTransform transform;
    private final Parameters params; // holds the decoder's bfloat16 copy for BF16 passes
    private final INDArray decoderWeight;
    private final String decoderWeightName;
    private final Linear.Ref decoderRef;
    private final String biasName;
    private final INDArray bias;
    private final Point out;

    /**
     * @param wordEmbeddingsName the HF name of the word embedding table, the decoder when tied
     */
    BertLMPredictionHead(BertConfig c, Parameters params, String prefix, String wordEmbeddingsName) {
        name = prefix.substring(0, prefix.length() - 1);
        this.params = params;
        hidden = c.hiddenSize();
        // HF order: cls.predictions.bias, the transform's tensors, then an untied decoder.weight.
        biasName = prefix + "bias";
        bias = params.create(biasName, c.vocabSize());
        transform = new BertPredictionHeadTransform(c, params, prefix + "transform.");
        if (c.tieWordEmbeddings()) {
            decoderWeightName = wordEmbeddingsName;
            decoderWeight = params.tensor(wordEmbeddingsName);
        } else {
            decoderWeightName = prefix + "decoder.weight";
            decoderWeight = params.create(decoderWeightName, c.vocabSize(), c.hiddenSize());
        }
        decoderRef = new Linear.Ref(decoderWeightName, false);
        out = Point.tokens(name, -1, c.vocabSize());
    }

    /** {@return the HF module path, {@code cls.predictions}} */
    public String name() {
        return name;
    }

    /** {@return {@code cls.predictions.transform}: dense, activation and LayerNorm before the decoder} */
    public BertPredictionHeadTransform transform() {
        return transform;
    }

    void points(List<Point> list) {
        transform.points(list);
        list.add(out);
    }

    /**
     * The head alone, eval mode, on any hidden states, e.g. every layer's residual stream (the
     * logit lens) or to time it. Thread-safe.
     *
     * @param x {@code [B, S, H]} or {@code [N, H]}
     * @return logits {@code [B, S, V]} or {@code [N, V]}, a new array
     */
    public INDArray logits(INDArray x) {
        if ((x.rank() != 2 && x.rank() != 3) || x.size(-1) != hidden) {
            throw new IllegalArgumentException(name + ": input must be [B, S, " + hidden + "] or [N, " + hidden
                    + "], got " + Arrays.toString(x.shape()));
        }
        Pass pass = Pass.inference();
        try (ForwardWorkspace ws = ForwardWorkspace.enter(pass)) {
            INDArray flat = x.dup('c').reshape('c', x.length() / hidden, hidden);
            INDArray y = forward(flat, pass);
            return ws.result(x.rank() == 2 ? y : y.reshape('c', x.size(0), x.size(1), y.size(1)));
        }
    }

    /** @param x {@code [N, H]}; returns logits {@code [N, V]} */
    INDArray forward(INDArray x, Pass pass) {
        INDArray t = transform.forward(x, pass);
        if (pass.caches()) {
            pass.save(this, t);
        }
        INDArray logits = Linear.product(t, decoderWeight, params, decoderRef, pass);
        return pass.hook(out, logits.addiRowVector(bias));
    }

    INDArray backward(Pass pass, INDArray dLogits, Parameters grads) {
        pass.gradientAt(out, dLogits);
        INDArray transformed = pass.saved(this, INDArray.class);
        if (grads != null) {
            Nd4j.gemm(dLogits, transformed, grads.get(decoderWeightName), true, false, 1.0, 1.0);
            grads.get(biasName).addi(dLogits.sum(0));
        }
        INDArray dT = Nd4j.gemm(dLogits, decoderWeight, false, false);
        return transform.backward(pass, dT, grads);
    }
}
