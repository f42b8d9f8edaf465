package org.bertj.tasks;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Does sentence B follow sentence A? BERT's next-sentence head on {@code [CLS] A [SEP] B [SEP]},
 * as Hugging Face's {@code BertForNextSentencePrediction}/{@code BertForPreTraining} give it:
 * index 0 is IsNext, index 1 NotNext. Obtain one from {@link Bert#nextSentence()}, which refuses
 * weights without the head; thread-safe.
 */
public final class NextSentence {

    /**
     * The verdict on one pair.
     *
     * @param isNextLogit  {@code seq_relationship_logits[0]}
     * @param notNextLogit {@code seq_relationship_logits[1]}
     * @param isNextProbability softmax of the two, for IsNext
     */
    public record Prediction(double isNextLogit, double notNextLogit, double isNextProbability) {

        /**
         * The softmax probability of NotNext.
         *
         * @return {@code 1 - isNextProbability()}
         */
        public double notNextProbability() {
            return 1 - isNextProbability;
        }

        /**
         * Whether IsNext wins (a tie goes to IsNext, as torch.argmax takes the first).
         *
         * @return true if {@code isNextLogit >= notNextLogit}
         */
        public boolean isNext() {
            return isNextLogit >= notNextLogit;
        }
    }

    private final Bert bert;

    NextSentence(Bert bert) {
        this.bert = bert;
    }

    /**
     * The verdict on one pair.
     *
     * @param a the first sentence (segment A, token type 0)
     * @param b the sentence that may follow it (segment B, token type 1)
     * @return the logits and probabilities of IsNext/NotNext
     * @throws IllegalArgumentException if the pair is too long for the model
     */
    public Prediction predict(String a, String b) {
        return predict(List.of(a), List.of(b)).get(0);
    }

    /**
     * The verdicts on pairs {@code (a[i], b[i])}, run as one padded batch.
     *
     * @param a the first sentences
     * @param b the second sentences, as many as {@code a}
     * @return one verdict per pair, in order
     * @throws IllegalArgumentException if the lists differ in size or a pair is too long for the model
     */
    public List<Prediction> predict(List<String> a, List<String> b) {
        if (a.size() != b.size()) {
            throw new IllegalArgumentException(a.size() + " first sentences but " + b.size() + " second ones");
        }
        if (a.isEmpty()) {
            return List.of();
        }
        INDArray logits = bert.nspLogits(Bert.inputs(bert.encode(a, b))).castTo(DataType.DOUBLE);
        List<Prediction> out = new ArrayList<>(a.size());
        for (int i = 0; i < a.size(); i++) {
            double x = logits.getDouble(i, 0);
            double y = logits.getDouble(i, 1);
            double top = Math.max(x, y);
            double ex = Math.exp(x - top);
            double ey = Math.exp(y - top);
            out.add(new Prediction(x, y, ex / (ex + ey)));
        }
        return Collections.unmodifiableList(out);
    }
}
