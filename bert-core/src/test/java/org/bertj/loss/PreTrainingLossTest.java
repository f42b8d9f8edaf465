package org.bertj.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import org.bertj.testing.Shared;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class PreTrainingLossTest {

    /** The NSP loss from the logits HF produced, as cases.json lists them. */
    @ParameterizedTest
    @ValueSource(strings = {"tiny_h32_l2_v99", "padded_h64_l3_b3", "realvocab_h48_l2"})
    void nspLossMatchesHuggingFace(String name) throws Exception {
        JsonObject c = JsonParser.parseString(Files.readString(Shared.golden(name).resolve("cases.json")))
                .getAsJsonObject();
        JsonArray rows = c.getAsJsonArray("seq_relationship_logits");
        float[][] logits = new float[rows.size()][2];
        for (int i = 0; i < rows.size(); i++) {
            logits[i][0] = rows.get(i).getAsJsonArray().get(0).getAsFloat();
            logits[i][1] = rows.get(i).getAsJsonArray().get(1).getAsFloat();
        }
        JsonArray lab = c.getAsJsonObject("inputs").getAsJsonArray("next_sentence_label");
        long[] labels = new long[lab.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = lab.get(i).getAsLong();
        }
        PreTrainingLoss.Result r = PreTrainingLoss.compute(Nd4j.zeros(DataType.FLOAT, rows.size(), 1, 5), null,
                Nd4j.createFromArray(logits), Nd4j.createFromArray(labels), false);
        double want = c.getAsJsonObject("losses").get("nsp_loss").getAsDouble();
        assertEquals(want, r.nspLoss(), 1e-6);
        assertEquals(want, r.total(), 1e-6);
        assertTrue(Double.isNaN(r.mlmLoss()));
    }

    @Test
    void mlmMeanSkipsIgnoredPositions() {
        INDArray logits = Nd4j.createFromArray(new double[][][] {{{2, 0, 0}, {0, 5, 0}, {1, 1, 1}}});
        INDArray labels = Nd4j.createFromArray(new long[][] {{0, -100, 2}});
        PreTrainingLoss.Result r = PreTrainingLoss.compute(logits, labels, Nd4j.zeros(DataType.DOUBLE, 1, 2),
                null, false);
        double ce0 = Math.log(Math.exp(2) + 2) - 2;
        double ce2 = Math.log(3);
        assertEquals((ce0 + ce2) / 2, r.mlmLoss(), 1e-12);
        assertEquals(2, r.mlmCount());
        assertEquals(1, r.mlmCorrect());
        assertNull(r.dPredictionLogits());
    }

    @Test
    void largeLogitsStayFinite() {
        INDArray logits = Nd4j.createFromArray(new float[][][] {{{1000f, -1000f, 0f}}});
        PreTrainingLoss.Result r = PreTrainingLoss.compute(logits, Nd4j.createFromArray(new long[][] {{1}}),
                Nd4j.zeros(DataType.FLOAT, 1, 2), null, true);
        assertEquals(2000.0, r.mlmLoss(), 1e-3);
        assertTrue(Double.isFinite(r.dPredictionLogits().sumNumber().doubleValue()));
    }

    @Test
    void gradientMatchesCentralDifferences() {
        INDArray logits = Nd4j.rand(DataType.DOUBLE, 2, 3, 4).subi(0.5).muli(4);
        INDArray labels = Nd4j.createFromArray(new long[][] {{1, -100, 3}, {0, 2, -100}});
        INDArray nsp = Nd4j.rand(DataType.DOUBLE, 2, 2);
        INDArray nspLabels = Nd4j.createFromArray(1L, 0L);
        PreTrainingLoss.Result r = PreTrainingLoss.compute(logits, labels, nsp, nspLabels, true);
        double h = 1e-6;
        for (INDArray[] pair : new INDArray[][] {{logits, r.dPredictionLogits()}, {nsp, r.dSeqRelationship()}}) {
            INDArray x = pair[0];
            INDArray flat = x.reshape(-1);
            INDArray g = pair[1].reshape(-1);
            for (int i = 0; i < flat.length(); i++) {
                double v = flat.getDouble(i);
                flat.putScalar(i, v + h);
                double up = PreTrainingLoss.compute(logits, labels, nsp, nspLabels, false).total();
                flat.putScalar(i, v - h);
                double down = PreTrainingLoss.compute(logits, labels, nsp, nspLabels, false).total();
                flat.putScalar(i, v);
                assertEquals((up - down) / (2 * h), g.getDouble(i), 1e-8, "entry " + i);
            }
        }
    }

    @Test
    void labelOutsideVocabularyIsNamed() {
        INDArray logits = Nd4j.zeros(DataType.FLOAT, 1, 2, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PreTrainingLoss.compute(
                logits, Nd4j.createFromArray(new long[][] {{1, 4}}), Nd4j.zeros(DataType.FLOAT, 1, 2), null, false));
        assertTrue(e.getMessage().contains("labels[0][1]") && e.getMessage().contains("4")
                && e.getMessage().contains("[0, 4)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PreTrainingLoss.compute(logits, null,
                Nd4j.zeros(DataType.FLOAT, 1, 2), Nd4j.createFromArray(2L), false));
        assertTrue(e.getMessage().contains("next_sentence_label[0]") && e.getMessage().contains("2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PreTrainingLoss.compute(logits,
                Nd4j.createFromArray(new long[][] {{1, 2, 3}}), Nd4j.zeros(DataType.FLOAT, 1, 2), null, false));
        assertTrue(e.getMessage().contains("labels has shape [1, 3]"), e.getMessage());
    }
}
