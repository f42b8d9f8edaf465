package org.bertj.weights;

import java.util.Arrays;

/**
 * What a source says about one tensor before its bytes are read.
 *
 * @param name  the tensor's name in its source
 * @param dtype the stored element type, spelled as safetensors spells it (F32, F16, BF16, I64, ...)
 * @param shape the stored shape
 */
public record TensorInfo(String name, String dtype, long[] shape) {

    /**
     * Number of elements (1 for a scalar). Exact: every reader refuses shapes whose count
     * overflows, so an ArithmeticException here would be a reader's bug, not a wrong number.
     *
     * @return the product of the shape's dimensions (0 if any is 0)
     */
    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    @Override
    public String toString() {
        return name + " " + dtype + Arrays.toString(shape);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t && t.name.equals(name) && t.dtype.equals(dtype)
                && Arrays.equals(t.shape, shape);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }
}
