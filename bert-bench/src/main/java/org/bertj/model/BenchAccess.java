package org.bertj.model;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Parts of the model that are package-private in bert-core (one {@link BertLayer}, the MLM head),
 * built stand-alone with random bert-base-shaped weights so bert-bench can time them alone, run as
 * the whole model runs them (eval mode, in the forward workspace, result copied out). Lives
 * in bert-bench, in bert-core's package, so the model's API stays as small as it is.
 */
public final class BenchAccess {

    private final BertLayer layer;
    private final BertLMPredictionHead mlmHead;

    /** One encoder layer and one MLM head of {@code config}, weights drawn from {@code seed}. */
    public BenchAccess(BertConfig config, long seed) {
        Parameters params = new Parameters(DataType.FLOAT);
        params.create("bert.embeddings.word_embeddings.weight", config.vocabSize(), config.hiddenSize());
        layer = new BertLayer(config, params, "bert.encoder.layer.0.");
        mlmHead = new BertLMPredictionHead(config, params, "cls.predictions.", "bert.embeddings.word_embeddings.weight");
        ParameterInit.initializeAll(params, config, seed);
    }

    /** One eval-mode encoder layer on {@code x [B·S, H]}, no mask; returns its output {@code [B·S, H]}. */
    public INDArray layer(INDArray x, int batch, int seq) {
        Pass pass = Pass.inference();
        try (ForwardWorkspace ws = ForwardWorkspace.enter(pass)) { // as inside BertModel.forward
            return ws.result(layer.forward(x, batch, seq, null, null, pass).context());
        }
    }

    /** The MLM head (transform and tied decoder) on {@code x [N, H]}; returns logits {@code [N, V]}. */
    public INDArray mlmHead(INDArray x) {
        Pass pass = Pass.inference();
        try (ForwardWorkspace ws = ForwardWorkspace.enter(pass)) { // as inside BertForPreTraining.forward
            return ws.result(mlmHead.forward(x, pass));
        }
    }
}
