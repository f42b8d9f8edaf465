package org.bertj.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class CpuKernelsTest {

    private static final double[] X = {-9.0, -6.0, -4.5, -3.0, -2.0, -1.0, -0.5, -0.001, 0.0, 0.001, 0.25,
        0.5, 1.0, 1.5, 2.0, 3.0, 4.5, 6.0, 9.0};
    // 0.5·x·(1 + math.erf(x/√2)) in float64, Python's math.erf (what torch's exact GELU computes).
    private static final double[] GELU = {-0.0, -5.919525869479969e-09, -1.5289529061324192e-05,
        -0.00404969409489031, -0.04550026389635842, -0.15865525393145707, -0.15426876936299344,
        -0.000499601057786089, 0.0, 0.000500398942213911, 0.14967658142073093, 0.34573123063700656,
        0.8413447460685429, 1.399789198096713, 1.9544997361036416, 2.99595030590511, 4.4999847104709385,
        5.999999994080474, 9.0};

    @Test
    void geluMatchesPythonErfToFloatPrecision() {
        INDArray x = Nd4j.createFromArray(X).castTo(DataType.FLOAT);
        assertTrue(CpuKernels.applies(x));
        INDArray out = x.ulike();
        CpuKernels.gelu(x, out);
        for (int i = 0; i < X.length; i++) {
            assertEquals(GELU[i], out.getDouble(i), 2e-7 * Math.max(1, Math.abs(X[i])), "gelu(" + X[i] + ")");
        }
    }

    @Test
    void geluAcrossBlocksAndThreadsEqualsTheActivation() {
        // Larger than a block and than the parallel threshold, written into a row view (offset > 0).
        INDArray x = Nd4j.randn(DataType.FLOAT, 300, 1000).muli(3);
        INDArray target = Nd4j.zeros(DataType.FLOAT, 301, 1000);
        INDArray view = target.get(NDArrayIndex.interval(1, 301), NDArrayIndex.all());
        assertTrue(CpuKernels.applies(view));
        CpuKernels.gelu(x, view);
        INDArray viaErf = Activation.GELU.apply(x.castTo(DataType.DOUBLE)); // float64: ND4J's erf path
        assertEquals(0.0, viaErf.sub(view.castTo(DataType.DOUBLE)).amaxNumber().doubleValue(), 3e-6);
        assertEquals(0.0, target.getRow(0).amaxNumber().doubleValue(), "row before the view untouched");
    }

    @Test
    void layerNormMatchesTheDefinition() {
        INDArray x = Nd4j.randn(DataType.FLOAT, 200, 768).muli(4).addi(2);
        INDArray w = Nd4j.randn(DataType.FLOAT, 768);
        INDArray b = Nd4j.randn(DataType.FLOAT, 768);
        INDArray out = x.ulike();
        CpuKernels.layerNorm(x, w, b, 1e-12, out);
        double[][] xs = x.castTo(DataType.DOUBLE).toDoubleMatrix();
        double maxErr = 0;
        for (int r = 0; r < xs.length; r++) {
            double mean = 0;
            for (double v : xs[r]) {
                mean += v;
            }
            mean /= xs[r].length;
            double var = 0;
            for (double v : xs[r]) {
                var += (v - mean) * (v - mean);
            }
            var /= xs[r].length;
            for (int i = 0; i < xs[r].length; i++) {
                double want = (xs[r][i] - mean) / Math.sqrt(var + 1e-12) * w.getDouble(i) + b.getDouble(i);
                maxErr = Math.max(maxErr, Math.abs(want - out.getDouble(r, i)) / Math.max(1, Math.abs(want)));
            }
        }
        assertEquals(0.0, maxErr, 1e-6);
    }

    @Test
    void biasGeluEqualsGeluOfTheSumInFloat64() {
        INDArray x = Nd4j.randn(DataType.FLOAT, 37, 3072).muli(2); // rows not a multiple of a block
        INDArray b = Nd4j.randn(DataType.FLOAT, 3072);
        INDArray out = x.ulike();
        CpuKernels.biasGelu(x, b, out);
        INDArray want = Activation.GELU.apply(x.castTo(DataType.DOUBLE).addRowVector(b.castTo(DataType.DOUBLE)));
        assertEquals(0.0, want.sub(out.castTo(DataType.DOUBLE)).amaxNumber().doubleValue(), 3e-6);
    }

    @Test
    void addLayerNormNormalisesTheSumOfInputBiasAndResidual() {
        INDArray y = Nd4j.randn(DataType.FLOAT, 50, 768);
        INDArray add = Nd4j.randn(DataType.FLOAT, 768);
        INDArray residual = Nd4j.randn(DataType.FLOAT, 50, 768).muli(3);
        INDArray w = Nd4j.randn(DataType.FLOAT, 768);
        INDArray b = Nd4j.randn(DataType.FLOAT, 768);
        INDArray sum = y.castTo(DataType.DOUBLE).addRowVector(add.castTo(DataType.DOUBLE)).addi(residual.castTo(DataType.DOUBLE));
        INDArray mean = sum.mean(true, 1);
        INDArray centred = sum.subColumnVector(mean);
        INDArray var = centred.mul(centred).mean(true, 1);
        INDArray want = centred.divColumnVector(org.nd4j.linalg.ops.transforms.Transforms.sqrt(var.addi(1e-12)))
                .mulRowVector(w.castTo(DataType.DOUBLE)).addRowVector(b.castTo(DataType.DOUBLE));
        CpuKernels.addLayerNorm(y, add, residual, w, b, 1e-12, y);
        double maxRel = want.sub(y.castTo(DataType.DOUBLE)).amaxNumber().doubleValue() / want.amaxNumber().doubleValue();
        assertEquals(0.0, maxRel, 1e-6);
        assertThrows(IllegalArgumentException.class, () -> CpuKernels.addLayerNorm(y, add, residual.getRow(0).reshape(1, 768),
                w, b, 1e-12, y));
    }

    @Test
    void notForDoubleOrNonContiguousArrays() {
        assertFalse(CpuKernels.applies(Nd4j.zeros(DataType.DOUBLE, 4, 4)));
        assertFalse(CpuKernels.applies(Nd4j.zeros(DataType.FLOAT, 4, 6).transpose()));
        assertFalse(CpuKernels.applies(Nd4j.zeros(DataType.FLOAT, 4, 6).get(NDArrayIndex.all(), NDArrayIndex.interval(0, 3))));
    }
}
