package org.bertj.examples;

import java.nio.file.Path;
import java.util.List;
import org.bertj.tokenizer.BertTokenizer;
import org.bertj.tokenizer.EncodeOptions;
import org.bertj.tokenizer.Encoding;
import org.bertj.tokenizer.Padding;
import org.bertj.tokenizer.Truncation;

/** The README's tokenizer example: a pair encoded, truncated and padded as HF's tokenizer(...) does. */
public final class TokenizerExample {

    private TokenizerExample() {
    }

    /** @param args a vocab.txt (bert-base-uncased's gives the README's output) */
    public static void main(String[] args) throws Exception {
        // README tokenizer begin
        BertTokenizer tok = BertTokenizer.fromVocab(Path.of(args[0]));   // uncased, as bert-base-uncased
        Encoding e = tok.encode("Hello, world!", "A second sentence.", EncodeOptions.DEFAULT
                .withMaxLength(14).withTruncation(Truncation.LONGEST_FIRST).withPadding(Padding.MAX_LENGTH));
        System.out.println(e.tokens());
        System.out.println(java.util.Arrays.toString(e.inputIds()) + " " + java.util.Arrays.toString(e.tokenTypeIds()));
        List<Encoding> batch = tok.encodeBatch(List.of("short", "a longer text"), null,
                EncodeOptions.DEFAULT.withPadding(Padding.LONGEST));
        System.out.println(batch.get(0).tokens() + " " + tok.decode(e.inputIds(), true, true));
        // README end
    }
}
