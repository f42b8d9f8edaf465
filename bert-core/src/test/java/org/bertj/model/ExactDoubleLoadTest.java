package org.bertj.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bertj.testing.Shared;
import org.bertj.weights.SafetensorsFile;
import org.bertj.weights.SafetensorsWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Issue 14: a DOUBLE model loads F64 weights bit for bit, with values no float32 can hold (the
 * bug rounded -0.013134728813910649 to -0.013134729117155075).
 */
class ExactDoubleLoadTest {

    @TempDir
    Path tmp;

    private static final Path TINY = Shared.golden("tiny_h32_l2_v99");

    @Test
    void f64WeightsLoadIntoADoubleModelWithoutRounding() throws IOException {
        Map<String, INDArray> f64 = new LinkedHashMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(TINY.resolve("model.safetensors"))) {
            for (String name : f.names()) {
                INDArray a = f.load(name).castTo(DataType.DOUBLE);
                // x + x * 2^-30 is not a float32 for (almost) any float32 x != 0: 24 bits cannot hold it.
                f64.put(name, a.add(a.mul(Math.scalb(1.0, -30))));
            }
        }
        f64.put("bert.embeddings.LayerNorm.bias", Nd4j.valueArrayOf(new long[] {32}, -0.013134728813910649, DataType.DOUBLE));
        Path dir = Files.createDirectories(tmp.resolve("f64"));
        Files.copy(TINY.resolve("config.json"), dir.resolve("config.json"));
        SafetensorsWriter.write(dir.resolve("model.safetensors"), f64, Map.of());

        WeightLoader.Loaded l = WeightLoader.loadDirectory(dir, DataType.DOUBLE, WeightLoader.Mode.STRICT);
        int notFloat = 0;
        for (Map.Entry<String, INDArray> e : f64.entrySet()) {
            String name = e.getKey();
            if (!l.model().parameters().contains(name)) {
                continue;
            }
            INDArray got = l.model().parameters().get(name);
            assertEquals(DataType.DOUBLE, got.dataType());
            double[] want = e.getValue().reshape(-1).toDoubleVector();
            assertArrayEquals(want, got.reshape(-1).toDoubleVector(), 0.0, name);
            for (double w : want) {
                notFloat += (double) (float) w != w ? 1 : 0;
            }
        }
        assertEquals(-0.013134728813910649,
                l.model().parameters().get("bert.embeddings.LayerNorm.bias").getDouble(0), 0.0);
        assertNotEquals(0, notFloat, "the test values must not all be float32-representable");

        // The path for targets that are not dense (a transposed view) goes through load(): exact too.
        try (SafetensorsFile f = SafetensorsFile.open(dir.resolve("model.safetensors"))) {
            String name = "bert.encoder.layer.0.attention.output.dense.weight";
            INDArray view = Nd4j.zeros(DataType.DOUBLE, 32, 32).transpose();
            f.loadInto(name, view);
            assertArrayEquals(f64.get(name).reshape(-1).toDoubleVector(), view.dup('c').reshape(-1).toDoubleVector(),
                    0.0);
        }
    }
}
