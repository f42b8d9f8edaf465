package org.bertj.tasks;

import java.util.List;
import org.bertj.model.BertInputs;
import org.bertj.model.BertModelOutput;
import org.bertj.tokenizer.Encoding;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One vector per text from the encoder, pooled as chosen: the {@code [CLS]} hidden state, BERT's
 * pooler output, or the attention-mask-weighted mean of the last hidden state as
 * sentence-transformers' {@code Pooling} (mean mode) computes it, optionally L2-normalised as its
 * {@code Normalize}. Obtain one from {@link Bert#embeddings}; thread-safe.
 *
 * <pre>{@code
 * Embeddings e = bert.embeddings(Embeddings.Pooling.MEAN, true);
 * double similarity = Embeddings.cosine(e.embed("A cat sat."), e.embed("A kitten was sitting."));
 * }</pre>
 */
public final class Embeddings {

    /** How token vectors become one vector. */
    public enum Pooling {
        /** {@code last_hidden_state[:, 0]}, the {@code [CLS]} token. */
        CLS,
        /** BERT's pooler: {@code tanh(dense(last_hidden_state[:, 0]))}, HF's {@code pooler_output}. */
        POOLER,
        /** {@code sum_s(h[s]·mask[s]) / max(sum_s mask[s], 1e-9)}: sentence-transformers' mean pooling. */
        MEAN
    }

    private final Bert bert;
    private final Pooling pooling;
    private final boolean normalize;

    Embeddings(Bert bert, Pooling pooling, boolean normalize) {
        this.bert = bert;
        this.pooling = pooling;
        this.normalize = normalize;
    }

    /**
     * The vector of one text.
     *
     * @param text a text; tokenized with the model's tokenizer, {@code [CLS]} and {@code [SEP]} added
     * @return its vector, {@code [H]} (unit L2 norm if this task normalizes)
     * @throws IllegalArgumentException if the text is longer than the model's max_position_embeddings
     */
    public float[] embed(String text) {
        return embed(List.of(text))[0];
    }

    /**
     * The vectors of several texts, run as one padded batch (padding changes a vector by float rounding only).
     *
     * @param texts the texts; may be empty
     * @return one vector per text, in order: {@code [texts.size()][H]}
     * @throws IllegalArgumentException naming the first text longer than max_position_embeddings
     */
    public float[][] embed(List<String> texts) {
        if (texts.isEmpty()) {
            return new float[0][];
        }
        return embed(Bert.inputs(bert.encode(texts, null)));
    }

    /**
     * The vectors of inputs already tokenized, e.g. a padded batch built elsewhere.
     *
     * @param inputs ids, token types and attention mask as the model takes them; mean pooling
     *               weights each position by its attention mask
     * @return one vector per row: {@code [B][H]}
     * @throws IllegalArgumentException if the inputs do not fit the model's configuration
     */
    public float[][] embed(BertInputs inputs) {
        BertModelOutput o = bert.encoder(inputs);
        INDArray h = o.lastHiddenState().castTo(DataType.DOUBLE);
        int b = (int) h.size(0);
        int s = (int) h.size(1);
        int d = (int) h.size(2);
        float[][] out = new float[b][];
        INDArray pooled = pooling == Pooling.POOLER ? o.pooledOutput().castTo(DataType.DOUBLE) : null;
        INDArray mask = inputs.attentionMask(DataType.DOUBLE);
        for (int i = 0; i < b; i++) {
            double[] v = new double[d];
            switch (pooling) {
                case CLS -> v = h.slice(i).getRow(0).toDoubleVector();
                case POOLER -> v = pooled.getRow(i).toDoubleVector();
                default -> {
                    double count = 0;
                    double[][] rows = h.slice(i).toDoubleMatrix();
                    for (int t = 0; t < s; t++) {
                        double m = mask.getDouble(i, t);
                        count += m;
                        for (int j = 0; j < d; j++) {
                            v[j] += rows[t][j] * m;
                        }
                    }
                    double denominator = Math.max(count, 1e-9); // torch.clamp(sum_mask, min=1e-9)
                    for (int j = 0; j < d; j++) {
                        v[j] /= denominator;
                    }
                }
            }
            out[i] = toFloat(normalize ? normalized(v) : v);
        }
        return out;
    }

    /**
     * The token vectors of one text: what HF's {@code pipeline("feature-extraction")} returns for
     * it. Neither pooled nor normalized, whatever this task's pooling.
     *
     * @param text a text; tokenized with the model's tokenizer, {@code [CLS]} and {@code [SEP]} added
     * @return {@code last_hidden_state[0]} as {@code [S][H]}, S counting {@code [CLS]} and {@code [SEP]}
     * @throws IllegalArgumentException if the text is longer than the model's max_position_embeddings
     */
    public float[][] tokenVectors(String text) {
        List<Encoding> e = bert.encode(List.of(text), null);
        return bert.encoder(Bert.inputs(e)).lastHiddenState().castTo(DataType.FLOAT).slice(0).toFloatMatrix();
    }

    /**
     * Cosine similarity of two vectors, computed in double.
     *
     * @param a a vector, e.g. from {@link #embed(String)}
     * @param b a vector of the same length
     * @return {@code a·b / (|a| |b|)}, in {@code [-1, 1]}; NaN if either vector is zero
     * @throws IllegalArgumentException if the lengths differ
     */
    public static double cosine(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("vectors of length " + a.length + " and " + b.length);
        }
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return dot / (Math.sqrt(na) * Math.sqrt(nb));
    }

    /** {@code x / max(||x||_2, 1e-12)}, torch.nn.functional.normalize's rule. */
    private static double[] normalized(double[] v) {
        double n = 0;
        for (double x : v) {
            n += x * x;
        }
        double scale = 1 / Math.max(Math.sqrt(n), 1e-12);
        double[] r = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            r[i] = v[i] * scale;
        }
        return r;
    }

    private static float[] toFloat(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }
}
