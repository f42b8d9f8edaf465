package org.bertj.cli;

import java.util.List;
import org.bertj.model.BertForPreTrainingOutput;
import org.bertj.tokenizer.BertTokenizer;
import org.bertj.tokenizer.Encoding;
import org.bertj.tokenizer.Vocabulary;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code bert fill-mask "text with [MASK]"}: the most probable words at every {@code [MASK]}, each
 * mask predicted from the one forward pass (as Hugging Face's fill-mask pipeline does).
 */
@Command(name = "fill-mask", description = "The most probable words at every [MASK] of a text, with their"
        + " probabilities (one forward pass, as Hugging Face's fill-mask pipeline).")
final class FillMaskCommand extends BertCommand {

    @Parameters(paramLabel = "TEXT", arity = "0..*", description = "the text, in quotes, with [MASK] where a word"
            + " should be predicted")
    List<String> texts;

    @Option(names = "--top-k", paramLabel = "K", defaultValue = "5", description = "how many words to show per mask")
    int topK;

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
        LoadedModel m = model.load();
        for (Prediction p : predict(m, text, topK)) {
            out.printf("[MASK] %d of %d (token %d):%n", p.index() + 1, p.count(), p.position());
            for (int i = 0; i < p.words().length; i++) {
                out.printf("  %-16s %.4f%n", p.words()[i], p.probabilities()[i]);
            }
        }
        return 0;
    }

    /**
     * The top-k words at one mask.
     *
     * @param index         which mask, from 0
     * @param count         how many masks the text has
     * @param position      the mask's token position ([CLS] = 0)
     * @param ids           vocabulary ids, most probable first
     * @param words         their tokens
     * @param probabilities their softmax probabilities
     */
    record Prediction(int index, int count, int position, int[] ids, String[] words, double[] probabilities) {
    }

    /**
     * Predicts every {@code [MASK]} of {@code text}.
     *
     * @throws IllegalArgumentException if the text has no [MASK] or more tokens than the model takes
     */
    static Prediction[] predict(LoadedModel m, String text, int topK) {
        BertTokenizer tok = m.tokenizer();
        Vocabulary vocab = tok.vocabulary();
        Encoding e = tok.encode(text);
        int[] ids = e.inputIds();
        int max = m.model().config().maxPositionEmbeddings();
        if (ids.length > max) {
            throw new IllegalArgumentException("the text is " + ids.length + " tokens long ([CLS] and [SEP]"
                    + " included), more than the model's limit of " + max + " (max_position_embeddings)");
        }
        int[] masks = Inference.positionsOf(ids, vocab.id(BertTokenizer.MASK));
        if (masks.length == 0) {
            throw new IllegalArgumentException("the text has no " + BertTokenizer.MASK
                    + " token: write [MASK] where a word should be predicted");
        }
        BertForPreTrainingOutput o = Inference.forward(m, ids, null);
        Prediction[] result = new Prediction[masks.length];
        for (int n = 0; n < masks.length; n++) {
            result[n] = top(n, masks.length, masks[n], Inference.row(o.predictionLogits(), masks[n]), topK, vocab);
        }
        return result;
    }

    /** The {@code k} most probable words of one position's logits {@code [V]}. */
    static Prediction top(int index, int count, int position, INDArray logits, int k, Vocabulary vocab) {
        INDArray p = Inference.softmax(logits);
        int n = (int) Math.min(k, p.length());
        INDArray order = Nd4j.sortWithIndices(p.dup(), 0, false)[0];
        int[] ids = new int[n];
        String[] words = new String[n];
        double[] probs = new double[n];
        for (int i = 0; i < n; i++) {
            ids[i] = order.getInt(i);
            words[i] = vocab.token(ids[i]);
            probs[i] = p.getDouble(ids[i]);
        }
        return new Prediction(index, count, position, ids, words, probs);
    }
}
