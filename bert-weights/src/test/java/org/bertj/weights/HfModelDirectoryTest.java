package org.bertj.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.bertj.weights.tf.TensorBundleReader;
import org.bertj.weights.tf.TensorBundleWriter;
import org.bertj.weights.tf.TfToHuggingFace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HfModelDirectoryTest {

    @TempDir
    Path dir;

    /** A Google-style checkpoint of a BERT with hidden 4, 1 layer, 2 heads, intermediate 6, vocab 5. */
    static Path tinyGoogleCheckpoint(Path at) throws IOException {
        TensorBundleWriter w = new TensorBundleWriter()
                .addRange("bert/embeddings/word_embeddings", 0, 5, 4)
                .addRange("bert/embeddings/position_embeddings", 100, 8, 4)
                .addRange("bert/embeddings/token_type_embeddings", 200, 2, 4)
                .addRange("bert/embeddings/LayerNorm/gamma", 1, 4)
                .addRange("bert/embeddings/LayerNorm/beta", 0, 4)
                .addRange("bert/pooler/dense/kernel", 300, 4, 4)
                .addRange("bert/pooler/dense/bias", 0, 4)
                .addRange("cls/predictions/output_bias", 50, 5)
                .addRange("cls/predictions/transform/dense/kernel", 400, 4, 4)
                .addRange("cls/predictions/transform/dense/bias", 0, 4)
                .addRange("cls/predictions/transform/LayerNorm/gamma", 1, 4)
                .addRange("cls/predictions/transform/LayerNorm/beta", 0, 4)
                .addRange("cls/seq_relationship/output_weights", 500, 2, 4)
                .addRange("cls/seq_relationship/output_bias", 0, 2)
                .add("global_step", 9, new long[0], new byte[8]);
        String l = "bert/encoder/layer_0/";
        for (String s : new String[] {"attention/self/query", "attention/self/key", "attention/self/value",
                "attention/output/dense"}) {
            w.addRange(l + s + "/kernel", 1000, 4, 4).addRange(l + s + "/bias", 0, 4)
                    .addRange(l + s + "/kernel/adam_m", 0, 4, 4).addRange(l + s + "/kernel/adam_v", 0, 4, 4);
        }
        w.addRange(l + "attention/output/LayerNorm/gamma", 1, 4).addRange(l + "attention/output/LayerNorm/beta", 0, 4)
                .addRange(l + "intermediate/dense/kernel", 2000, 4, 6).addRange(l + "intermediate/dense/bias", 0, 6)
                .addRange(l + "output/dense/kernel", 3000, 6, 4).addRange(l + "output/dense/bias", 0, 4)
                .addRange(l + "output/LayerNorm/gamma", 1, 4).addRange(l + "output/LayerNorm/beta", 0, 4);
        Files.createDirectories(at);
        w.write(at.resolve("bert_model.ckpt"));
        Files.writeString(at.resolve("bert_config.json"), """
                {
                  "attention_probs_dropout_prob": 0.1,
                  "hidden_act": "gelu",
                  "hidden_dropout_prob": 0.1,
                  "hidden_size": 4,
                  "initializer_range": 0.02,
                  "intermediate_size": 6,
                  "max_position_embeddings": 8,
                  "num_attention_heads": 2,
                  "num_hidden_layers": 1,
                  "type_vocab_size": 2,
                  "vocab_size": 5
                }
                """);
        Files.writeString(at.resolve("vocab.txt"), "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n");
        return at;
    }

    @Test
    void googleConfigGainsWhatTransformersNeedAndKeepsIntegers() throws IOException {
        Path ckpt = tinyGoogleCheckpoint(dir.resolve("ckpt"));
        JsonObject hf = HfBertConfig.fromGoogle(HfBertConfig.read(ckpt.resolve("bert_config.json")));
        assertEquals("bert", hf.get("model_type").getAsString());
        assertEquals("BertForPreTraining", hf.getAsJsonArray("architectures").get(0).getAsString());
        assertEquals(1e-12, hf.get("layer_norm_eps").getAsDouble());
        assertEquals(0, hf.get("pad_token_id").getAsInt());
        HfBertConfig.write(dir.resolve("c.json"), hf);
        String text = Files.readString(dir.resolve("c.json"));
        assertTrue(text.contains("\"hidden_size\": 4,") && text.contains("\"vocab_size\": 5\n"), text);
        String base = new com.google.gson.Gson().toJson(HfBertConfig.bertBaseUncased());
        assertTrue(base.contains("\"hidden_size\":768,") && base.contains("\"vocab_size\":30522"), base);
    }

    @Test
    void writesADirectoryWithTransposedKernelsAndFormatPt() throws IOException {
        Path ckpt = tinyGoogleCheckpoint(dir.resolve("ckpt"));
        Path out = dir.resolve("out");
        JsonObject config = HfBertConfig.fromGoogle(HfBertConfig.read(ckpt.resolve("bert_config.json")));
        try (TfToHuggingFace w = new TfToHuggingFace(TensorBundleReader.open(ckpt))) {
            assertEquals(List.of(), HfBertConfig.check(config, w));
            HfModelDirectory.write(out, config, ckpt.resolve("vocab.txt"), w, Map.of("source", "test"),
                    Map.of(), false);
        }
        assertEquals(List.of("config.json", "model.safetensors", "vocab.txt"), list(out));
        assertEquals(List.of("ckpt", "out"), list(dir));
        try (SafetensorsFile st = SafetensorsFile.open(out.resolve("model.safetensors"))) {
            assertEquals("pt", st.metadata().get("format"));
            assertEquals(HfBertConfig.expectedShapes(config).size(), st.names().size());
            // intermediate kernel [in 4, out 6] = 2000..2023 row-major; HF weight [6, 4], row j = column j.
            assertArrayEquals(new long[] {6, 4}, st.info("bert.encoder.layer.0.intermediate.dense.weight").shape());
            assertArrayEquals(new float[] {2001, 2007, 2013, 2019},
                    st.load("bert.encoder.layer.0.intermediate.dense.weight").getRow(1).toFloatVector());
            assertArrayEquals(new float[] {500, 501, 502, 503},
                    st.load("cls.seq_relationship.weight").getRow(0).toFloatVector());
        }
    }

    @Test
    void refusesANonEmptyTargetUnlessReplacing() throws IOException {
        Path ckpt = tinyGoogleCheckpoint(dir.resolve("ckpt"));
        Path out = dir.resolve("out");
        Files.createDirectories(out);
        Files.writeString(out.resolve("keep.txt"), "mine");
        JsonObject config = HfBertConfig.fromGoogle(HfBertConfig.read(ckpt.resolve("bert_config.json")));
        try (TfToHuggingFace w = new TfToHuggingFace(TensorBundleReader.open(ckpt))) {
            FileAlreadyExistsException e = assertThrows(FileAlreadyExistsException.class, () ->
                    HfModelDirectory.write(out, config, ckpt.resolve("vocab.txt"), w, null, Map.of(), false));
            assertTrue(e.getMessage().contains("not empty"), e.getMessage());
            assertEquals(List.of("keep.txt"), list(out));
            HfModelDirectory.write(out, config, ckpt.resolve("vocab.txt"), w, null, Map.of(), true);
        }
        assertEquals(List.of("config.json", "model.safetensors", "vocab.txt"), list(out));
        assertEquals(List.of("ckpt", "out"), list(dir));
    }

    @Test
    void failedWriteLeavesNothingBehind() throws IOException {
        Path ckpt = tinyGoogleCheckpoint(dir.resolve("ckpt"));
        Path data = TensorBundleReader.dataFile(ckpt.resolve("bert_model.ckpt"), 0, 1);
        byte[] bytes = Files.readAllBytes(data);
        bytes[2] ^= 1; // spoils the first tensor in the data file, bert/embeddings/LayerNorm/beta
        Files.write(data, bytes);
        JsonObject config = HfBertConfig.fromGoogle(HfBertConfig.read(ckpt.resolve("bert_config.json")));
        try (TfToHuggingFace w = new TfToHuggingFace(TensorBundleReader.open(ckpt))) {
            WeightFormatException e = assertThrows(WeightFormatException.class, () ->
                    HfModelDirectory.write(dir.resolve("out"), config, ckpt.resolve("vocab.txt"), w, null, Map.of(),
                            false));
            assertTrue(e.getMessage().contains("crc32c mismatch")
                    && e.getMessage().contains("'bert/embeddings/LayerNorm/beta'"), e.getMessage());
        }
        assertEquals(List.of("ckpt"), list(dir));
    }

    @Test
    void checkNamesTheTensorThatContradictsTheConfig() throws IOException {
        Path ckpt = tinyGoogleCheckpoint(dir.resolve("ckpt"));
        JsonObject config = HfBertConfig.fromGoogle(HfBertConfig.read(ckpt.resolve("bert_config.json")));
        config.addProperty("intermediate_size", 8);
        try (TfToHuggingFace w = new TfToHuggingFace(TensorBundleReader.open(ckpt))) {
            WeightFormatException e = assertThrows(WeightFormatException.class, () -> HfBertConfig.check(config, w));
            assertTrue(e.getMessage().contains("'bert.encoder.layer.0.intermediate.dense.bias' has shape [6]")
                    && e.getMessage().contains("needs [8]"), e.getMessage());
            config.addProperty("intermediate_size", 6);
            config.addProperty("num_hidden_layers", 2);
            e = assertThrows(WeightFormatException.class, () -> HfBertConfig.check(config, w));
            assertTrue(e.getMessage().contains("lack 'bert.encoder.layer.1."), e.getMessage());
        }
        assertFalse(BertNames.isPreTrainingParameter("bert.embeddings.position_ids"));
        assertFalse(BertNames.isPreTrainingParameter("cls.predictions.decoder.weight"));
    }

    static List<String> list(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
