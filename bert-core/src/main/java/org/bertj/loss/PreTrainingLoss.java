package org.bertj.loss;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * BertForPreTraining's loss: masked-LM cross-entropy over the vocabulary (mean over positions whose
 * label is not -100) plus next-sentence cross-entropy (mean over the batch). Forward and the
 * gradient with respect to both logits side by side.
 */
public final class PreTrainingLoss {

    private PreTrainingLoss() {
    }

    /**
     * Loss values, accuracy counts and (optionally) gradients w.r.t. the logits.
     *
     * @param mlmLoss          MLM part (NaN if no labels were given or all were -100)
     * @param nspLoss          NSP part (NaN if no next-sentence labels were given)
     * @param total            mlm + nsp of the parts that were given
     * @param mlmCount         number of counted MLM positions
     * @param mlmCorrect       counted positions predicted right (arg-max)
     * @param nspCount         number of NSP examples
     * @param nspCorrect       NSP examples predicted right
     * @param dPredictionLogits d total / d prediction_logits, shaped like them, or null
     * @param dSeqRelationship d total / d seq_relationship_logits {@code [B, 2]}, or null
     */
    public record Result(double mlmLoss, double nspLoss, double total, long mlmCount, long mlmCorrect,
            long nspCount, long nspCorrect, INDArray dPredictionLogits, INDArray dSeqRelationship) {
    }

    /**
     * The loss of one batch, as {@code BertForPreTraining}'s {@code loss}: the MLM part, the NSP
     * part, or both, whichever labels are given.
     *
     * @param predictionLogits  {@code [B, S, V]}
     * @param labels            {@code [B, S]} (-100 = ignored), or null for no MLM loss
     * @param seqRelationship   {@code [B, 2]}; may be null when {@code nextSentenceLabel} is
     * @param nextSentenceLabel {@code [B]} (0 = IsNext, 1 = NotNext), or null for no NSP loss
     * @param gradients         whether to compute d total / d logits
     * @return the parts, their sum, the accuracy counts and, if asked, the gradients
     * @throws IllegalArgumentException on label shapes or values that do not fit the logits
     */
    public static Result compute(INDArray predictionLogits, INDArray labels, INDArray seqRelationship,
            INDArray nextSentenceLabel, boolean gradients) {
        double mlm = Double.NaN;
        double nsp = Double.NaN;
        double total = 0;
        long mlmCount = 0;
        long mlmCorrect = 0;
        long nspCount = 0;
        long nspCorrect = 0;
        INDArray dMlm = null;
        INDArray dNsp = null;
        if (labels != null) {
            long[] shape = predictionLogits.shape();
            long[] want = Arrays.copyOf(shape, shape.length - 1);
            if (!Arrays.equals(labels.shape(), want)) {
                throw new IllegalArgumentException("labels has shape " + Arrays.toString(labels.shape())
                        + " but prediction_logits " + Arrays.toString(shape) + " needs " + Arrays.toString(want));
            }
            long vocab = shape[shape.length - 1];
            INDArray flat = predictionLogits.reshape('c', predictionLogits.length() / vocab, vocab);
            int seq = shape.length == 3 ? (int) shape[1] : 1;
            CrossEntropy.Result r = CrossEntropy.compute(flat, CrossEntropy.flatLabels(labels), "labels", seq,
                    gradients);
            mlm = r.loss();
            mlmCount = r.count();
            mlmCorrect = r.correct();
            total += mlm;
            dMlm = r.gradient() == null ? null : r.gradient().reshape('c', shape);
        }
        if (nextSentenceLabel != null) {
            long b = seqRelationship.size(0);
            if (nextSentenceLabel.length() != b || nextSentenceLabel.rank() > 1) {
                throw new IllegalArgumentException("next_sentence_label has shape "
                        + Arrays.toString(nextSentenceLabel.shape()) + " but the batch has " + b + " sequences");
            }
            CrossEntropy.Result r = CrossEntropy.compute(seqRelationship, CrossEntropy.flatLabels(nextSentenceLabel),
                    "next_sentence_label", 1, gradients);
            nsp = r.loss();
            nspCount = r.count();
            nspCorrect = r.correct();
            total += nsp;
            dNsp = r.gradient();
        }
        if (labels == null && nextSentenceLabel == null) {
            total = Double.NaN;
        }
        return new Result(mlm, nsp, total, mlmCount, mlmCorrect, nspCount, nspCorrect, dMlm, dNsp);
    }
}
