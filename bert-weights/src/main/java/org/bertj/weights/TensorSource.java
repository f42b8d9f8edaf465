package org.bertj.weights;

import java.io.IOException;
import java.util.Arrays;
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

    /** {@return every tensor name, in the order the source stores them; not to be modified} */
    List<String> names();

    /**
     * Whether a tensor of that name exists.
     *
     * @param name a tensor name, in this source's naming
     * @return true if it is one of {@link #names()}
     */
    default boolean contains(String name) {
        return names().contains(name);
    }

    /**
     * Dtype and shape of one tensor, without reading its bytes.
     *
     * @param name one of {@link #names()}; for any other name implementations throw an unchecked
     *             exception
     * @return the tensor's name, stored dtype and shape
     */
    TensorInfo info(String name);

    /**
     * Reads one tensor into a new ND4J array that the caller owns (off the Java heap). Floating
     * point dtypes (F16, BF16, F32) come back as FLOAT, F64 as DOUBLE (never rounded through float32); I32 as INT; I64 as LONG.
     *
     * @param name the tensor's name
     * @return a new array of the tensor's shape; the caller closes it when done
     * @throws WeightFormatException if the name is unknown or its bytes cannot be read
     * @throws IOException           if the underlying file cannot be read
     */
    INDArray load(String name) throws IOException;

    /**
     * Reads one tensor into an existing array (a model parameter, possibly a view into a larger
     * buffer), converting to the target's element type as {@code target.assign} does. The values are
     * those {@link #load} returns. Sources that can copy their bytes straight into the target's
     * memory override this to skip the intermediate array.
     *
     * @param name   the tensor's name
     * @param target the array to fill, of exactly the tensor's shape; any element type and order
     * @throws IOException           if the underlying file cannot be read
     * @throws WeightFormatException if the name is unknown, its bytes cannot be read, or the stored
     *                               shape differs from the target's (the message names the tensor
     *                               and both shapes); the target is then unchanged
     */
    default void loadInto(String name, INDArray target) throws IOException {
        checkFits(this, name, target);
        INDArray t = load(name);
        target.assign(t.dataType() == target.dataType() ? t : t.castTo(target.dataType()));
    }

    /**
     * Checks that {@code source} holds {@code name} with exactly {@code target}'s shape, for
     * implementations of {@link #loadInto}.
     *
     * @param source the source to look in
     * @param name   the tensor's name there
     * @param target the array it is to be loaded into
     * @return the tensor's info
     * @throws WeightFormatException naming the tensor and both shapes if not
     */
    static TensorInfo checkFits(TensorSource source, String name, INDArray target) throws WeightFormatException {
        if (!source.contains(name)) {
            throw new WeightFormatException(source + ": no tensor named '" + name + "'");
        }
        TensorInfo info = source.info(name);
        if (!Arrays.equals(info.shape(), target.shape())) {
            throw new WeightFormatException(source + ": tensor '" + name + "' has shape " + Arrays.toString(info.shape())
                    + " but the array to load it into has shape " + Arrays.toString(target.shape()));
        }
        return info;
    }

    @Override
    void close() throws IOException;
}
