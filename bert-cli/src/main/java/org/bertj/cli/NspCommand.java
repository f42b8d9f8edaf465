package org.bertj.cli;

import java.util.List;
import org.bertj.model.BertForPreTrainingOutput;
import org.bertj.tokenizer.Encoding;
import org.nd4j.linalg.api.buffer.DataType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code bert nsp "A" "B"}: does B follow A? The next-sentence logits, their probabilities and
 * the verdict. Weights without an NSP head (the default) cannot answer: {@link NotAvailableException},
 * exit code 3, so a script can tell "no head" from a failure (1) or bad usage (2).
 */
@Command(name = "nsp", description = "Does sentence B follow sentence A? The next-sentence logits, their"
        + " probabilities and IsNext/NotNext (exit code 3 if the weights have no NSP head, as the default has none).")
final class NspCommand extends BertCommand {

    @Parameters(paramLabel = "SENTENCE", arity = "0..*", description = "sentence A and sentence B, each in quotes")
    List<String> sentences;

    @Mixin
    ModelOption model;

    @Override
    protected int run() throws Exception {
        if (sentences == null || sentences.size() != 2) {
            throw new UsageException("expected two sentences (each in quotes), got "
                    + (sentences == null ? 0 : sentences.size()) + " arguments");
        }
        if (ModelChoice.lacksNspHead(model.directory())) {
            throw new NotAvailableException(ModelChoice.NO_NSP_HEAD);
        }
        LoadedModel m = model.load();
        if (!m.hasNspHead()) { // the loader has the last word
            throw new NotAvailableException(ModelChoice.NO_NSP_HEAD);
        }
        Result r = predict(m, sentences.get(0), sentences.get(1));
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
