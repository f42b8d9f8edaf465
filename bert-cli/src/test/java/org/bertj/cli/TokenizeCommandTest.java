package org.bertj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bertj.testing.Shared;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bert tokenize} on the golden cases (HF transformers 4.29.2, bert-base-uncased). */
class TokenizeCommandTest {

    private static final String[] OUTPUTS = {"input_ids", "token_type_ids", "attention_mask", "tokens"};

    private static List<JsonObject> read(Path jsonl) throws IOException {
        List<JsonObject> out = new ArrayList<>();
        for (String line : Files.readAllLines(jsonl, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                out.add(JsonParser.parseString(line).getAsJsonObject());
            }
        }
        return out;
    }

    private static int run(String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true));
        lastErr = err.toString(StandardCharsets.UTF_8);
        return code;
    }

    private static String lastErr;

    private static void assertSameOutputs(List<JsonObject> expected, List<JsonObject> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            String id = expected.get(i).get("id").getAsString();
            assertEquals(expected.get(i).get("id"), actual.get(i).get("id"));
            for (String field : OUTPUTS) {
                assertEquals(expected.get(i).get(field), actual.get(i).get(field), id + " " + field);
            }
        }
    }

    @Test
    void goldenLinesWithTheirAnswersRemovedComeBackExactly(@TempDir Path dir) throws IOException {
        Path golden = Shared.golden("tokenizer").resolve("cases.jsonl");
        List<JsonObject> expected = read(golden);
        List<String> stripped = new ArrayList<>();
        for (JsonObject o : read(golden)) {
            for (String field : OUTPUTS) {
                o.remove(field);
            }
            stripped.add(o.toString());
        }
        Path in = dir.resolve("in.jsonl");
        Files.write(in, stripped, StandardCharsets.UTF_8);
        Path out = dir.resolve("out.jsonl");
        assertEquals(0, run("tokenize", "--vocab", Shared.bertBaseVocab().toString(), "--jsonl", in.toString(),
                "--out", out.toString()), lastErr);
        assertSameOutputs(expected, read(out));
    }

    @Test
    void goldenFileIsAcceptedAsItIs(@TempDir Path dir) throws IOException {
        Path golden = Shared.golden("tokenizer").resolve("cases.jsonl");
        Path out = dir.resolve("out.jsonl");
        assertEquals(0, run("tokenize", "--vocab", Shared.bertBaseVocab().toString(), "--jsonl", golden.toString(),
                "--out", out.toString()), lastErr);
        List<JsonObject> actual = read(out);
        assertSameOutputs(read(golden), actual);
        assertEquals(read(golden).get(48).get("kwargs"), actual.get(48).get("kwargs"), "input fields are kept");
    }

    @Test
    void badLineFailsNamingItAndWritesNothing(@TempDir Path dir) throws IOException {
        Path in = dir.resolve("in.jsonl");
        Files.write(in, List.of("{\"text\": \"fine\"}", "{\"text_pair\": \"no text\"}"), StandardCharsets.UTF_8);
        Path out = dir.resolve("out.jsonl");
        assertEquals(1, run("tokenize", "--vocab", Shared.bertBaseVocab().toString(), "--jsonl", in.toString(),
                "--out", out.toString()));
        assertTrue(lastErr.contains("in.jsonl:2") && lastErr.contains("\"text\""), lastErr);
        assertFalse(Files.exists(out));
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file left behind");
        }
        Files.write(in, List.of("{\"text\": \"x\", \"kwargs\": {\"truncation\": \"sideways\"}}"), StandardCharsets.UTF_8);
        assertEquals(1, run("tokenize", "--vocab", Shared.bertBaseVocab().toString(), "--jsonl", in.toString(),
                "--out", out.toString()));
        assertTrue(lastErr.contains("in.jsonl:1") && lastErr.contains("sideways"), lastErr);
        assertEquals(2, run("tokenize", "--jsonl", in.toString(), "--out", out.toString()));
        assertTrue(lastErr.contains("either --vocab FILE or --model DIR|NAME"), lastErr);
        assertEquals(2, run("tokenize", "--model", "bert-base-uncased", "--cased", "--jsonl", in.toString(), "--out",
                out.toString()));
        assertTrue(lastErr.contains("--cased goes with --vocab"), lastErr);
    }

    @Test
    void modelDirectoryTokenizerFollowsItsTokenizerConfig(@TempDir Path dir) throws IOException {
        // a directory holding only vocab.txt and tokenizer_config.json is enough for bert tokenize --model
        Files.copy(Shared.bertBaseVocab(), dir.resolve("vocab.txt"));
        Path in = Files.write(dir.resolve("in.jsonl"), List.of("{\"text\": \"Hello WORLD\"}"), StandardCharsets.UTF_8);
        Path out = dir.resolve("out.jsonl");
        assertEquals(0, run("tokenize", "--model", dir.toString(), "--jsonl", in.toString(), "--out", out.toString()));
        assertEquals("[\"[CLS]\",\"hello\",\"world\",\"[SEP]\"]", read(out).get(0).get("tokens").toString());
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"do_lower_case\": false}");
        assertEquals(0, run("tokenize", "--model", dir.toString(), "--jsonl", in.toString(), "--out", out.toString()));
        // bert-base-uncased's vocabulary has no upper-case pieces: cased text is unknown
        assertEquals("[\"[CLS]\",\"[UNK]\",\"[UNK]\",\"[SEP]\"]", read(out).get(0).get("tokens").toString());
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"do_lower_case\": \"no\"}");
        assertEquals(1, run("tokenize", "--model", dir.toString(), "--jsonl", in.toString(), "--out", out.toString()));
        assertTrue(lastErr.contains("tokenizer_config.json") && lastErr.contains("do_lower_case"), lastErr);
    }

    /**
     * {@code "\ud800"} is legal JSON; transformers' BasicTokenizer drops the lone surrogate (category
     * Cs) in {@code _clean_text}. Expected ids and tokens: scripts/hf_bert_tokenizer.py (the
     * transcription of transformers 4.29's BertTokenizer) on the same lines and bert-base-uncased's
     * vocab.txt. The output file is UTF-8 with the surrogate escaped, as Python's json.dumps writes it.
     */
    @Test
    void loneSurrogatesAreJsonAndTheTokenizerDropsThem(@TempDir Path dir) throws IOException {
        Path in = dir.resolve("in.jsonl");
        Files.write(in, List.of("{\"text\": \"hello\\ud800 world\"}",
                "{\"text\": \"Hello\\udc00World\", \"text_pair\": \"x\\ud83d\"}"), StandardCharsets.UTF_8);
        Path out = dir.resolve("out.jsonl");
        assertEquals(0, run("tokenize", "--vocab", Shared.bertBaseVocab().toString(), "--jsonl", in.toString(),
                "--out", out.toString()), lastErr);
        byte[] bytes = Files.readAllBytes(out);
        String text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        assertTrue(text.startsWith("{\"text\":\"hello\\ud800 world\","), text);
        assertTrue(text.contains("\"text_pair\":\"x\\ud83d\""), text);
        List<JsonObject> lines = read(out);
        assertEquals("hello\ud800 world", lines.get(0).get("text").getAsString());
        assertEquals("[101,7592,2088,102]", lines.get(0).get("input_ids").toString());
        assertEquals("[\"[CLS]\",\"hello\",\"world\",\"[SEP]\"]", lines.get(0).get("tokens").toString());
        assertEquals("[101,7592,11108,102,1060,102]", lines.get(1).get("input_ids").toString());
        assertEquals("[0,0,0,0,1,1]", lines.get(1).get("token_type_ids").toString());
    }

    @Test
    void everyBadLineIsListedWithItsNumberAndNothingIsWritten(@TempDir Path dir) throws IOException {
        Path in = dir.resolve("in.jsonl");
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        b.writeBytes(("{\"text\": \"fine\"}\n{text: 1}\n{\"text\": \"a\", \"text\": \"b\"}\n")
                .getBytes(StandardCharsets.UTF_8));
        b.writeBytes(new byte[] {'{', '"', 't', 'e', 'x', 't', '"', ':', '"', (byte) 0xFF, '"', '}', '\r', '\n'});
        b.writeBytes("\n{\"id\": 3}\n{\"text\": \"also fine\"}".getBytes(StandardCharsets.UTF_8));
        Files.write(in, b.toByteArray());
        Path out = dir.resolve("out.jsonl");
        assertEquals(1, run("tokenize", "--vocab", Shared.bertBaseVocab().toString(), "--jsonl", in.toString(),
                "--out", out.toString()));
        String[] err = lastErr.split("\n");
        assertEquals(5, err.length, lastErr);
        assertTrue(err[0].startsWith(in + ":2: ") && err[0].contains("expected a key in double quotes"), err[0]);
        assertTrue(err[1].startsWith(in + ":3: ") && err[1].contains("given twice"), err[1]);
        assertTrue(err[2].startsWith(in + ":4: ") && err[2].contains("not valid UTF-8") && err[2].contains("0xFF"), err[2]);
        assertEquals(in + ":6: no \"text\" string", err[3]);
        assertEquals("bert tokenize: 4 of 6 lines of " + in + " failed; nothing written to " + out, err[4]);
        assertFalse(Files.exists(out));
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file left behind");
        }
    }
}
