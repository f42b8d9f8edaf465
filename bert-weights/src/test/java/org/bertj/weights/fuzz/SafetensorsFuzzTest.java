package org.bertj.weights.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import org.bertj.weights.SafetensorsDtype;
import org.bertj.weights.SafetensorsFile;
import org.bertj.weights.TensorInfo;
import org.bertj.weights.WeightFormatException;
import org.nd4j.linalg.api.ndarray.INDArray;

/** A safetensors file of any bytes: refused with a WeightFormatException, or every tensor loads as listed. */
class SafetensorsFuzzTest {

    @FuzzTest
    void open(byte[] input) throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(Fuzzing.file("fuzz.safetensors", input))) {
            for (String name : f.names()) {
                TensorInfo info = f.info(name);
                SafetensorsDtype dtype = f.dtype(name);
                if (dtype.loadedAs() == null || info.elementCount() > (1 << 16)) {
                    continue;
                }
                INDArray a = f.load(name);
                assertEquals(info.elementCount(), a.length(), name);
                assertEquals(dtype.loadedAs(), a.dataType(), name);
                a.close();
            }
        } catch (WeightFormatException e) {
            Fuzzing.readable(e);
        }
    }
}
