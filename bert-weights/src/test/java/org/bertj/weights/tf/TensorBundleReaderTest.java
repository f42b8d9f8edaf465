package org.bertj.weights.tf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.bertj.weights.TensorInfo;
import org.bertj.weights.WeightFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class TensorBundleReaderTest {

    @TempDir
    Path dir;

    private static byte[] le(int width, long... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * width).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            switch (width) {
                case 2 -> b.putShort((short) v);
                case 4 -> b.putInt((int) v);
                default -> b.putLong(v);
            }
        }
        return b.array();
    }

    private static byte[] doubles(double... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : values) {
            b.putDouble(v);
        }
        return b.array();
    }

    private Path sample() throws IOException {
        Path prefix = dir.resolve("model.ckpt");
        new TensorBundleWriter()
                .addFloat("a/float", new float[] {1, 2, 3, -4.5f, 1e-3f, 7}, 2, 3)
                .add("b/int32", 3, new long[] {3}, le(4, 7, -8, 1 << 30))
                .add("c/int64", 9, new long[] {2}, le(8, 1L << 40, -3))
                .add("d/double", 2, new long[] {2}, doubles(0.25, -1e10))
                .add("e/half", 19, new long[] {4}, le(2, 0x3C00, 0xC100, 0x3800, 0x7BFF))
                .add("f/bfloat16", 14, new long[] {2, 2}, le(2, 0x3F80, 0xC020, 0x3F00, 0x4049))
                .add("global_step", 9, new long[0], le(8, 12345))
                .add("g/string", 7, new long[] {1}, new byte[] {3, 'a', 'b', 'c'})
                .add("h/int8", 6, new long[] {3}, new byte[] {-1, 2, -128})
                .add("h/uint8", 4, new long[] {3}, new byte[] {-1, 2, -128})
                .add("h/int16", 5, new long[] {2}, le(2, -300, 7))
                .add("h/bool", 10, new long[] {2}, new byte[] {1, 0})
                .write(prefix);
        return prefix;
    }

    @Test
    void readsEveryDtypeBackAsTheRightValues() throws IOException {
        try (TensorBundleReader r = TensorBundleReader.open(sample())) {
            assertEquals(List.of("a/float", "b/int32", "c/int64", "d/double", "e/half", "f/bfloat16", "g/string",
                    "global_step", "h/bool", "h/int16", "h/int8", "h/uint8"), r.names());
            assertEquals(new TensorInfo("a/float", "F32", new long[] {2, 3}), r.info("a/float"));
            assertEquals("BF16", r.info("f/bfloat16").dtype());
            assertEquals("STRING", r.info("g/string").dtype());

            INDArray f = r.load("a/float");
            assertEquals(DataType.FLOAT, f.dataType());
            assertArrayEquals(new long[] {2, 3}, f.shape());
            assertArrayEquals(new float[] {1, 2, 3, -4.5f, 1e-3f, 7}, f.data().asFloat());
            assertEquals(-4.5f, f.getFloat(1, 0));

            INDArray i = r.load("b/int32");
            assertEquals(DataType.INT, i.dataType());
            assertArrayEquals(new int[] {7, -8, 1 << 30}, i.toIntVector());
            INDArray l = r.load("c/int64");
            assertEquals(DataType.LONG, l.dataType());
            assertArrayEquals(new long[] {1L << 40, -3}, l.toLongVector());

            INDArray d = r.load("d/double");
            assertEquals(DataType.DOUBLE, d.dataType());
            assertArrayEquals(new double[] {0.25, -1e10}, d.toDoubleVector());
            INDArray h = r.load("e/half");
            assertEquals(DataType.FLOAT, h.dataType());
            assertArrayEquals(new float[] {1, -2.5f, 0.5f, 65504}, h.toFloatVector());
            INDArray bf = r.load("f/bfloat16");
            assertEquals(DataType.FLOAT, bf.dataType());
            assertArrayEquals(new long[] {2, 2}, bf.shape());
            assertArrayEquals(new float[] {1, -2.5f, 0.5f, 3.140625f}, bf.data().asFloat());

            assertArrayEquals(new int[] {-1, 2, -128}, r.load("h/int8").toIntVector());
            assertArrayEquals(new int[] {255, 2, 128}, r.load("h/uint8").toIntVector());
            assertArrayEquals(new int[] {-300, 7}, r.load("h/int16").toIntVector());
            assertEquals(DataType.INT, r.load("h/bool").dataType());
            assertArrayEquals(new int[] {1, 0}, r.load("h/bool").toIntVector());

            INDArray step = r.load("global_step");
            assertEquals(0, step.rank());
            assertEquals(12345L, step.getLong(0));
        }
    }

    @Test
    void listsStringEntriesButRefusesToLoadThem() throws IOException {
        try (TensorBundleReader r = TensorBundleReader.open(sample())) {
            assertFalse(r.isLoadable("g/string"));
            assertTrue(r.isLoadable("a/float"));
            WeightFormatException e = assertThrows(WeightFormatException.class, () -> r.load("g/string"));
            assertTrue(e.getMessage().contains("'g/string'") && e.getMessage().contains("STRING"), e.getMessage());
            e = assertThrows(WeightFormatException.class, () -> r.load("nope"));
            assertTrue(e.getMessage().contains("no tensor named 'nope'"), e.getMessage());
        }
    }

    @Test
    void readsTablesSplitOverManyDataBlocks() throws IOException {
        Path prefix = dir.resolve("many");
        TensorBundleWriter w = new TensorBundleWriter().entriesPerBlock(3);
        for (int k = 0; k < 20; k++) {
            w.addRange(String.format("bert/encoder/layer_%d/output/dense/bias", k), k * 10, 4);
        }
        w.write(prefix);
        try (TensorBundleReader r = TensorBundleReader.open(prefix)) {
            assertEquals(20, r.names().size());
            assertArrayEquals(new float[] {170, 171, 172, 173},
                    r.load("bert/encoder/layer_17/output/dense/bias").toFloatVector());
        }
    }

    @Test
    void findsTheBundleFromAnIndexFileOrADirectory() throws IOException {
        Path prefix = sample();
        assertEquals(prefix, TensorBundleReader.resolvePrefix(dir.resolve("model.ckpt.index")));
        assertEquals(prefix, TensorBundleReader.resolvePrefix(dir));
        Path saved = dir.resolve("saved");
        new TensorBundleWriter().addRange("module/x", 0, 2).write(saved.resolve("variables/variables"));
        assertEquals(saved.resolve("variables/variables"), TensorBundleReader.resolvePrefix(saved));
        assertThrows(NoSuchFileException.class, () -> TensorBundleReader.open(dir.resolve("absent")));
    }

    @Test
    void flippedDataByteIsACrcErrorNamingTheTensor() throws IOException {
        Path prefix = sample();
        Path data = TensorBundleReader.dataFile(prefix, 0, 1);
        byte[] bytes = Files.readAllBytes(data);
        bytes[24 + 5] ^= 0x10; // inside b/int32, which follows the 24 bytes of a/float
        Files.write(data, bytes);
        try (TensorBundleReader r = TensorBundleReader.open(prefix)) {
            assertArrayEquals(new float[] {1, 2, 3, -4.5f, 1e-3f, 7}, r.load("a/float").data().asFloat());
            WeightFormatException e = assertThrows(WeightFormatException.class, () -> r.load("b/int32"));
            String m = e.getMessage();
            assertTrue(m.contains("'b/int32'") && m.contains("crc32c mismatch") && m.contains("bytes 24..36")
                    && m.contains(data.toString()), m);
        }
    }

    @Test
    void truncatedDataShardIsRefusedWhenOpening() throws IOException {
        Path prefix = sample();
        Path data = TensorBundleReader.dataFile(prefix, 0, 1);
        long size = Files.size(data);
        try (FileChannel c = FileChannel.open(data, StandardOpenOption.WRITE)) {
            c.truncate(size - 3);
        }
        WeightFormatException e = assertThrows(WeightFormatException.class, () -> TensorBundleReader.open(prefix));
        String m = e.getMessage();
        assertTrue(m.contains("truncated") && m.contains("'h/uint8'") // the last tensor in the file && m.contains(data.toString())
                && m.contains("ends at byte " + (size - 3)), m);
    }

    @Test
    void missingDataShardIsReported() throws IOException {
        Path prefix = sample();
        Files.delete(TensorBundleReader.dataFile(prefix, 0, 1));
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> TensorBundleReader.open(prefix));
        assertTrue(e.getMessage().contains("data-00000-of-00001"), e.getMessage());
    }

    @Test
    void truncatedIndexIsRefused() throws IOException {
        Path prefix = sample();
        Path index = TensorBundleReader.indexOf(prefix);
        byte[] bytes = Files.readAllBytes(index);
        Files.write(index, java.util.Arrays.copyOf(bytes, bytes.length - 20));
        WeightFormatException e = assertThrows(WeightFormatException.class, () -> TensorBundleReader.open(prefix));
        assertTrue(e.getMessage().contains("bad table magic") && e.getMessage().contains(index.toString()),
                e.getMessage());
        Files.write(index, java.util.Arrays.copyOf(bytes, 30));
        e = assertThrows(WeightFormatException.class, () -> TensorBundleReader.open(prefix));
        assertTrue(e.getMessage().contains("too short"), e.getMessage());
    }

    @Test
    void badMagicIsRefused() throws IOException {
        Path prefix = sample();
        Path index = TensorBundleReader.indexOf(prefix);
        byte[] bytes = Files.readAllBytes(index);
        bytes[bytes.length - 1] ^= 1;
        Files.write(index, bytes);
        WeightFormatException e = assertThrows(WeightFormatException.class, () -> TensorBundleReader.open(prefix));
        assertTrue(e.getMessage().contains("bad table magic 0xda4775248b80fb57")
                && e.getMessage().contains("byte offset " + (bytes.length - 8)), e.getMessage());
    }

    @Test
    void blockHandlePastTheEndIsRefused() throws IOException {
        Path prefix = sample();
        Path index = TensorBundleReader.indexOf(prefix);
        byte[] bytes = Files.readAllBytes(index);
        // The footer starts with the metaindex handle; make its offset varint huge (and still well-formed).
        int footer = bytes.length - 48;
        bytes[footer] = (byte) 0xff;
        bytes[footer + 1] = (byte) 0x7f;
        Files.write(index, bytes);
        WeightFormatException e = assertThrows(WeightFormatException.class, () -> TensorBundleReader.open(prefix));
        assertTrue(e.getMessage().contains("points past the end"), e.getMessage());
    }

    @Test
    void corruptIndexBlockIsACrcError() throws IOException {
        Path prefix = sample();
        Path index = TensorBundleReader.indexOf(prefix);
        byte[] bytes = Files.readAllBytes(index);
        bytes[40] ^= 0x01; // inside the data block's entries
        Files.write(index, bytes);
        WeightFormatException e = assertThrows(WeightFormatException.class, () -> TensorBundleReader.open(prefix));
        assertTrue(e.getMessage().contains("checksum mismatch") && e.getMessage().contains("offset 0"),
                e.getMessage());
    }

    @Test
    void malformedEntryIsRefusedNamingTheTensor() throws IOException {
        Path prefix = dir.resolve("entry");
        // field 2 (shape) says 100 bytes follow, but only 2 do
        new TensorBundleWriter().addRange("a", 0, 2).addRawEntry("b", new byte[] {0x08, 0x01, 0x12, 100, 1, 2})
                .write(prefix);
        WeightFormatException e = assertThrows(WeightFormatException.class, () -> TensorBundleReader.open(prefix));
        assertTrue(e.getMessage().contains("tensor 'b': malformed BundleEntryProto at byte offset")
                && e.getMessage().contains("100 bytes needed"), e.getMessage());
    }

    @Test
    void compressedBlocksAreRefused() throws IOException {
        Path prefix = dir.resolve("snappy");
        new TensorBundleWriter().dataBlockType(1).addRange("x", 0, 3).write(prefix);
        WeightFormatException e = assertThrows(WeightFormatException.class, () -> TensorBundleReader.open(prefix));
        assertTrue(e.getMessage().contains("compressed (type 1, snappy)"), e.getMessage());
    }

    @Test
    void sizeThatDisagreesWithTheShapeIsRefused() throws IOException {
        Path prefix = dir.resolve("size");
        new TensorBundleWriter().addWithSize("bert/pooler/dense/bias", 1, new long[] {4}, new byte[16], 12)
                .write(prefix);
        WeightFormatException e = assertThrows(WeightFormatException.class, () -> TensorBundleReader.open(prefix));
        assertTrue(e.getMessage().contains("'bert/pooler/dense/bias'")
                && e.getMessage().contains("needs 4 x 4 = 16 bytes but the entry says 12"), e.getMessage());
    }

    /** Issue 14: [2^62+6] F32 is 2^64+24 bytes, which wraps to 24 in 64 bits; it must not "fit" 24. */
    @Test
    void elementCountTimesSizeThatOverflowsIsRefused() throws IOException {
        Path prefix = dir.resolve("overflow");
        new TensorBundleWriter().addWithSize("w", 1, new long[] {(1L << 62) + 6}, new byte[24], 24).write(prefix);
        WeightFormatException e = assertThrows(WeightFormatException.class, () -> TensorBundleReader.open(prefix));
        assertTrue(e.getMessage().contains("'w'") && e.getMessage().contains("needs more than 2^63 bytes")
                && e.getMessage().contains("the entry says 24"), e.getMessage());
        assertFalse(e.getMessage().contains("-"), e.getMessage());
        Path product = dir.resolve("product");
        new TensorBundleWriter().addWithSize("w", 2, new long[] {1L << 31, 1L << 31, 4}, new byte[0], 0)
                .write(product);
        e = assertThrows(WeightFormatException.class, () -> TensorBundleReader.open(product));
        assertTrue(e.getMessage().contains("needs more than 2^63 bytes"), e.getMessage());
    }

    @Test
    void doublesLoadExactly() throws IOException {
        Path prefix = dir.resolve("f64");
        double[] values = {-0.013134728813910649, 1e300, Math.PI};
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(24).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (double v : values) {
            b.putDouble(v);
        }
        new TensorBundleWriter().add("d", 2, new long[] {3}, b.array()).write(prefix);
        try (TensorBundleReader r = TensorBundleReader.open(prefix)) {
            INDArray a = r.load("d");
            assertEquals(org.nd4j.linalg.api.buffer.DataType.DOUBLE, a.dataType());
            org.junit.jupiter.api.Assertions.assertArrayEquals(values, a.toDoubleVector(), 0.0);
        }
    }

    @Test
    void unknownDtypeIsRefused() throws IOException {
        Path prefix = dir.resolve("dtype");
        new TensorBundleWriter().add("weird", 99, new long[] {1}, new byte[4]).write(prefix);
        WeightFormatException e = assertThrows(WeightFormatException.class, () -> TensorBundleReader.open(prefix));
        assertTrue(e.getMessage().contains("'weird'") && e.getMessage().contains("unknown dtype 99"), e.getMessage());
    }

    @Test
    void partitionedVariablesAreListedButNotLoaded() throws IOException {
        Path prefix = dir.resolve("part");
        new TensorBundleWriter().addPartitioned("bert/embeddings/word_embeddings", 10, 4).write(prefix);
        try (TensorBundleReader r = TensorBundleReader.open(prefix)) {
            assertArrayEquals(new long[] {10, 4}, r.info("bert/embeddings/word_embeddings").shape());
            WeightFormatException e = assertThrows(WeightFormatException.class,
                    () -> r.load("bert/embeddings/word_embeddings"));
            assertTrue(e.getMessage().contains("partitioned"), e.getMessage());
        }
    }

    @Test
    void maskingRoundTrips() {
        for (int crc : new int[] {0, 1, -1, 0x12345678, 0xa282ead8}) {
            assertEquals(crc, MaskedCrc32c.unmask(MaskedCrc32c.mask(crc)));
        }
        // LevelDB's crc32c_test: Mask(0) != 0 and the CRC-32C of "123456789" is 0xe3069283.
        assertEquals(0xe3069283, MaskedCrc32c.of("123456789".getBytes(), 0, 9));
    }
}
