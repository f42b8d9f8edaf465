package org.bertj.weights;

import static org.bertj.weights.Crafted.entry;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bertj.testing.Shared;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** {@link SafetensorsFile#mapCopyOnWrite}: the file's values, writable, never written back, alive after close. */
class SafetensorsMapCopyOnWriteTest {

    @TempDir
    Path dir;

    private Path goldenCopy() throws IOException {
        // A copy: a bug that wrote through the mapping must not damage the shared golden file.
        return Files.copy(Shared.golden("tiny_h32_l2_v99").resolve("model.safetensors"), dir.resolve("m.safetensors"));
    }

    @Test
    void mappedTensorsEqualLoadedOnes() throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(goldenCopy())) {
            for (String t : f.names()) {
                INDArray mapped = f.mapCopyOnWrite(t);
                assertNotNull(mapped, t);
                INDArray loaded = f.load(t);
                assertEquals(DataType.FLOAT, mapped.dataType(), t);
                assertArrayEquals(loaded.shape(), mapped.shape(), t);
                assertArrayEquals(loaded.data().asBytes(), mapped.dup('c').data().asBytes(), t);
            }
        }
    }

    @Test
    void writesStayInMemoryAndNeverReachTheFile() throws IOException {
        Path p = goldenCopy();
        byte[] before = Files.readAllBytes(p);
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            for (String t : f.names()) {
                INDArray mapped = f.mapCopyOnWrite(t);
                INDArray expected = f.load(t).add(1.5f);
                mapped.addi(1.5f);
                assertArrayEquals(expected.data().asBytes(), mapped.dup('c').data().asBytes(), t);
                INDArray again = f.mapCopyOnWrite(t);
                assertArrayEquals(f.load(t).data().asBytes(), again.dup('c').data().asBytes(), t);
            }
        }
        assertArrayEquals(before, Files.readAllBytes(p));
    }

    @Test
    void mappingsOutliveTheFileAndGarbageCollection() throws Exception {
        List<INDArray> views = new ArrayList<>();
        List<byte[]> expected = new ArrayList<>();
        try (SafetensorsFile f = SafetensorsFile.open(goldenCopy())) {
            for (String t : f.names()) {
                INDArray mapped = f.mapCopyOnWrite(t);
                // Keep only a reshaped view: the mapping must stay alive through it.
                views.add(mapped.reshape(mapped.length()));
                expected.add(f.load(t).data().asBytes());
            }
        }
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
        for (int i = 0; i < views.size(); i++) {
            assertArrayEquals(expected.get(i), views.get(i).dup('c').data().asBytes());
        }
        INDArray sum = Nd4j.zeros(DataType.FLOAT, 1);
        for (INDArray v : views) {
            sum.addi(v.sum());
        }
        assertEquals(true, Float.isFinite(sum.getFloat(0)));
    }

    @Test
    void onlyNonEmptyF32TensorsAreMapped() throws IOException {
        Path p = Crafted.write(dir.resolve("mixed.safetensors"), "{" + entry("h", "F16", "[2]", 0, 4) + ","
                + entry("i", "I32", "[1]", 4, 8) + "," + entry("e", "F32", "[0,3]", 8, 8) + ","
                + entry("f", "F32", "[2]", 8, 16) + "}",
                concat(Crafted.shorts(0x3c00, 0x4000), Crafted.ints(7), Crafted.floats(1.5f, -2f)));
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            assertNull(f.mapCopyOnWrite("h"));
            assertNull(f.mapCopyOnWrite("i"));
            assertNull(f.mapCopyOnWrite("e"));
            assertEquals(Nd4j.createFromArray(1.5f, -2f), f.mapCopyOnWrite("f"));
        }
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] b : parts) {
            n += b.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] b : parts) {
            System.arraycopy(b, 0, out, at, b.length);
            at += b.length;
        }
        return out;
    }
}
