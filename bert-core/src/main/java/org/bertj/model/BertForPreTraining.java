package org.bertj.model;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.bertj.loss.PreTrainingLoss;
import org.bertj.model.hooks.ActivationCache;
import org.bertj.model.hooks.CachedRun;
import org.bertj.model.hooks.HookPoint;
import org.bertj.model.hooks.Hooks;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * BERT with both pre-training heads, as Hugging Face's {@code BertForPreTraining}: the encoder
 * ({@link #bert()}, {@code bert.*}), the masked-LM head with its decoder tied to the word
 * embeddings and the next-sentence head ({@link #cls()}, {@code cls.*}).
 *
 * <p>Immutable and thread-safe: the modules hold only configuration and parameters; each call
 * keeps its state (caches for backward, dropout stream, hooks, recorded gradients) in its own
 * {@link Pass}. One loaded model serves any number of threads at once, hooked and plain. (Training
 * writes the parameters, so it must not overlap with other calls.)
 *
 * <p>Hook points ({@link #hookPoints}) are named as in the golden README: Hugging Face module
 * paths, e.g. {@code bert.encoder.layer.3.attention.self.probs}; see {@link #runWithHooks} and
 * {@link #runWithCache}.
 */
public final class BertForPreTraining implements BertPreTrainedModel {

    private final BertConfig config;
    private final Parameters params;
    private final BertModel bert;
    private final BertPreTrainingHeads cls;
    private final List<Point> points;
    private final List<String> pointNames;

    /**
     * A model with every tensor zero; fill it with {@link WeightLoader} or {@link ParameterInit}.
     *
     * @param config   the shape of the model
     * @param dataType the element type of every parameter and activation, e.g. FLOAT
     * @throws IllegalArgumentException if the parameters would not fit in memory
     */
    public BertForPreTraining(BertConfig config, DataType dataType) {
        this(config, new Parameters(dataType));
    }

    /** A model over an empty store, e.g. {@link Parameters#uninitialized} for {@link WeightLoader}. */
    BertForPreTraining(BertConfig config, Parameters params) {
        WeightLoader.checkMemory(config, params.dataType());
        this.config = config;
        this.params = params;
        this.bert = new BertModel(config, params, "bert.", true);
        this.cls = new BertPreTrainingHeads(config, params, "cls.", "bert.embeddings.word_embeddings.weight");
        List<Point> list = new ArrayList<>();
        bert.points(list);
        cls.points(list);
        this.points = List.copyOf(list);
        this.pointNames = list.stream().map(p -> p.name).toList();
    }

    /** The configuration. */
    @Override
    public BertConfig config() {
        return config;
    }

    /** Every tensor by its HF name, in HF order. */
    @Override
    public Parameters parameters() {
        return params;
    }

    /** {@code bert}: the encoder part. */
    @Override
    public BertModel bert() {
        return bert;
    }

    /** {@return {@code cls}: the two pre-training heads, sharing this model's parameters} */
    public BertPreTrainingHeads cls() {
        return cls;
    }

    /** The element type of every tensor. */
    @Override
    public DataType dataType() {
        return params.dataType();
    }

    /** "BertForPreTraining". */
    @Override
    public String hfClassName() {
        return "BertForPreTraining";
    }

    /**
     * Every hook point in forward order, each with its layer and its Hugging Face shape for batch
     * size {@code b} and sequence length {@code s}: {@code inputs_embeds}, {@code bert.embeddings.output},
     * per layer {@code ...attention.self.{query,key,value,scores,probs,context}},
     * {@code ...attention.output.dense}, {@code ...attention.output}, {@code ...intermediate.dense},
     * {@code ...intermediate}, {@code ...output.dense}, {@code ...output}; then {@code bert.pooler},
     * {@code cls.predictions.transform}, {@code cls.predictions}, {@code cls.seq_relationship}.
     *
     * @param b batch size B the shapes are given for
     * @param s sequence length S the shapes are given for
     * @return one entry per hook point, in the order the forward reaches them
     */
    public List<HookPoint> hookPoints(int b, int s) {
        return points.stream().map(p -> p.describe(b, s)).toList();
    }

    /** {@return the hook-point names in forward order, unmodifiable; the same list on every call} */
    public List<String> hookPointNames() {
        return pointNames;
    }

    /**
     * Eval-mode forward pass.
     *
     * @param inputs  the batch; checked against the config
     * @param options which hidden states and attention maps to return as well
     * @return the MLM and NSP logits, the last hidden state, the pooled output and what {@code options}
     *         asked for
     * @throws IllegalArgumentException if an input does not fit the config
     */
    public BertForPreTrainingOutput forward(BertInputs inputs, OutputOptions options) {
        return forward(inputs, options, Pass.inference());
    }

    /**
     * Forward pass in {@code pass}'s mode, with its hooks.
     *
     * @param inputs  the batch; checked against the config
     * @param options which hidden states and attention maps to return as well
     * @param pass    a fresh pass: its mode, hooks and gradient requests; keeps the caches for
     *                {@link #backward} if it is a caching one
     * @return the MLM and NSP logits, the last hidden state, the pooled output and what {@code options}
     *         asked for
     * @throws IllegalArgumentException if an input does not fit the config or a hook names no point
     * @throws IllegalStateException    if {@code pass} already served a call
     */
    public BertForPreTrainingOutput forward(BertInputs inputs, OutputOptions options, Pass pass) {
        inputs.validate(config);
        pass.begin(inputs, config, params.dataType(), pointNames);
        try (ForwardWorkspace ws = ForwardWorkspace.enter(pass)) {
            BertModelOutput o = bert.forwardIn(inputs, options, pass);
            long b = inputs.batchSize();
            long s = inputs.sequenceLength();
            INDArray flat = o.lastHiddenState().reshape('c', b * s, config.hiddenSize());
            INDArray logits = cls.predictions().forward(flat, pass).reshape('c', b, s, config.vocabSize());
            INDArray nsp = cls.seqRelationship().forward(o.pooledOutput(), pass);
            return new BertForPreTrainingOutput(ws.result(logits), ws.result(nsp), ws.result(o.lastHiddenState()),
                    ws.result(o.pooledOutput()), ws.results(o.hiddenStates()), ws.results(o.attentions()));
        }
    }

    /**
     * Eval-mode forward with {@code hooks} attached (TransformerLens's {@code run_with_hooks}): each
     * hook sees its activation and may return a replacement, which the rest of the forward uses.
     *
     * @param inputs the batch; checked against the config
     * @param hooks  the hooks to run; every exact name must be a hook point
     * @return the outputs of the hooked forward (no hidden states or attention maps)
     * @throws IllegalArgumentException if an input does not fit or a hook names no point
     */
    public BertForPreTrainingOutput runWithHooks(BertInputs inputs, Hooks hooks) {
        return forward(inputs, OutputOptions.NONE, Pass.inference().withHooks(hooks));
    }

    /**
     * Eval-mode forward recording every activation whose hook-point name {@code filter} accepts
     * (TransformerLens's {@code run_with_cache}); {@code n -> true} records all.
     *
     * @param inputs the batch; checked against the config
     * @param filter which hook-point names to record
     * @return the outputs and the recorded activations, in Hugging Face's shapes
     * @throws IllegalArgumentException if an input does not fit the config
     */
    public CachedRun runWithCache(BertInputs inputs, Predicate<String> filter) {
        return runWithCache(inputs, filter, Hooks.none());
    }

    /**
     * As {@link #runWithCache(BertInputs, Predicate)} with {@code hooks} attached too; each point is
     * recorded after the hooks at it have run.
     *
     * @param inputs the batch; checked against the config
     * @param filter which hook-point names to record
     * @param hooks  hooks to run first; {@link Hooks#none()} for none
     * @return the outputs and the recorded activations, in Hugging Face's shapes
     * @throws IllegalArgumentException if an input does not fit or a hook names no point
     */
    public CachedRun runWithCache(BertInputs inputs, Predicate<String> filter, Hooks hooks) {
        ActivationCache cache = ActivationCache.recording(filter);
        BertForPreTrainingOutput out = forward(inputs, OutputOptions.NONE,
                Pass.inference().withHooks(hooks.and(cache.hooks())));
        return new CachedRun(out, cache);
    }

    /**
     * Eval-mode MLM logits at chosen token positions only, e.g. where the input holds {@code [MASK]}:
     * the encoder runs as usual, but the MLM head (and its {@code [N, V]} decoder product, a quarter
     * of bert-base's forward flops at 128 tokens) sees just those rows. Row {@code i} equals
     * {@code predictionLogits[positions[i] / S, positions[i] % S]} of {@link #forward}.
     *
     * @param inputs    the batch; checked against the config
     * @param positions flat token indices {@code b·S + s}, each in {@code [0, B·S)}
     * @return logits {@code [P, V]}, one row per position, in the order given
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
        return logitsAt(config, params.dataType(), pointNames, bert, cls.predictions(), inputs, pass, positions);
    }

    /**
     * {@link #predictionLogitsAt(BertInputs, Pass, int...)} of a model made of {@code bert} and the MLM
     * head {@code head}: shared by this class and {@link BertForMaskedLM}.
     */
    static INDArray logitsAt(BertConfig config, DataType type, List<String> pointNames,
            BertModel bert, BertLMPredictionHead head, BertInputs inputs, Pass pass, int[] positions) {
        if (pass.caches()) {
            throw new IllegalStateException("predictionLogitsAt runs inference passes only (no backward through"
                    + " a subset of rows)");
        }
        long tokens = checkPositions(inputs, positions);
        inputs.validate(config);
        pass.begin(inputs, config, type, pointNames);
        try (ForwardWorkspace ws = ForwardWorkspace.enter(pass)) {
            BertModelOutput o = bert.forwardIn(inputs, OutputOptions.NONE, pass);
            INDArray flat = o.lastHiddenState().reshape('c', tokens, config.hiddenSize());
            INDArray rows = Nd4j.pullRows(flat, 1, positions);
            return ws.result(head.forward(rows, pass));
        }
    }

    /** Checks {@link #predictionLogitsAt}'s positions; returns {@code B·S}. */
    static long checkPositions(BertInputs inputs, int... positions) {
        long tokens = (long) inputs.batchSize() * inputs.sequenceLength();
        if (positions.length == 0) {
            throw new IllegalArgumentException("predictionLogitsAt needs at least one position");
        }
        for (int i = 0; i < positions.length; i++) {
            if (positions[i] < 0 || positions[i] >= tokens) {
                throw new IllegalArgumentException("position " + positions[i] + " (index " + i
                        + ") is outside the batch's " + tokens + " tokens (B·S = " + inputs.batchSize() + "·"
                        + inputs.sequenceLength() + ")");
            }
        }
        return tokens;
    }

    /**
     * Backward through {@code pass}'s forward, adding every parameter's gradient into {@code grads}
     * and recording the gradients {@code pass} asked for at hook points ({@link Pass#gradient}).
     *
     * @param pass              the caching pass the forward ran in; backward spends it
     * @param dPredictionLogits gradient w.r.t. the MLM logits {@code [B, S, V]} (or {@code [B·S, V]}), or null
     * @param dSeqRelationship  gradient w.r.t. the NSP logits {@code [B, 2]}, or null
     * @param grads             where parameter gradients accumulate, or null to compute only the
     *                          gradients at hook points (cheaper: no weight-gradient products)
     * @throws IllegalStateException after an inference pass, or on a second backward of one pass
     */
    public void backward(Pass pass, INDArray dPredictionLogits, INDArray dSeqRelationship, Gradients grads) {
        pass.beginBackward();
        Parameters g = grads == null ? null : grads.store();
        long tokens = (long) pass.batch() * pass.seq();
        INDArray dHidden = null;
        if (dPredictionLogits != null) {
            INDArray dFlat = dPredictionLogits.reshape('c', tokens, config.vocabSize());
            dHidden = cls.predictions().backward(pass, dFlat, g);
        }
        INDArray dPooled = null;
        if (dSeqRelationship != null) {
            dPooled = cls.seqRelationship().backward(pass, dSeqRelationship, g);
        }
        bert.backward(pass, dHidden, dPooled, g);
    }

    /**
     * One training step: forward in training mode (dropout from a stream seeded with {@code seed}),
     * the pre-training loss, and backward, adding every parameter's gradient into {@code grads}.
     *
     * @param inputs            the batch; checked against the config
     * @param labels            MLM labels {@code [B, S]} (-100 = ignored), or null for no MLM loss
     * @param nextSentenceLabel NSP labels {@code [B]} (0 = IsNext, 1 = NotNext), or null for no NSP loss
     * @param grads             where parameter gradients accumulate, or null for none
     * @param seed              seed of the dropout stream; the same seed gives the same masks
     * @return the losses and accuracy counts of the step
     * @throws IllegalArgumentException if an input or a label does not fit
     */
    public TrainingStepResult trainingStep(BertInputs inputs, INDArray labels, INDArray nextSentenceLabel,
            Gradients grads, long seed) {
        return trainingStep(inputs, labels, nextSentenceLabel, grads, Pass.training(seed));
    }

    /**
     * A training step in an explicit mode, e.g. {@link Pass#deterministicTraining()} for the
     * gradients of the eval-mode (dropout-free) model.
     *
     * @param inputs            the batch; checked against the config
     * @param labels            MLM labels {@code [B, S]} (-100 = ignored), or null for no MLM loss
     * @param nextSentenceLabel NSP labels {@code [B]} (0 = IsNext, 1 = NotNext), or null for no NSP loss
     * @param grads             where parameter gradients accumulate, or null for none
     * @param pass              a fresh caching pass ({@code training} or {@code deterministicTraining});
     *                          after the step it holds any gradients asked for at hook points
     * @return the losses and accuracy counts of the step
     * @throws IllegalArgumentException if {@code pass} is an inference pass, or an input or a label
     *                                  does not fit
     */
    public TrainingStepResult trainingStep(BertInputs inputs, INDArray labels, INDArray nextSentenceLabel,
            Gradients grads, Pass pass) {
        if (!pass.caches()) {
            throw new IllegalArgumentException("a training step needs a caching pass, not inference()");
        }
        BertForPreTrainingOutput out = forward(inputs, OutputOptions.NONE, pass);
        PreTrainingLoss.Result r = PreTrainingLoss.compute(out.predictionLogits(), labels,
                out.seqRelationshipLogits(), nextSentenceLabel, true);
        INDArray dMlm = r.dPredictionLogits() != null ? r.dPredictionLogits()
                : Nd4j.zerosLike(out.predictionLogits());
        INDArray dNsp = r.dSeqRelationship() != null ? r.dSeqRelationship()
                : Nd4j.zerosLike(out.seqRelationshipLogits());
        backward(pass, dMlm, dNsp, grads);
        return new TrainingStepResult(r.mlmLoss(), r.nspLoss(), r.total(), r.mlmCount(), r.mlmCorrect(),
                r.nspCount(), r.nspCorrect());
    }
}
