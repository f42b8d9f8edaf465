package org.bertj.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Dropout behaviour and finite-difference gradient checks on small randomly initialised models. */
class DropoutAndGradientTest {

    private static BertConfig config(Activation act, double dropout) {
        return BertConfig.builder().vocabSize(23).hiddenSize(12).numHiddenLayers(2).numAttentionHeads(3)
                .intermediateSize(17).maxPositionEmbeddings(10).typeVocabSize(3).hiddenAct(act)
                .hiddenDropoutProb(dropout).attentionProbsDropoutProb(dropout).initializerRange(0.3).build();
    }

    private static BertForPreTraining model(BertConfig c, DataType type) {
        BertForPreTraining m = new BertForPreTraining(c, type);
        ParameterInit.initializeAll(m.parameters(), c, 42);
        // Move LayerNorm weights and biases off (1, 0) so their gradients are exercised in general position.
        java.util.Random rnd = new java.util.Random(17);
        for (String n : m.parameters().names()) {
            if (n.contains("LayerNorm") || n.endsWith("bias")) {
                INDArray p = m.parameters().get(n);
                double[] noise = new double[(int) p.length()];
                for (int i = 0; i < noise.length; i++) {
                    noise[i] = (rnd.nextDouble() - 0.5) * 0.4;
                }
                p.addi(Nd4j.createFromArray(noise).castTo(type).reshape(p.shape()));
            }
        }
        return m;
    }

    private static final BertInputs INPUTS = BertInputs.of(
            new int[][] {{2, 7, 7, 11, 3, 19, 0}, {2, 5, 9, 3, 0, 0, 0}},
            new int[][] {{0, 0, 0, 1, 1, 2, 1}, {0, 0, 1, 1, 0, 0, 0}},
            new int[][] {{1, 1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 0, 0, 0}});
    private static final INDArray LABELS = Nd4j.createFromArray(new long[][] {
        {-100, 4, -100, 11, -100, 22, -100}, {-100, -100, 9, -100, 1, -100, -100}});
    private static final INDArray NSP = Nd4j.createFromArray(1L, 0L);

    @Test
    void evalModeIsDeterministicAndDropoutFree() {
        BertForPreTraining m = model(config(Activation.GELU, 0.3), DataType.FLOAT);
        INDArray a = m.forward(INPUTS, OutputOptions.NONE).predictionLogits();
        INDArray b = m.forward(INPUTS, OutputOptions.NONE, Pass.deterministicTraining()).predictionLogits();
        assertEquals(a, b);
    }

    @Test
    void trainingModeIsReproducibleForASeedAndDiffersAcrossSeeds() {
        BertForPreTraining m = model(config(Activation.GELU, 0.3), DataType.FLOAT);
        INDArray eval = m.forward(INPUTS, OutputOptions.NONE).predictionLogits();
        INDArray a = m.forward(INPUTS, OutputOptions.NONE, Pass.training(5)).predictionLogits();
        INDArray b = m.forward(INPUTS, OutputOptions.NONE, Pass.training(5)).predictionLogits();
        INDArray c = m.forward(INPUTS, OutputOptions.NONE, Pass.training(6)).predictionLogits();
        assertEquals(a, b);
        assertNotEquals(a, c);
        assertNotEquals(eval, a);
    }

    @Test
    void dropoutKeepsAboutOneMinusPAndScales() {
        Dropout d = new Dropout(0.25);
        INDArray x = Nd4j.ones(DataType.FLOAT, 200, 100);
        INDArray y = d.forward(x.dup(), Pass.training(1));
        double kept = y.gt(0).castTo(DataType.FLOAT).meanNumber().doubleValue();
        assertEquals(0.75, kept, 0.02);
        assertEquals(1 / 0.75, y.maxNumber().doubleValue(), 1e-6);
        assertEquals(x, d.forward(x.dup(), Pass.inference()));
    }

    @Test
    void gradientsMatchFiniteDifferencesWithDropoutAndPaddingTanhGelu() {
        BertForPreTraining m = model(config(Activation.GELU_NEW, 0.2), DataType.DOUBLE);
        GradientCheck.check(m, INPUTS, LABELS, NSP, () -> Pass.training(99), 3, 1e-5, 1e-10, 3);
    }

    @Test
    void gradientsMatchFiniteDifferencesWithHeadMaskRelu() {
        BertForPreTraining m = model(config(Activation.RELU, 0.1), DataType.DOUBLE);
        BertInputs in = BertInputs.of(Nd4j.createFromArray(new int[][] {{2, 7, 7, 11, 3}, {2, 5, 9, 3, 1}}), null,
                Nd4j.createFromArray(new int[][] {{1, 1, 1, 1, 1}, {1, 1, 1, 0, 0}}), null,
                Nd4j.createFromArray(new double[][] {{1, 0.5, 0}, {0.2, 1, 1}}));
        INDArray labels = Nd4j.createFromArray(new long[][] {{1, -100, 4, -100, 2}, {-100, 3, -100, -100, 8}});
        double worst = GradientCheck.check(m, in, labels, NSP, Pass::deterministicTraining, 3, 1e-5, 1e-10, 4);
        assertTrue(worst >= 0);
    }

    @Test
    void gradientsAccumulateAcrossStepsUntilZeroed() {
        BertForPreTraining m = model(config(Activation.GELU, 0.1), DataType.DOUBLE);
        Gradients once = new Gradients(m.parameters());
        TrainingStepResult r = m.trainingStep(INPUTS, LABELS, NSP, once, 8);
        Gradients twice = new Gradients(m.parameters());
        m.trainingStep(INPUTS, LABELS, NSP, twice, 8);
        m.trainingStep(INPUTS, LABELS, NSP, twice, 8);
        for (String n : once.names()) {
            INDArray want = once.get(n).mul(2);
            assertTrue(want.equalsWithEps(twice.get(n), 1e-12), n);
        }
        // The fused QKV gradient buffer and its HF-named views are the same memory.
        assertEquals(twice.get("bert.encoder.layer.1.attention.self.key.weight").getDouble(3, 4),
                twice.store().fused("bert.encoder.layer.1.attention.self.qkv.weight").getDouble(12 + 3, 4));
        twice.zero();
        for (String n : twice.names()) {
            assertEquals(0.0, twice.get(n).amaxNumber().doubleValue(), n);
        }
        assertEquals(5, r.mlmCount());
        assertEquals(2, r.nspCount());
        assertEquals(r.mlmLoss() + r.nspLoss(), r.loss(), 1e-12);
    }
}
