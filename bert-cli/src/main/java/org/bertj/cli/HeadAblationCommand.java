package org.bertj.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.bertj.model.BertForPreTraining;
import org.bertj.model.BertForPreTrainingOutput;
import org.bertj.inspect.Interventions;
import org.bertj.model.hooks.Hooks;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.indexing.NDArrayIndex;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bert ablate-heads}: which attention heads a prediction needs. Each head of each layer is
 * zeroed in turn (its slice of {@code ...attention.self.context} set to 0 before the heads are
 * merged, which is what Hugging Face's {@code head_mask} does), and the change in the target
 * word's log-probability at the position is printed as a layer x head grid, most harmful first.
 * One forward pass per head, plus the clean one.
 */
@Command(name = "ablate-heads", description = "Which attention heads a prediction needs: each head is zeroed"
        + " in turn (as Hugging Face's head_mask does) and the change of log p(target) at the position is printed as"
        + " a layer x head grid, largest drop first (default: the first [MASK] and its top word).")
final class HeadAblationCommand extends BertCommand {

    @Mixin
    SubjectOptions input;

    @Option(names = "--position", paramLabel = "P", description = "the token position (default: the first [MASK])")
    Integer position;

    @Option(names = "--target", paramLabel = "WORD", description = "the word whose probability is watched, or #ID"
            + " (default: the model's top word at the position)")
    String targetWord;

    @Option(names = "--top", paramLabel = "N", defaultValue = "10", description = "heads listed after the grid")
    int top;

    @Override
    protected int run() throws Exception {
        Subject subject = Subject.from(input);
        int row = subject.row(input.row);
        int position = Positions.chosen(subject, row, this.position)[0];
        BertForPreTraining model = subject.model();
        double[] cleanLogits = logits(model.runWithHooks(subject.inputs(), Hooks.none()), row, position);
        double[] clean = logSoftmax(cleanLogits);
        int target = targetWord == null ? LogitLensCommand.top(clean, 1)[0] : Positions.tokenId(subject, targetWord);
        String word = Positions.word(subject.tokenizer() == null ? null : subject.tokenizer().vocabulary(), target);
        out.println(subject.source());
        out.printf(Locale.ROOT, "target: '%s' at position %d ('%s'); clean logit %.4f, p = %.4f%n", word, position,
                Positions.token(subject, row, position), cleanLogits[target], Math.exp(clean[target]));
        int layers = model.config().numHiddenLayers(), heads = model.config().numAttentionHeads();
        // The logit, not log p, is what the grid shows: near p = 1 the softmax hides almost any change.
        double[][] delta = new double[layers][heads];
        double[][] p = new double[layers][heads];
        for (int l = 0; l < layers; l++) {
            for (int h = 0; h < heads; h++) {
                double[] z = logits(model.runWithHooks(subject.inputs(), Interventions.zeroAblateHead(l, h)), row, position);
                delta[l][h] = z[target] - cleanLogits[target];
                p[l][h] = Math.exp(logSoftmax(z)[target]);
            }
        }
        out.println("change of the logit of '" + word + "' when one head is zeroed (rows: layer, columns: head):");
        StringBuilder header = new StringBuilder("  layer");
        for (int h = 0; h < heads; h++) {
            header.append(String.format("%7d", h));
        }
        out.println(header);
        for (int l = 0; l < layers; l++) {
            StringBuilder line = new StringBuilder(String.format("  %5d", l));
            for (int h = 0; h < heads; h++) {
                line.append(String.format(Locale.ROOT, "%+7.3f", delta[l][h]));
            }
            out.println(line);
        }
        List<int[]> order = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            for (int h = 0; h < heads; h++) {
                order.add(new int[] {l, h});
            }
        }
        order.sort((x, y) -> Double.compare(delta[x[0]][x[1]], delta[y[0]][y[1]]));
        out.println("heads it needs most (largest drop of the logit first):");
        for (int[] lh : order.subList(0, Math.min(top, order.size()))) {
            out.printf(Locale.ROOT, "  layer %2d head %2d   logit %+.4f   p %.4f -> %.4f%n", lh[0], lh[1],
                    delta[lh[0]][lh[1]], Math.exp(clean[target]), p[lh[0]][lh[1]]);
        }
        return 0;
    }

    /** The logits of batch row {@code row} at {@code position}, {@code [V]}, in double. */
    static double[] logits(BertForPreTrainingOutput o, int row, int position) {
        return o.predictionLogits().get(NDArrayIndex.point(row), NDArrayIndex.point(position), NDArrayIndex.all())
                .castTo(DataType.DOUBLE).toDoubleVector();
    }

    /** log softmax, in double. */
    static double[] logSoftmax(double[] logits) {
        double[] z = logits.clone();
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (double v : z) {
            sum += Math.exp(v - max);
        }
        double log = max + Math.log(sum);
        for (int i = 0; i < z.length; i++) {
            z[i] -= log;
        }
        return z;
    }
}
