package org.bertj.weights;

import java.io.IOException;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A set of named tensors on disk (a safetensors file, a TensorFlow checkpoint, a renamed view of
 * either). Names are whatever the source uses; {@link #names()} keeps the file's order.
 *
 * <p>Implementations validate their whole index when opened, so {@link #info} never fails for a
 * listed name, and {@link #load} fails only with a {@link WeightFormatException} naming the tensor.
 */
public interface TensorSource extends AutoCloseable {

    /** Every tensor name, in the order the source stores them. */
    List<String> names();

    /** Whether a tensor of that name exists. */
    default boolean contains(String name) {
        return names().contains(name);
    }

    /** Dtype and shape of one tensor, without reading its bytes. */
    TensorInfo info(String name);

    /**
     * Reads one tensor into a new ND4J array that the caller owns (off the Java heap). Floating
     * point dtypes (F16, BF16, F32, F64) come back as FLOAT; I32 as INT; I64 as LONG.
     *
     * @throws WeightFormatException if the name is unknown or its bytes cannot be read
     */
    INDArray load(String name) throws IOException;

    @Override
    void close() throws IOException;
}
