package org.bertj.weights;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.custom.BitCast;
import org.nd4j.linalg.api.ops.impl.transforms.custom.ShiftBits;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The element types a safetensors header may name (as the reference Rust library lists them), their
 * size in bytes, and how bertj turns their little-endian bytes into an ND4J array: floating point
 * types become FLOAT except F64, which stays DOUBLE (exact, for DOUBLE models), I64 becomes LONG, the narrower integer types and BOOL become INT. U16, U32,
 * U64 and the 8-bit float types are understood (a file holding them validates) but not loadable.
 */
public enum SafetensorsDtype {
    /** Boolean, one byte (0 or 1); loaded as INT 0 or 1. */
    BOOL(1, DataType.INT),
    /** Unsigned 8-bit integer; loaded as INT. */
    U8(1, DataType.INT),
    /** Signed 8-bit integer; loaded as INT. */
    I8(1, DataType.INT),
    /** 8-bit float, 5 exponent and 2 mantissa bits; not loadable. */
    F8_E5M2(1, null),
    /** 8-bit float, 4 exponent and 3 mantissa bits; not loadable. */
    F8_E4M3(1, null),
    /** Signed 16-bit integer; loaded as INT. */
    I16(2, DataType.INT),
    /** Unsigned 16-bit integer; not loadable. */
    U16(2, null),
    /** IEEE 754 half precision; loaded as FLOAT (exactly). */
    F16(2, DataType.FLOAT),
    /** bfloat16 (the top half of a float32); loaded as FLOAT (exactly). */
    BF16(2, DataType.FLOAT),
    /** Signed 32-bit integer; loaded as INT. */
    I32(4, DataType.INT),
    /** Unsigned 32-bit integer; not loadable. */
    U32(4, null),
    /** IEEE 754 single precision, what BERT checkpoints use; loaded as FLOAT. */
    F32(4, DataType.FLOAT),
    /** IEEE 754 double precision; loaded as DOUBLE. */
    F64(8, DataType.DOUBLE),
    /** Signed 64-bit integer; loaded as LONG. */
    I64(8, DataType.LONG),
    /** Unsigned 64-bit integer; not loadable. */
    U64(8, null);

    private final int size;
    private final DataType loadedAs;

    SafetensorsDtype(int size, DataType loadedAs) {
        this.size = size;
        this.loadedAs = loadedAs;
    }

    /** {@return bytes per element in the file} */
    public int size() {
        return size;
    }

    /** {@return the ND4J type {@link #decode} returns, or null if bertj cannot load this dtype} */
    public DataType loadedAs() {
        return loadedAs;
    }

    /**
     * The dtype of a header spelling.
     *
     * @param name the {@code dtype} string of a header entry, e.g. {@code "F32"}; case matters
     * @return that dtype, or null if safetensors has no such dtype (also for a null name)
     */
    public static SafetensorsDtype parse(String name) {
        for (SafetensorsDtype d : values()) {
            if (d.name().equals(name)) {
                return d;
            }
        }
        return null;
    }

    /**
     * The dtype safetensors stores an ND4J type as.
     *
     * @param type an ND4J element type, not null
     * @return the dtype of the same width and kind (FLOAT is F32, UBYTE is U8, ...), or null if
     *         safetensors has none (UTF8, compressed types, ...)
     */
    public static SafetensorsDtype of(DataType type) {
        return switch (type) {
            case FLOAT -> F32;
            case DOUBLE -> F64;
            case HALF -> F16;
            case BFLOAT16 -> BF16;
            case LONG -> I64;
            case INT -> I32;
            case SHORT -> I16;
            case BYTE -> I8;
            case UBYTE -> U8;
            case BOOL -> BOOL;
            default -> null;
        };
    }

