package org.bertj.model;

import java.util.ArrayList;
import java.util.List;
import org.bertj.model.hooks.HookPoint;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * BERT with the masked-LM head only, as Hugging Face's {@code BertForMaskedLM}: the encoder
 * ({@link #bert()}, {@code bert.*}) and {@link #cls()} = {@code cls.predictions} (decoder tied to
 * the word embeddings unless {@code tie_word_embeddings} is false). What weights without a
 * next-sentence head load as ({@link WeightLoader#loadAuto}), so that no head is invented. HF
 * builds its encoder without the pooler; this class has one when the checkpoint does (the default
 * bert-base-uncased weights do), since its pooled output is then real.
 *
 * <p>Immutable and thread-safe as {@link BertForPreTraining}: each call keeps its state in its
 * {@link Pass}.
 */
public final class BertForMaskedLM implements BertPreTrainedModel {

    private final BertConfig config;
    private final Parameters params;
    private final BertModel bert;
    private final BertOnlyMLMHead cls;
    private final List<Point> points;
    private final List<String> pointNames;

    /**
     * A model without pooler, as HF's, every tensor zero; fill it with {@link WeightLoader} or {@link ParameterInit}.
     *
     * @param config   the shape of the model
     * @param dataType the element type of every parameter and activation, e.g. FLOAT
     * @throws IllegalArgumentException if the parameters would not fit in memory
     */
    public BertForMaskedLM(BertConfig config, DataType dataType) {
        this(config, new Parameters(dataType), false);
    }

    /** A model over an empty store, e.g. {@link Parameters#uninitialized} for {@link WeightLoader}. */
    BertForMaskedLM(BertConfig config, Parameters params, boolean addPoolingLayer) {
        WeightLoader.checkMemory(config, params.dataType());
        this.config = config;
        this.params = params;
        this.bert = new BertModel(config, params, "bert.", addPoolingLayer);
        this.cls = new BertOnlyMLMHead(config, params, "cls.", "bert.embeddings.word_embeddings.weight");
        List<Point> list = new ArrayList<>();
        bert.points(list);
        cls.points(list);
        this.points = List.copyOf(list);
        this.pointNames = list.stream().map(p -> p.name).toList();
    }

    @Override
    public BertConfig config() {
        return config;
    }

    @Override
    public Parameters parameters() {
        return params;
    }

    /** {@code bert}: the encoder part. */
    @Override
    public BertModel bert() {
        return bert;
    }

    /** {@return {@code cls}: the MLM head, sharing this model's parameters} */
    public BertOnlyMLMHead cls() {
        return cls;
    }

    /** "BertForMaskedLM". */
    @Override
    public String hfClassName() {
        return "BertForMaskedLM";
    }

    /**
     * Every hook point in forward order, as {@link BertForPreTraining#hookPoints} less
     * {@code cls.seq_relationship} (and less {@code bert.pooler} without a pooler).
     *
     * @param b batch size B the shapes are given for
     * @param s sequence length S the shapes are given for
     * @return one entry per hook point, in the order the forward reaches them
     */
    public List<HookPoint> hookPoints(int b, int s) {
        return points.stream().map(p -> p.describe(b, s)).toList();
    }

    /**
     * Eval-mode forward pass.
     *
     * @param inputs  the batch; checked against the config
     * @param options which hidden states and attention maps to return as well
     * @return the MLM logits, the last hidden state, the pooled output (null without a pooler) and
     *         what {@code options} asked for
     * @throws IllegalArgumentException if an input does not fit the config
     */
    public BertForMaskedLMOutput forward(BertInputs inputs, OutputOptions options) {
        return forward(inputs, options, Pass.inference());
    }

    /**
     * Forward pass in {@code pass}'s mode, with its hooks.
     *
     * @param inputs  the batch; checked against the config
     * @param options which hidden states and attention maps to return as well
     * @param pass    a fresh pass: its mode, hooks and gradient requests; keeps the caches for
     *                {@link #backward} if it is a caching one
     * @return the MLM logits, the last hidden state, the pooled output (null without a pooler) and
     *         what {@code options} asked for
     * @throws IllegalArgumentException if an input does not fit the config or a hook names no point
     * @throws IllegalStateException    if {@code pass} already served a call
     */
    public BertForMaskedLMOutput forward(BertInputs inputs, OutputOptions options, Pass pass) {
        inputs.validate(config);
        pass.begin(inputs, config, params.dataType(), pointNames);
        try (ForwardWorkspace ws = ForwardWorkspace.enter(pass)) {
            BertModelOutput o = bert.forwardIn(inputs, options, pass);
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
     * @param inputs    the batch; checked against the config
     * @param positions flat token indices {@code b·S + s}, each in {@code [0, B·S)}
     * @return logits {@code [P, V]}
     * @throws IllegalArgumentException if there are no positions or one is outside the batch
     */
    public INDArray predictionLogitsAt(BertInputs inputs, int... positions) {
        return predictionLogitsAt(inputs, Pass.inference(), positions);
    }

    /**
     * As {@link #predictionLogitsAt(BertInputs, int...)}, in a pass of the caller's: an inference
     * pass, e.g. with bf16 products ({@link Pass#withMatmulPrecision}) or hooks.
     *
     * @param inputs    the batch; checked against the config
     * @param pass      a fresh inference pass (one per call)
     * @param positions flat token indices {@code b·S + s}, each in {@code [0, B·S)}
     * @return logits {@code [P, V]}, one row per position, in the order given
     * @throws IllegalArgumentException if there are no positions or one is outside the batch
     * @throws IllegalStateException    if {@code pass} keeps caches (training) or already ran
     */
    public INDArray predictionLogitsAt(BertInputs inputs, Pass pass, int... positions) {
        return BertForPreTraining.logitsAt(config, params.dataType(), pointNames, bert, cls.predictions(), inputs, pass,
                positions);
    }

    /**
     * Backward through {@code pass}'s forward, adding every parameter's gradient into {@code grads}.
     *
     * @param pass    the caching pass the forward ran in; backward spends it
     * @param dLogits gradient w.r.t. the MLM logits {@code [B, S, V]} (or {@code [B·S, V]}); not null
     * @param grads   where parameter gradients accumulate, or null for hook-point gradients only
     * @throws IllegalStateException after an inference pass, or on a second backward of one pass
     */
    public void backward(Pass pass, INDArray dLogits, Gradients grads) {
        pass.beginBackward();
        Parameters g = grads == null ? null : grads.store();
        long tokens = (long) pass.batch() * pass.seq();
        INDArray dFlat = dLogits.reshape('c', tokens, config.vocabSize());
        bert.backward(pass, cls.predictions().backward(pass, dFlat, g), null, g);
    }
}
