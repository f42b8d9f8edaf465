package org.bertj.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.List;
import org.bertj.tokenizer.BertTokenizer;
import org.bertj.tokenizer.EncodeOptions;
import org.bertj.tokenizer.Encoding;
import org.bertj.tokenizer.Padding;
import org.bertj.tokenizer.Truncation;
import org.bertj.tokenizer.Vocabulary;

/**
 * The tokenizer on any text, pair and options: an IllegalArgumentException for impossible
 * requests (a truncation that cannot reach max_length, padding past the limit), otherwise an
 * encoding whose arrays agree in length, whose ids are in the vocabulary and whose offsets lie in
 * the text they came from.
 */
class TokenizerFuzzTest {

    private static final Vocabulary VOCAB = Vocabulary.of(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]",
            "the", "a", "##s", "##ing", "un", "##aff", "##able", "run", "é", "e", "中", "!", ",", "'", "##'", "hello",
            "world", "ß", "ss", "##ß", "ǆ", "i̇", "x", "##x"));
    private static final BertTokenizer UNCASED = BertTokenizer.builder(VOCAB).build();
    private static final BertTokenizer CASED = BertTokenizer.builder(VOCAB).doLowerCase(false).build();

    @FuzzTest
    void encode(FuzzedDataProvider data) {
        BertTokenizer tok = data.consumeBoolean() ? UNCASED : CASED;
        EncodeOptions o = EncodeOptions.DEFAULT.withSpecialTokens(data.consumeBoolean());
        if (data.consumeBoolean()) {
            o = o.withMaxLength(data.consumeBoolean() ? data.consumeInt(0, 40) : data.consumeInt());
        }
        if (data.consumeBoolean()) {
            o = o.withTruncation(data.pickValue(Truncation.values()));
        }
        if (data.consumeBoolean()) {
            o = o.withPadding(data.pickValue(Padding.values()));
        }
        String pair = data.consumeBoolean() ? data.consumeString(200) : null;
        String text = data.consumeRemainingAsString();
        Encoding e;
        try {
            e = tok.encode(text, pair, o);
        } catch (IllegalArgumentException ex) {
            org.bertj.weights.fuzz.Fuzzing.readable(ex);
            return;
        }
        int n = e.length();
        assertEquals(n, e.tokenTypeIds().length);
        assertEquals(n, e.attentionMask().length);
        assertEquals(n, e.specialTokensMask().length);
        assertEquals(n, e.tokens().size());
        assertEquals(n, e.offsets().length);
        for (int i = 0; i < n; i++) {
            int id = e.inputIds()[i];
            assertTrue(id >= 0 && id < VOCAB.idLimit(), "id " + id);
            int[] span = e.offsets()[i];
            int limit = Math.max(text.length(), pair == null ? 0 : pair.length());
            assertTrue(span[0] >= 0 && span[0] <= span[1] && span[1] <= limit, span[0] + ".." + span[1]);
        }
        tok.decode(e.inputIds());
    }
}
