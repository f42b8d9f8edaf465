package org.bertj.model;

import java.util.ArrayList;
import java.util.List;
import org.bertj.model.hooks.HookPoint;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * HF {@code BertModel}: embeddings, {@code L} transformer layers and, unless built without it
 * ({@code add_pooling_layer=False}), the pooler; {@code [B, S]} ids (or
 * {@code inputs_embeds [B, S, H]}) in, {@code [B, S, H]} and pooled {@code [B, H]} out. Inside
 * {@link BertForPreTraining} and {@link BertForMaskedLM} its tensors and modules are named
 * {@code bert.*}; on its own (a saved HF {@code BertModel}, what sentence-transformers ships) they
 * carry no prefix.
 *
 * <p>Immutable and thread-safe: every call keeps its state in its own {@link Pass}.
 */
public final class BertModel implements BertPreTrainedModel {

    private final BertConfig config;
    private final Parameters params;
    private final String prefix;
    private final BertEmbeddings embeddings;
    private final BertEncoder encoder;
    /** Null when built without the pooling layer. */
    private final BertPooler pooler;
    private final List<String> pointNames;

    /**
     * A stand-alone model (names without prefix) with the pooler, all tensors zero until loaded or
     * initialised.
     *
     * @param config   the shape of the model
     * @param dataType the element type of every parameter and activation, e.g. FLOAT
     */
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
        List<Point> list = new ArrayList<>();
        points(list);
        pointNames = list.stream().map(p -> p.name).toList();
    }

    /** {@return whether it has the pooler; without it {@link BertModelOutput#pooledOutput()} is null} */
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

    /**
     * {@return the HF module path: {@code bert} inside {@link BertForPreTraining} or
     * {@link BertForMaskedLM}, "" on its own}
     */
    public String name() {
        return prefix.isEmpty() ? "" : prefix.substring(0, prefix.length() - 1);
    }

    /** {@return {@code .embeddings}: word, position and token-type tables and their LayerNorm} */
    public BertEmbeddings embeddings() {
        return embeddings;
    }

    /** {@return {@code .encoder}: the stack of transformer layers} */
    public BertEncoder encoder() {
        return encoder;
    }

    /** {@return {@code .pooler}, or null for a model without it ({@link #hasPooler()})} */
    public BertPooler pooler() {
        return pooler;
    }

    void points(List<Point> list) {
        embeddings.points(list);
        encoder.points(list);
        if (pooler != null) {
            pooler.points(list);
        }
    }

    /**
     * Every hook point of this model in forward order, with its shape for batch {@code b}, length {@code s}.
     *
     * @param b batch size B the shapes are given for
     * @param s sequence length S the shapes are given for
     * @return one entry per hook point, named with this model's prefix
     */
    public List<HookPoint> hookPoints(int b, int s) {
        List<Point> list = new ArrayList<>();
        points(list);
        return list.stream().map(p -> p.describe(b, s)).toList();
    }

    /**
     * Eval-mode forward pass.
     *
     * @param inputs  the batch; checked against the config
     * @param options which hidden states and attention maps to return as well
     * @return the last hidden state {@code [B, S, H]}, the pooled output (null without a pooler) and
     *         what {@code options} asked for
     * @throws IllegalArgumentException if an input does not fit the config
     */
    public BertModelOutput forward(BertInputs inputs, OutputOptions options) {
        return forward(inputs, options, Pass.inference());
    }

    /**
     * A forward pass in {@code pass}'s mode with its hooks.
     *
     * @param inputs  the batch; checked against the config
     * @param options which hidden states and attention maps to return as well
     * @param pass    a fresh pass: its mode (dropout or not) and hooks
     * @return the last hidden state {@code [B, S, H]}, the pooled output (null without a pooler) and
     *         what {@code options} asked for
     * @throws IllegalArgumentException if an input does not fit the config or a hook names no point
     * @throws IllegalStateException    if {@code pass} already served a call
     */
    public BertModelOutput forward(BertInputs inputs, OutputOptions options, Pass pass) {
        inputs.validate(config);
        pass.begin(inputs, config, params.dataType(), pointNames);
        try (ForwardWorkspace ws = ForwardWorkspace.enter(pass)) {
            BertModelOutput o = forwardIn(inputs, options, pass);
            return new BertModelOutput(ws.result(o.lastHiddenState()), ws.result(o.pooledOutput()),
                    ws.results(o.hiddenStates()), ws.results(o.attentions()));
        }
    }

    /** The forward inside an open pass (begun by the caller). */
    BertModelOutput forwardIn(BertInputs inputs, OutputOptions options, Pass pass) {
        DataType type = params.dataType();
        int b = inputs.batchSize();
        int s = inputs.sequenceLength();
        INDArray maskBias = inputs.fullyAttended() ? null : AttentionMaskBias.of(inputs.attentionMask(type), type);
        INDArray headMask = inputs.headMask(config, type);
        List<INDArray> hidden = options.hiddenStates() ? new ArrayList<>() : null;
        List<INDArray> attentions = options.attentions() ? new ArrayList<>() : null;
        INDArray x = embeddings.forward(inputs, pass);
        INDArray last = encoder.forward(x, b, s, maskBias, headMask, pass, hidden, attentions);
        INDArray pooled = pooler == null ? null : pooler.forward(last, b, s, pass);
        long h = config.hiddenSize();
        if (hidden != null) {
            hidden.replaceAll(t -> t.reshape('c', b, s, h));
        }
        return new BertModelOutput(last.reshape('c', b, s, h), pooled, hidden, attentions);
    }

    /**
     * Backward through {@code pass}'s forward.
     *
     * @param dLastHidden gradient w.r.t. the last hidden state {@code [B·S, H]} or {@code [B, S, H]}, or null
     * @param dPooled     gradient w.r.t. the pooled output {@code [B, H]}, or null
     * @param grads       parameter gradients to add into, or null for none (input/hook-point gradients only)
     */
    void backward(Pass pass, INDArray dLastHidden, INDArray dPooled, Parameters grads) {
        long h = config.hiddenSize();
        long tokens = (long) pass.batch() * pass.seq();
        INDArray d = dLastHidden == null
                ? Nd4j.zeros(params.dataType(), tokens, h)
                : dLastHidden.reshape('c', tokens, h).dup('c');
        if (dPooled != null && pooler != null) {
            d.addi(pooler.backward(pass, dPooled, grads));
        }
        embeddings.backward(pass, encoder.backward(pass, d, grads), grads);
    }
}
