package org.bertj.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.bertj.testing.Shared;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Every line of {@code golden/tokenizer/cases.jsonl} (HF transformers 4.29.2, bert-base-uncased), every field. */
class GoldenCasesTest {

    private static BertTokenizer tokenizer;

    @BeforeAll
    static void load() throws IOException {
        tokenizer = BertTokenizer.fromVocab(Shared.bertBaseVocab());
    }

    static List<JsonObject> cases() throws IOException {
        List<JsonObject> out = new ArrayList<>();
        for (String line : Files.readAllLines(Shared.golden("tokenizer").resolve("cases.jsonl"), StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                out.add(JsonParser.parseString(line).getAsJsonObject());
            }
        }
        return out;
    }

    @TestFactory
    Stream<DynamicTest> everyGoldenCase() throws IOException {
        List<JsonObject> cases = cases();
        assertEquals(58, cases.size(), "cases.jsonl changed size");
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.get("id").getAsString(), () -> check(c)));
    }

    private static void check(JsonObject c) {
        String text = c.get("text").getAsString();
        String pair = c.has("text_pair") ? c.get("text_pair").getAsString() : null;
        EncodeOptions options = EncodeOptions.DEFAULT;
        if (c.has("kwargs") && c.get("kwargs").isJsonObject()) {
            JsonObject kw = c.getAsJsonObject("kwargs");
            for (String key : kw.keySet()) {
                switch (key) {
                    case "max_length":
                        options = options.withMaxLength(kw.get(key).getAsInt());
                        break;
                    case "truncation":
                        options = options.withTruncation(Truncation.parse(kw.get(key).getAsString()));
                        break;
                    default:
                        throw new AssertionError("golden case uses an unhandled kwarg " + key);
                }
            }
        }
        Encoding e = tokenizer.encode(text, pair, options);
        assertArrayEquals(ints(c.getAsJsonArray("input_ids")), e.inputIds(), "input_ids");
        assertArrayEquals(ints(c.getAsJsonArray("token_type_ids")), e.tokenTypeIds(), "token_type_ids");
        assertArrayEquals(ints(c.getAsJsonArray("attention_mask")), e.attentionMask(), "attention_mask");
        List<String> tokens = new ArrayList<>();
        for (JsonElement t : c.getAsJsonArray("tokens")) {
            tokens.add(t.getAsString());
        }
        assertEquals(tokens, e.tokens(), "tokens");
        // Offsets must point at text that folds to the token (special tokens and [UNK] aside).
        int[][] offsets = e.offsets();
        int[] special = e.specialTokensMask();
        int[] types = e.tokenTypeIds();
        for (int i = 0; i < e.length(); i++) {
            if (special[i] == 1) {
                assertArrayEquals(new int[] {0, 0}, offsets[i], "offset of added special token " + i);
                continue;
            }
            String source = types[i] == 1 ? pair : text;
            assertTrue(offsets[i][0] < offsets[i][1] && offsets[i][1] <= source.length(), "offset " + i);
        }
    }

    static int[] ints(JsonArray a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsInt();
        }
        return out;
    }
}
