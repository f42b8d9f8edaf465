package org.bertj.cli;

import java.util.List;
import org.bertj.model.MatmulPrecision;
import org.bertj.tasks.Bert;
import org.bertj.tasks.FillMask;
import org.bertj.tokenizer.BertTokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code bert fill-mask "text with [MASK]"}: the most probable words at every {@code [MASK]}, each
 * mask predicted from the one forward pass (as Hugging Face's fill-mask pipeline does), through
 * {@link FillMask}.
 */
@Command(name = "fill-mask", description = "The most probable words at every [MASK] of a text, with their"
        + " probabilities (one forward pass, as Hugging Face's fill-mask pipeline).")
final class FillMaskCommand extends BertCommand {

    @Parameters(paramLabel = "TEXT", arity = "0..*", description = "the text, in quotes, with [MASK] where a word"
            + " should be predicted")
    List<String> texts;

    @Option(names = "--top-k", paramLabel = "K", defaultValue = "5", description = "how many words to show per mask")
    int topK;

    @Option(names = "--bf16", description = "the linear layers' products in bfloat16 with float32 accumulation"
            + " (faster; its accuracy in the README; default: float32)")
    boolean bf16;

    @Mixin
    ModelOption model;

    @Override
    protected int run() throws Exception {
        if (texts == null || texts.size() != 1) {
            throw new UsageException("expected one text (in quotes) containing [MASK], got "
                    + (texts == null ? 0 : texts.size()) + " arguments");
        }
        if (topK < 1) {
            throw new UsageException("--top-k must be at least 1, got " + topK);
        }
        String text = texts.get(0);
        if (!text.contains(BertTokenizer.MASK)) {
            // said before loading the weights; predict() checks the tokens again
            throw new UsageException("the text has no " + BertTokenizer.MASK
                    + " token: write [MASK] where a word should be predicted");
        }
        if (bf16 && !MatmulPrecision.BF16.isAvailable()) {
            throw new NotAvailableException("--bf16 is not available in this process: it needs ND4J's oneDNN CPU build,"
                    + " which bertj loads on AVX-512 CPUs");
        }
        Bert bert = bf16 ? model.bert().withMatmulPrecision(MatmulPrecision.BF16) : model.bert();
        List<FillMask.Prediction> predictions = bert.fillMask().predict(text, topK);
        for (int n = 0; n < predictions.size(); n++) {
            FillMask.Prediction p = predictions.get(n);
            out.printf("[MASK] %d of %d (token %d):%n", n + 1, predictions.size(), p.position());
            for (FillMask.Candidate c : p.candidates()) {
                out.printf("  %-16s %.4f%n", c.token(), c.score());
            }
        }
        return 0;
    }
}
