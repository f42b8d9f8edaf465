package org.bertj.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.bertj.testing.Shared;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class SafetensorsWriterTest {

    @TempDir
    Path dir;

    @Test
    void everyStorableTypeRoundTrips() throws IOException {
        Map<String, INDArray> t = new LinkedHashMap<>();
        t.put("f32", Nd4j.createFromArray(new float[][] {{1.5f, -2f, 3e-40f}, {Float.MAX_VALUE, 0f, -0f}}));
        t.put("f64", Nd4j.createFromArray(0.1, -1e-300, 7.0));
        t.put("f16", Nd4j.createFromArray(1f, -2.5f, 65504f, 0x1p-24f).castTo(DataType.HALF));
        t.put("bf16", Nd4j.createFromArray(1f, -2.5f, 3.0e38f).castTo(DataType.BFLOAT16));
        t.put("i64", Nd4j.createFromArray(new long[][] {{Long.MIN_VALUE, 0}, {1L << 50, -1}}));
        t.put("i32", Nd4j.createFromArray(Integer.MAX_VALUE, -7));
        t.put("i16", Nd4j.createFromArray(new short[] {-32768, 12}));
        t.put("i8", Nd4j.createFromArray(new byte[] {-128, 127}));
        t.put("bool", Nd4j.createFromArray(true, false, true));
        t.put("scalar", Nd4j.scalar(2.75f));
        t.put("empty", Nd4j.create(DataType.FLOAT, 0, 4));
        Path f = dir.resolve("all.safetensors");
        SafetensorsWriter.write(f, t, Map.of("format", "pt", "note", "ünïcode"));
        try (SafetensorsFile r = SafetensorsFile.open(f)) {
            assertEquals(Map.of("format", "pt", "note", "ünïcode"), r.metadata());
            assertEquals("F64 F32 F16 BF16 I64 I32 I16 I8 BOOL", String.join(" ",
                    Stream.of("f64", "f32", "f16", "bf16", "i64", "i32", "i16", "i8", "bool")
                            .map(n -> r.info(n).dtype()).toList()));
            assertEquals(t.get("f32"), r.load("f32"));
            assertArrayEquals(new float[] {0.1f, (float) -1e-300, 7f}, r.load("f64").toFloatVector());
            assertArrayEquals(new float[] {1f, -2.5f, 65504f, 0x1p-24f}, r.load("f16").toFloatVector());
            assertArrayEquals(t.get("bf16").castTo(DataType.FLOAT).toFloatVector(), r.load("bf16").toFloatVector());
            assertEquals(-2.5f, r.load("bf16").getFloat(1));
            assertEquals(t.get("i64"), r.load("i64"));
            assertEquals(t.get("i32"), r.load("i32"));
            assertArrayEquals(new int[] {-32768, 12}, r.load("i16").toIntVector());
            assertArrayEquals(new int[] {-128, 127}, r.load("i8").toIntVector());
            assertArrayEquals(new int[] {1, 0, 1}, r.load("bool").toIntVector());
            assertEquals(0, r.load("scalar").rank());
            assertEquals(2.75f, r.load("scalar").getFloat(0));
            assertArrayEquals(new long[] {0, 4}, r.load("empty").shape());
        }
    }

    @Test
    void headerIsPaddedWithSpacesAndEveryTensorIsAligned() throws IOException {
        Map<String, INDArray> t = new LinkedHashMap<>();
        t.put("a", Nd4j.createFromArray(new byte[] {1, 2, 3}));
        t.put("b", Nd4j.createFromArray(1f));
        t.put("c", Nd4j.createFromArray(1L, 2L));
        t.put("d", Nd4j.createFromArray(1f, 2f).castTo(DataType.HALF));
        Path f = dir.resolve("aligned.safetensors");
        SafetensorsWriter.write(f, t, null);
        byte[] bytes = Files.readAllBytes(f);
        long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        assertEquals(0, n % 8);
        String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
        assertTrue(header.trim().endsWith("}") && !header.contains("__metadata__"), header);
        try (SafetensorsFile r = SafetensorsFile.open(f)) {
            assertEquals(List.of("c", "b", "d", "a"), r.names(), "descending element size, then map order");
            for (String name : r.names()) {
                assertEquals(0, r.fileOffsets(name)[0] % SafetensorsDtype.parse(r.info(name).dtype()).size(), name);
            }
        }
    }

    @Test
    void sameTypeTensorsKeepTheMapsOrder() throws IOException {
        Map<String, INDArray> t = new LinkedHashMap<>();
        for (String name : new String[] {"z", "a", "m", "b"}) {
            t.put(name, Nd4j.rand(DataType.FLOAT, 2, 3));
        }
        Path f = dir.resolve("order.safetensors");
        SafetensorsWriter.write(f, t, Map.of());
        try (SafetensorsFile r = SafetensorsFile.open(f)) {
            assertEquals(List.of("z", "a", "m", "b"), r.names());
            assertTrue(r.metadata().isEmpty());
        }
    }

    @Test
    void viewsAreWrittenInLogicalCOrder() throws IOException {
        INDArray base = Nd4j.arange(24).castTo(DataType.FLOAT).reshape(4, 6);
        Map<String, INDArray> t = new LinkedHashMap<>();
        t.put("transposed", base.transpose());
        t.put("fOrder", base.dup('f'));
        t.put("columns", base.get(NDArrayIndex.all(), NDArrayIndex.interval(2, 5)));
        t.put("row", base.getRow(3));
        t.put("strided", base.get(NDArrayIndex.interval(0, 2, 4), NDArrayIndex.all()));
        Path f = dir.resolve("views.safetensors");
        SafetensorsWriter.write(f, t, null);
        try (SafetensorsFile r = SafetensorsFile.open(f)) {
            for (Map.Entry<String, INDArray> e : t.entrySet()) {
                INDArray back = r.load(e.getKey());
                assertArrayEquals(e.getValue().shape(), back.shape(), e.getKey());
                assertEquals(e.getValue().dup('c'), back, e.getKey());
            }
            assertEquals(6f, r.load("transposed").getFloat(0, 1));
            assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5, 12, 13, 14, 15, 16, 17},
                    r.load("strided").ravel().toFloatVector());
        }
    }

    @Test
    void goldenModelRoundTripsBitForBit() throws IOException {
        Path golden = Shared.golden("tiny_h32_l2_v99").resolve("model.safetensors");
        Map<String, INDArray> t = new LinkedHashMap<>();
        Map<String, String> meta;
        try (SafetensorsFile r = SafetensorsFile.open(golden)) {
            for (String name : r.names()) {
                t.put(name, r.load(name));
            }
            meta = r.metadata();
        }
        Path f = dir.resolve("copy.safetensors");
        SafetensorsWriter.write(f, t, meta);
        try (SafetensorsFile g = SafetensorsFile.open(golden); SafetensorsFile c = SafetensorsFile.open(f)) {
            assertEquals(g.names(), c.names());
            assertEquals(g.metadata(), c.metadata());
            for (String name : g.names()) {
                assertEquals(g.info(name), c.info(name));
                assertEquals(g.rawBytes(name), c.rawBytes(name), name);
            }
        }
    }

    @Test
    void failureWhileWritingLeavesThePreviousFileAndNoTemporaryFile() throws IOException {
        Path f = dir.resolve("model.safetensors");
        SafetensorsWriter.write(f, Map.of("old", Nd4j.createFromArray(1f, 2f)), null);
        byte[] before = Files.readAllBytes(f);

        INDArray closed = Nd4j.createFromArray(3f, 4f);
        closed.close();
        Map<String, INDArray> t = new LinkedHashMap<>();
        t.put("fine", Nd4j.rand(DataType.FLOAT, 100, 100)); // written to the temporary file first
        t.put("broken", closed);
        WeightFormatException e = assertThrows(WeightFormatException.class, () -> SafetensorsWriter.write(f, t, null));
        assertTrue(e.getMessage().contains("'broken'") && e.getMessage().contains(f.toString()), e.getMessage());

        assertArrayEquals(before, Files.readAllBytes(f));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(f), files.toList());
        }
    }

    @Test
    void unstorableArraysAndNamesAreRefusedBeforeWriting() {
        Path f = dir.resolve("bad.safetensors");
        WeightFormatException e = assertThrows(WeightFormatException.class,
                () -> SafetensorsWriter.write(f, Map.of("u", Nd4j.create(DataType.UINT32, 2)), null));
        assertTrue(e.getMessage().contains("'u'") && e.getMessage().contains("UINT32"), e.getMessage());
        assertThrows(WeightFormatException.class,
                () -> SafetensorsWriter.write(f, Map.of("__metadata__", Nd4j.create(DataType.FLOAT, 2)), null));
        assertTrue(Files.notExists(f));
    }
}