    /**
     * Turns {@code count} little-endian elements into a new rank-1 array of {@link #loadedAs()}.
     *
     * @param bytes a direct buffer at position 0 holding exactly {@code count * size()} bytes
     * @param count the number of elements
     * @return a new C-order array of shape {@code [count]}, owned by the caller
     * @throws UnsupportedOperationException if {@link #loadedAs()} is null
     */
    public INDArray decode(ByteBuffer bytes, int count) {
        // Nd4j.createBuffer(ByteBuffer, ...) is one native memcpy from the (mapped) buffer into ND4J
        // memory; the conversions after it are ND4J ops, so no element passes through Java code.
        // It reads BOOL, UINT16 and BFLOAT16 wrongly in ND4J 1.0.0-M2.1, hence the detours below.
        return switch (this) {
            case F32 -> raw(bytes, DataType.FLOAT, count);
            case I32 -> raw(bytes, DataType.INT, count);
            case I64 -> raw(bytes, DataType.LONG, count);
            case F64 -> raw(bytes, DataType.DOUBLE, count);
            case F16 -> f16ToFloat(bytes, count);
            case I16 -> widen(raw(bytes, DataType.SHORT, count), DataType.INT);
            case I8 -> widen(raw(bytes, DataType.BYTE, count), DataType.INT);
            case U8, BOOL -> widen(raw(bytes, DataType.UBYTE, count), DataType.INT);
            case BF16 -> bf16ToFloat(raw(bytes, DataType.SHORT, count));
            default -> throw new UnsupportedOperationException("bertj cannot load safetensors dtype " + this);
        };
    }

    private static INDArray raw(ByteBuffer bytes, DataType type, int count) {
        return Nd4j.create(Nd4j.createBuffer(bytes, type, count), new long[] {count});
    }

    private static INDArray widen(INDArray narrow, DataType type) {
        INDArray wide = narrow.castTo(type);
        narrow.close();
        return wide;
    }

    /** Elements widened per round by {@link #f16ToFloat}. */
    private static final int F16_CHUNK = 1 << 16;

    /**
     * IEEE 754 half to single precision through a table of all 65,536 values, in chunks. Not an
     * ND4J cast: that one turns every NaN positive, where torch's {@code .float()} keeps a NaN's sign
     * and payload.
     */
    private static INDArray f16ToFloat(ByteBuffer bytes, int count) {
        ByteBuffer in = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        INDArray out = Nd4j.createUninitialized(DataType.FLOAT, count);
        float[] chunk = new float[Math.min(count, F16_CHUNK)];
        for (int first = 0; first < count; first += chunk.length) {
            int n = Math.min(chunk.length, count - first);
            for (int i = 0; i < n; i++) {
                chunk[i] = F16_TO_F32[in.getShort(2 * (first + i)) & 0xFFFF];
            }
            float[] part = n == chunk.length ? chunk : java.util.Arrays.copyOf(chunk, n);
            try (INDArray p = Nd4j.create(part, new long[] {n}, DataType.FLOAT)) {
                out.get(NDArrayIndex.interval(first, first + n)).assign(p);
            }
        }
        return out;
    }

    /** Every half's float value, from the definition of binary16. */
    private static final float[] F16_TO_F32 = new float[65536];

    static {
        for (int h = 0; h < 65536; h++) {
            int sign = (h & 0x8000) << 16;
            int exp = (h >> 10) & 0x1F;
            int man = h & 0x3FF;
            float v;
            if (exp == 0x1F) {
                v = Float.intBitsToFloat(sign | 0x7F800000 | man << 13); // inf, or NaN with its payload
            } else if (exp != 0) {
                v = Float.intBitsToFloat(sign | (exp - 15 + 127) << 23 | man << 13);
            } else {
                v = Float.intBitsToFloat(sign | Float.floatToRawIntBits(man * 0x1p-24f)); // ±0, subnormals
            }
            F16_TO_F32[h] = v;
        }
    }

    /** A bfloat16 is the upper half of a float32: widen to int, shift left 16, reinterpret. */
    private static INDArray bf16ToFloat(INDArray bits16) {
        INDArray bits32 = widen(bits16, DataType.INT);
        // Sign extension of the short does not matter: those bits are shifted out.
        INDArray shifted = Nd4j.exec(new ShiftBits(bits32, Nd4j.scalar(16)))[0];
        bits32.close();
        INDArray floats = Nd4j.exec(new BitCast(shifted, DataType.FLOAT))[0];
        shifted.close();
        return floats;
    }
}
