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

    /** A token and its score at one layer and position. */
    public record Top(int token, double logit, double probability) {
    }

    /** Runs the model once and the MLM head on each of its L+1 residual streams. */
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

    /** Number of residual streams, L+1. */
    public int depth() {
        return logits.size();
    }

    /** {@code logits(j) [B, S, V]}: the head on stream j (0 = embeddings, j = after layer j−1). */
    public INDArray logits(int j) {
        return logits.get(j);
    }

    /** The {@code k} highest-scoring tokens at stream {@code j}, batch row {@code b}, position {@code s}, best first. */
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
