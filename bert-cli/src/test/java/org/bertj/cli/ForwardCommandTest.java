package org.bertj.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.bertj.testing.Shared;
import org.bertj.weights.SafetensorsFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/** {@code bert forward} reproduces the golden expected.safetensors files, in-process and via scripts/bert. */
class ForwardCommandTest {

    private static final Set<String> INPUTS = Set.of("input_ids", "token_type_ids", "attention_mask", "position_ids",
            "head_mask", "labels", "next_sentence_label");

    @TempDir
    Path tmp;

    private record Run(int code, String out, String err) {
    }

    private static Run main(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Compares every output of the golden file with ours (atol max(10·hint, 1e-5), rtol 1e-5). */
    static void assertReproduces(Path golden, Path ours) throws IOException {
        JsonObject hints = JsonParser.parseString(Files.readString(golden.resolve("cases.json"))).getAsJsonObject()
                .getAsJsonObject("max_abs_diff_float32_vs_float64");
        int compared = 0;
        try (SafetensorsFile want = SafetensorsFile.open(golden.resolve("expected.safetensors"));
             SafetensorsFile got = SafetensorsFile.open(ours)) {
            for (String n : want.names()) {
                if (INPUTS.contains(n)) {
                    continue;
                }
                assertTrue(got.contains(n), "output file lacks " + n + "; it has " + got.names());
                INDArray w = want.load(n).castTo(DataType.DOUBLE);
                INDArray g = got.load(n).castTo(DataType.DOUBLE);
                assertArrayEquals(w.shape(), g.shape(), n);
                INDArray diff = Transforms.abs(w.sub(g), false);
                double atol = Math.max(10 * hints.get(n).getAsDouble(), 1e-5);
                double excess = diff.sub(Transforms.abs(w, true).muli(1e-5)).subi(atol).maxNumber().doubleValue();
                System.out.printf("%s %-25s max |diff| %.3g%n", golden.getFileName(), n, diff.maxNumber().doubleValue());
                assertTrue(excess <= 0, n + ": max |diff| " + diff.maxNumber() + " > " + atol);
                compared++;
            }
            assertTrue(compared >= 10, "compared only " + compared);
            assertTrue(got.contains("pooler_output"), "HF's name for the pooled output");
            assertTrue(got.contains("last_hidden_state"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny_h32_l2_v99", "padded_h64_l3_b3", "realvocab_h48_l2"})
    void reproducesGoldenExpectedFile(String name) throws Exception {
        Path golden = Shared.golden(name);
        Path out = tmp.resolve("out.safetensors");
        Run r = main("forward", "--model", golden.toString(), "--inputs", golden.resolve("expected.safetensors").toString(),
                "--out", out.toString(), "--hidden-states", "--attentions");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("wrote"), r.out());
        assertReproduces(golden, out);
    }

    @Test
    void withoutFlagsOnlyMainOutputs() throws Exception {
        Path golden = Shared.golden("tiny_h32_l2_v99");
        Path out = tmp.resolve("o.safetensors");
        assertEquals(0, main("forward", "--model", golden.toString(), "--inputs",
                golden.resolve("expected.safetensors").toString(), "--out", out.toString()).code());
        try (SafetensorsFile f = SafetensorsFile.open(out)) {
            assertTrue(f.contains("prediction_logits") && f.contains("loss") && f.contains("pooled_output"));
            assertTrue(f.names().stream().noneMatch(n -> n.startsWith("hidden_states.") || n.startsWith("attentions.")),
                    f.names().toString());
        }
    }

    @Test
    void badArgumentsAndBadInputsAreClearErrors() throws Exception {
        Run r = main("forward", "--model", "x");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("missing --inputs"), r.err());
        Path golden = Shared.golden("tiny_h32_l2_v99");
        // A model directory whose vocabulary is smaller than the ids in the inputs.
        Path small = tmp.resolve("small");
        Files.createDirectories(small);
        Files.writeString(small.resolve("config.json"),
                Files.readString(golden.resolve("config.json")).replace("\"vocab_size\": 99", "\"vocab_size\": 50"));
        Files.copy(golden.resolve("model.safetensors"), small.resolve("model.safetensors"));
        Path out = tmp.resolve("never.safetensors");
        r = main("forward", "--model", small.toString(), "--inputs", golden.resolve("expected.safetensors").toString(),
                "--out", out.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("bert.embeddings.word_embeddings.weight: expected [50, 32], found [99, 32]"),
                r.err());
        assertTrue(!Files.exists(out));
        r = main("forward", "--model", small.toString(), "--inputs", golden.resolve("expected.safetensors").toString(),
                "--out", out.toString(), "--lenient");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("input_ids[0][0] = 62") && r.err().contains("vocab_size 50"), r.err());
        assertTrue(!Files.exists(out));
    }

    /** The real command line: scripts/bert forward, as a researcher runs it from the repository root. */
    @Test
    void scriptReproducesGoldenCase() throws Exception {
        Path root = Paths.get("..").toAbsolutePath().normalize();
        Path script = root.resolve("scripts/bert");
        assertTrue(Files.isExecutable(script), script + " not found");
        // Maven compiled every module of this reactor before this test ran, so the classes are current;
        // mark them so, or the script would start a nested Maven build under the running one.
        Path stamp = root.resolve("bert-cli/target/classes/org/bertj/cli/Main.class");
        Files.setLastModifiedTime(stamp, FileTime.fromMillis(System.currentTimeMillis() + 1000));
        Path golden = Shared.golden("padded_h64_l3_b3");
        Path out = tmp.resolve("script.safetensors");
        List<String> cmd = new ArrayList<>(List.of(script.toString(), "forward", "--model", golden.toString(),
                "--inputs", golden.resolve("expected.safetensors").toString(), "--out", out.toString(),
                "--hidden-states", "--attentions"));
        Process p = new ProcessBuilder(cmd).directory(root.toFile()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "scripts/bert did not finish");
        assertEquals(0, p.exitValue(), log);
        assertTrue(log.contains("wrote"), log);
        assertReproduces(golden, out);
    }
}
