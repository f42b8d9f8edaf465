package org.bertj.inspect;

import java.util.ArrayList;
import java.util.List;
import org.bertj.model.BertForPreTraining;
import org.bertj.model.BertInputs;
import org.bertj.model.hooks.CachedRun;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The logit lens: the MLM head ({@code cls.predictions}: transform, tied decoder, bias) applied to
 * the residual stream after the embeddings (j = 0) and after every layer (j = 1..L), so one sees
 * which tokens each layer already points to. {@code logits(L)} equals the model's prediction logits.
 *
 * @param logits L+1 tensors {@code [B, S, V]}
 */
public record LogitLens(List<INDArray> logits) {

    /**
     * A token and its score at one layer and position.
     *
     * @param token       the vocabulary id
     * @param logit       its lens logit
     * @param probability its softmax probability over the whole vocabulary at that stream and position
     */
    public record Top(int token, double logit, double probability) {
    }

    /**
     * Runs the model once and the MLM head on each of its L+1 residual streams.
     *
     * @param model  the model; its {@code cls.predictions} head is the lens
     * @param inputs the batch
     * @return L+1 logits tensors {@code [B, S, V]}
     * @throws IllegalArgumentException if an input does not fit the model
     */
    public static LogitLens of(BertForPreTraining model, BertInputs inputs) {
        int layers = model.config().numHiddenLayers();
        List<String> points = new ArrayList<>();
        points.add("bert.embeddings.output");
        for (int i = 0; i < layers; i++) {
            points.add(Interventions.residual(i));
        }
        CachedRun run = model.runWithCache(inputs, points::contains);
        List<INDArray> out = new ArrayList<>();
        for (String p : points) {
            out.add(model.cls().predictions().logits(run.cache().get(p)));
        }
        return new LogitLens(List.copyOf(out));
    }

    /** {@return the number of residual streams, L+1} */
    public int depth() {
        return logits.size();
    }

    /**
     * {@code logits(j) [B, S, V]}: the head on stream j (0 = embeddings, j = after layer j−1).
     *
     * @param j stream index in {@code [0, L]}
     * @return {@code [B, S, V]}, the live tensor held by this lens
     * @throws IndexOutOfBoundsException if {@code j} is outside {@code [0, L]}
     */
    public INDArray logits(int j) {
        return logits.get(j);
    }

    /**
     * The {@code k} highest-scoring tokens at stream {@code j}, batch row {@code b}, position {@code s}, best first.
     *
     * @param j stream index in {@code [0, L]}
     * @param b batch row
     * @param s sequence position
     * @param k how many tokens; more than V gives all V
     * @return up to {@code k} tokens by falling logit, each with its probability
     */
    public List<Top> top(int j, int b, int s, int k) {
        INDArray row = logits.get(j).get(NDArrayIndex.point(b), NDArrayIndex.point(s), NDArrayIndex.all())
                .castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE);
        INDArray probs = Transforms.softmax(row.reshape(1, row.length()), true);
        double[] l = row.toDoubleVector();
        double[] p = probs.toDoubleVector();
        Integer[] order = new Integer[l.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (x, y) -> Double.compare(l[y], l[x]));
        List<Top> top = new ArrayList<>();
        for (int i = 0; i < Math.min(k, order.length); i++) {
            top.add(new Top(order[i], l[order[i]], p[order[i]]));
        }
        return top;
    }
}
