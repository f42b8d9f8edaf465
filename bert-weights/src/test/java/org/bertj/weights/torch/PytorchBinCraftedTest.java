package org.bertj.weights.torch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bertj.weights.HfWeightFiles;
import org.bertj.weights.TensorSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What torch can write beyond the golden files: strided views (transposed, expanded, offset) of a
 * storage, every storage type, deflated entries and ZIP64 archives.
 */
class PytorchBinCraftedTest {

    @TempDir
    Path dir;

    static byte[] floats(float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
            b.putFloat(x);
        }
        return b.array();
    }

    /** A state_dict pickle: {@code {names[i]: tensors[i]}} with tensors written by {@code body}. */
    static byte[] stateDict(java.util.function.Consumer<Pickle> body) {
        Pickle p = Pickle.start().op('}').mark();
        body.accept(p);
        return p.op('u').stop().bytes();
    }

    private static final byte[] SIX = floats(0, 1, 2, 3, 4, 5);

    private static byte[] views() {
        return stateDict(p -> {
            p.str("dense").tensor("FloatStorage", "0", 6, 0, new long[] {2, 3}, new long[] {3, 1});
            p.str("transposed").tensor("FloatStorage", "0", 6, 0, new long[] {3, 2}, new long[] {1, 3});
            p.str("expanded").tensor("FloatStorage", "0", 6, 3, new long[] {2, 3}, new long[] {0, 1});
            p.str("offset").tensor("FloatStorage", "0", 6, 4, new long[] {2}, new long[] {1});
            p.str("scalar").tensor("FloatStorage", "0", 6, 5, new long[] {}, new long[] {});
            p.str("empty").tensor("FloatStorage", "0", 6, 6, new long[] {0, 4}, new long[] {4, 1});
            p.str("repeated").tensor("FloatStorage", "0", 6, 1, new long[] {2, 3}, new long[] {1, 0});
            p.str("overlapping").tensor("FloatStorage", "0", 6, 0, new long[] {3, 3}, new long[] {1, 1});
            p.str("ones").tensor("FloatStorage", "0", 6, 2, new long[] {1, 3, 1}, new long[] {99, 1, 7});
        });
    }

    private static void assertViews(TensorSource f) throws Exception {
        assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, f.load("dense").ravel().toFloatVector());
        INDArray t = f.load("transposed");
        assertArrayEquals(new long[] {3, 2}, t.shape());
        assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, t.ravel().toFloatVector());
        assertArrayEquals(new float[] {3, 4, 5, 3, 4, 5}, f.load("expanded").ravel().toFloatVector());
        assertArrayEquals(new float[] {4, 5}, f.load("offset").toFloatVector());
        assertEquals(5f, f.load("scalar").getFloat(0));
        assertEquals(0, f.load("scalar").rank());
        assertArrayEquals(new long[] {0, 4}, f.load("empty").shape());
        assertArrayEquals(new float[] {1, 1, 1, 2, 2, 2}, f.load("repeated").ravel().toFloatVector());
        assertArrayEquals(new float[] {0, 1, 2, 1, 2, 3, 2, 3, 4}, f.load("overlapping").ravel().toFloatVector());
        // Strides of size-1 dimensions do not matter (torch writes any value there).
        assertArrayEquals(new float[] {2, 3, 4}, f.load("ones").ravel().toFloatVector());
        // Into a DOUBLE array, as a double model loads it.
        INDArray target = org.nd4j.linalg.factory.Nd4j.create(DataType.DOUBLE, 3, 2);
        f.loadInto("transposed", target);
        assertArrayEquals(new double[] {0, 3, 1, 4, 2, 5}, target.ravel().toDoubleVector());
    }

    @Test
    void stridedViewsOfAStorage() throws Exception {
        byte[] zip = TorchZip.torch("archive", views(), Map.of("0", SIX)).bytes();
        try (PytorchBinFile f = PytorchBinFile.read(zip, "views.bin")) {
            assertViews(f);
        }
    }

    @Test
    void deflatedAndZip64ArchivesReadTheSame() throws Exception {
        for (TorchZip z : new TorchZip[] {TorchZip.torch("a", views(), Map.of("0", SIX)).deflate(),
                TorchZip.torch("a", views(), Map.of("0", SIX)).zip64(),
                TorchZip.torch("a", views(), Map.of("0", SIX)).zip64().deflate()}) {
            Files.write(dir.resolve("pytorch_model.bin"), z.bytes());
            try (TensorSource f = HfWeightFiles.open(dir)) {
                assertViews(f);
            }
        }
    }

    @Test
    void everyStorageType() throws Exception {
        Map<String, byte[]> storages = new LinkedHashMap<>();
        ByteBuffer d = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putDouble(Math.PI).putDouble(-2);
        storages.put("d", d.array());
        storages.put("h", new byte[] {0x00, 0x3C, 0x00, (byte) 0xC1}); // 1, -2.5
        storages.put("b", new byte[] {(byte) 0x80, 0x3F, 0x20, (byte) 0xC0}); // 1, -2.5
        storages.put("l", ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40).putLong(-3).array());
        storages.put("i", ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(7).putInt(-7).array());
        storages.put("s", new byte[] {5, 0, (byte) 0xFB, (byte) 0xFF});
        storages.put("c", new byte[] {-5, 5});
        storages.put("u", new byte[] {(byte) 250, 5});
        storages.put("o", new byte[] {1, 0});
        String[][] types = {{"d", "DoubleStorage"}, {"h", "HalfStorage"}, {"b", "BFloat16Storage"},
                {"l", "LongStorage"}, {"i", "IntStorage"}, {"s", "ShortStorage"}, {"c", "CharStorage"},
                {"u", "ByteStorage"}, {"o", "BoolStorage"}};
        byte[] pickle = stateDict(p -> {
            for (String[] t : types) {
                p.str(t[0]).tensor(t[1], t[0], 2, 0, new long[] {2}, new long[] {1});
            }
        });
        try (PytorchBinFile f = PytorchBinFile.read(TorchZip.torch("m", pickle, storages).bytes(), "types.bin")) {
            assertEquals("F64", f.info("d").dtype());
            assertArrayEquals(new float[] {(float) Math.PI, -2}, f.load("d").toFloatVector());
            assertArrayEquals(new float[] {1, -2.5f}, f.load("h").toFloatVector());
            assertArrayEquals(new float[] {1, -2.5f}, f.load("b").toFloatVector());
            assertEquals("BF16", f.info("b").dtype());
            assertArrayEquals(new long[] {1L << 40, -3}, f.load("l").toLongVector());
            assertArrayEquals(new int[] {7, -7}, f.load("i").toIntVector());
            assertArrayEquals(new int[] {5, -5}, f.load("s").toIntVector());
            assertArrayEquals(new int[] {-5, 5}, f.load("c").toIntVector());
            assertArrayEquals(new int[] {250, 5}, f.load("u").toIntVector());
            assertArrayEquals(new int[] {1, 0}, f.load("o").toIntVector());
        }
    }
}
