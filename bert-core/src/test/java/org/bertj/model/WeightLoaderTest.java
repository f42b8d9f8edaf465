package org.bertj.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bertj.weights.SafetensorsFile;
import org.bertj.weights.SafetensorsWriter;
import org.bertj.weights.WeightFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Load reports, strict and lenient loading, and the legacy names files in the wild carry. */
class WeightLoaderTest {

    @TempDir
    Path tmp;

    private static final Golden TINY;
    private static final BertConfig CONFIG;

    static {
        try {
            TINY = new Golden("tiny_h32_l2_v99");
            CONFIG = BertConfig.fromJson(TINY.dir.resolve("config.json"));
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    private static Map<String, INDArray> goldenTensors() throws IOException {
        Map<String, INDArray> m = new LinkedHashMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(TINY.dir.resolve("model.safetensors"))) {
            for (String n : f.names()) {
                m.put(n, f.load(n));
            }
        }
        return m;
    }

    private LoadReport load(Map<String, INDArray> tensors, Parameters into, WeightLoader.Mode mode) throws IOException {
        Path file = tmp.resolve("w" + System.nanoTime() + ".safetensors");
        SafetensorsWriter.write(file, tensors, null);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            return WeightLoader.load(f, into, CONFIG, mode, 3);
        }
    }

    private static BertForPreTraining fresh() {
        return new BertForPreTraining(CONFIG, DataType.FLOAT);
    }

    private static INDArray logits(BertForPreTraining m) throws IOException {
        try (SafetensorsFile e = TINY.expected()) {
            return m.forward(Golden.inputs(e), OutputOptions.NONE).predictionLogits();
        }
    }

    private static INDArray goldenLogits() throws IOException {
        BertForPreTraining m = fresh();
        try (SafetensorsFile f = SafetensorsFile.open(TINY.dir.resolve("model.safetensors"))) {
            WeightLoader.load(f, m.parameters(), CONFIG, WeightLoader.Mode.STRICT, 0);
        }
        return logits(m);
    }

    private String strictError(Map<String, INDArray> tensors) {
        return assertThrows(WeightFormatException.class,
                () -> load(tensors, fresh().parameters(), WeightLoader.Mode.STRICT)).getMessage();
    }

    @Test
    void missingTensorStrictFailsLenientInitialisesLikeHf() throws Exception {
        Map<String, INDArray> t = goldenTensors();
        t.remove("cls.seq_relationship.weight");
        t.remove("cls.seq_relationship.bias");
        t.remove("bert.encoder.layer.1.output.LayerNorm.weight");
        String msg = strictError(t);
        assertTrue(msg.contains("missing") && msg.contains("cls.seq_relationship.weight")
                && msg.contains("cls.seq_relationship.bias") && msg.contains("layer.1.output.LayerNorm.weight"), msg);

        BertForPreTraining m = fresh();
        LoadReport r = load(t, m.parameters(), WeightLoader.Mode.LENIENT);
        assertFalse(r.isClean());
        assertEquals(3, r.missing().size());
        assertEquals(r.missing(), r.initialized());
        assertTrue(r.describe().contains("newly initialised"), r.describe());
        INDArray w = m.parameters().get("cls.seq_relationship.weight");
        double std = w.stdNumber().doubleValue();
        assertTrue(std > 0.05 && std < 0.3, "normal(0, 0.15) init, std " + std);
        assertEquals(0.0, m.parameters().get("cls.seq_relationship.bias").amaxNumber().doubleValue());
        assertEquals(Nd4j.ones(DataType.FLOAT, 32), m.parameters().get("bert.encoder.layer.1.output.LayerNorm.weight"));
    }

    @Test
    void unexpectedTensorIsReported() throws Exception {
        Map<String, INDArray> t = goldenTensors();
        t.put("bert.encoder.layer.7.attention.self.query.weight", Nd4j.zeros(DataType.FLOAT, 32, 32));
        String msg = strictError(t);
        assertTrue(msg.contains("unexpected") && msg.contains("layer.7.attention.self.query.weight"), msg);
        BertForPreTraining m = fresh();
        LoadReport r = load(t, m.parameters(), WeightLoader.Mode.LENIENT);
        assertEquals(java.util.List.of("bert.encoder.layer.7.attention.self.query.weight"), r.unexpected());
        assertTrue(r.missing().isEmpty());
        assertEquals(goldenLogits(), logits(m));
    }

    @Test
    void wrongShapeNamesExpectedAndFound() throws Exception {
        Map<String, INDArray> t = goldenTensors();
        t.put("bert.pooler.dense.weight", Nd4j.zeros(DataType.FLOAT, 32, 31));
        t.put("bert.embeddings.word_embeddings.weight", Nd4j.zeros(DataType.FLOAT, 98, 32));
        String msg = strictError(t);
        assertTrue(msg.contains("bert.pooler.dense.weight: expected [32, 32], found [32, 31]"), msg);
        assertTrue(msg.contains("bert.embeddings.word_embeddings.weight: expected [99, 32], found [98, 32]"), msg);
        BertForPreTraining m = fresh();
        LoadReport r = load(t, m.parameters(), WeightLoader.Mode.LENIENT);
        assertEquals(2, r.mismatched().size());
        assertTrue(r.initialized().contains("bert.pooler.dense.weight"));
        // HF's init zeroes the padding row of the word embeddings.
        assertEquals(0.0, m.parameters().get("bert.embeddings.word_embeddings.weight").getRow(0).amaxNumber()
                .doubleValue());
    }

