package org.bertj.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.bertj.inspect.Attribution;
import org.bertj.inspect.Scalar;
import org.bertj.model.BertForPreTraining;
import org.bertj.model.BertInputs;
import org.bertj.model.OutputOptions;
import org.bertj.viz.AttributionStrip;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.bertj.viz.PictureFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bert attribute}: which input tokens an output depends on. Explains the MLM logit of a word
 * at a [MASK] (or any position) or the NSP IsNext logit, by integrated gradients (default), saliency
 * or gradient × input on the word embeddings; prints a table (and IG's completeness check) and
 * optionally draws the tokens coloured by score.
 */
@Command(name = "attribute", description = "Which input tokens an output depends on: integrated gradients,"
        + " saliency or gradient x input on the word embeddings, for the logit of a word at a [MASK] (default: the"
        + " first [MASK] and its top word) or the NSP IsNext logit. A table, IG's completeness check, and --out draws"
        + " the tokens coloured by score.")
final class AttributeCommand extends BertCommand {

    @Mixin
    SubjectOptions input;

    @Option(names = "--position", paramLabel = "P", description = "the token position (default: the first [MASK])")
    Integer position;

    @Option(names = "--target", paramLabel = "WORD", description = "the word whose logit is explained, or #ID"
            + " (default: the model's top word at the position)")
    String targetWord;

    @Option(names = "--nsp", description = "explain the NSP IsNext logit instead (weights with an NSP head)")
    boolean nsp;

    @Option(names = "--method", paramLabel = "METHOD", defaultValue = "ig",
            description = "ig (integrated gradients), saliency (gradient norm) or grad-x-input")
    String methodName;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "64", description = "integrated gradients' steps")
    int steps;

    @Option(names = "--batch", paramLabel = "K", defaultValue = "8", description = "integrated-gradients"
            + " steps stacked into one forward/backward (faster; the result is the same up to rounding)")
    int stepsPerBatch;

    @Option(names = "--out", paramLabel = "FILE.png", description = "also draw the tokens coloured by score (default: no picture)")
    Path png;

    @Override
    protected int run() throws Exception {
        Method method = method(methodName);
        if (steps < 1 || steps > 10_000) {
            throw new UsageException("--steps must be in 1..10000, got " + steps);
        }
        if (stepsPerBatch < 1) {
            throw new UsageException("--batch must be at least 1, got " + stepsPerBatch);
        }
        if (png != null && !png.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")) {
            throw new UsageException("--out " + png + ": the picture is a PNG, name it *.png");
        }
        if (nsp && (position != null || targetWord != null)) {
            throw new UsageException("--nsp explains the IsNext logit; it takes no --position or --target");
        }
        if (nsp && ModelChoice.lacksNspHead(ModelChoice.directory(input.model.model))) {
            throw new NotAvailableException(ModelChoice.NO_NSP_HEAD);
        }
        Subject subject = Subject.from(input);
        int row = subject.row(input.row);
        out.println(subject.source());
        Scalar scalar;
        int targetId = -1, targetPosition = -1;
        String what;
        if (nsp) {
            scalar = Scalar.nspLogit(row, 0);
            what = "the NSP IsNext logit (seq_relationship_logits[" + row + ", 0])";
        } else {
            int[] positions = Positions.chosen(subject, row, position);
            int p = positions[0];
            int id;
            String note;
            double[] probs = LogitLensCommand.softmax(subject.model()
                    .predictionLogitsAt(subject.inputs(), row * subject.inputs().sequenceLength() + p)
                    .getRow(0).castTo(DataType.DOUBLE).toDoubleVector());
            int top = LogitLensCommand.top(probs, 1)[0];
            if (targetWord != null) {
                id = Positions.tokenId(subject, targetWord);
                note = "; the model's top word there: " + word(subject, top) + String.format(" (p = %.4f)", probs[top]);
            } else {
                id = top;
                note = " (the model's top word there, p = " + String.format("%.4f", probs[top]) + ")";
            }
            scalar = Scalar.logit(row, p, id);
            targetId = id;
            targetPosition = p;
            what = "the logit of '" + word(subject, id) + "' (#" + id + ") at position " + p + " ('"
                    + Positions.token(subject, row, p) + "')" + (positions.length > 1 ? ", the first of "
                    + positions.length + " masks" : "") + note;
        }
        out.println("explaining: " + what);
        out.println("method: " + describe(method, steps));
        Scores r = scores(subject, scalar, method, steps, stepsPerBatch, row);
        List<String> tokens = subject.tokens(row);
        int[] kept = subject.kept()[row];
        float[] scores = new float[kept.length];
        out.printf("  %4s  %-16s %10s%n", "pos", "token", method == Method.SALIENCY ? "|grad|" : "score");
        for (int i = 0; i < kept.length; i++) {
            scores[i] = (float) r.perToken()[kept[i]];
            out.printf(Locale.ROOT, "  %4d  %-16s %+10.4f%n", kept[i], tokens.get(i), r.perToken()[kept[i]]);
        }
        out.println("largest |score|: " + largest(tokens, kept, r.perToken(), 5));
        out.printf(Locale.ROOT, "s(x) = %.4f%n", r.fx());
        if (method == Method.IG) {
            double delta = r.fx() - r.fBaseline();
            double gap = r.sum() - delta;
            out.printf(Locale.ROOT, "s(baseline) = %.4f   s(x) - s(baseline) = %.4f   sum of attributions = %.4f%n",
                    r.fBaseline(), delta, r.sum());
            out.printf(Locale.ROOT, "completeness gap = %.3g (%.3f%% of |s(x) - s(baseline)|)%n",
                    gap, 100 * Math.abs(gap) / Math.abs(delta));
        }
        if (png != null) {
            String title = describeShort(method) + ": " + (nsp ? "NSP IsNext logit"
                    : "'" + word(subject, targetId) + "' at position " + targetPosition);
            PictureFiles.writePng(AttributionStrip.render(tokens, scores, title).image(), png);
            out.println("wrote " + png);
        }
        return 0;
    }

    /** How scores are made from gradients with respect to inputs_embeds (org.bertj.inspect.Attribution). */
    enum Method {
        /** Σ_h integrated gradients: signed, sums to about s(x) − s(x′). */
        IG,
        /** ‖∂s/∂x‖₂ per token: unsigned sensitivity. */
        SALIENCY,
        /** Σ_h x ⊙ ∂s/∂x per token: signed, first-order. */
        GRAD_X_INPUT
    }

    /**
     * @param perToken  one score per position of the row, {@code [S]}
     * @param fx        s(x)
     * @param fBaseline s(x′) (IG only, else NaN)
     * @param sum       Σ perToken
     */
    record Scores(double[] perToken, double fx, double fBaseline, double sum) {
    }

    /** The scores of batch row {@code row} for {@code scalar}. */
    static Scores scores(Subject subject, Scalar scalar, Method method, int steps, int stepsPerBatch, int row) {
        BertForPreTraining model = subject.model();
        BertInputs inputs = subject.inputs();
        INDArray perToken;
        double fx, fBase = Double.NaN;
        switch (method) {
            case IG -> {
                Attribution.IntegratedGradients ig = Attribution.integratedGradients(model, inputs, scalar, null, steps,
                        stepsPerBatch);
                perToken = ig.perToken();
                fx = ig.valueAtInput();
                fBase = ig.valueAtBaseline();
            }
            case SALIENCY -> {
                perToken = Attribution.saliency(model, inputs, scalar);
                fx = scalar.value(model.forward(inputs, OutputOptions.NONE));
            }
            default -> {
                perToken = Attribution.gradientTimesInput(model, inputs, scalar).sum(2);
                fx = scalar.value(model.forward(inputs, OutputOptions.NONE));
            }
        }
        double[] p = perToken.getRow(row).castTo(DataType.DOUBLE).toDoubleVector();
        double sum = 0;
        for (double v : p) {
            sum += v;
        }
        return new Scores(p, fx, fBase, sum);
    }

    static Method method(String name) throws UsageException {
        return switch (name) {
            case "ig" -> Method.IG;
            case "saliency" -> Method.SALIENCY;
            case "grad-x-input" -> Method.GRAD_X_INPUT;
            default -> throw new UsageException("--method must be ig, saliency or grad-x-input, got '" + name + "'");
        };
    }

    private static String describe(Method m, int steps) {
        return switch (m) {
            case IG -> "integrated gradients on the word embeddings, baseline zero word embeddings (position and"
                    + " token-type embeddings kept), " + steps + " steps, midpoint rule; score = sum over the hidden axis";
            case SALIENCY -> "saliency: L2 norm of the gradient with respect to the token's word embedding";
            case GRAD_X_INPUT -> "gradient x input on the word embeddings; score = sum over the hidden axis";
        };
    }

    private static String describeShort(Method m) {
        return switch (m) {
            case IG -> "integrated gradients";
            case SALIENCY -> "saliency";
            case GRAD_X_INPUT -> "gradient x input";
        };
    }

    private static String largest(List<String> tokens, int[] kept, double[] score, int n) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < kept.length; i++) {
            order.add(i);
        }
        order.sort((a, b) -> Double.compare(Math.abs(score[kept[b]]), Math.abs(score[kept[a]])));
        List<String> parts = new ArrayList<>();
        for (int i : order.subList(0, Math.min(n, order.size()))) {
            parts.add(String.format(Locale.ROOT, "%s (%d) %+.4f", tokens.get(i), kept[i], score[kept[i]]));
        }
        return String.join(", ", parts);
    }

    private static String word(Subject s, int id) {
        return Positions.word(s.tokenizer() == null ? null : s.tokenizer().vocabulary(), id);
    }
}
