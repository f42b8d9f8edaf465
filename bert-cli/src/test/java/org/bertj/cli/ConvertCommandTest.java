package org.bertj.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.bertj.testing.Shared;
import org.bertj.testing.TfCheckpoints;
import org.bertj.weights.HfBertConfig;
import org.bertj.weights.SafetensorsFile;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code bert convert} on checkpoints made from the golden Hugging Face weights: whatever the
 * input format, the output directory must hold exactly Hugging Face's tensors.
 */
class ConvertCommandTest {

    private static final String CASE = "tiny_h32_l2_v99";

    @TempDir
    Path dir;

    private Path golden;
    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();

    @BeforeEach
    void setUp() {
        golden = Shared.golden(CASE);
    }

    private int bert(String... args) {
        outBytes.reset();
        errBytes.reset();
        return Main.run(args, new PrintStream(outBytes, true, StandardCharsets.UTF_8),
                new PrintStream(errBytes, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return outBytes.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return errBytes.toString(StandardCharsets.UTF_8);
    }

    /** Google's layout: bert_model.ckpt.*, bert_config.json (Google's keys only), vocab.txt. */
    private Path googleCheckpoint() throws IOException {
        Path ckpt = dir.resolve("google");
        try (SafetensorsFile hf = SafetensorsFile.open(golden.resolve("model.safetensors"))) {
            TfCheckpoints.write(hf, ckpt.resolve("bert_model.ckpt"), false);
        }
        JsonObject hfConfig = HfBertConfig.read(golden.resolve("config.json"));
        JsonObject google = new JsonObject();
        for (String k : new String[] {"attention_probs_dropout_prob", "hidden_act", "hidden_dropout_prob",
                "hidden_size", "initializer_range", "intermediate_size", "max_position_embeddings",
                "num_attention_heads", "num_hidden_layers", "type_vocab_size", "vocab_size"}) {
            google.add(k, hfConfig.get(k));
        }
        HfBertConfig.write(ckpt.resolve("bert_config.json"), google);
        writeVocab(ckpt.resolve("vocab.txt"), hfConfig.get("vocab_size").getAsInt());
        return ckpt;
    }

    private static void writeVocab(Path file, int size) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, IntStream.range(0, size).mapToObj(i -> i < 5
                ? List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]").get(i) : "tok" + i)
                .collect(Collectors.joining("\n", "", "\n")));
    }

    /** The output must hold exactly the golden tensors, values included (kernels transposed back). */
    private void assertSameAsGolden(Path out) throws IOException {
        try (SafetensorsFile want = SafetensorsFile.open(golden.resolve("model.safetensors"));
             SafetensorsFile got = SafetensorsFile.open(out.resolve("model.safetensors"))) {
            assertEquals("pt", got.metadata().get("format"));
            assertEquals(new TreeSet<>(want.names()), new TreeSet<>(got.names()));
            for (String n : want.names()) {
                assertArrayEquals(want.info(n).shape(), got.info(n).shape(), n);
                INDArray w = want.load(n);
                INDArray g = got.load(n);
                assertArrayEquals(w.data().asFloat(), g.data().asFloat(), 0f, n);
            }
        }
        JsonObject want = HfBertConfig.read(golden.resolve("config.json"));
        JsonObject got = HfBertConfig.read(out.resolve("config.json"));
        for (String k : new String[] {"hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size",
                "vocab_size", "max_position_embeddings", "type_vocab_size", "layer_norm_eps", "hidden_act",
                "model_type", "pad_token_id"}) {
            assertEquals(want.get(k), got.get(k), k);
        }
        assertTrue(Files.isRegularFile(out.resolve("vocab.txt")));
    }

    @Test
    void googleCheckpointBecomesTheHuggingFaceWeights() throws IOException {
        Path ckpt = googleCheckpoint();
        Path out = dir.resolve("hf");
        assertEquals(0, bert("convert", "--from", ckpt.toString(), "--out", out.toString()), err());
        assertSameAsGolden(out);
        // 14 kernels (6 per layer, pooler, MLM transform), each with adam_m and adam_v
        assertTrue(out().contains("skipped 28 (optimizer slot)") && out().contains("skipped 1 (training step counter)"),
                out());
        assertEquals("[\"BertForPreTraining\"]", HfBertConfig.read(out.resolve("config.json"))
                .get("architectures").toString());
        assertEquals(List.of("google", "hf"), list(dir));
    }