    @Test
    void legacyGammaBetaNames() throws Exception {
        Map<String, INDArray> t = new LinkedHashMap<>();
        for (Map.Entry<String, INDArray> e : goldenTensors().entrySet()) {
            t.put(e.getKey().replace("LayerNorm.weight", "LayerNorm.gamma").replace("LayerNorm.bias", "LayerNorm.beta"),
                    e.getValue());
        }
        BertForPreTraining m = fresh();
        LoadReport r = load(t, m.parameters(), WeightLoader.Mode.STRICT);
        assertTrue(r.isClean(), r.describe());
        assertTrue(r.describe().contains("bert.embeddings.LayerNorm.gamma read as bert.embeddings.LayerNorm.weight"));
        assertEquals(goldenLogits(), logits(m));
    }

    @Test
    void savedBertModelWithoutPrefixAndPositionIdsBuffer() throws Exception {
        Map<String, INDArray> t = new LinkedHashMap<>();
        for (Map.Entry<String, INDArray> e : goldenTensors().entrySet()) {
            t.put(e.getKey().startsWith("bert.") ? e.getKey().substring(5) : e.getKey(), e.getValue());
        }
        t.put("embeddings.position_ids", Nd4j.arange(64).castTo(DataType.LONG).reshape(1, 64));
        BertForPreTraining m = fresh();
        LoadReport r = load(t, m.parameters(), WeightLoader.Mode.STRICT);
        assertTrue(r.isClean(), r.describe());
        assertTrue(r.describe().contains("ignored buffer embeddings.position_ids"), r.describe());
        assertEquals(goldenLogits(), logits(m));

        // And a stand-alone BertModel reads a BertForPreTraining file, leaving cls.* unexpected.
        BertModel bare = new BertModel(CONFIG, DataType.FLOAT);
        Map<String, INDArray> full = goldenTensors();
        full.put("bert.embeddings.position_ids", Nd4j.arange(64).castTo(DataType.LONG).reshape(1, 64));
        LoadReport lr = load(full, bare.parameters(), WeightLoader.Mode.LENIENT);
        assertTrue(lr.missing().isEmpty(), lr.describe());
        assertEquals(7, lr.unexpected().size(), lr.describe());
        assertTrue(lr.unexpected().stream().allMatch(n -> n.startsWith("cls.")));
    }

    @Test
    void explicitTiedDecoder() throws Exception {
        Map<String, INDArray> t = goldenTensors();
        t.put("cls.predictions.decoder.weight", t.get("bert.embeddings.word_embeddings.weight").dup());
        t.put("cls.predictions.decoder.bias", t.get("cls.predictions.bias").dup());
        BertForPreTraining m = fresh();
        LoadReport r = load(t, m.parameters(), WeightLoader.Mode.STRICT);
        assertTrue(r.isClean(), r.describe());
        assertTrue(r.describe().contains("cls.predictions.decoder.weight equals bert.embeddings.word_embeddings.weight"));

        // Only the decoder copy present: it fills the tied word embeddings.
        Map<String, INDArray> only = goldenTensors();
        only.put("cls.predictions.decoder.weight", only.remove("bert.embeddings.word_embeddings.weight"));
        BertForPreTraining m2 = fresh();
        assertTrue(load(only, m2.parameters(), WeightLoader.Mode.STRICT).isClean());
        assertEquals(goldenLogits(), logits(m2));

        // A decoder that differs from the embeddings it is tied to.
        Map<String, INDArray> bad = goldenTensors();
        bad.put("cls.predictions.decoder.weight", bad.get("bert.embeddings.word_embeddings.weight").add(1));
        String msg = strictError(bad);
        assertTrue(msg.contains("cls.predictions.decoder.weight differs from bert.embeddings.word_embeddings.weight"),
                msg);
        LoadReport lr = load(bad, fresh().parameters(), WeightLoader.Mode.LENIENT);
        assertTrue(lr.notes().stream().anyMatch(n -> n.contains("differs")), lr.describe());
    }

    @Test
    void doubleModelLoadsFloatFileAndFusedViewsShareTheBuffer() throws Exception {
        BertForPreTraining m = new BertForPreTraining(CONFIG, DataType.DOUBLE);
        LoadReport r = load(goldenTensors(), m.parameters(), WeightLoader.Mode.STRICT);
        assertTrue(r.isClean());
        INDArray q = m.parameters().get("bert.encoder.layer.0.attention.self.query.weight");
        assertEquals(DataType.DOUBLE, q.dataType());
        INDArray fused = m.parameters().fused("bert.encoder.layer.0.attention.self.qkv.weight");
        assertEquals(fused.getDouble(0, 0), q.getDouble(0, 0));
        INDArray v = m.parameters().get("bert.encoder.layer.0.attention.self.value.weight");
        assertEquals(fused.getDouble(64, 5), v.getDouble(0, 5));
    }
}
