package org.bertj.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ActivationTest {

    private static final double[] X = {-3.0, -1.0, -0.25, 0.0, 0.5, 1.0, 2.5, 7.0, 12.0};

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

    @Test
    void theOtherHfActivationsFollowTheirFormulas() {
        // Each formula of HF 4.29 activations.py evaluated in float64 with java.lang.Math.
        for (double x : X) {
            double s = 1 / (1 + Math.exp(-x));
            assertEquals(1 / (1 + Math.exp(-1.702 * x)) * x, apply(Activation.QUICK_GELU, x)[0], 1e-12, "quick_gelu");
            assertEquals(x * Math.tanh(Math.log1p(Math.exp(x))), apply(Activation.MISH, x)[0], 1e-12, "mish");
            assertEquals(Math.min(Math.max(x, 0), 6), apply(Activation.RELU6, x)[0], 0.0, "relu6");
            assertEquals(Math.max(x, 0) * Math.max(x, 0), apply(Activation.RELU2, x)[0], 1e-12, "relu2");
            assertEquals(s, apply(Activation.SIGMOID, x)[0], 1e-12, "sigmoid");
            assertEquals(x, apply(Activation.LINEAR, x)[0], 0.0, "linear");
            assertEquals(0.5 * x * (1 + Math.tanh(x * 0.7978845608 * (1 + 0.044715 * x * x))),
                    apply(Activation.GELU_FAST, x)[0], 1e-12, "gelu_fast");
            assertEquals(0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x))),
                    apply(Activation.GELU_ACCURATE, x)[0], 1e-12, "gelu_accurate");
            double gelu = apply(Activation.GELU, x)[0];
            assertEquals(Math.min(Math.max(gelu, -10), 10), apply(Activation.GELU_10, x)[0], 0.0, "gelu_10");
        }
        // laplace = 0.5(1 + erf((x - mu)/(sigma sqrt 2))) is Φ((x - mu)/sigma): at x = mu it is 0.5.
        assertEquals(0.5, apply(Activation.LAPLACE, 0.707107)[0], 1e-12);
        assertEquals(0.8413447460685429, apply(Activation.LAPLACE, 0.707107 + 0.282095)[0], 1e-7);
        assertEquals(Activation.SILU, Activation.fromHfName("swish"));
        for (Activation a : Activation.values()) {
            assertEquals(a, Activation.fromHfName(a.hfName()));
        }
    }

    @ParameterizedTest
    @EnumSource(Activation.class)
    void backwardMatchesCentralDifferences(Activation a) {
        INDArray x = Nd4j.createFromArray(X);
        INDArray dOut = Nd4j.createFromArray(0.3, -1.2, 0.7, 1.0, -0.4, 2.0, 0.9, 1.1, -0.6);
        double[] grad = a.backward(x, dOut).toDoubleVector();
        double h = 1e-6;
        for (int i = 0; i < X.length; i++) {
            if ((a == Activation.RELU || a == Activation.RELU6 || a == Activation.RELU2) && X[i] == 0) {
                continue; // a kink (relu, relu6), or a one-sided square whose central quotient is h/2 (relu2)
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
