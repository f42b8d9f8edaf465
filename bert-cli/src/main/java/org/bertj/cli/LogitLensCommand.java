package org.bertj.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import org.bertj.inspect.LogitLens;
import org.bertj.tokenizer.Vocabulary;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.indexing.NDArrayIndex;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bert logit-lens}: the MLM head ({@code cls.predictions}: transform, tied decoder, bias)
 * applied to the residual stream after the embeddings and after every layer, at one position: which
 * words the model "has in mind" layer by layer. The last row is the model's own prediction.
 */
@Command(name = "logit-lens", description = "The MLM head (cls.predictions) applied to the embedding output and"
        + " to every layer's output at a position: the top words layer by layer (default: every [MASK]).")
final class LogitLensCommand extends BertCommand {

    @Mixin
    SubjectOptions input;

    @Option(names = "--position", paramLabel = "P", description = "the token position (default: every [MASK])")
    Integer position;

    @Option(names = "--top-k", paramLabel = "K", defaultValue = "5", description = "words shown per layer")
    int topK;

    @Option(names = "--target", paramLabel = "WORD", description = "also show this word's rank and probability; a vocabulary word or #ID (default: none)")
    String targetWord;

    @Override
    protected int run() throws Exception {
        if (topK < 1) {
            throw new UsageException("--top-k must be at least 1, got " + topK);
        }
        Subject subject = Subject.from(input);
        int row = subject.row(input.row);
        int[] positions = Positions.chosen(subject, row, position);
        Integer target = targetWord == null ? null : Positions.tokenId(subject, targetWord);
        out.println(subject.source());
        double[][][] lens = lens(subject, row, positions);
        Vocabulary vocab = subject.tokenizer() == null ? null : subject.tokenizer().vocabulary();
        for (int n = 0; n < positions.length; n++) {
            int p = positions[n];
            out.printf("logit lens at position %d ('%s'): top %d of softmax(cls.predictions(h))%s%n", p,
                    Positions.token(subject, row, p), topK,
                    target == null ? "" : "; " + Positions.word(vocab, target) + ": rank, probability");
            for (int j = 0; j < lens[n].length; j++) {
                double[] prob = softmax(lens[n][j]);
                int[] order = top(prob, topK);
                StringBuilder line = new StringBuilder(String.format("  %-11s", j == 0 ? "embeddings" : "layer " + (j - 1)));
                for (int id : order) {
                    line.append(String.format("  %-12s %.3f", Positions.word(vocab, id), prob[id]));
                }
                if (target != null) {
                    line.append(String.format("   | %s #%d %.4f", Positions.word(vocab, target), rank(prob, target),
                            prob[target]));
                }
                out.println(line);
            }
        }
        return 0;
    }

    /**
     * The logit lens: {@code result[n][j]} = {@code cls.predictions(hidden_states.j)[row, positions[n]]},
     * j = 0 (embedding output) .. L (last layer, = the prediction logits), each {@code [V]}.
     */
    static double[][][] lens(Subject subject, int row, int[] positions) {
        LogitLens lens = LogitLens.of(subject.model(), subject.inputs());
        double[][][] result = new double[positions.length][lens.depth()][];
        for (int j = 0; j < lens.depth(); j++) {
            for (int n = 0; n < positions.length; n++) {
                result[n][j] = lens.logits(j).get(NDArrayIndex.point(row), NDArrayIndex.point(positions[n]),
                        NDArrayIndex.all()).castTo(DataType.DOUBLE).toDoubleVector();
            }
        }
        return result;
    }

    static double[] softmax(double[] z) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) {
            max = Math.max(max, v);
        }
        double sum = 0;
        double[] e = new double[z.length];
        for (int i = 0; i < z.length; i++) {
            e[i] = Math.exp(z[i] - max);
            sum += e[i];
        }
        for (int i = 0; i < z.length; i++) {
            e[i] /= sum;
        }
        return e;
    }

    /** The k largest, largest first; ties by lower id, as a stable sort would. */
    static int[] top(double[] v, int k) {
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < v.length; i++) {
            ids.add(i);
        }
        ids.sort((a, b) -> v[b] != v[a] ? Double.compare(v[b], v[a]) : Integer.compare(a, b));
        return ids.subList(0, Math.min(k, v.length)).stream().mapToInt(Integer::intValue).toArray();
    }

    /** 1 + how many entries are larger. */
    static int rank(double[] v, int id) {
        int r = 1;
        for (double x : v) {
            if (x > v[id]) {
                r++;
            }
        }
        return r;
    }
}
