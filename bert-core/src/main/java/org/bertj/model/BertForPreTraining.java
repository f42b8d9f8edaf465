package org.bertj.model;

import org.bertj.loss.PreTrainingLoss;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * BERT with both pre-training heads, as Hugging Face's {@code BertForPreTraining}: the encoder
 * ({@code bert.*}), the masked-LM head with its decoder tied to the word embeddings and the
 * next-sentence head ({@code cls.*}).
 *
 * <p>Not thread-safe: a training forward keeps per-layer caches until its backward pass.
 */
public final class BertForPreTraining implements BertPreTrainedModel {

    private final BertConfig config;
    private final Parameters params;
    private final BertModel bert;
    private final BertPreTrainingHeads cls;

    /** A model with every tensor zero; fill it with {@link WeightLoader} or {@link ParameterInit}. */
    public BertForPreTraining(BertConfig config, DataType dataType) {
        this(config, new Parameters(dataType));
    }

    /** A model over an empty store, e.g. {@link Parameters#uninitialized} for {@link WeightLoader}. */
    BertForPreTraining(BertConfig config, Parameters params) {
        this.config = config;
        this.params = params;
        this.bert = new BertModel(config, params, "bert.", true);
        this.cls = new BertPreTrainingHeads(config, params, "cls.", "bert.embeddings.word_embeddings.weight");
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

    /** The encoder part. */
    @Override
    public BertModel bert() {
        return bert;
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

    /** Eval-mode forward pass. */
    public BertForPreTrainingOutput forward(BertInputs inputs, OutputOptions options) {
        return forward(inputs, options, Pass.inference());
    }

    /** Forward pass in the given mode. */
    public BertForPreTrainingOutput forward(BertInputs inputs, OutputOptions options, Pass pass) {
        try (ForwardWorkspace ws = ForwardWorkspace.enter(pass)) {
            BertModelOutput o = bert.forward(inputs, options, pass);
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
     * Eval-mode MLM logits at chosen token positions only, e.g. where the input holds {@code [MASK]}:
     * the encoder runs as usual, but the MLM head (and its {@code [N, V]} decoder product, a quarter
     * of bert-base's forward flops at 128 tokens) sees just those rows. Row {@code i} equals
     * {@code predictionLogits[positions[i] / S, positions[i] % S]} of {@link #forward}.
     *
     * @param positions flat token indices {@code b·S + s}, each in {@code [0, B·S)}
     * @return logits {@code [P, V]}, one row per position, in the order given
     * @throws IllegalArgumentException if there are no positions or one is outside the batch
     */
    public INDArray predictionLogitsAt(BertInputs inputs, int... positions) {
        long tokens = checkPositions(inputs, positions);
        Pass pass = Pass.inference();
        try (ForwardWorkspace ws = ForwardWorkspace.enter(pass)) {
            BertModelOutput o = bert.forward(inputs, OutputOptions.NONE, pass);
            INDArray flat = o.lastHiddenState().reshape('c', tokens, config.hiddenSize());
            INDArray rows = Nd4j.pullRows(flat, 1, positions);
            return ws.result(cls.predictions().forward(rows, pass));
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
     * Backward through the last caching forward pass, accumulating into {@code grads}.
     *
     * @param dPredictionLogits gradient w.r.t. the MLM logits {@code [B, S, V]} (or {@code [B·S, V]})
     * @param dSeqRelationship  gradient w.r.t. the NSP logits {@code [B, 2]}
     */
    public void backward(INDArray dPredictionLogits, INDArray dSeqRelationship, Gradients grads) {
        Parameters g = grads.store();
        INDArray dFlat = dPredictionLogits.reshape('c', dPredictionLogits.length() / config.vocabSize(),
                config.vocabSize());
        INDArray dHidden = cls.predictions().backward(dFlat, g);
        INDArray dPooled = cls.seqRelationship().backward(dSeqRelationship, g);
        bert.backward(dHidden, dPooled, g);
    }

    /**
     * One training step: forward in training mode (dropout from a stream seeded with {@code seed}),
     * the pre-training loss, and backward, adding every parameter's gradient into {@code grads}.
     *
     * @param labels            MLM labels {@code [B, S]} (-100 = ignored)
     * @param nextSentenceLabel NSP labels {@code [B]}
     */
    public TrainingStepResult trainingStep(BertInputs inputs, INDArray labels, INDArray nextSentenceLabel,
            Gradients grads, long seed) {
        return trainingStep(inputs, labels, nextSentenceLabel, grads, Pass.training(seed));
    }

    /**
     * A training step in an explicit mode, e.g. {@link Pass#deterministicTraining()} for the
     * gradients of the eval-mode (dropout-free) model.
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
        backward(dMlm, dNsp, grads);
        return new TrainingStepResult(r.mlmLoss(), r.nspLoss(), r.total(), r.mlmCount(), r.mlmCorrect(),
                r.nspCount(), r.nspCorrect());
    }
}
