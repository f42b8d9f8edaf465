package org.bertj.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.bertj.tokenizer.BertTokenizer;
import org.bertj.tokenizer.TokenizerConfig;
import org.bertj.tokenizer.Vocabulary;
import org.bertj.weights.fuzz.Fuzzing;

/**
 * tokenizer_config.json of any bytes: refused with an IOException or IllegalArgumentException
 * naming the file, or it configures a tokenizer that encodes.
 */
class TokenizerConfigFuzzTest {

    private static final Vocabulary VOCAB = Vocabulary.of(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]",
            "<s>", "</s>", "hello", "world", "##s", "a", "b"));

    @FuzzTest
    void read(byte[] input) {
        try {
            Path file = Fuzzing.file("tokenizer_config.json", input);
            TokenizerConfig config = TokenizerConfig.read(file);
            BertTokenizer.Builder b = BertTokenizer.builder(VOCAB);
            config.applyTo(b);
            b.build().encode("hello worlds [MASK] a b", "x");
        } catch (IOException | IllegalArgumentException e) {
            Fuzzing.readable(e);
        }
    }
}
