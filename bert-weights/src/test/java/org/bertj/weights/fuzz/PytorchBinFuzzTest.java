package org.bertj.weights.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import org.bertj.weights.TensorInfo;
import org.bertj.weights.WeightFormatException;
import org.bertj.weights.torch.PytorchBinFile;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A pytorch_model.bin of any bytes (zip or legacy, through the restricted unpickler): refused with a
 * WeightFormatException, or every tensor loads with its listed element count.
 */
class PytorchBinFuzzTest {

    @FuzzTest
    void read(byte[] input) throws IOException {
        try (PytorchBinFile f = PytorchBinFile.read(input, "fuzz.bin")) {
            for (String name : f.names()) {
                TensorInfo info = f.info(name);
                if (info.elementCount() > (1 << 16)) {
                    continue;
                }
                try {
                    INDArray a = f.load(name);
                    assertEquals(info.elementCount(), a.length(), name);
                    a.close();
                } catch (WeightFormatException e) {
                    Fuzzing.readable(e); // e.g. an unloadable dtype, named
                }
            }
        } catch (WeightFormatException e) {
            Fuzzing.readable(e);
        }
    }
}
