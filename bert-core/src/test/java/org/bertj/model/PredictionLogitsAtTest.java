package org.bertj.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bertj.weights.SafetensorsFile;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** MLM logits at chosen positions equal Hugging Face's prediction_logits at those positions. */
class PredictionLogitsAtTest {

    @Test
    void rowsEqualHuggingFaceLogitsAtThosePositions() throws Exception {
        Golden g = new Golden("padded_h64_l3_b3");
        BertForPreTraining model = g.model();
        try (SafetensorsFile e = g.expected()) {
            BertInputs inputs = Golden.inputs(e);
            INDArray want = e.load("prediction_logits"); // [B, S, V]
            int s = inputs.sequenceLength();
            int[] positions = {s + 2, 0, 2 * s + s - 1, 1};
            INDArray got = model.predictionLogitsAt(inputs, positions);
            assertArrayEquals(new long[] {positions.length, want.size(2)}, got.shape());
            for (int i = 0; i < positions.length; i++) {
                INDArray row = want.get(NDArrayIndex.point(positions[i] / s), NDArrayIndex.point(positions[i] % s),
                        NDArrayIndex.all());
                Golden.assertClose("position " + positions[i], row, got.getRow(i), g.hint("prediction_logits"));
            }
        }
    }

    @Test
    void rejectsPositionsOutsideTheBatch() throws Exception {
        Golden g = new Golden("tiny_h32_l2_v99");
        BertForPreTraining model = g.model();
        try (SafetensorsFile e = g.expected()) {
            BertInputs inputs = Golden.inputs(e);
            int tokens = inputs.batchSize() * inputs.sequenceLength();
            IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                    () -> model.predictionLogitsAt(inputs, 0, tokens));
            assertTrue(ex.getMessage().contains("position " + tokens + " (index 1)"), ex.getMessage());
            assertThrows(IllegalArgumentException.class, () -> model.predictionLogitsAt(inputs));
        }
    }
}
