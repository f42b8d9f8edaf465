package org.bertj.weights;

import static org.bertj.weights.Crafted.entry;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.bertj.testing.Shared;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** {@link SafetensorsFile#loadInto} gives exactly what {@link SafetensorsFile#load} gives, wherever it writes. */
class SafetensorsLoadIntoTest {

    private static final String[] CASES = {"tiny_h32_l2_v99", "padded_h64_l3_b3", "realvocab_h48_l2"};
    private static final double FILL = 7.25;

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"model.safetensors", "expected.safetensors"})
    void intoAFreshArrayEqualsLoadForEveryGoldenTensor(String file) throws IOException {
        for (String c : CASES) {
            try (SafetensorsFile f = SafetensorsFile.open(Shared.golden(c).resolve(file))) {
                for (String t : f.names()) {
                    INDArray expected = f.load(t);
                    INDArray target = Nd4j.valueArrayOf(expected.shape(), FILL, expected.dataType());
                    f.loadInto(t, target);
                    assertBytesEqual(expected, target, c + "/" + file + ":" + t);
                }
            }
        }
    }

    @Test
    void intoRowBlockViewsWithOffsetsWritesOnlyTheView() throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(Shared.golden(CASES[0]).resolve("model.safetensors"))) {
            for (String t : f.names()) {
                INDArray expected = f.load(t);
                long[] shape = expected.shape();
                long[] parentShape = shape.clone();
                parentShape[0] += 5; // two rows before the view, three after
                INDArray parent = Nd4j.valueArrayOf(parentShape, FILL, DataType.FLOAT);
                INDArray view = shape.length == 1
                        ? parent.get(NDArrayIndex.interval(2, shape[0] + 2))
                        : parent.get(NDArrayIndex.interval(2, shape[0] + 2), NDArrayIndex.all());
                assertTrue(view.offset() > 0, t);
                f.loadInto(t, view);
                assertBytesEqual(expected, view, t);
                assertUntouchedOutside(parent, 2, shape[0] + 2, t);
            }
        }
    }

    @Test
    void intoColumnViewsAndOtherTypesTakesTheGeneralPath() throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(Shared.golden(CASES[0]).resolve("model.safetensors"))) {
            for (String t : f.names()) {
                INDArray expected = f.load(t);
                if (expected.rank() != 2) {
                    continue;
                }
                long rows = expected.size(0);
                long cols = expected.size(1);
                INDArray parent = Nd4j.valueArrayOf(new long[] {rows, cols + 2}, FILL, DataType.FLOAT);
                INDArray strided = parent.get(NDArrayIndex.all(), NDArrayIndex.interval(1, cols + 1));
                f.loadInto(t, strided);
                assertBytesEqual(expected, strided, t);
                assertEquals(FILL, parent.getDouble(0, 0), t);
                assertEquals(FILL, parent.getDouble(rows - 1, cols + 1), t);

                INDArray wide = Nd4j.valueArrayOf(expected.shape(), FILL, DataType.DOUBLE);
                f.loadInto(t, wide);
                assertBytesEqual(expected.castTo(DataType.DOUBLE), wide, t);
            }
        }
    }

    @Test
    void narrowDtypesAndChunkedCopiesEqualLoad() throws IOException {
        int n = 300;
        float[] values = new float[n];
        int[] halves = new int[n];
        for (int i = 0; i < n; i++) {
            values[i] = i * 0.25f - 30f;
            halves[i] = 0x3c00 + i; // 1.0 and the halves just above it
        }
        Path p = Crafted.write(dir.resolve("mixed.safetensors"), "{" + entry("f", "F32", "[3,100]", 0, 4 * n)
                + "," + entry("h", "F16", "[3,100]", 4 * n, 6 * n) + "," + entry("b", "BF16", "[300]", 6 * n, 8 * n)
                + "}", concat(Crafted.floats(values), Crafted.shorts(halves), Crafted.shorts(halves)));
        long saved = SafetensorsFile.chunkBytes;
        SafetensorsFile.chunkBytes = 44; // 11 floats: pieces do not end on row boundaries
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            for (String t : f.names()) {
                INDArray expected = f.load(t);
                INDArray parent = Nd4j.valueArrayOf(new long[] {expected.length() + 9}, FILL, DataType.FLOAT);
                INDArray target = parent.get(NDArrayIndex.interval(4, expected.length() + 4)).reshape(expected.shape());
                f.loadInto(t, target);
                assertBytesEqual(expected, target, t);
                assertEquals(FILL, parent.getDouble(3), t);
                assertEquals(FILL, parent.getDouble(expected.length() + 4), t);
            }
        } finally {
            SafetensorsFile.chunkBytes = saved;
        }
    }

    @Test
    void aShapeMismatchNamesTheTensorAndBothShapesAndWritesNothing() throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(Shared.golden(CASES[0]).resolve("model.safetensors"))) {
            String t = "bert.embeddings.word_embeddings.weight";
            long[] shape = f.info(t).shape();
            INDArray target = Nd4j.valueArrayOf(new long[] {shape[0], shape[1] + 1}, FILL, DataType.FLOAT);
            WeightFormatException e = assertThrows(WeightFormatException.class, () -> f.loadInto(t, target));
            assertTrue(e.getMessage().contains(t), e.getMessage());
            assertTrue(e.getMessage().contains("[" + shape[0] + ", " + shape[1] + "]"), e.getMessage());
            assertTrue(e.getMessage().contains("[" + shape[0] + ", " + (shape[1] + 1) + "]"), e.getMessage());
            assertEquals(FILL, target.minNumber().doubleValue());
            assertEquals(FILL, target.maxNumber().doubleValue());

            INDArray flat = Nd4j.valueArrayOf(new long[] {shape[0] * shape[1]}, FILL, DataType.FLOAT);
            assertThrows(WeightFormatException.class, () -> f.loadInto(t, flat), "same length, other shape");

            WeightFormatException unknown = assertThrows(WeightFormatException.class,
                    () -> f.loadInto("no.such.tensor", target));
            assertTrue(unknown.getMessage().contains("no.such.tensor"), unknown.getMessage());
        }
    }

    @Test
    void renamedSourcesLoadIntoUnderTheirNewNames() throws IOException {
        try (HfNamedSource s = new HfNamedSource(
                SafetensorsFile.open(Shared.golden(CASES[0]).resolve("model.safetensors")))) {
            for (String t : s.names()) {
                INDArray expected = s.load(t);
                INDArray target = Nd4j.valueArrayOf(expected.shape(), FILL, DataType.FLOAT);
                s.loadInto(t, target);
                assertBytesEqual(expected, target, t);
            }
            assertThrows(WeightFormatException.class, () -> s.loadInto("nope", Nd4j.zeros(DataType.FLOAT, 1)));
        }
    }

    /** Same type, shape and bytes (bit-exact, not within a tolerance). */
    private static void assertBytesEqual(INDArray expected, INDArray actual, String what) {
        assertEquals(expected.dataType(), actual.dataType(), what);
        assertArrayEquals(expected.shape(), actual.shape(), what);
        assertArrayEquals(expected.dup('c').data().asBytes(), actual.dup('c').data().asBytes(), what);
    }

    private static void assertUntouchedOutside(INDArray parent, long from, long to, String what) {
        for (long r = 0; r < parent.size(0); r++) {
            if (r >= from && r < to) {
                continue;
            }
            INDArray row = parent.rank() == 1 ? parent.get(NDArrayIndex.point(r))
                    : parent.get(NDArrayIndex.point(r), NDArrayIndex.all());
            assertEquals(FILL, row.minNumber().doubleValue(), what + " row " + r);
            assertEquals(FILL, row.maxNumber().doubleValue(), what + " row " + r);
        }
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
