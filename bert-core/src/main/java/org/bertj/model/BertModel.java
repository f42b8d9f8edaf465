package org.bertj.model;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The BERT encoder, as Hugging Face's {@code BertModel}: embeddings, {@code L} transformer layers
 * and, unless built without it ({@code add_pooling_layer=False}), the pooler. Inside
 * {@link BertForPreTraining} and {@link BertForMaskedLM} its tensors are named {@code bert.*}; on
 * its own (a saved HF {@code BertModel}, what sentence-transformers ships) they carry no prefix.
 */
public final class BertModel implements BertPreTrainedModel {

    private final BertConfig config;
    private final Parameters params;
    private final String prefix;
    private final BertEmbeddings embeddings;
    private final BertEncoder encoder;
    /** Null when built without the pooling layer. */
    private final BertPooler pooler;
    private int lastBatch;
    private int lastSeq;

    /** A stand-alone model (names without prefix), all tensors zero until loaded or initialised. */
    public BertModel(BertConfig config, DataType dataType) {
        this(config, new Parameters(dataType), "", true);
    }

    /**
     * Registers this model's tensors in {@code params} under {@code prefix} ("" or "bert.").
     *
     * @param addPoolingLayer whether it has the pooler (HF's {@code add_pooling_layer})
     */
    BertModel(BertConfig config, Parameters params, String prefix, boolean addPoolingLayer) {
        this.config = config;
        this.params = params;
        this.prefix = prefix;
        embeddings = new BertEmbeddings(config, params, prefix + "embeddings.");
        encoder = new BertEncoder(config, params, prefix + "encoder.");
        pooler = addPoolingLayer ? new BertPooler(config, params, prefix + "pooler.") : null;
    }

    /** Whether it has the pooler; without it {@link BertModelOutput#pooledOutput()} is null. */
    public boolean hasPooler() {
        return pooler != null;
    }

    /** Itself: the encoder of an encoder-only model. */
    @Override
    public BertModel bert() {
        return this;
    }

    /** "BertModel". */
    @Override
    public String hfClassName() {
        return "BertModel";
    }
    /** The configuration. */
    @Override
    public BertConfig config() {
        return config;
    }

    /** The tensors by HF name (shared with an enclosing {@link BertForPreTraining}). */
    @Override
    public Parameters parameters() {
        return params;
    }

    /** "" or "bert.". */
    String prefix() {
        return prefix;
    }

    /** Eval-mode forward pass. */
    public BertModelOutput forward(BertInputs inputs, OutputOptions options) {
        return forward(inputs, options, Pass.inference());
    }

    /**
     * @throws IllegalArgumentException if an input does not fit the config
     */
    public BertModelOutput forward(BertInputs inputs, OutputOptions options, Pass pass) {
        inputs.validate(config);
        try (ForwardWorkspace ws = ForwardWorkspace.enter(pass)) {
            BertModelOutput o = forwardIn(inputs, options, pass);
            return new BertModelOutput(ws.result(o.lastHiddenState()), ws.result(o.pooledOutput()),
                    ws.results(o.hiddenStates()), ws.results(o.attentions()));
        }
    }

    private BertModelOutput forwardIn(BertInputs inputs, OutputOptions options, Pass pass) {
        DataType type = params.dataType();
        int b = inputs.batchSize();
        int s = inputs.sequenceLength();
        INDArray maskBias = AttentionMaskBias.of(inputs, type);
        INDArray headMask = inputs.headMask(config, type);
        List<INDArray> hidden = options.hiddenStates() ? new ArrayList<>() : null;
        List<INDArray> attentions = options.attentions() ? new ArrayList<>() : null;
        INDArray x = embeddings.forward(inputs, pass);
        INDArray last = encoder.forward(x, b, s, maskBias, headMask, pass, hidden, attentions);
        INDArray pooled = pooler == null ? null : pooler.forward(last, b, s, pass);
        lastBatch = b;
        lastSeq = s;
        long h = config.hiddenSize();
        if (hidden != null) {
            hidden.replaceAll(t -> t.reshape('c', b, s, h));
        }
        return new BertModelOutput(last.reshape('c', b, s, h), pooled, hidden, attentions);
    }

    /**
     * Backward through the last caching forward pass.
     *
     * @param dLastHidden gradient w.r.t. the last hidden state {@code [B·S, H]} or {@code [B, S, H]}, or null
     * @param dPooled     gradient w.r.t. the pooled output {@code [B, H]}, or null
     */
    void backward(INDArray dLastHidden, INDArray dPooled, Parameters grads) {
        long h = config.hiddenSize();
        INDArray d = dLastHidden == null
                ? Nd4j.zeros(params.dataType(), (long) lastBatch * lastSeq, h)
                : dLastHidden.reshape('c', (long) lastBatch * lastSeq, h);
        if (dPooled != null && pooler != null) {
            d = d.add(pooler.backward(dPooled, grads));
        }
        embeddings.backward(encoder.backward(d, grads), grads);
    }
}
