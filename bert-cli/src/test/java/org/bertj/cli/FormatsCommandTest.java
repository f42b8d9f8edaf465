package org.bertj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bertj.testing.Shared;
import org.bertj.weights.SafetensorsFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The checkpoint-format cases of ../shared/golden/formats through the command line: {@code bert
 * forward} on each directory as HF wrote it reproduces HF's outputs, and {@code bert convert}
 * turns each into a float32 model.safetensors directory on which {@code bert forward} reproduces
 * them again.
 */
class FormatsCommandTest {

    @TempDir
    Path tmp;

    private String err;
    private String out;

    private int bert(String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(o, true, StandardCharsets.UTF_8),
                new PrintStream(e, true, StandardCharsets.UTF_8));
        out = o.toString(StandardCharsets.UTF_8);
        err = e.toString(StandardCharsets.UTF_8);
        return code;
    }

    private void forwardReproduces(Path model, Path golden, String... extra) throws IOException {
        Path result = tmp.resolve("forward-" + System.nanoTime() + ".safetensors");
        List<String> args = new ArrayList<>(List.of("forward", "--model", model.toString(), "--inputs",
                golden.resolve("expected.safetensors").toString(), "--out", result.toString(), "--hidden-states",
                "--attentions"));
        args.addAll(List.of(extra));
        assertEquals(0, bert(args.toArray(String[]::new)), err);
        ForwardCommandTest.assertReproduces(golden, result);
    }

    /** A vocab.txt of {@code size} made-up tokens: the golden format cases ship none and need none. */
    private Path vocab(int size) throws IOException {
        List<String> lines = new ArrayList<>(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"));
        while (lines.size() < size) {
            lines.add("tok" + lines.size());
        }
        return Files.write(tmp.resolve("vocab-" + size + ".txt"), lines);
    }

    @ParameterizedTest
    @ValueSource(strings = {"pytorch_bin", "pytorch_bin_legacy", "sharded_bin", "sharded_safetensors",
            "fp16_safetensors", "bf16_safetensors"})
    void forwardAndConvertReproduceHuggingFace(String name) throws IOException {
        Path golden = Shared.golden("formats/" + name);
        forwardReproduces(golden, golden);

        Path converted = tmp.resolve("converted");
        assertEquals(0, bert("convert", "--from", golden.toString(), "--out", converted.toString(), "--vocab",
                vocab(113).toString()), err);
        assertTrue(out.contains("reading Hugging Face directory"), out);
        try (SafetensorsFile f = SafetensorsFile.open(converted.resolve("model.safetensors"))) {
            for (String t : f.names()) {
                assertEquals("F32", f.info(t).dtype(), t + " is written as float32");
            }
            assertFalse(f.contains("cls.predictions.decoder.weight"), "the tied decoder is dropped as HF drops it");
            assertFalse(f.contains("bert.embeddings.position_ids"));
            assertTrue(f.contains("bert.embeddings.word_embeddings.weight") && f.contains("cls.seq_relationship.weight"));
        }
        forwardReproduces(converted, golden);
    }

    @Test
    void doubleForwardOfHalfPrecisionWeights() throws IOException {
        Path golden = Shared.golden("formats/bf16_safetensors");
        forwardReproduces(golden, golden, "--double");
    }

    @Test
    void convertTakesOneWeightsFile() throws IOException {
        Path golden = Shared.golden("formats/pytorch_bin_legacy");
        Path converted = tmp.resolve("from-file");
        assertEquals(0, bert("convert", "--from", golden.resolve("pytorch_model.bin").toString(), "--out",
                converted.toString(), "--vocab", vocab(113).toString()), err);
        assertTrue(out.contains("skipped") && out.contains("tied"), out);
        forwardReproduces(converted, golden);
    }

    @Test
    void hostileBinIsAClearErrorWithoutAStackTrace() throws IOException {
        Path bad = Files.createDirectories(tmp.resolve("bad"));
        Path golden = Shared.golden("formats/pytorch_bin_legacy");
        Files.copy(golden.resolve("config.json"), bad.resolve("config.json"));
        // A legacy header whose state_dict pickle calls os.system.
        byte[] file = Files.readAllBytes(golden.resolve("pytorch_model.bin"));
        byte[] evil = "\u0080\u0002cos\nsystem\nX\u0004\u0000\u0000\u0000echoq\u0000\u0085R.".getBytes(StandardCharsets.ISO_8859_1);
        byte[] spliced = new byte[137 + evil.length];
        System.arraycopy(file, 0, spliced, 0, 137);
        System.arraycopy(evil, 0, spliced, 137, evil.length);
        Files.write(bad.resolve("pytorch_model.bin"), spliced);
        assertEquals(1, bert("forward", "--model", bad.toString(), "--inputs",
                golden.resolve("expected.safetensors").toString(), "--out", tmp.resolve("x").toString()));
        assertTrue(err.contains("global 'os.system' is not allowed") && err.contains("pickle 4")
                && err.contains("byte 2"), err);
        assertFalse(err.contains("\tat "), err);
        assertFalse(Files.exists(tmp.resolve("x")));
    }
}
