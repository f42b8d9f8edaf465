package org.bertj.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.bertj.model.BertForPreTraining;
import org.bertj.model.BertInputs;
import org.bertj.weights.SafetensorsFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Integrated gradients with the steps stacked along the batch axis ({@code stepsPerBatch > 1})
 * against one pass per step, on inputs that carry every optional tensor BertInputs knows: the
 * stacked pass must see the same position ids, head mask and mask as the unstacked one. Float64,
 * so anything beyond summation order is a bug.
 */
class IntegratedGradientsBatchingTest {

    static BertForPreTraining model;
    static INDArray ids;
    static INDArray types;
    static INDArray mask;

    @BeforeAll
    static void load() throws Exception {
        model = InternalsGolden.model("tiny_h32_l2_v99", DataType.DOUBLE);
        try (SafetensorsFile f = SafetensorsFile.open(InternalsGolden.dir("tiny_h32_l2_v99")
                .resolve("activations.safetensors"))) {
            ids = f.load("input_ids");
            types = f.load("token_type_ids");
            mask = f.load("attention_mask");
        }
    }

    static final INDArray POSITIONS = Nd4j.createFromArray(new long[][] {{5, 6, 7, 8, 9, 10, 11, 12},
        {7, 6, 5, 4, 3, 2, 1, 0}});
    static final INDArray HEAD_MASK_LH = Nd4j.createFromArray(new double[][] {{1, 0, 1, 0.5}, {0, 1, 1, 1}});
    static final INDArray HEAD_MASK_H = Nd4j.createFromArray(new double[] {0.5, 1, 0, 1});

    /** Query × key mask: row 0 causal, row 1 its padding mask for every query. */
    static INDArray perQueryMask() {
        long[][][] m = new long[2][8][8];
        for (int q = 0; q < 8; q++) {
            for (int k = 0; k < 8; k++) {
                m[0][q][k] = k <= q ? 1 : 0;
                m[1][q][k] = k < 6 ? 1 : 0;
            }
        }
        return Nd4j.createFromArray(m);
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("head mask [layers, heads]", BertInputs.of(ids, types, mask, null, HEAD_MASK_LH)),
                Arguments.of("head mask [heads]", BertInputs.of(ids, types, mask, null, HEAD_MASK_H)),
                Arguments.of("position ids", BertInputs.of(ids, types, mask, POSITIONS, null)),
                Arguments.of("per-query mask [B, S, S]", BertInputs.of(ids, types, perQueryMask(), null, null)),
                Arguments.of("everything at once", BertInputs.of(ids, types, perQueryMask(), POSITIONS, HEAD_MASK_LH)),
                Arguments.of("inputs_embeds with position ids and head mask", BertInputs.ofEmbeds(
                        Attribution.inputsEmbeds(model, BertInputs.of(ids)).mul(0.7), types, mask, POSITIONS,
                        HEAD_MASK_LH)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void stackedStepsGiveTheSameAttributions(String what, BertInputs in) {
        INDArray labels = Nd4j.createFromArray(new long[][] {{-100, 5, -100, 42, -100, -100, -100, -100},
            {7, -100, -100, -100, 3, -100, -100, -100}});
        Scalar s = Scalar.loss(labels, Nd4j.createFromArray(new long[] {0, 1})); // both rows and the NSP head
        INDArray one = Attribution.integratedGradients(model, in, s, null, 8, 1).attributions();
        double scale = one.amaxNumber().doubleValue();
        for (int perBatch : new int[] {4, 3, 8}) { // 3: the last pass has fewer copies
            INDArray stacked = Attribution.integratedGradients(model, in, s, null, 8, perBatch).attributions();
            double diff = Transforms.abs(one.sub(stacked), false).maxNumber().doubleValue();
            System.out.printf("%s, %d steps per pass: max |diff| %.3g (max |IG| %.3g)%n", what, perBatch, diff,
                    scale);
            assertTrue(diff <= 1e-12 * scale, what + ", " + perBatch + " steps per pass: max |diff| " + diff
                    + " against max |IG| " + scale);
        }
        // the optional tensors matter here, so a stacked pass that dropped them could not pass
        INDArray plain = Attribution.integratedGradients(model, BertInputs.of(ids, types, mask, null, null), s,
                null, 8, 1).attributions();
        double effect = Transforms.abs(one.sub(plain), false).maxNumber().doubleValue();
        assertTrue(effect > 1e-3 * scale, what + " changes IG by only " + effect);
        assertEquals(8, Attribution.integratedGradients(model, in, s, null, 8, 4).steps());
    }
}
