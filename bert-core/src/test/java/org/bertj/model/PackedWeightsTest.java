package org.bertj.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Packed float32 weights ({@link Parameters#packed}): a loaded model that nobody inspects
 * multiplies them and matches Hugging Face's numbers; once a tensor is handed out, a write into it
 * is seen by the next float32 pass with no further call. Where oneDNN does not pack (no oneDNN,
 * another blocking, {@code -Dbertj.dnnl.packed=false}) the same assertions hold on the plain
 * weights, and the first test says which path it saw.
 */
class PackedWeightsTest {

    private static final String GOLDEN = "tiny_h32_l2_v99";

    @AfterEach
    void packingBackOn() {
        DnnlProducts.packing = !"false".equals(System.getProperty("bertj.dnnl.packed"));
    }

    private static INDArray lastHiddenState(BertForPreTraining model, BertInputs inputs) {
        return model.bert().forward(inputs, OutputOptions.NONE).lastHiddenState().dup();
    }

    /** The golden case's inputs and Hugging Face's last hidden state for them. */
    private record Case(BertInputs inputs, INDArray lastHiddenState) {
        static Case load() throws IOException {
            try (org.bertj.weights.SafetensorsFile e = new Golden(GOLDEN).expected()) {
                return new Case(Golden.inputs(e), e.load("hidden_states.2"));
            }
        }
    }

    private static void assertClose(INDArray want, INDArray got, String what) {
        double err = got.castTo(DataType.DOUBLE).sub(want.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
        double scale = want.amaxNumber().doubleValue();
        assertTrue(err <= 1e-5 * scale, what + ": max |diff| " + err + " against max " + scale);
    }

    /** The golden case's last hidden state, from a model loaded and run without being inspected. */
    @Test
    void aLoadedModelNobodyInspectedMatchesHuggingFaceFromPackedCopies() throws IOException {
        Case c = Case.load();
        BertForPreTraining model = new Golden(GOLDEN).model();
        INDArray got = lastHiddenState(model, c.inputs());
        assertClose(c.lastHiddenState(), got, GOLDEN);
        if (DnnlProducts.packingActive()) {
            // every linear layer of the encoder and the pooler's: 2 layers x 4 + 1
            assertEquals(9, model.parameters().packedCount(), "packed copies after one forward");
        } else {
            assertEquals(0, model.parameters().packedCount());
        }
    }

    /** Writes through {@code get} of a plain tensor, of a fused view, and through {@code asMap}. */
    @Test
    void aWeightWrittenAfterAPassIsSeenByTheNextOne() throws IOException {
        check(p -> p.get("bert.encoder.layer.1.intermediate.dense.weight").muli(-1));
        check(p -> p.get("bert.encoder.layer.0.attention.self.value.weight").muli(0.5));
        check(p -> p.asMap().get("bert.encoder.layer.0.output.dense.weight").muli(1.5));
    }

    /**
     * Runs a pass (which makes the packed copies), edits a weight, and checks the next pass
     * against the same edited model run on the plain weights (ND4J's and oneDNN's products of
     * the tensors themselves, which the golden tests check against Hugging Face).
     */
    private static void check(Consumer<Parameters> edit) throws IOException {
        Case c = Case.load();
        BertForPreTraining model = new Golden(GOLDEN).model();
        INDArray before = lastHiddenState(model, c.inputs());
        edit.accept(model.parameters());
        INDArray after = lastHiddenState(model, c.inputs());
        DnnlProducts.packing = false;
        INDArray plain = lastHiddenState(model, c.inputs());
        DnnlProducts.packing = !"false".equals(System.getProperty("bertj.dnnl.packed"));
        assertClose(plain, after, "after the edit");
        double moved = after.sub(before).amaxNumber().doubleValue();
        assertTrue(moved > 1e-3, "the edit changed the output by only " + moved);
    }

    @Test
    void weightsChangedDropsThePackedCopies() throws IOException {
        Case c = Case.load();
        BertForPreTraining model = new Golden(GOLDEN).model();
        lastHiddenState(model, c.inputs());
        model.parameters().weightsChanged();
        assertEquals(0, model.parameters().packedCount());
        assertClose(c.lastHiddenState(), lastHiddenState(model, c.inputs()), "made again");
    }
}
