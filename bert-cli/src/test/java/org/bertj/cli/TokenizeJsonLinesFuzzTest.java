package org.bertj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.gson.JsonObject;
import java.util.List;
import org.bertj.tokenizer.BertTokenizer;
import org.bertj.tokenizer.Vocabulary;
import org.bertj.weights.StrictJson;
import org.bertj.weights.fuzz.Fuzzing;

/**
 * One input line of {@code bert tokenize} of any bytes: refused with an IllegalArgumentException
 * naming the line (and the byte, for JSON errors), or encoded with input_ids, token_type_ids and
 * attention_mask of one length.
 */
class TokenizeJsonLinesFuzzTest {

    private static final BertTokenizer TOKENIZER = BertTokenizer.builder(Vocabulary.of(List.of("[PAD]", "[UNK]",
            "[CLS]", "[SEP]", "[MASK]", "hello", "world", "##s", "a"))).build();

    @FuzzTest
    void encodeLine(byte[] line) {
        JsonObject out;
        try {
            out = TokenizeCommand.encodeLine(TOKENIZER, StrictJson.parse(line, 0, line.length, "in.jsonl:1", 0), "in.jsonl:1");
        } catch (IllegalArgumentException e) {
            Fuzzing.readable(e, line);
            assertEquals(true, e.getMessage().startsWith("in.jsonl:1"), e.getMessage());
            return;
        }
        int n = out.getAsJsonArray("input_ids").size();
        assertEquals(n, out.getAsJsonArray("token_type_ids").size());
        assertEquals(n, out.getAsJsonArray("attention_mask").size());
    }
}
