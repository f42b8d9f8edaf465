package org.bertj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bertj.tasks.Bert;
import org.bertj.tasks.FillMask;
import org.bertj.testing.Shared;
import org.bertj.weights.SafetensorsFile;
import org.bertj.weights.SafetensorsWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code --model DIR} on a small Hugging Face model with the real vocabulary and an NSP head (the
 * golden case {@code realvocab_h48_l2}: its expected outputs are what transformers computed for
 * "The capital of France is [MASK]." / "Paris is known for the Eiffel Tower."), and the errors
 * a wrong directory or wrong arguments give.
 */
class ModelDirectoryTest {

    private static final String A = "The capital of France is [MASK].";
    private static final String B = "Paris is known for the Eiffel Tower.";

    @TempDir
    static Path tmp;
    private static Path golden;
    private static Path dir;

    @BeforeAll
    static void makeDirectory() throws IOException {
        golden = Shared.golden("realvocab_h48_l2");
        dir = hfDirectory("realvocab", golden.resolve("model.safetensors"));
    }

    private static Path hfDirectory(String name, Path weights) throws IOException {
        Path d = Files.createDirectories(tmp.resolve(name));
        Files.copy(golden.resolve("config.json"), d.resolve("config.json"));
        Files.copy(weights, d.resolve("model.safetensors"));
        Files.copy(Shared.bertBaseVocab(), d.resolve("vocab.txt"));
        return d;
    }

    /** The task API's own golden tests are in bert-core (TasksGoldenTest); here, what the CLI prints. */
    @Test
    void nspPrintsTransformersLogitsAndVerdict() throws Exception {
        double[] hf = expected("seq_relationship_logits").toDoubleVector();
        double isNext = 1 / (1 + Math.exp(hf[1] - hf[0]));
        Run run = Run.of("nsp", A, B, "--model", dir.toString());
        assertEquals(0, run.code, run.err);
        assertTrue(run.out.contains("seq_relationship_logits: " + TorchFormat.floats(new double[][] {hf})), run.out);
        assertTrue(run.out.contains(String.format("P(IsNext) = %.4f", isNext)), run.out);
        assertTrue(run.out.strip().endsWith(hf[0] >= hf[1] ? "IsNext" : "NotNext"), run.out);
    }

    @Test
    void fillMaskWithBf16PrintsTheBf16TaskApisWords() throws Exception {
        FillMask.Prediction p = Bert.load(dir).withMatmulPrecision(org.bertj.model.MatmulPrecision.BF16).fillMask()
                .predict(A, 3).get(0);
        Run run = Run.of("fill-mask", A, "--top-k", "3", "--bf16", "--model", dir.toString());
        assertEquals(0, run.code, run.err);
        String[] lines = run.out.strip().split("\n");
        for (int i = 0; i < 3; i++) {
            FillMask.Candidate c = p.candidates().get(i);
            assertEquals(String.format("  %-16s %.4f", c.token(), c.score()), lines[i + 1]);
        }
    }

    @Test
    void fillMaskPrintsTheTopWordsOfTheTaskApi() throws Exception {
        // fill-mask runs the first sentence alone: one mask at 6
        FillMask.Prediction p = Bert.load(dir).fillMask().predict(A, 3).get(0);
        assertEquals(6, p.position());
        Run run = Run.of("fill-mask", A, "--top-k", "3", "--model", dir.toString());
        assertEquals(0, run.code, run.err);
        String[] lines = run.out.strip().split("\n");
        assertEquals("[MASK] 1 of 1 (token 6):", lines[0], run.out);
        assertEquals(4, lines.length, run.out);
        for (int i = 0; i < 3; i++) {
            FillMask.Candidate c = p.candidates().get(i);
            assertEquals(String.format("  %-16s %.4f", c.token(), c.score()), lines[i + 1]);
        }
    }

    @Test
    void notebookWithAnNspHeadShowsNspLogitsAndReportsMismatchesOfAnotherModel() {
        Run run = Run.of("notebook", "--model", dir.toString());
        assertEquals(1, run.code, run.err);
        assertTrue(run.out.contains("with NSP head"), run.out);
        assertFalse(run.out.contains("not shown: these weights have no NSP head"), run.out);
        assertTrue(run.out.contains("notebook: tensor([[ 6.0843, -5.6813]])"), run.out);
        assertTrue(run.out.contains("   notebook: tensor(0) 'IsNext'"), run.out);
        assertTrue(run.out.contains("(MLM "), run.out);
        assertTrue(run.out.contains("MISMATCH") && run.out.contains("SOME CHECKS FAILED"), run.out);
    }

    /**
     * A Hugging Face directory {@code name} holding the golden weights minus every tensor whose
     * name starts with {@code dropped}.
     */
    private Path goldenWithout(String dropped, String name) throws IOException {
        Map<String, INDArray> kept = new LinkedHashMap<>();
        try (SafetensorsFile st = SafetensorsFile.open(golden.resolve("model.safetensors"))) {
            for (String n : st.names()) {
                if (!n.startsWith(dropped)) {
                    kept.put(n, st.load(n));
                }
            }
        }
        Path w = tmp.resolve(name + ".safetensors");
        SafetensorsWriter.write(w, kept, Map.of("format", "pt"));
        return hfDirectory(name, w);
    }

