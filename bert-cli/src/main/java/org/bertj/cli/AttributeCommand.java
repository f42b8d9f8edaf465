package org.bertj.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.bertj.viz.AttributionStrip;
import org.bertj.viz.PictureFiles;

/**
 * {@code bert attribute}: which input tokens an output depends on. Explains the MLM logit of a word
 * at a [MASK] (or any position) or the NSP IsNext logit, by integrated gradients (default), saliency
 * or gradient × input on the word embeddings; prints a table (and IG's completeness check) and
 * optionally draws the tokens coloured by score.
 */
final class AttributeCommand implements Command {

    @Override
    public String name() {
        return "attribute";
    }

    @Override
    public String usage() {
        return "attribute (--text T [--pair P] | --inputs FILE [--row B]) [--position P] [--target WORD|#ID | --nsp]"
                + " [--method ig|saliency|grad-x-input] [--steps 64] [--out FILE.png] [--model DIR]"
                + "   token attributions of a [MASK] logit (default: first [MASK], its top word) or the NSP logit";
    }

    @Override
    public int run(List<String> argv, PrintStream out) throws Exception {
        Set<String> valued = new HashSet<>(Subject.OPTIONS);
        valued.addAll(Set.of("position", "target", "method", "steps", "out", "row"));
        Args args = new Args(argv, valued, Set.of("nsp"));
        if (!args.positionals().isEmpty()) {
            throw new UsageException("unexpected argument '" + args.positionals().get(0) + "'");
        }
        InputAttribution.Method method = method(args.get("method", "ig"));
        int steps = args.getInt("steps", 64);
        if (steps < 1 || steps > 10_000) {
            throw new UsageException("--steps must be in 1..10000, got " + steps);
        }
        Path png = args.get("out") == null ? null : args.requirePath("out");
        if (png != null && !png.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")) {
            throw new UsageException("--out " + png + ": the picture is a PNG, name it *.png");
        }
        boolean nsp = args.has("nsp");
        if (nsp && (args.get("position") != null || args.get("target") != null)) {
            throw new UsageException("--nsp explains the IsNext logit; it takes no --position or --target");
        }
        if (nsp && ModelChoice.lacksNspHead(ModelChoice.directory(args))) {
            out.println("bert attribute: " + ModelChoice.NO_NSP_HEAD);
            return NspCommand.NO_NSP_HEAD_EXIT;
        }
        Subject subject = Subject.from(args);
        int row = subject.row(args);
        out.println(subject.source());
        InputAttribution.Target target;
        String what;
        if (nsp) {
            target = new InputAttribution.Target(row, 0, 0, true);
            what = "the NSP IsNext logit (seq_relationship_logits[" + row + ", 0])";
        } else {
            int[] positions = Positions.chosen(subject, row, args);
            int p = positions[0];
            int id;
            String note;
            double[] probs = LogitLensCommand.softmax(subject.model()
                    .predictionLogitsAt(subject.inputs(), row * subject.inputs().sequenceLength() + p)
                    .getRow(0).castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).toDoubleVector());
            int top = LogitLensCommand.top(probs, 1)[0];
            if (args.get("target") != null) {
                id = Positions.tokenId(subject, args.get("target"));
                note = "; the model's top word there: " + word(subject, top) + String.format(" (p = %.4f)", probs[top]);
            } else {
                id = top;
                note = " (the model's top word there, p = " + String.format("%.4f", probs[top]) + ")";
            }
            target = new InputAttribution.Target(row, p, id, false);
            what = "the logit of '" + word(subject, id) + "' (#" + id + ") at position " + p + " ('"
                    + Positions.token(subject, row, p) + "')" + (positions.length > 1 ? ", the first of "
                    + positions.length + " masks" : "") + note;
        }
        out.println("explaining: " + what);
        out.println("method: " + describe(method, steps));
        InputAttribution.Result r = InputAttribution.attribute(subject.model(), subject.inputs(), target, method, steps);
        List<String> tokens = subject.tokens(row);
        int[] kept = subject.kept()[row];
        float[] scores = new float[kept.length];
        out.printf("  %4s  %-16s %10s%n", "pos", "token", method == InputAttribution.Method.SALIENCY ? "|grad|" : "score");
        for (int i = 0; i < kept.length; i++) {
            scores[i] = (float) r.perToken()[kept[i]];
            out.printf(Locale.ROOT, "  %4d  %-16s %+10.4f%n", kept[i], tokens.get(i), r.perToken()[kept[i]]);
        }
        out.println("largest |score|: " + largest(tokens, kept, r.perToken(), 5));
        out.printf(Locale.ROOT, "s(x) = %.4f%n", r.fx());
        if (method == InputAttribution.Method.IG) {
            double delta = r.fx() - r.fBaseline();
            out.printf(Locale.ROOT, "s(baseline) = %.4f   s(x) - s(baseline) = %.4f   sum of attributions = %.4f%n",
                    r.fBaseline(), delta, r.sum());
            out.printf(Locale.ROOT, "completeness gap = %.3g (%.3f%% of |s(x) - s(baseline)|)%n",
                    r.completenessGap(), 100 * Math.abs(r.completenessGap()) / Math.abs(delta));
        }
        if (png != null) {
            String title = describeShort(method) + ": " + (nsp ? "NSP IsNext logit"
                    : "'" + word(subject, target.tokenId()) + "' at position " + target.position());
            PictureFiles.writePng(AttributionStrip.render(tokens, scores, title).image(), png);
            out.println("wrote " + png);
        }
        return 0;
    }

    static InputAttribution.Method method(String name) throws UsageException {
        return switch (name) {
            case "ig" -> InputAttribution.Method.IG;
            case "saliency" -> InputAttribution.Method.SALIENCY;
            case "grad-x-input" -> InputAttribution.Method.GRAD_X_INPUT;
            default -> throw new UsageException("--method must be ig, saliency or grad-x-input, got '" + name + "'");
        };
    }

    private static String describe(InputAttribution.Method m, int steps) {
        return switch (m) {
            case IG -> "integrated gradients on the word embeddings, baseline zero word embeddings (position and"
                    + " token-type embeddings kept), " + steps + " steps, midpoint rule; score = sum over the hidden axis";
            case SALIENCY -> "saliency: L2 norm of the gradient with respect to the token's word embedding";
            case GRAD_X_INPUT -> "gradient x input on the word embeddings; score = sum over the hidden axis";
        };
    }

    private static String describeShort(InputAttribution.Method m) {
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
