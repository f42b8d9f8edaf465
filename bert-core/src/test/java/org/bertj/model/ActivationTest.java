package org.bertj.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ActivationTest {

    private static final double[] X = {-3.0, -1.0, -0.25, 0.0, 0.5, 1.0, 2.5};

    private static double[] apply(Activation a, double... x) {
        return a.apply(Nd4j.createFromArray(x)).toDoubleVector();
    }

    @Test
    void valuesMatchPyTorch() {
        // 0.5x(1+erf(x/√2)), tanh form and silu in float64 (Python math.erf/tanh), as torch computes them.
        double[] gelu = apply(Activation.GELU, -1.0, 1.0, 2.5);
        assertEquals(-0.15865525393145707, gelu[0], 1e-12);
        assertEquals(0.8413447460685429, gelu[1], 1e-12);
        assertEquals(2.4844758366855597, gelu[2], 1e-12);
        double[] tanh = apply(Activation.GELU_NEW, -1.0, 1.0);
        assertEquals(-0.15880800939172324, tanh[0], 1e-12);
        assertEquals(0.8411919906082768, tanh[1], 1e-12);
        assertEquals(0.7310585786300049, apply(Activation.SILU, 1.0)[0], 1e-12);
        assertEquals(0.0, apply(Activation.RELU, -2.0)[0]);
        assertEquals(1.5, apply(Activation.RELU, 1.5)[0]);
    }

    @ParameterizedTest
    @EnumSource(Activation.class)
    void backwardMatchesCentralDifferences(Activation a) {
        INDArray x = Nd4j.createFromArray(X);
        INDArray dOut = Nd4j.createFromArray(0.3, -1.2, 0.7, 1.0, -0.4, 2.0, 0.9);
        double[] grad = a.backward(x, dOut).toDoubleVector();
        double h = 1e-6;
        for (int i = 0; i < X.length; i++) {
            if (a == Activation.RELU && X[i] == 0) {
                continue; // not differentiable there
            }
            double numeric = (apply(a, X[i] + h)[0] - apply(a, X[i] - h)[0]) / (2 * h) * dOut.getDouble(i);
            assertEquals(numeric, grad[i], 1e-7, a + " at " + X[i]);
        }
    }

    @Test
    void floatInputStaysFloat() {
        INDArray x = Nd4j.createFromArray(1.0f, -1.0f);
        INDArray y = Activation.GELU.apply(x);
        assertEquals(DataType.FLOAT, y.dataType());
        assertEquals(1.0f, x.getFloat(0)); // input untouched
    }
}
