package org.bertj.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The MLM head: {@code transform(x) · decoderᵀ + cls.predictions.bias}. With
 * {@code tie_word_embeddings} (the default) the decoder weight is the word embedding table itself,
 * so its gradient adds into that table's gradient; without it the head has its own
 * {@code cls.predictions.decoder.weight [V, H]}. The decoder's bias is always
 * {@code cls.predictions.bias} (HF links the two whatever the tying).
 */
public final class BertLMPredictionHead {

    private final BertPredictionHeadTransform transform;
    private final INDArray decoderWeight;
    private final String decoderWeightName;
    private final String biasName;
    private final INDArray bias;
    private INDArray transformed;

    /**
     * @param wordEmbeddingsName the HF name of the word embedding table, the decoder when tied
     */
    BertLMPredictionHead(BertConfig c, Parameters params, String prefix, String wordEmbeddingsName) {
        // HF order: cls.predictions.bias, the transform's tensors, then an untied decoder.weight.
        biasName = prefix + "bias";
        bias = params.create(biasName, c.vocabSize());
        transform = new BertPredictionHeadTransform(c, params, prefix + "transform.");
        if (c.tieWordEmbeddings()) {
            decoderWeightName = wordEmbeddingsName;
            decoderWeight = params.get(wordEmbeddingsName);
        } else {
            decoderWeightName = prefix + "decoder.weight";
            decoderWeight = params.create(decoderWeightName, c.vocabSize(), c.hiddenSize());
        }
    }

    /** @param x {@code [N, H]}; returns logits {@code [N, V]} */
    INDArray forward(INDArray x, Pass pass) {
        INDArray t = transform.forward(x, pass);
        transformed = pass.caches() ? t : null;
        INDArray logits = Nd4j.gemm(t, decoderWeight, false, true);
        return logits.addiRowVector(bias);
    }

    INDArray backward(INDArray dLogits, Parameters grads) {
        Nd4j.gemm(dLogits, transformed, grads.get(decoderWeightName), true, false, 1.0, 1.0);
        grads.get(biasName).addi(dLogits.sum(0));
        INDArray dT = Nd4j.gemm(dLogits, decoderWeight, false, false);
        transformed = null;
        return transform.backward(dT, grads);
    }
}
