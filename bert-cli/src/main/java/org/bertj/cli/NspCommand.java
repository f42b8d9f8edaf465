package org.bertj.cli;

import java.io.PrintStream;
import java.util.List;
import java.util.Set;
import org.bertj.model.BertForPreTrainingOutput;
import org.bertj.tokenizer.Encoding;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * {@code bert nsp "A" "B"}: does B follow A? The next-sentence logits, their probabilities and
 * the verdict. Weights without an NSP head (the default) cannot answer: the command says so and
 * exits with status 3, so a script can tell "no head" from a failure (1) or bad usage (2).
 */
final class NspCommand implements Command {

    /** Exit status when the weights have no NSP head. */
    static final int NO_NSP_HEAD_EXIT = 3;

    @Override
    public String name() {
        return "nsp";
    }

    @Override
    public String usage() {
        return "nsp \"sentence A\" \"sentence B\" [--model DIR]   next-sentence logits and IsNext/NotNext"
                + " (exit 3 if the weights have no NSP head, as the default has none)";
    }

    @Override
    public int run(List<String> argv, PrintStream out) throws Exception {
        Args args = new Args(argv, Set.of(ModelChoice.OPTION), Set.of());
        if (args.positionals().size() != 2) {
            throw new UsageException("expected two sentences (each in quotes), got " + args.positionals().size()
                    + " arguments");
        }
        if (ModelChoice.lacksNspHead(ModelChoice.directory(args))) {
            out.println("bert nsp: " + ModelChoice.NO_NSP_HEAD);
            return NO_NSP_HEAD_EXIT;
        }
        LoadedModel m = ModelChoice.load(args);
        if (!m.hasNspHead()) { // the loader has the last word
            out.println("bert nsp: " + ModelChoice.NO_NSP_HEAD);
            return NO_NSP_HEAD_EXIT;
        }
        Result r = predict(m, args.positionals().get(0), args.positionals().get(1));
        out.println("seq_relationship_logits: " + TorchFormat.floats(new double[][] {r.logits()}));
        out.printf("P(IsNext) = %.4f   P(NotNext) = %.4f%n", r.probabilities()[0], r.probabilities()[1]);
        out.println(r.isNext() ? "IsNext" : "NotNext");
        return 0;
    }

    /**
     * @param logits        {@code [IsNext, NotNext]}
     * @param probabilities their softmax
     * @param isNext        whether index 0 wins (ties go to 0, as torch.argmax)
     */
    record Result(double[] logits, double[] probabilities, boolean isNext) {
    }

    /**
     * Runs the pair {@code [CLS] A [SEP] B [SEP]}.
     *
     * @throws IllegalStateException    if the weights have no NSP head
     * @throws IllegalArgumentException if the pair is longer than the model takes
     */
    static Result predict(LoadedModel m, String a, String b) {
        if (!m.hasNspHead()) {
            throw new IllegalStateException(ModelChoice.NO_NSP_HEAD);
        }
        Encoding e = m.tokenizer().encode(a, b);
        int max = m.model().config().maxPositionEmbeddings();
        if (e.length() > max) {
            throw new IllegalArgumentException("the pair is " + e.length() + " tokens long ([CLS] and two [SEP]"
                    + " included), more than the model's limit of " + max + " (max_position_embeddings)");
        }
        BertForPreTrainingOutput o = Inference.forward(m, e.inputIds(), e.tokenTypeIds());
        double[] logits = o.seqRelationshipLogits().castTo(DataType.DOUBLE).toDoubleVector();
        double top = Math.max(logits[0], logits[1]);
        double e0 = Math.exp(logits[0] - top);
        double e1 = Math.exp(logits[1] - top);
        double[] p = {e0 / (e0 + e1), e1 / (e0 + e1)};
        return new Result(logits, p, logits[0] >= logits[1]);
    }
}
