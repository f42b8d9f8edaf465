package org.bertj.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class AdamWTest {

    static final String W = "bert.encoder.layer.0.attention.self.query.weight";
    static final String LN = "bert.embeddings.LayerNorm.weight";
    static final String B = "cls.predictions.bias";
    static final String[] NAMES = {W, LN, B};
    static final long[][] SHAPES = {{2, 3}, {3}, {4}};

    /** Deterministic, sign-varying values so that moments are not trivially aligned. */
    static double initial(int param, int i) {
        return Math.sin(1.3 * i + param) * 0.8 + 0.1 * param;
    }

    static double grad(int step, int param, int i) {
        return Math.cos(0.7 * i * (step + 1) + 0.3 * param) * (1.0 + 0.5 * step) - 0.2;
    }

    static Map<String, INDArray> params(DataType type) {
        Map<String, INDArray> p = new LinkedHashMap<>();
        for (int k = 0; k < NAMES.length; k++) {
            INDArray a = Nd4j.create(type, SHAPES[k]);
            for (int i = 0; i < a.length(); i++) {
                a.putScalar(i, initial(k, i));
            }
            p.put(NAMES[k], a);
        }
        return p;
    }

    static Map<String, INDArray> grads(DataType type, int step) {
        Map<String, INDArray> g = new LinkedHashMap<>();
        for (int k = 0; k < NAMES.length; k++) {
            INDArray a = Nd4j.create(type, SHAPES[k]);
            for (int i = 0; i < a.length(); i++) {
                a.putScalar(i, grad(step, k, i));
            }
            g.put(NAMES[k], a);
        }
        return g;
    }

    /** The update written out element by element in doubles, independently of the class. */
    static double[][] reference(int steps, double[] lrs, double wd, double eps, boolean biasCorrection) {
        double b1 = 0.9, b2 = 0.999;
        double[][] p = new double[NAMES.length][];
        double[][] m = new double[NAMES.length][];
        double[][] v = new double[NAMES.length][];
        for (int k = 0; k < NAMES.length; k++) {
            int n = (int) java.util.Arrays.stream(SHAPES[k]).reduce(1, (a, b) -> a * b);
            p[k] = new double[n];
            m[k] = new double[n];
            v[k] = new double[n];
            for (int i = 0; i < n; i++) {
                p[k][i] = initial(k, i);
            }
        }
        for (int t = 1; t <= steps; t++) {
            double lr = lrs[t - 1];
            for (int k = 0; k < NAMES.length; k++) {
                boolean decay = k == 0; // only the query weight: LayerNorm and bias are excluded
                for (int i = 0; i < p[k].length; i++) {
                    double g = grad(t - 1, k, i);
                    if (decay) {
                        p[k][i] -= lr * wd * p[k][i];
                    }
                    m[k][i] = b1 * m[k][i] + (1 - b1) * g;
                    v[k][i] = b2 * v[k][i] + (1 - b2) * g * g;
                    double mHat = biasCorrection ? m[k][i] / (1 - Math.pow(b1, t)) : m[k][i];
                    double vHat = biasCorrection ? v[k][i] / (1 - Math.pow(b2, t)) : v[k][i];
                    p[k][i] -= lr * mHat / (Math.sqrt(vHat) + eps);
                }
            }
        }
        return p;
    }

    static void assertMatches(double[][] expected, Map<String, INDArray> actual, double tol) {
        for (int k = 0; k < NAMES.length; k++) {
            INDArray a = actual.get(NAMES[k]);
            for (int i = 0; i < expected[k].length; i++) {
                assertEquals(expected[k][i], a.getDouble(i), tol * Math.max(1, Math.abs(expected[k][i])),
                        NAMES[k] + "[" + i + "]");
            }
        }
    }

    @Test
    void matchesTorchAdamWOverSeveralStepsWithChangingLearningRate() {
        double[] lrs = {0.05, 0.1, 0.08, 0.02, 0.1};
        double wd = 0.3; // large, so that a wrong exclusion list shows
        AdamW adam = AdamW.builder().learningRate(lrs[0]).weightDecay(wd).build();
        Map<String, INDArray> p = params(DataType.DOUBLE);
        for (int t = 0; t < lrs.length; t++) {
            adam.setLearningRate(lrs[t]);
            Map<String, INDArray> g = grads(DataType.DOUBLE, t);
            adam.step(p, g);
            assertEquals(grads(DataType.DOUBLE, t), g, "step must not modify the gradients");
        }
        assertEquals(5, adam.stepCount());
        assertMatches(reference(lrs.length, lrs, wd, 1e-6, true), p, 1e-12);
    }

    @Test
    void float32ParametersAgreeToFloatPrecision() {
        double[] lrs = {1e-3, 1e-3, 1e-3};
        AdamW adam = AdamW.builder().learningRate(1e-3).build();
        Map<String, INDArray> p = params(DataType.FLOAT);
        for (int t = 0; t < lrs.length; t++) {
            adam.step(p, grads(DataType.FLOAT, t));
        }
        assertEquals(DataType.FLOAT, p.get(W).dataType());
        assertMatches(reference(lrs.length, lrs, 0.01, 1e-6, true), p, 2e-6);
    }

    @Test
    void googleVariantHasNoBiasCorrection() {
        double[] lrs = {0.01, 0.01, 0.01};
        AdamW adam = AdamW.builder().learningRate(0.01).weightDecay(0.1).biasCorrection(false).build();
        Map<String, INDArray> p = params(DataType.DOUBLE);
        for (int t = 0; t < lrs.length; t++) {
            adam.step(p, grads(DataType.DOUBLE, t));
        }
        assertMatches(reference(lrs.length, lrs, 0.1, 1e-6, false), p, 1e-12);
    }

    @Test
    void bertNoDecayListCoversLayerNormAndBiases() {
        AdamW adam = AdamW.builder().build();
        assertTrue(adam.decays("bert.encoder.layer.3.output.dense.weight"));
        assertTrue(adam.decays("bert.embeddings.word_embeddings.weight"));
        assertTrue(adam.decays("cls.seq_relationship.weight"));
        assertFalse(adam.decays("bert.encoder.layer.3.output.LayerNorm.weight"));
        assertFalse(adam.decays("bert.encoder.layer.3.output.LayerNorm.bias"));
        assertFalse(adam.decays("bert.encoder.layer.3.output.dense.bias"));
        assertFalse(adam.decays("cls.predictions.bias"));
        assertFalse(adam.decays("bert.embeddings.LayerNorm.weight"));
    }

    @Test
    void stateRestoresIntoAFreshOptimizerAndContinuesIdentically() {
        double[] lrs = {0.05, 0.05, 0.05, 0.05};
        AdamW first = AdamW.builder().learningRate(0.05).build();
        Map<String, INDArray> p = params(DataType.DOUBLE);
        first.step(p, grads(DataType.DOUBLE, 0));
        first.step(p, grads(DataType.DOUBLE, 1));
        Map<String, INDArray> saved = new LinkedHashMap<>();
        first.state().forEach((k, v) -> saved.put(k, v.dup()));
        assertTrue(saved.containsKey("exp_avg." + W) && saved.containsKey("exp_avg_sq." + B));
        assertEquals(2 * NAMES.length, saved.size());

        AdamW second = AdamW.builder().learningRate(0.05).build();
        second.restore(saved, first.stepCount(), p);
        second.step(p, grads(DataType.DOUBLE, 2));
        second.step(p, grads(DataType.DOUBLE, 3));
        assertMatches(reference(4, lrs, 0.01, 1e-6, true), p, 1e-12);
    }

    @Test
    void rejectsMissingOrMisshapenGradientsNamingTheTensor() {
        AdamW adam = AdamW.builder().build();
        Map<String, INDArray> p = params(DataType.FLOAT);
        Map<String, INDArray> g = grads(DataType.FLOAT, 0);
        g.remove(LN);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> adam.step(p, g));
        assertTrue(e.getMessage().contains(LN), e.getMessage());
        g.put(LN, Nd4j.zeros(DataType.FLOAT, 4));
        e = assertThrows(IllegalArgumentException.class, () -> adam.step(p, g));
        assertTrue(e.getMessage().contains(LN) && e.getMessage().contains("[4]"), e.getMessage());
        assertEquals(0, adam.stepCount());
    }

    @Test
    void restoreRejectsStateForUnknownParameter() {
        AdamW adam = AdamW.builder().build();
        Map<String, INDArray> p = params(DataType.FLOAT);
        Map<String, INDArray> s = Map.of("exp_avg.nope.weight", Nd4j.zeros(DataType.FLOAT, 2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> adam.restore(s, 1, p));
        assertTrue(e.getMessage().contains("nope.weight"), e.getMessage());
    }
}
