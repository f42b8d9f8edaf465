package org.bertj.inspect;

import org.bertj.loss.PreTrainingLoss;
import org.bertj.model.BertForPreTrainingOutput;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A scalar function of the model's outputs, with its gradient with respect to them: what
 * {@link Attribution} differentiates and what {@link PatchingSweep} measures. Ready-made: one MLM
 * logit, a logit difference, one NSP logit, the pre-training loss.
 */
public interface Scalar {

    /**
     * The value and the gradient that starts backward.
     *
     * @param value             the scalar
     * @param dPredictionLogits ∂value/∂prediction_logits {@code [B, S, V]}, or null if it does not depend on them
     * @param dSeqRelationship  ∂value/∂seq_relationship_logits {@code [B, 2]}, or null
     */
    record Seed(double value, INDArray dPredictionLogits, INDArray dSeqRelationship) {
    }

    /**
     * The value and its gradient on {@code out} (only its two logits tensors are read).
     *
     * @param out a forward's outputs; its logits may be row slices of a larger batch
     * @return the value and ∂value/∂logits, shaped like {@code out}'s logits
     */
    Seed seed(BertForPreTrainingOutput out);

    /**
     * The value alone.
     *
     * @param out a forward's outputs
     * @return the scalar (the gradient is computed and dropped)
     */
    default double value(BertForPreTrainingOutput out) {
        return seed(out).value();
    }

    /**
     * {@code prediction_logits[b, s, token]}: e.g. a token's logit at a {@code [MASK]}.
     *
     * @param b     sequence index in the batch
     * @param s     token position in the sequence
     * @param token vocabulary id whose logit is taken
     * @return the scalar; its gradient is 1 at {@code [b, s, token]} and 0 elsewhere
     */
    static Scalar logit(int b, int s, int token) {
        return out -> {
            INDArray l = out.predictionLogits();
            INDArray d = Nd4j.zerosLike(l);
            d.putScalar(new long[] {b, s, token}, 1.0);
            return new Seed(l.getDouble(b, s, token), d, null);
        };
    }

    /**
     * {@code prediction_logits[b, s, good] - prediction_logits[b, s, bad]}.
     *
     * @param b    sequence index in the batch
     * @param s    token position in the sequence
     * @param good vocabulary id counted positively, e.g. the right answer
     * @param bad  vocabulary id counted negatively, e.g. a distractor
     * @return the scalar; its gradient is +1 and -1 at the two logits
     */
    static Scalar logitDifference(int b, int s, int good, int bad) {
        return out -> {
            INDArray l = out.predictionLogits();
            INDArray d = Nd4j.zerosLike(l);
            d.putScalar(new long[] {b, s, good}, 1.0);
            d.putScalar(new long[] {b, s, bad}, -1.0);
            return new Seed(l.getDouble(b, s, good) - l.getDouble(b, s, bad), d, null);
        };
    }

    /**
     * {@code seq_relationship_logits[b, k]} (k = 0 IsNext, 1 NotNext).
     *
     * @param b sequence index in the batch
     * @param k 0 for the IsNext logit, 1 for NotNext
     * @return the scalar; it does not depend on the MLM logits
     */
    static Scalar nspLogit(int b, int k) {
        return out -> {
            INDArray l = out.seqRelationshipLogits();
            INDArray d = Nd4j.zerosLike(l);
            d.putScalar(new long[] {b, k}, 1.0);
            return new Seed(l.getDouble(b, k), null, d);
        };
    }

    /**
     * The pre-training loss (MLM cross-entropy over labels ≠ -100 plus NSP cross-entropy), as
     * {@link PreTrainingLoss} computes it for training.
     *
     * @param labels            MLM labels {@code [B, S]} (-100 = ignored), or null for the NSP loss alone
     * @param nextSentenceLabel NSP labels {@code [B]}, or null for the MLM loss alone
     * @return the scalar: the sum of the parts given (mean cross-entropy of each)
     */
    static Scalar loss(INDArray labels, INDArray nextSentenceLabel) {
        return out -> {
            PreTrainingLoss.Result r = PreTrainingLoss.compute(out.predictionLogits(), labels,
                    out.seqRelationshipLogits(), nextSentenceLabel, true);
            return new Seed(r.total(), r.dPredictionLogits(), r.dSeqRelationship());
        };
    }
}
