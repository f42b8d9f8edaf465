package org.bertj.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class GradientClippingTest {

    static Map<String, INDArray> grads() {
        Map<String, INDArray> g = new LinkedHashMap<>();
        g.put("a.weight", Nd4j.createFromArray(new double[][] {{3, 0}, {0, 0}}));
        g.put("a.bias", Nd4j.createFromArray(new double[] {0, 4}));
        g.put("b.weight", Nd4j.createFromArray(new double[] {12}));
        return g; // global norm sqrt(9 + 16 + 144) = 13
    }

    @Test
    void scalesAllGradientsByTheSameFactorWhenAboveMax() {
        Map<String, INDArray> g = grads();
        double norm = GradientClipping.clipGlobalNorm(g, 1.0);
        assertEquals(13.0, norm, 1e-12);
        double scale = 1.0 / (13.0 + 1e-6);
        assertEquals(3 * scale, g.get("a.weight").getDouble(0, 0), 1e-15);
        assertEquals(4 * scale, g.get("a.bias").getDouble(1), 1e-15);
        assertEquals(12 * scale, g.get("b.weight").getDouble(0), 1e-15);
        assertEquals(13 * scale, GradientClipping.globalNorm(g), 1e-12);
    }

    @Test
    void leavesGradientsBelowMaxUntouched() {
        Map<String, INDArray> g = grads();
        assertEquals(13.0, GradientClipping.clipGlobalNorm(g, 20.0), 1e-12);
        assertEquals(12.0, g.get("b.weight").getDouble(0));
        assertEquals(3.0, g.get("a.weight").getDouble(0, 0));
    }

    @Test
    void float32NormOfLargeTensorsIsAccurate() {
        // ND4J's own float32 norm2 is 0.1-0.5% off on tensors of this size.
        Nd4j.getRandom().setSeed(7);
        Map<String, INDArray> g = new LinkedHashMap<>();
        g.put("big", Nd4j.rand(DataType.FLOAT, 1000003).subi(0.5f));
        g.put("odd", Nd4j.rand(DataType.FLOAT, 7, 333).subi(0.5f));
        g.put("constant", Nd4j.valueArrayOf(new long[] {2000, 1000}, 0.001f));
        double sum = 0;
        for (INDArray a : g.values()) {
            double n = a.castTo(DataType.DOUBLE).norm2Number().doubleValue();
            sum += n * n;
        }
        double expected = Math.sqrt(sum);
        assertEquals(expected, GradientClipping.clipGlobalNorm(g, 1e6), 3e-6 * expected);
    }
}
