package org.bertj.weights.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.bertj.weights.TensorInfo;
import org.bertj.weights.WeightFormatException;
import org.bertj.weights.tf.TensorBundleReader;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A TensorBundle of any bytes (the .index SSTable and one data shard): refused with a
 * WeightFormatException, or every numeric tensor loads with its listed element count. Input: a
 * 4-byte big-endian length n, n bytes of index, the rest is the data shard.
 */
class TensorBundleFuzzTest {

    @FuzzTest
    void open(byte[] input) throws IOException {
        int n = input.length < 4 ? 0 : Math.min(ByteBuffer.wrap(input).getInt() & 0x7fffffff, input.length - 4);
        int from = Math.min(4, input.length);
        byte[] index = Arrays.copyOfRange(input, from, from + n);
        byte[] data = Arrays.copyOfRange(input, from + n, input.length);
        Fuzzing.file("b.data-00000-of-00001", data);
        try (TensorBundleReader r = TensorBundleReader.open(Fuzzing.file("b.index", index))) {
            for (String name : r.names()) {
                TensorInfo info = r.info(name);
                if (!r.isLoadable(name) || info.elementCount() > (1 << 16)) {
                    continue;
                }
                INDArray a = r.load(name);
                assertEquals(info.elementCount(), a.length(), name);
                a.close();
            }
        } catch (WeightFormatException e) {
            Fuzzing.readable(e);
        }
    }
}
