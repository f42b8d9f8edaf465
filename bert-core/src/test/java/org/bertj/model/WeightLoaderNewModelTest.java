package org.bertj.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bertj.testing.Shared;
import org.bertj.weights.SafetensorsFile;
import org.bertj.weights.SafetensorsWriter;
import org.bertj.weights.WeightFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link WeightLoader#load(org.bertj.weights.TensorSource, BertConfig, DataType, WeightLoader.Mode)}
 * builds its model over memory that is not zero-filled: every element must still come from the
 * file or from the initialiser, exactly as loading into a zero model does.
 */
class WeightLoaderNewModelTest {

    @TempDir
    Path tmp;

    private static final Path TINY = Shared.golden("tiny_h32_l2_v99");

    @Test
    void strictLoadEqualsLoadingIntoAZeroModel() throws IOException {
        BertConfig c = BertConfig.fromJson(TINY.resolve("config.json"));
        for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            dirtyTheAllocator(type);
            try (SafetensorsFile f = SafetensorsFile.open(TINY.resolve("model.safetensors"))) {
                WeightLoader.Loaded loaded = WeightLoader.load(f, c, type, WeightLoader.Mode.STRICT);
                BertForPreTraining reference = new BertForPreTraining(c, type);
                WeightLoader.load(f, reference.parameters(), c, WeightLoader.Mode.STRICT, 0);
                assertSameParameters(reference.parameters(), loaded.model().parameters());
                assertEquals(reference.parameters().count(), loaded.report().loaded().stream()
                        .mapToLong(n -> reference.parameters().get(n).length()).sum());
            }
        }
    }

    @Test
    void mappedLoadEqualsCopiedLoadAndNeverWritesTheFile() throws IOException {
        BertConfig c = BertConfig.fromJson(TINY.resolve("config.json"));
        Path file = tmp.resolve("model.safetensors");
        java.nio.file.Files.copy(TINY.resolve("model.safetensors"), file);
        byte[] before = java.nio.file.Files.readAllBytes(file);
        String saved = System.getProperty("bertj.mapWeights");
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            System.clearProperty("bertj.mapWeights");
            assertTrue(!WeightLoader.mapsWeights(), "copying is the default");
            Parameters copied = WeightLoader.load(f, c, DataType.FLOAT, WeightLoader.Mode.STRICT).model().parameters();
            System.setProperty("bertj.mapWeights", "true");
            Parameters mapped = WeightLoader.load(f, c, DataType.FLOAT, WeightLoader.Mode.STRICT).model().parameters();
            assertSameParameters(copied, mapped);
            mapped.get("bert.encoder.layer.0.output.dense.weight").addi(1f); // copy-on-write: private
        } finally {
            if (saved == null) {
                System.clearProperty("bertj.mapWeights");
            } else {
                System.setProperty("bertj.mapWeights", saved);
            }
        }
        assertArrayEquals(before, java.nio.file.Files.readAllBytes(file));
    }

    @Test
    void lenientLoadInitialisesWhatIsMissingAsLoadingIntoAZeroModelDoes() throws IOException {
        BertConfig c = BertConfig.fromJson(TINY.resolve("config.json"));
        Map<String, INDArray> tensors = new LinkedHashMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(TINY.resolve("model.safetensors"))) {
            for (String n : f.names()) {
                tensors.put(n, f.load(n));
            }
        }
        // A fused row block, a bias of the fused bias buffer, a LayerNorm and the NSP head.
        tensors.remove("bert.encoder.layer.0.attention.self.key.weight");
        tensors.remove("bert.encoder.layer.1.attention.self.value.bias");
        tensors.remove("bert.encoder.layer.1.output.LayerNorm.weight");
        tensors.remove("cls.seq_relationship.weight");
        tensors.remove("cls.seq_relationship.bias");
        Path file = tmp.resolve("partial.safetensors");
        SafetensorsWriter.write(file, tensors, null);
        dirtyTheAllocator(DataType.FLOAT);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            WeightLoader.Loaded loaded = WeightLoader.load(f, c, DataType.FLOAT, WeightLoader.Mode.LENIENT);
            BertForPreTraining reference = new BertForPreTraining(c, DataType.FLOAT);
            LoadReport r = WeightLoader.load(f, reference.parameters(), c, WeightLoader.Mode.LENIENT, 0);
            assertEquals(5, loaded.report().initialized().size());
            assertEquals(r.initialized(), loaded.report().initialized());
            Parameters p = loaded.model().parameters();
            // ND4J's seeded streams differ between Random instances, so drawn values are compared by
            // their statistics; everything else bit for bit.
            for (String n : p.names()) {
                if (n.endsWith("key.weight") && r.initialized().contains(n) || n.equals("cls.seq_relationship.weight")) {
                    double std = p.get(n).stdNumber().doubleValue();
                    assertTrue(std > 0.1 && std < 0.2, n + ": normal(0, 0.15) init, std " + std);
                } else {
                    assertSameBytes(reference.parameters().get(n), p.get(n), n);
                }
            }
            assertEquals(Nd4j.ones(DataType.FLOAT, 32), p.get("bert.encoder.layer.1.output.LayerNorm.weight"));
            assertEquals(0.0, p.get("bert.encoder.layer.1.attention.self.value.bias").amaxNumber().doubleValue());

            assertThrows(WeightFormatException.class,
                    () -> WeightLoader.load(f, c, DataType.FLOAT, WeightLoader.Mode.STRICT));
        }
    }

    @Test
    void aConstructedModelAndGradientsOfALoadedOneStartAtZero() throws IOException {
        BertConfig c = BertConfig.fromJson(TINY.resolve("config.json"));
        dirtyTheAllocator(DataType.FLOAT);
        for (INDArray a : new BertForPreTraining(c, DataType.FLOAT).parameters().asMap().values()) {
            assertEquals(0.0, a.amaxNumber().doubleValue());
        }
        try (SafetensorsFile f = SafetensorsFile.open(TINY.resolve("model.safetensors"))) {
            Parameters p = WeightLoader.load(f, c, DataType.FLOAT, WeightLoader.Mode.STRICT).model().parameters();
            dirtyTheAllocator(DataType.FLOAT);
            for (INDArray a : p.zerosLike().asMap().values()) {
                assertEquals(0.0, a.amaxNumber().doubleValue());
            }
        }
    }

    @Test
    void updatingALoadedModelInPlaceLeavesTheFileAlone() throws IOException {
        BertConfig c = BertConfig.fromJson(TINY.resolve("config.json"));
        Path copy = java.nio.file.Files.copy(TINY.resolve("model.safetensors"), tmp.resolve("m.safetensors"));
        byte[] before = java.nio.file.Files.readAllBytes(copy);
        Parameters p;
        try (SafetensorsFile f = SafetensorsFile.open(copy)) {
            p = WeightLoader.load(f, c, DataType.FLOAT, WeightLoader.Mode.STRICT).model().parameters();
        }
        for (INDArray a : p.asMap().values()) {
            a.addi(0.25f); // as an optimiser step does
        }
        assertArrayEquals(before, java.nio.file.Files.readAllBytes(copy));
        try (SafetensorsFile f = SafetensorsFile.open(copy)) {
            for (String n : p.names()) {
                assertSameBytes(f.load(n).add(0.25f), p.get(n), n);
            }
        }
    }

    @Test
    void fusedRowsThatNoNamedTensorCoversAreRefused() {
        Parameters p = Parameters.uninitialized(DataType.FLOAT);
        p.createFused("qkv", 6, 2);
        p.registerRows("q", "qkv", 0, 2);
        p.registerRows("v", "qkv", 4, 6);
        IllegalStateException e = assertThrows(IllegalStateException.class, p::checkFusedBuffersCovered);
        assertTrue(e.getMessage().contains("row 2") && e.getMessage().contains("qkv"), e.getMessage());
        p.registerRows("k", "qkv", 2, 4);
        p.checkFusedBuffersCovered();
    }

    /** Frees memory full of non-zero bytes, so that uninitialised allocations likely reuse it. */
    private static void dirtyTheAllocator(DataType type) {
        for (int i = 0; i < 20; i++) {
            INDArray junk = Nd4j.valueArrayOf(new long[] {1000 + 97L * i}, 12345.0, type);
            junk.close();
        }
    }

    private static void assertSameParameters(Parameters expected, Parameters actual) {
        assertEquals(expected.names(), actual.names());
        for (String n : expected.names()) {
            assertSameBytes(expected.get(n), actual.get(n), n);
        }
    }

    private static void assertSameBytes(INDArray expected, INDArray actual, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what);
        assertArrayEquals(expected.dup('c').data().asBytes(), actual.dup('c').data().asBytes(), what);
    }
}
