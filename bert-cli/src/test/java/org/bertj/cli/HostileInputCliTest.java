package org.bertj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.bertj.testing.Shared;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14 as a CLI user meets it: every failure is one line naming the file, field or byte, with
 * no stack trace unless --debug, and comes fast.
 */
class HostileInputCliTest {

    @TempDir
    Path dir;

    private String err;

    private int run(String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int code = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> Main.run(args,
                new PrintStream(o, true, StandardCharsets.UTF_8), new PrintStream(e, true, StandardCharsets.UTF_8)));
        err = e.toString(StandardCharsets.UTF_8);
        return code;
    }

    private void oneLine(String... parts) {
        assertEquals(1, err.strip().lines().count(), "one line expected:\n" + err);
        assertFalse(err.contains("\tat ") || err.contains("Exception:") || err.contains("setLenient"), err);
        for (String p : parts) {
            assertTrue(err.contains(p), "expected '" + p + "' in: " + err);
        }
    }

    private Path jsonl(String... lines) throws IOException {
        return Files.write(dir.resolve("in.jsonl"), List.of(lines), StandardCharsets.UTF_8);
    }

    @Test
    void tokenizeWithAHugePaddedMaxLengthIsOneLineNotAnOutOfMemoryError() throws IOException {
        Path in = jsonl("{\"text\": \"hello\", \"max_length\": 2147483647, \"padding\": \"max_length\"}");
        assertEquals(1, run("tokenize", "--vocab", Shared.bertBaseVocab().toString(), "--jsonl", in.toString(),
                "--out", dir.resolve("out.jsonl").toString()));
        oneLine("in.jsonl:1", "max_length 2147483647", "limit of 1048576");
    }

    @Test
    void tokenizeRefusesLenientJsonNamingTheByte() throws IOException {
        Path in = jsonl("{\"text\": \"a\"}", "{'text': 'x'}");
        assertEquals(1, run("tokenize", "--vocab", Shared.bertBaseVocab().toString(), "--jsonl", in.toString(),
                "--out", dir.resolve("out.jsonl").toString()));
        oneLine("in.jsonl:2", "not valid JSON at byte 15", "double quotes");
        Files.write(in, new byte[] {'{', '"', 't', 'e', 'x', 't', '"', ':', '"', (byte) 0xFF, '"', '}', '\n'});
        assertEquals(1, run("tokenize", "--vocab", Shared.bertBaseVocab().toString(), "--jsonl", in.toString(),
                "--out", dir.resolve("out.jsonl").toString()));
        oneLine("in.jsonl:1", "not valid UTF-8", "0xFF", "at byte 9");
        jsonl("{\"text\": \"a\", \"max_length\": \"8\"}");
        assertEquals(1, run("tokenize", "--vocab", Shared.bertBaseVocab().toString(), "--jsonl", in.toString(),
                "--out", dir.resolve("out.jsonl").toString()));
        oneLine("in.jsonl:1", "max_length at byte 28", "expected an integer", "a string (\"8\")");
    }

    @Test
    void hostileConfigsAreOneLineNamingTheField() throws IOException {
        Path model = Files.createDirectories(dir.resolve("model"));
        Files.copy(Shared.golden("tiny_h32_l2_v99").resolve("model.safetensors"), model.resolve("model.safetensors"));
        Path inputs = Shared.golden("tiny_h32_l2_v99").resolve("expected.safetensors");
        String[] forward = {"forward", "--model", model.toString(), "--inputs", inputs.toString(), "--out",
            dir.resolve("out.safetensors").toString()};
        Files.writeString(model.resolve("config.json"), "{\"num_hidden_layers\": 1000000}");
        assertEquals(1, run(forward));
        oneLine("config.json", "num_hidden_layers", "1000000", "[1, 1024]");
        Files.writeString(model.resolve("config.json"), "{\"a\": " + "[".repeat(100_000) + "}");
        assertEquals(1, run(forward));
        oneLine("config.json", "nesting deeper than the limit of 64");
        Files.writeString(model.resolve("config.json"), "{\"model_type\": {}}");
        assertEquals(1, run(forward));
        oneLine("config.json", "model_type at byte 15", "expected a string, found an object");
        assertFalse(Files.exists(dir.resolve("out.safetensors")));

        assertEquals(1, run(concat(forward, "--debug")));
        assertTrue(err.contains("\tat org.bertj."), "--debug shows the stack trace:\n" + err);
    }

    private static String[] concat(String[] a, String b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + 1);
        out[a.length] = b;
        return out;
    }
}
