package org.bertj.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Every one of the 65,536 F16 and BF16 bit patterns widens exactly: to the float32 IEEE 754 gives
 * (F16: normals, subnormals, ±0, ±inf, NaN with its sign and payload; BF16: bits << 16), and, loaded
 * into a DOUBLE model's array, to that float's exact double value.
 */
class HalfPrecisionExhaustiveTest {

    @TempDir
    Path dir;

    /** IEEE 754 binary16 to binary32, written out from the definition (Java 17 has no Float.float16ToFloat). */
    static int f16ToF32Bits(int h) {
        int sign = (h & 0x8000) << 16;
        int exp = (h >> 10) & 0x1F;
        int man = h & 0x3FF;
        if (exp == 0x1F) {
            return sign | 0x7F800000 | man << 13; // inf, or NaN keeping its payload
        }
        if (exp != 0) {
            return sign | (exp - 15 + 127) << 23 | man << 13;
        }
        // ±0 and subnormals: man · 2^-24, exact in float32.
        return sign | Float.floatToRawIntBits(man * 0x1p-24f);
    }

    private INDArray all(String dtype, DataType target) throws IOException {
        ByteBuffer data = ByteBuffer.allocate(2 * 65536).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 65536; i++) {
            data.putShort((short) i);
        }
        Path f = Crafted.write(dir.resolve(dtype + ".safetensors"),
                "{\"t\":{\"dtype\":\"" + dtype + "\",\"shape\":[65536],\"data_offsets\":[0,131072]}}", data.array());
        try (SafetensorsFile file = SafetensorsFile.open(f)) {
            INDArray out = Nd4j.create(target, 65536);
            file.loadInto("t", out);
            return out;
        }
    }

    @Test
    void everyF16PatternWidensExactly() throws IOException {
        float[] got = all("F16", DataType.FLOAT).toFloatVector();
        double[] wide = all("F16", DataType.DOUBLE).toDoubleVector();
        int nans = 0;
        for (int h = 0; h < 65536; h++) {
            float want = Float.intBitsToFloat(f16ToF32Bits(h));
            if (Float.isNaN(want)) {
                // A NaN stays a NaN of the same sign (x86 keeps the payload; the value is what counts).
                assertTrue(Float.isNaN(got[h]) && Double.isNaN(wide[h]), String.format("0x%04x", h));
                assertEquals(h >> 15, Float.floatToRawIntBits(got[h]) >>> 31, String.format("sign of 0x%04x", h));
                nans++;
                continue;
            }
            assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(got[h]), String.format("0x%04x", h));
            assertEquals(Double.doubleToRawLongBits(want), Double.doubleToRawLongBits(wide[h]),
                    String.format("0x%04x as double", h));
        }
        assertEquals(2 * 1023, nans);
    }

    @Test
    void everyBf16PatternIsTheUpperHalfOfAFloat() throws IOException {
        float[] got = all("BF16", DataType.FLOAT).toFloatVector();
        double[] wide = all("BF16", DataType.DOUBLE).toDoubleVector();
        for (int h = 0; h < 65536; h++) {
            float want = Float.intBitsToFloat(h << 16);
            assertEquals(h << 16, Float.floatToRawIntBits(got[h]), String.format("0x%04x", h));
            if (!Float.isNaN(want)) {
                assertEquals(Double.doubleToRawLongBits(want), Double.doubleToRawLongBits(wide[h]),
                        String.format("0x%04x as double", h));
            } else {
                assertTrue(Double.isNaN(wide[h]));
            }
        }
    }
}