    @Test
    void weightsWithoutTheNspHeadAreLoadedAndSaySo() throws IOException {
        Path d = goldenWithout("cls.seq_relationship.", "no-nsp");
        LoadedModel m = ModelChoice.load(d, false);
        assertFalse(m.hasNspHead());
        assertEquals("BertForMaskedLM", m.model().hfClassName(), "no NSP head is invented");
        LoadedModel forHooks = ModelChoice.loadPreTraining(d.toString());
        assertFalse(forHooks.hasNspHead(), "the research commands' BertForPreTraining says its NSP head is not real");
        assertTrue(forHooks.describe().contains("NO NSP head"), forHooks.describe());
        assertTrue(m.describe().contains("NO NSP head"), m.describe());
        Run run = Run.of("nsp", A, B, "--model", d.toString());
        assertEquals(Failures.NOT_AVAILABLE, run.code);
        assertEquals("bert nsp: " + ModelChoice.NO_NSP_HEAD, run.err.strip());
        assertEquals("", run.out);
    }

    @Test
    void encoderOnlyWeightsLoadAsABertModelAndTheHeadCommandsExit3() throws IOException {
        Path d = goldenWithout("cls.", "encoder");
        LoadedModel m = ModelChoice.load(d, false);
        assertEquals("BertModel", m.model().hfClassName(), "no head is invented");
        assertFalse(m.hasMlmHead() || m.hasNspHead());
        Run notebook = Run.of("notebook", "--model", d.toString());
        assertEquals(Failures.NOT_AVAILABLE, notebook.code, notebook.err);
        assertTrue(notebook.err.contains("no masked-LM head"), notebook.err);
        Run fillMask = Run.of("fill-mask", A, "--model", d.toString());
        assertEquals(Failures.NOT_AVAILABLE, fillMask.code, fillMask.err);
        assertTrue(fillMask.err.contains("no masked-LM head"), fillMask.err);
    }

    @Test
    void wrongDirectoriesAreNamed() throws IOException {
        IOException notDir = assertThrows(IOException.class,
                () -> ModelChoice.load(tmp.resolve("absent"), false));
        assertTrue(notDir instanceof java.nio.file.NoSuchFileException && notDir.getMessage().endsWith("absent"),
                notDir.toString());

        Path empty = Files.createDirectories(tmp.resolve("empty"));
        IOException noConfig = assertThrows(IOException.class, () -> ModelChoice.load(empty, false));
        assertTrue(noConfig.getMessage().contains("has no config.json"), noConfig.getMessage());

        Path none = Files.createDirectories(tmp.resolve("none"));
        Files.copy(golden.resolve("config.json"), none.resolve("config.json"));
        IOException noWeights = assertThrows(IOException.class, () -> ModelChoice.load(none, false));
        assertTrue(noWeights.getMessage().contains("has no weights")
                && noWeights.getMessage().contains("pytorch_model.bin"), noWeights.getMessage());

        // pytorch_model.bin is read now; one that is not a torch file is named as such.
        Path pt = Files.createDirectories(tmp.resolve("pt"));
        Files.copy(golden.resolve("config.json"), pt.resolve("config.json"));
        Files.copy(Shared.bertBaseVocab(), pt.resolve("vocab.txt"));
        Files.writeString(pt.resolve("pytorch_model.bin"), "x");
        IOException bin = assertThrows(IOException.class, () -> ModelChoice.load(pt, false));
        assertTrue(bin.getMessage().contains("pytorch_model.bin")
                && bin.getMessage().contains("neither a zip-format nor a legacy PyTorch checkpoint"), bin.getMessage());

        Path noVocab = Files.createDirectories(tmp.resolve("novocab"));
        Files.copy(golden.resolve("config.json"), noVocab.resolve("config.json"));
        Files.copy(golden.resolve("model.safetensors"), noVocab.resolve("model.safetensors"));
        IOException vocab = assertThrows(IOException.class, () -> ModelChoice.load(noVocab, false));
        assertTrue(vocab.getMessage().contains("has no vocab.txt"), vocab.getMessage());

        // weights of another shape (the tiny golden model) under this config: every tensor named
        Path other = hfDirectory("other", Shared.golden("tiny_h32_l2_v99").resolve("model.safetensors"));
        IllegalArgumentException misfit = assertThrows(IllegalArgumentException.class,
                () -> ModelChoice.load(other, false));
        assertTrue(misfit.getMessage().contains("does not fit")
                && misfit.getMessage().contains("bert.embeddings.word_embeddings.weight"), misfit.getMessage());

        Run run = Run.of("fill-mask", A, "--model", tmp.resolve("absent").toString());
        assertEquals(1, run.code);
        assertEquals("bert fill-mask: no such file: " + tmp.resolve("absent"), run.err.strip());
    }

    @Test
    void badArgumentsAreUsageErrorsBeforeAnyLoading() {
        for (String[] args : new String[][] {
            {"fill-mask"},
            {"fill-mask", "a [MASK]", "b"},
            {"fill-mask", "a [MASK]", "--top-k", "0"},
            {"fill-mask", "a [MASK]", "--top-k", "x"},
            {"fill-mask", "no mask at all", "--model", "/nonexistent"},
            {"nsp", "only one"},
            {"notebook", "text"},
            {"notebook", "--modle", "x"}}) {
            Run run = Run.of(args);
            assertEquals(2, run.code, String.join(" ", args) + ": " + run.err);
            assertTrue(run.err.contains("usage: bert " + args[0]), run.err);
        }
    }

    private static INDArray expected(String name) throws IOException {
        try (SafetensorsFile st = SafetensorsFile.open(golden.resolve("expected.safetensors"))) {
            return st.load(name);
        }
    }

    /** One run of the CLI with its exit code and both streams. */
    private record Run(int code, String out, String err) {
        static Run of(String... args) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        }
    }
}
