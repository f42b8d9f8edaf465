package org.bertj.weights.tf;

import org.nd4j.linalg.api.buffer.DataType;

/**
 * TensorFlow's {@code DataType} enum (tensorflow/core/framework/types.proto), the members a
 * checkpoint can hold. Each knows its element width (0 where elements have no fixed width), the
 * name bertj shows for it (safetensors' spelling where safetensors has the type), and the ND4J
 * type its bytes are read as (null where ND4J has none).
 */
enum TfDataType {
    FLOAT(1, "F32", 4, DataType.FLOAT),
    DOUBLE(2, "F64", 8, DataType.DOUBLE),
    INT32(3, "I32", 4, DataType.INT),
    UINT8(4, "U8", 1, DataType.UBYTE),
    INT16(5, "I16", 2, DataType.SHORT),
    INT8(6, "I8", 1, DataType.BYTE),
    STRING(7, "STRING", 0, null),
    COMPLEX64(8, "COMPLEX64", 8, null),
    INT64(9, "I64", 8, DataType.LONG),
    BOOL(10, "BOOL", 1, DataType.UBYTE), // ND4J's buffer factory misreads BOOL bytes; they are 0/1 bytes
    QINT8(11, "QINT8", 1, null),
    QUINT8(12, "QUINT8", 1, null),
    QINT32(13, "QINT32", 4, null),
    BFLOAT16(14, "BF16", 2, DataType.BFLOAT16),
    QINT16(15, "QINT16", 2, null),
    QUINT16(16, "QUINT16", 2, null),
    UINT16(17, "U16", 2, DataType.UINT16),
    COMPLEX128(18, "COMPLEX128", 16, null),
    HALF(19, "F16", 2, DataType.HALF),
    RESOURCE(20, "RESOURCE", 0, null),
    VARIANT(21, "VARIANT", 0, null),
    UINT32(22, "U32", 4, DataType.UINT32),
    UINT64(23, "U64", 8, DataType.UINT64);

    /** The enum number in TensorFlow's proto. */
    final int code;
    /** The spelling {@link org.bertj.weights.TensorInfo#dtype()} uses. */
    final String displayName;
    /** Bytes per element; 0 for types whose elements have no fixed width. */
    final int width;
    /** The ND4J type the bytes are read as; null if they cannot be loaded. */
    final DataType nd4j;

    TfDataType(int code, String displayName, int width, DataType nd4j) {
        this.code = code;
        this.displayName = displayName;
        this.width = width;
        this.nd4j = nd4j;
    }

    /** Whether it is a floating point type, which {@code load} returns as FLOAT (DOUBLE as DOUBLE). */
    boolean isFloatingPoint() {
        return this == FLOAT || this == DOUBLE || this == HALF || this == BFLOAT16;
    }

    /** The member with that proto number, or null if TensorFlow has none. */
    static TfDataType forCode(int code) {
        for (TfDataType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return null;
    }
}
