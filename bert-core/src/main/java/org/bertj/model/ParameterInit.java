package org.bertj.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.random.impl.GaussianDistribution;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Hugging Face's {@code BertPreTrainedModel._init_weights}: weights and embeddings
 * {@code normal(0, initializer_range)} (the padding row of the word embeddings zero), biases zero,
 * LayerNorm weights one.
 */
public final class ParameterInit {

    private ParameterInit() {
    }

    /**
     * Initialises every tensor of {@code params} from a stream seeded with {@code seed}.
     *
     * @param params the tensors to overwrite in place, e.g. {@code model.parameters()}
     * @param config gives {@code initializer_range} and {@code pad_token_id}
     * @param seed   seed of the one normal stream drawn from, tensor after tensor in {@code params}' order
     */
    public static void initializeAll(Parameters params, BertConfig config, long seed) {
        params.weightsChanged();
        Random rng = Nd4j.getRandomFactory().getNewRandomInstance(seed);
        for (String name : params.names()) {
            initialize(name, params.tensor(name), config, rng);
        }
    }

    /**
     * Initialises one tensor in place according to its HF name. It sees only the tensor, not its
     * store: if the model has run {@link MatmulPrecision#BF16} passes, call
     * {@link Parameters#weightsChanged()} afterwards ({@link #initializeAll} does).
     *
     * @param name   the HF name: {@code ...LayerNorm.weight} get ones, {@code ...bias} zeros, the rest
     *               {@code normal(0, initializer_range)}
     * @param target the tensor, overwritten in place (a fused view is fine)
     * @param config gives {@code initializer_range} and {@code pad_token_id}
     * @param rng    the stream normal values are drawn from; advanced
     */
    public static void initialize(String name, INDArray target, BertConfig config, Random rng) {
        if (name.endsWith("LayerNorm.weight")) {
            target.assign(1.0);
        } else if (name.endsWith(".bias")) {
            target.assign(0.0);
        } else {
            // Drawn into a fresh array and copied, so fused views get the same treatment as the rest.
            INDArray r = Nd4j.createUninitialized(target.dataType(), target.shape(), 'c');
            Nd4j.getExecutioner().exec(new GaussianDistribution(r, 0.0, config.initializerRange()), rng);
            target.assign(r);
            if (name.endsWith("embeddings.word_embeddings.weight") && config.padTokenId() >= 0
                    && config.padTokenId() < target.size(0)) {
                target.getRow(config.padTokenId()).assign(0.0);
            }
        }
    }
}
