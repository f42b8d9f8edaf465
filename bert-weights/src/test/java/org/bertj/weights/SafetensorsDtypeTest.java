package org.bertj.weights;

import static org.bertj.weights.Crafted.entry;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Decoding of every loadable dtype from hand-made little-endian bytes. */
class SafetensorsDtypeTest {

    @TempDir
    Path dir;

    /** One tensor of that dtype and shape holding those bytes. */
    private INDArray load(String dtype, String shape, byte[] data) throws IOException {
        Path f = Crafted.write(dir.resolve(dtype + ".safetensors"),
                "{" + entry("t", dtype, shape, 0, data.length) + "}", data);
        try (SafetensorsFile file = SafetensorsFile.open(f)) {
            return file.load("t");
        }
    }

    @Test
    void f16DecodesNormalsSubnormalsInfinitiesAndNan() throws IOException {
        INDArray a = load("F16", "[2,5]", Crafted.shorts(
                0x3C00, 0xC100, 0x7BFF, 0x0001, 0x03FF,   // 1, -2.5, 65504, smallest and largest subnormal
                0x7C00, 0xFC00, 0x7E00, 0x8000, 0x3555)); // +inf, -inf, nan, -0, 0.33325195
        assertEquals(DataType.FLOAT, a.dataType());
        assertArrayEquals(new long[] {2, 5}, a.shape());
        float[] v = a.ravel().toFloatVector();
        assertEquals(1f, v[0]);
        assertEquals(-2.5f, v[1]);
        assertEquals(65504f, v[2]);
        assertEquals(0x1p-24f, v[3]);
        assertEquals(1023 * 0x1p-24f, v[4]);
        assertEquals(Float.POSITIVE_INFINITY, v[5]);
        assertEquals(Float.NEGATIVE_INFINITY, v[6]);
        assertTrue(Float.isNaN(v[7]));
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(v[8]));
        assertEquals(0.33325195f, v[9]);
        assertEquals(Float.POSITIVE_INFINITY, a.getFloat(1, 0), "C order: row 1 starts with element 5");
    }

    @Test
    void bf16DecodesAsTheUpperHalfOfAFloat() throws IOException {
        int[] bits = {0x3F80, 0xC020, 0x7F7F, 0x0001, 0x7F80, 0xFF80, 0x7FC0, 0x8000, 0x3EAB};
        INDArray a = load("BF16", "[9]", Crafted.shorts(bits));
        assertEquals(DataType.FLOAT, a.dataType());
        float[] v = a.toFloatVector();
        for (int i = 0; i < bits.length; i++) {
            float expected = Float.intBitsToFloat(bits[i] << 16);
            assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(v[i]), "element " + i);
        }
        assertEquals(-2.5f, v[1]);
        assertEquals(0x1p-133f, v[3]); // a subnormal
    }

    @Test
    void f64StaysExactlyDouble() throws IOException {
        // Issue 14: -0.013134728813910649 once came back as -0.013134729117155075 (through float32).
        double[] values = {1.5, -1e-3, 1e300, Math.PI, -0.013134728813910649, Double.MIN_VALUE};
        INDArray a = load("F64", "[6]", Crafted.doubles(values));
        assertEquals(DataType.DOUBLE, a.dataType());
        assertArrayEquals(values, a.toDoubleVector());
    }

    @Test
    void integersKeepTheirValues() throws IOException {
        INDArray i64 = load("I64", "[3]", Crafted.longs(-100, 1L << 40, Long.MAX_VALUE));
        assertEquals(DataType.LONG, i64.dataType());
        assertArrayEquals(new long[] {-100, 1L << 40, Long.MAX_VALUE}, i64.toLongVector());

        INDArray i32 = load("I32", "[2,2]", Crafted.ints(Integer.MIN_VALUE, -1, 0, 7));
        assertEquals(DataType.INT, i32.dataType());
        assertArrayEquals(new int[] {Integer.MIN_VALUE, -1, 0, 7}, i32.ravel().toIntVector());

        INDArray i16 = load("I16", "[3]", Crafted.shorts(-32768, -1, 32767));
        assertEquals(DataType.INT, i16.dataType());
        assertArrayEquals(new int[] {-32768, -1, 32767}, i16.toIntVector());

        byte[] bytes = {0, 1, (byte) 255, (byte) 128, 5};
        assertArrayEquals(new int[] {0, 1, -1, -128, 5}, load("I8", "[5]", bytes).toIntVector());
        assertArrayEquals(new int[] {0, 1, 255, 128, 5}, load("U8", "[5]", bytes).toIntVector());
        assertArrayEquals(new int[] {0, 1, 1, 0}, load("BOOL", "[4]", new byte[] {0, 1, 1, 0}).toIntVector());
    }

    @Test
    void f32ScalarIsRankZero() throws IOException {
        INDArray a = load("F32", "[]", Crafted.floats(3.25f));
        assertEquals(0, a.rank());
        assertEquals(3.25f, a.getFloat(0));
    }

    @Test
    void emptyTensorHasItsShape() throws IOException {
        INDArray a = load("F32", "[0,3]", new byte[0]);
        assertArrayEquals(new long[] {0, 3}, a.shape());
        assertTrue(a.isEmpty());
    }

    @Test
    void unsupportedDtypesValidateButDoNotLoad() throws IOException {
        Path f = Crafted.write(dir.resolve("u64.safetensors"), "{" + entry("big", "U64", "[1]", 0, 8) + "}",
                Crafted.longs(-1));
        try (SafetensorsFile file = SafetensorsFile.open(f)) {
            WeightFormatException e = assertThrows(WeightFormatException.class, () -> file.load("big"));
            assertTrue(e.getMessage().contains("'big'") && e.getMessage().contains("U64"), e.getMessage());
            assertEquals(8, file.rawBytes("big").remaining());
        }
    }

    @Test
    void tensorsLargerThanOneChunkAreCopiedPieceByPiece() throws IOException {
        int n = 1000;
        ByteArrayOutputStream f32 = new ByteArrayOutputStream();
        ByteArrayOutputStream f16 = new ByteArrayOutputStream();
        for (int i = 0; i < n; i++) {
            f32.writeBytes(Crafted.floats(i * 0.5f));
            f16.writeBytes(Crafted.shorts(halfOfSmallInt(i)));
        }
        byte[] data = new byte[n * 6];
        System.arraycopy(f32.toByteArray(), 0, data, 0, n * 4);
        System.arraycopy(f16.toByteArray(), 0, data, n * 4, n * 2);
        Path f = Crafted.write(dir.resolve("chunks.safetensors"), "{" + entry("a", "F32", "[10,100]", 0, 4 * n)
                + "," + entry("h", "F16", "[1000]", 4 * n, 6 * n) + "}", data);
        long saved = SafetensorsFile.chunkBytes;
        SafetensorsFile.chunkBytes = 64; // 16 floats, 32 halves per piece
        try (SafetensorsFile file = SafetensorsFile.open(f)) {
            INDArray a = file.load("a");
            INDArray h = file.load("h");
            assertArrayEquals(new long[] {10, 100}, a.shape());
            for (int i = 0; i < n; i++) {
                assertEquals(i * 0.5f, a.getFloat(i / 100, i % 100), "a[" + i + "]");
                assertEquals(i, h.getFloat(i), "h[" + i + "]");
            }
        } finally {
            SafetensorsFile.chunkBytes = saved;
        }
    }

    /** IEEE binary16 bits of an integer below 2048 (exact); Float.floatToFloat16 needs Java 20. */
    private static int halfOfSmallInt(int i) {
        if (i == 0) {
            return 0;
        }
        int e = 31 - Integer.numberOfLeadingZeros(i);
        return ((e + 15) << 10) | ((i - (1 << e)) << (10 - e));
    }

    @Test
    void rawBytesAreTheStoredLittleEndianBytes() throws IOException {
        String header = "{" + entry("x", "F32", "[2]", 0, 8) + "}";
        Path f = Crafted.write(dir.resolve("raw.safetensors"), header, Crafted.floats(1f, -2f));
        try (SafetensorsFile file = SafetensorsFile.open(f)) {
            ByteBuffer raw = file.rawBytes("x");
            assertTrue(raw.isReadOnly());
            assertEquals(ByteOrder.LITTLE_ENDIAN, raw.order());
            assertEquals(-2f, raw.getFloat(4));
            long dataStart = 8 + header.length();
            assertArrayEquals(new long[] {dataStart, dataStart + 8}, file.fileOffsets("x"));
        }
    }
}
