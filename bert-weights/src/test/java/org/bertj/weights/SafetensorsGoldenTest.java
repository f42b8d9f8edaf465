package org.bertj.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.bertj.testing.Shared;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Reads the golden files Hugging Face wrote and checks them against cases.json. */
class SafetensorsGoldenTest {

    @ParameterizedTest
    @ValueSource(strings = {"tiny_h32_l2_v99", "padded_h64_l3_b3", "realvocab_h48_l2"})
    void modelHoldsEveryHuggingFaceParameterWithItsShape(String name) throws IOException {
        JsonObject cases = cases(name);
        Map<String, long[]> expected = bertParameters(cases.getAsJsonObject("config"));
        try (SafetensorsFile f = SafetensorsFile.open(Shared.golden(name).resolve("model.safetensors"))) {
            assertEquals(new TreeSet<>(expected.keySet()), new TreeSet<>(f.names()));
            assertEquals("pt", f.metadata().get("format"));
            for (String t : f.names()) {
                assertEquals(new TensorInfo(t, "F32", expected.get(t)), f.info(t));
                INDArray a = f.load(t);
                assertEquals(DataType.FLOAT, a.dataType(), t);
                assertEquals('c', a.ordering(), t);
                assertArrayEquals(expected.get(t), a.shape(), t);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny_h32_l2_v99", "padded_h64_l3_b3", "realvocab_h48_l2"})
    void expectedHoldsTheTensorsCasesJsonDescribesWithItsValues(String name) throws IOException {
        JsonObject cases = cases(name);
        JsonObject tensors = cases.getAsJsonObject("tensors");
        try (SafetensorsFile f = SafetensorsFile.open(Shared.golden(name).resolve("expected.safetensors"))) {
            assertEquals(tensors.keySet(), new TreeSet<>(f.names()));
            for (String t : f.names()) {
                JsonObject d = tensors.getAsJsonObject(t);
                long[] shape = longs(d.getAsJsonArray("shape"));
                INDArray a = f.load(t);
                assertArrayEquals(shape, a.shape(), t);
                assertEquals(shape.length, a.rank(), t);
                assertEquals(d.get("dtype").getAsString().equals("int64") ? DataType.LONG : DataType.FLOAT,
                        a.dataType(), t);
            }
            // Values as the generator printed them into cases.json, read independently of our reader.
            for (Map.Entry<String, JsonElement> in : cases.getAsJsonObject("inputs").entrySet()) {
                long[] values = flatLongs(in.getValue());
                if (f.info(in.getKey()).dtype().equals("I64")) {
                    assertArrayEquals(values, f.load(in.getKey()).ravel().toLongVector(), in.getKey());
                }
            }
            for (Map.Entry<String, JsonElement> loss : cases.getAsJsonObject("losses").entrySet()) {
                INDArray scalar = f.load(loss.getKey());
                assertEquals(0, scalar.rank());
                assertEquals(loss.getValue().getAsFloat(), scalar.getFloat(0), 0f, loss.getKey());
            }
            JsonArray nsp = cases.getAsJsonArray("seq_relationship_logits");
            INDArray logits = f.load("seq_relationship_logits");
            for (int b = 0; b < nsp.size(); b++) {
                for (int j = 0; j < 2; j++) {
                    assertEquals(nsp.get(b).getAsJsonArray().get(j).getAsFloat(), logits.getFloat(b, j), 0f);
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny_h32_l2_v99"})
    void gradsHaveTheModelsNamesAndShapes(String name) throws IOException {
        try (SafetensorsFile model = SafetensorsFile.open(Shared.golden(name).resolve("model.safetensors"));
             SafetensorsFile grads = SafetensorsFile.open(Shared.golden(name).resolve("grads.safetensors"))) {
            assertEquals(new TreeSet<>(model.names()), new TreeSet<>(grads.names()));
            for (String t : model.names()) {
                assertArrayEquals(model.info(t).shape(), grads.load(t).shape(), t);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny_h32_l2_v99", "padded_h64_l3_b3", "realvocab_h48_l2"})
    void namesFollowTheDataOffsets(String name) throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(Shared.golden(name).resolve("model.safetensors"))) {
            long previous = -1;
            for (String t : f.names()) {
                long[] at = f.fileOffsets(t);
                assertTrue(at[0] > previous, t);
                previous = at[0];
                assertEquals(at[1] - at[0], f.rawBytes(t).remaining(), t);
            }
            assertEquals(Files.size(f.path()), f.fileOffsets(f.names().get(f.names().size() - 1))[1]);
        }
    }

    /** BertForPreTraining.named_parameters() with the tied decoder stored once. */
    static Map<String, long[]> bertParameters(JsonObject config) {
        long h = config.get("hidden_size").getAsLong();
        long v = config.get("vocab_size").getAsLong();
        long inter = config.get("intermediate_size").getAsLong();
        Map<String, long[]> p = new LinkedHashMap<>();
        p.put("bert.embeddings.word_embeddings.weight", new long[] {v, h});
        p.put("bert.embeddings.position_embeddings.weight",
                new long[] {config.get("max_position_embeddings").getAsLong(), h});
        p.put("bert.embeddings.token_type_embeddings.weight",
                new long[] {config.get("type_vocab_size").getAsLong(), h});
        layerNorm(p, "bert.embeddings.LayerNorm", h);
        for (int l = 0; l < config.get("num_hidden_layers").getAsInt(); l++) {
            String at = "bert.encoder.layer." + l + ".";
            for (String qkv : Set.of("query", "key", "value")) {
                dense(p, at + "attention.self." + qkv, h, h);
            }
            dense(p, at + "attention.output.dense", h, h);
            layerNorm(p, at + "attention.output.LayerNorm", h);
            dense(p, at + "intermediate.dense", inter, h);
            dense(p, at + "output.dense", h, inter);
            layerNorm(p, at + "output.LayerNorm", h);
        }
        dense(p, "bert.pooler.dense", h, h);
        dense(p, "cls.predictions.transform.dense", h, h);
        layerNorm(p, "cls.predictions.transform.LayerNorm", h);
        p.put("cls.predictions.bias", new long[] {v});
        dense(p, "cls.seq_relationship", 2, h);
        return p;
    }

    private static void dense(Map<String, long[]> p, String prefix, long out, long in) {
        p.put(prefix + ".weight", new long[] {out, in});
        p.put(prefix + ".bias", new long[] {out});
    }

    private static void layerNorm(Map<String, long[]> p, String prefix, long h) {
        p.put(prefix + ".weight", new long[] {h});
        p.put(prefix + ".bias", new long[] {h});
    }

    private static JsonObject cases(String name) throws IOException {
        return JsonParser.parseString(Files.readString(Shared.golden(name).resolve("cases.json"))).getAsJsonObject();
    }

    private static long[] longs(JsonArray a) {
        long[] r = new long[a.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = a.get(i).getAsLong();
        }
        return r;
    }

    private static long[] flatLongs(JsonElement e) {
        if (!e.isJsonArray()) {
            return new long[] {e.getAsLong()};
        }
        return e.getAsJsonArray().asList().stream().map(SafetensorsGoldenTest::flatLongs)
                .flatMapToLong(java.util.Arrays::stream).toArray();
    }
}
