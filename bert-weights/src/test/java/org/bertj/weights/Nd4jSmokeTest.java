package org.bertj.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class Nd4jSmokeTest {
    @Test
    void nativeBackendMultipliesMatrices() {
        INDArray a = Nd4j.create(new float[] {1, 2, 3, 4}, new long[] {2, 2});
        INDArray b = Nd4j.create(new float[] {5, 6, 7, 8}, new long[] {2, 2});
        INDArray c = a.mmul(b);
        assertEquals(DataType.FLOAT, c.dataType());
        assertEquals(19f, c.getFloat(0, 0));
        assertEquals(50f, c.getFloat(1, 1));
        System.out.println("ND4J backend: " + Nd4j.getBackend().getClass().getSimpleName()
                + ", golden dir: " + System.getProperty("bertj.shared"));
    }
}
