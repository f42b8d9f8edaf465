package org.bertj.model;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The BERT encoder: embeddings, {@code L} transformer layers and the pooler. Inside
 * {@link BertForPreTraining} its tensors are named {@code bert.*}; on its own (a saved HF
 * {@code BertModel}) they carry no prefix.
 */
public final class BertModel {

    private final BertConfig config;
    private final Parameters params;
    private final String prefix;
    private final BertEmbeddings embeddings;
    private final BertEncoder encoder;
    private final BertPooler pooler;
    private int lastBatch;
    private int lastSeq;

    /** A stand-alone model (names without prefix), all tensors zero until loaded or initialised. */
    public BertModel(BertConfig config, DataType dataType) {
        this(config, new Parameters(dataType), "");
    }

    /** Registers this model's tensors in {@code params} under {@code prefix} ("" or "bert."). */
    BertModel(BertConfig config, Parameters params, String prefix) {
        this.config = config;
        this.params = params;
        this.prefix = prefix;
        embeddings = new BertEmbeddings(config, params, prefix + "embeddings.");
        encoder = new BertEncoder(config, params, prefix + "encoder.");
        pooler = new BertPooler(config, params, prefix + "pooler.");
    }

    /** The configuration. */
    public BertConfig config() {
        return config;
    }

    /** The tensors by HF name (shared with an enclosing {@link BertForPreTraining}). */
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
        INDArray pooled = pooler.forward(last, b, s, pass);
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
        if (dPooled != null) {
            d = d.add(pooler.backward(dPooled, grads));
        }
        embeddings.backward(encoder.backward(d, grads), grads);
    }
}
