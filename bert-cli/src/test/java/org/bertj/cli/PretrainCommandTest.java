package org.bertj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bertj.train.StepMetrics;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bert pretrain} on a tiny corpus and a tiny from-scratch config. */
class PretrainCommandTest {

    @TempDir
    Path tmp;
    Path corpus;
    Path config;
    Path vocab;
    String stdout;
    String stderr;

    @BeforeEach
    void files() throws IOException {
        List<String> words = List.of("the", "a", "cat", "dog", "bird", "sat", "ran", "flew", "on", "in", "mat",
                "park", "sky", "and", "then", "slept", "ate", "sang", "red", "old", ".");
        List<String> v = new ArrayList<>(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"));
        v.addAll(words);
        vocab = Files.write(tmp.resolve("vocab.txt"), v, StandardCharsets.UTF_8);
        StringBuilder text = new StringBuilder();
        String[][] docs = {{"cat", "sat", "mat"}, {"dog", "ran", "park"}, {"bird", "flew", "sky"}};
        for (String[] d : docs) {
            for (int s = 0; s < 6; s++) {
                text.append("the ").append(s % 2 == 0 ? "red " : "old ").append(d[0]).append(' ').append(d[1])
                        .append(" on the ").append(d[2]).append(" and then slept .\n");
            }
            text.append('\n');
        }
        corpus = Files.writeString(tmp.resolve("corpus.txt"), text.toString());
        config = Files.writeString(tmp.resolve("config.json"), "{\"vocab_size\": " + v.size()
                + ", \"hidden_size\": 16, \"num_hidden_layers\": 1, \"num_attention_heads\": 2,"
                + " \"intermediate_size\": 32, \"max_position_embeddings\": 40, \"type_vocab_size\": 2}");
    }

    private int run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true), new PrintStream(err, true));
        stdout = out.toString(StandardCharsets.UTF_8);
        stderr = err.toString(StandardCharsets.UTF_8);
        return code;
    }

    private String[] pretrain(Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("pretrain", "--corpus", corpus.toString(), "--config",
                config.toString(), "--vocab", vocab.toString(), "--out", out.toString(), "--batch-size", "4",
                "--max-seq-length", "32", "--max-predictions", "4", "--lr", "1e-3", "--seed", "5"));
        a.addAll(List.of(extra));
        return a.toArray(new String[0]);
    }

    @Test
    void trainsWritesCheckpointsPrintsProgressAndResumes() throws IOException {
        Path out = tmp.resolve("run");
        assertEquals(0, run(pretrain(out, "--steps", "4", "--save-every", "2")), stderr);
        assertTrue(stdout.contains("step 4/4  loss "), stdout);
        for (String part : new String[] {"MLM acc ", "NSP acc ", " tok/s", "ETA "}) {
            assertTrue(stdout.contains(part), part + " missing from: " + stdout);
        }
        assertTrue(stdout.contains("saved " + out.resolve("checkpoint-2")), stdout);
        for (String f : new String[] {"model.safetensors", "optimizer.safetensors", "config.json", "trainer_state.json"}) {
            assertTrue(Files.isRegularFile(out.resolve("checkpoint-4").resolve(f)), f);
        }
        assertEquals("checkpoint-4", Files.readString(out.resolve("latest")).strip());
        assertTrue(Files.isRegularFile(out.resolve("vocab.txt")));

        assertEquals(1, run(pretrain(out, "--steps", "6")));
        assertTrue(stderr.contains("already holds checkpoints") && stderr.contains("--resume"), stderr);

        assertEquals(0, run(pretrain(out, "--steps", "6", "--resume")), stderr);
        assertTrue(stdout.contains("resumed at step 4"), stdout);
        assertTrue(stdout.contains("step 6/6"), stdout);
        assertTrue(!stdout.contains("step 4/6"), stdout);
        assertEquals("checkpoint-6", Files.readString(out.resolve("latest")).strip());
    }

    @Test
    void wholeWordMaskingWithAccumulationAndLinesEveryFewSteps() throws IOException {
        Path out = tmp.resolve("wwm");
        assertEquals(0, run(pretrain(out, "--steps", "4", "--whole-word-mask", "--accumulate", "2", "--no-dropout",
                "--log-every", "2", "--warmup", "0")), stderr);
        assertTrue(stdout.contains("step 2/4") && stdout.contains("step 4/4"), stdout);
        assertTrue(!stdout.contains("step 1/4") && !stdout.contains("step 3/4"), stdout);
        assertEquals("checkpoint-4", Files.readString(out.resolve("latest")).strip());
    }

    @Test
    void onATerminalTheProgressIsOneLineRedrawnInPlace() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PretrainCommand.Progress p = new PretrainCommand.Progress(new PrintStream(bytes, true), true, 100);
        p.onStep(new StepMetrics(1, 4, 4.5, 3.8, 0.7, 0.1, 0.5, 1e-4, 2.0, 100, 1234.4, 1, 3));
        p.onStep(new StepMetrics(2, 4, 4.25, 3.6, 0.65, 0.2, 0.75, 1e-4, 2.0, 100, 1300, 2, 125));
        p.finish();
        String s = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(s.startsWith("\r[#####...............] step 1/4  loss 4.5000  MLM acc 0.100  NSP acc 0.500"
                + "  1234 tok/s  lr 1.00e-04  ETA 3s"), s);
        assertTrue(s.contains("\r[##########..........] step 2/4  loss 4.2500  MLM acc 0.200  NSP acc 0.750"
                + "  1300 tok/s  lr 1.00e-04  ETA 2m05s"), s);
        assertEquals(1, s.chars().filter(c -> c == '\n').count(), s);
    }

    @Test
    void badArgumentsGiveClearErrors() {
        Path out = tmp.resolve("bad");
        assertEquals(1, run(pretrain(out, "--steps", "2", "--max-seq-length", "41")));
        assertTrue(stderr.contains("max_seq_length 41 exceeds the model's max_position_embeddings 40"), stderr);

        assertEquals(1, run("pretrain", "--corpus", tmp.resolve("nope.txt").toString(), "--config",
                config.toString(), "--out", out.toString()));
        assertEquals("bert pretrain: no such file: " + tmp.resolve("nope.txt"), stderr.strip());

        assertEquals(2, run("pretrain", "--corpus", corpus.toString(), "--config", config.toString(),
                "--model", tmp.toString(), "--out", out.toString()));
        assertTrue(stderr.contains("exactly one of --model"), stderr);

        assertEquals(2, run(pretrain(out, "--steps", "two")));
        assertTrue(stderr.contains("--steps must be an integer"), stderr);
    }
}
