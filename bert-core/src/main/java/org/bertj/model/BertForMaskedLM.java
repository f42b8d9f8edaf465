package org.bertj.model;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * BERT with the masked-LM head only, as Hugging Face's {@code BertForMaskedLM}: the encoder
 * ({@code bert.*}) and {@code cls.predictions} (decoder tied to the word embeddings unless
 * {@code tie_word_embeddings} is false). What weights without a next-sentence head load as, so that
 * no head is invented. HF builds its encoder without the pooler; this class has one when the
 * checkpoint does (the default bert-base-uncased weights do), since its pooled output is then real.
 *
 * <p>Not thread-safe: a training forward keeps per-layer caches until its backward pass.
 */
public final class BertForMaskedLM implements BertPreTrainedModel {

    private final BertConfig config;
    private final Parameters params;
    private final BertModel bert;
    private final BertOnlyMLMHead cls;

    /** A model without pooler, as HF's, every tensor zero; fill it with {@link WeightLoader} or {@link ParameterInit}. */
    public BertForMaskedLM(BertConfig config, DataType dataType) {
        this(config, new Parameters(dataType), false);
    }

    /** A model over an empty store, e.g. {@link Parameters#uninitialized} for {@link WeightLoader}. */
    BertForMaskedLM(BertConfig config, Parameters params, boolean addPoolingLayer) {
        this.config = config;
        this.params = params;
        this.bert = new BertModel(config, params, "bert.", addPoolingLayer);
        this.cls = new BertOnlyMLMHead(config, params, "cls.", "bert.embeddings.word_embeddings.weight");
    }

    @Override
    public BertConfig config() {
        return config;
    }

    @Override
    public Parameters parameters() {
        return params;
    }

    @Override
    public BertModel bert() {
        return bert;
    }

    /** "BertForMaskedLM". */
    @Override
    public String hfClassName() {
        return "BertForMaskedLM";
    }

    /** Eval-mode forward pass. */
    public BertForMaskedLMOutput forward(BertInputs inputs, OutputOptions options) {
        return forward(inputs, options, Pass.inference());
    }

    /** Forward pass in the given mode. */
    public BertForMaskedLMOutput forward(BertInputs inputs, OutputOptions options, Pass pass) {
        try (ForwardWorkspace ws = ForwardWorkspace.enter(pass)) {
            BertModelOutput o = bert.forward(inputs, options, pass);
            long b = inputs.batchSize();
            long s = inputs.sequenceLength();
            INDArray flat = o.lastHiddenState().reshape('c', b * s, config.hiddenSize());
            INDArray logits = cls.predictions().forward(flat, pass).reshape('c', b, s, config.vocabSize());
            return new BertForMaskedLMOutput(ws.result(logits), ws.result(o.lastHiddenState()),
                    ws.result(o.pooledOutput()), ws.results(o.hiddenStates()), ws.results(o.attentions()));
        }
    }

    /**
     * Eval-mode MLM logits at chosen token positions only, as
     * {@link BertForPreTraining#predictionLogitsAt}: row {@code i} equals
     * {@code logits[positions[i] / S, positions[i] % S]} of {@link #forward}.
     *
     * @param positions flat token indices {@code b·S + s}, each in {@code [0, B·S)}
     * @return logits {@code [P, V]}
     * @throws IllegalArgumentException if there are no positions or one is outside the batch
     */
    public INDArray predictionLogitsAt(BertInputs inputs, int... positions) {
        long tokens = BertForPreTraining.checkPositions(inputs, positions);
        Pass pass = Pass.inference();
        try (ForwardWorkspace ws = ForwardWorkspace.enter(pass)) {
            BertModelOutput o = bert.forward(inputs, OutputOptions.NONE, pass);
            INDArray flat = o.lastHiddenState().reshape('c', tokens, config.hiddenSize());
            INDArray rows = Nd4j.pullRows(flat, 1, positions);
            return ws.result(cls.predictions().forward(rows, pass));
        }
    }

    /**
     * Backward through the last caching forward pass, accumulating into {@code grads}.
     *
     * @param dLogits gradient w.r.t. the MLM logits {@code [B, S, V]} (or {@code [B·S, V]})
     */
    public void backward(INDArray dLogits, Gradients grads) {
        Parameters g = grads.store();
        INDArray dFlat = dLogits.reshape('c', dLogits.length() / config.vocabSize(), config.vocabSize());
        bert.backward(cls.predictions().backward(dFlat, g), null, g);
    }
}
