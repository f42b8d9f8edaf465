package org.bertj.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class GradientAccumulatorTest {

    /**
     * Gradient of the mean squared error of a linear model y = x·w + b over the given rows, written
     * out by hand: dL/dw = 2/n Σ (x·w + b - y) x, dL/db = 2/n Σ (x·w + b - y).
     */
    static Map<String, INDArray> mseGrad(double[][] x, double[] y, double[] w, double b, int from, int to) {
        double[] gw = new double[w.length];
        double gb = 0;
        int n = to - from;
        for (int r = from; r < to; r++) {
            double pred = b;
            for (int j = 0; j < w.length; j++) {
                pred += x[r][j] * w[j];
            }
            double err = pred - y[r];
            for (int j = 0; j < w.length; j++) {
                gw[j] += 2.0 / n * err * x[r][j];
            }
            gb += 2.0 / n * err;
        }
        Map<String, INDArray> g = new LinkedHashMap<>();
        g.put("lin.weight", Nd4j.createFromArray(gw));
        g.put("lin.bias", Nd4j.createFromArray(new double[] {gb}));
        return g;
    }

    @Test
    void meanOfEqualMicroBatchesEqualsTheFullBatchGradientAndStepsTheSame() {
        double[][] x = new double[12][3];
        double[] y = new double[12];
        for (int r = 0; r < 12; r++) {
            for (int j = 0; j < 3; j++) {
                x[r][j] = Math.sin(r * 3 + j);
            }
            y[r] = Math.cos(r);
        }
        double[] w = {0.1, -0.2, 0.3};
        double b = 0.05;
        Map<String, INDArray> full = mseGrad(x, y, w, b, 0, 12);

        GradientAccumulator acc = new GradientAccumulator();
        for (int mb = 0; mb < 4; mb++) {
            acc.add(mseGrad(x, y, w, b, mb * 3, mb * 3 + 3));
        }
        assertEquals(4, acc.count());
        Map<String, INDArray> mean = acc.mean();
        for (String k : full.keySet()) {
            for (int i = 0; i < full.get(k).length(); i++) {
                assertEquals(full.get(k).getDouble(i), mean.get(k).getDouble(i), 1e-14, k + "[" + i + "]");
            }
        }

        // The same optimizer step from either gradient gives the same parameters.
        Map<String, INDArray> p1 = new LinkedHashMap<>();
        p1.put("lin.weight", Nd4j.createFromArray(w));
        p1.put("lin.bias", Nd4j.createFromArray(new double[] {b}));
        Map<String, INDArray> p2 = new LinkedHashMap<>();
        p1.forEach((k, v) -> p2.put(k, v.dup()));
        AdamW.builder().learningRate(0.1).build().step(p1, full);
        AdamW.builder().learningRate(0.1).build().step(p2, mean);
        assertEquals(p1.get("lin.weight"), p2.get("lin.weight"));

        // After a reset the buffers start again from the next micro-batch only.
        acc.reset();
        Map<String, INDArray> one = mseGrad(x, y, w, b, 0, 3);
        acc.add(one);
        assertEquals(one.get("lin.bias").getDouble(0), acc.mean().get("lin.bias").getDouble(0), 0);
    }

    @Test
    void rejectsADifferentNameSet() {
        GradientAccumulator acc = new GradientAccumulator();
        acc.add(Map.of("a", Nd4j.zeros(2)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> acc.add(Map.of("b", Nd4j.zeros(2))));
        assertEquals("gradient names differ from the first micro-batch's: unexpected [b], missing [a]", e.getMessage());
    }
}
