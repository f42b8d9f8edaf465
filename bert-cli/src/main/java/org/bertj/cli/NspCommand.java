package org.bertj.cli;

import java.util.List;
import org.bertj.tasks.NextSentence;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code bert nsp "A" "B"}: does B follow A? The next-sentence logits, their probabilities and
 * the verdict, through {@link NextSentence}. Weights without an NSP head (the default) cannot answer:
 * {@link org.bertj.tasks.MissingHeadException} or {@link NotAvailableException},
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
        NextSentence.Prediction r = model.bert().nextSentence().predict(sentences.get(0), sentences.get(1));
        out.println("seq_relationship_logits: "
                + TorchFormat.floats(new double[][] {{r.isNextLogit(), r.notNextLogit()}}));
        out.printf("P(IsNext) = %.4f   P(NotNext) = %.4f%n", r.isNextProbability(), r.notNextProbability());
        out.println(r.isNext() ? "IsNext" : "NotNext");
        return 0;
    }
}