    @Test
    void tfHubSavedModelNeedsAConfigWhenItIsNotBertBase() throws IOException {
        Path saved = dir.resolve("hub");
        try (SafetensorsFile hf = SafetensorsFile.open(golden.resolve("model.safetensors"))) {
            TfCheckpoints.write(hf, saved.resolve("variables/variables"), true);
        }
        writeVocab(saved.resolve("assets/vocab.txt"), 99);
        Path out = dir.resolve("hf");
        assertEquals(1, bert("convert", "--from", saved.toString(), "--out", out.toString()));
        assertTrue(err().contains("not bert-base's") && err().contains("--config"), err());
        assertEquals(List.of("hub"), list(dir));

        assertEquals(0, bert("convert", "--from", saved.toString(), "--out", out.toString(),
                "--config", golden.resolve("config.json").toString()), err());
        assertTrue(out().contains("TF Hub SavedModel"), out());
        assertSameAsGolden(out);
    }

    @Test
    void huggingFaceDirectoryIsRewrittenUnchanged() throws IOException {
        Path out = dir.resolve("hf");
        Path vocab = dir.resolve("vocab.txt");
        writeVocab(vocab, 99);
        assertEquals(2, bert("convert", "--from", golden.toString()));
        assertTrue(err().contains("missing --out"), err());
        assertEquals(1, bert("convert", "--from", golden.toString(), "--out", out.toString()));
        assertTrue(err().contains("vocab.txt") && err().contains("--vocab"), err());
        assertEquals(0, bert("convert", "--from", golden.toString(), "--out", out.toString(), "--vocab",
                vocab.toString()), err());
        assertSameAsGolden(out);
    }

    @Test
    void refusesToOverwriteWithoutForce() throws IOException {
        Path ckpt = googleCheckpoint();
        Path out = dir.resolve("hf");
        Files.createDirectories(out);
        Files.writeString(out.resolve("notes.txt"), "mine");
        assertEquals(1, bert("convert", "--from", ckpt.toString(), "--out", out.toString()));
        assertTrue(err().contains("not empty") && err().contains("--force"), err());
        assertEquals(List.of("notes.txt"), list(out));
        assertEquals(0, bert("convert", "--from", ckpt.toString(), "--out", out.toString(), "--force"), err());
        assertSameAsGolden(out);
        assertEquals(List.of("google", "hf"), list(dir));
    }

    @Test
    void corruptCheckpointFailsNamingTheTensorAndWritesNothing() throws IOException {
        Path ckpt = googleCheckpoint();
        Path data = ckpt.resolve("bert_model.ckpt.data-00000-of-00001");
        byte[] bytes = Files.readAllBytes(data);
        bytes[bytes.length / 2] ^= 0x40;
        Files.write(data, bytes);
        assertEquals(1, bert("convert", "--from", ckpt.toString(), "--out", dir.resolve("hf").toString()));
        assertTrue(err().contains("crc32c mismatch") && err().contains("tensor '"), err());
        assertEquals(List.of("google"), list(dir));
    }

    @Test
    void aDirectoryWithNoCheckpointBertjReadsIsDescribedByWhatItHolds() throws IOException {
        Path keras = Files.createDirectories(dir.resolve("keras"));
        Files.copy(golden.resolve("config.json"), keras.resolve("config.json"));
        Files.writeString(keras.resolve("tf_model.h5"), "not read");
        Files.createDirectories(keras.resolve("logs"));
        Path out = dir.resolve("hf");
        assertEquals(1, bert("convert", "--from", keras.toString(), "--out", out.toString()));
        assertTrue(err().startsWith("bert convert: " + keras + " holds no checkpoint bertj reads: found config.json,"
                + " logs/, tf_model.h5; tf_model.h5 is Keras HDF5 weights, which bertj does not read (bertj reads"
                + " model.safetensors, "), err());
        assertTrue(err().contains("TensorFlow checkpoint *.index"), err());
        assertEquals(1, bert("convert", "--from", dir.resolve("absent").toString(), "--out", out.toString()));
        assertEquals("bert convert: no such file: " + dir.resolve("absent") + "\n", err());
        assertEquals(List.of("keras"), list(dir));
    }

    private static List<String> list(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
