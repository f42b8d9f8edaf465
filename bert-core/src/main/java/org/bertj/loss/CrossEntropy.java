package org.bertj.loss;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Mean softmax cross-entropy of rows of logits against class labels, with an ignore index, as
 * torch.nn.CrossEntropyLoss computes it, and its gradient with respect to the logits.
 */
public final class CrossEntropy {

    /** The label that excludes a position from the loss (PyTorch's default ignore_index). */
    public static final long IGNORE_INDEX = -100;

    private CrossEntropy() {
    }

    /**
     * The loss value and statistics of one cross-entropy.
     *
     * @param loss      mean over counted rows (NaN if none counted, as PyTorch)
     * @param count     number of rows with a label other than {@link #IGNORE_INDEX}
     * @param correct   counted rows whose arg-max equals the label
     * @param gradient  d loss / d logits {@code [N, C]} (zero on ignored rows), or null if not asked for
     */
    public record Result(double loss, long count, long correct, INDArray gradient) {
    }

    /**
     * Mean cross-entropy of {@code logits} against {@code labels} over the rows whose label is not
     * {@link #IGNORE_INDEX}, as {@code torch.nn.functional.cross_entropy} computes it.
     *
     * @param logits   {@code [N, C]}
     * @param labels   N labels in {@code [0, C)} or {@link #IGNORE_INDEX}
     * @param name     the labels' name for error messages ("labels", "next_sentence_label")
     * @param seq      row width used to report positions as {@code [b][s]} (1 for per-sequence labels)
     * @param gradient whether to compute the gradient
     * @return the mean loss (NaN when every row is ignored), the counts and, if asked, the gradient
     * @throws IllegalArgumentException naming a label outside {@code [0, C)} and its position
     */
    public static Result compute(INDArray logits, long[] labels, String name, int seq, boolean gradient) {
        long n = logits.size(0);
        long classes = logits.size(1);
        if (labels.length != n) {
            throw new IllegalArgumentException(name + " has " + labels.length + " entries for " + n + " rows of logits");
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] != IGNORE_INDEX && (labels[i] < 0 || labels[i] >= classes)) {
                String at = seq == 1 ? "[" + i + "]" : "[" + i / seq + "][" + i % seq + "]";
                throw new IllegalArgumentException(name + at + " = " + labels[i] + " must be in [0, " + classes
                        + ") or " + IGNORE_INDEX + " (ignored)");
            }
        }
        // Stable log-softmax: log p = x - max - log Σ exp(x - max).
        INDArray max = logits.max(true, 1);
        // One logits-sized temporary only: exp(x - max), later turned into the gradient in place.
        INDArray exp = Transforms.exp(logits.subColumnVector(max), false);
        INDArray sumExp = exp.sum(true, 1);
        INDArray logSumExp = Transforms.log(sumExp, true);
        INDArray argMax = logits.argMax(1);
        double total = 0;
        long count = 0;
        long correct = 0;
        for (int i = 0; i < n; i++) {
            if (labels[i] == IGNORE_INDEX) {
                continue;
            }
            count++;
            total += logSumExp.getDouble(i, 0) - (logits.getDouble(i, labels[i]) - max.getDouble(i, 0));
            if (argMax.getLong(i) == labels[i]) {
                correct++;
            }
        }
        double loss = count == 0 ? Double.NaN : total / count;
        INDArray grad = null;
        if (gradient) {
            // d/dx mean CE = (softmax - onehot) / count on counted rows, 0 on ignored ones.
            grad = exp.diviColumnVector(sumExp);
            INDArray rowScale = Nd4j.zeros(logits.dataType(), n, 1);
            for (int i = 0; i < n; i++) {
                if (labels[i] != IGNORE_INDEX) {
                    rowScale.putScalar(i, 0, 1.0 / count);
                    grad.putScalar(i, labels[i], grad.getDouble(i, labels[i]) - 1.0);
                }
            }
            grad.muliColumnVector(rowScale);
        }
        return new Result(loss, count, correct, grad);
    }

    /**
     * Flattens an integer label tensor of any shape to a long[] in C order.
     *
     * @param labels an integer tensor, e.g. MLM labels {@code [B, S]} or NSP labels {@code [B]}
     * @return its elements in C (row-major) order
     * @throws IllegalArgumentException if the tensor is not of an integer type
     */
    public static long[] flatLabels(INDArray labels) {
        if (!labels.dataType().isIntType()) {
            throw new IllegalArgumentException("labels must be an integer tensor, got " + labels.dataType());
        }
        return labels.castTo(DataType.LONG).dup('c').reshape(-1).toLongVector();
    }
}
