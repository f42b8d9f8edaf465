package org.bertj.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.stream.Stream;
import org.bertj.weights.SafetensorsFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Attention masks as Hugging Face takes them: a row with no attended key, a 3-D {@code [B, S, S]}
 * mask and a float mask ({@code formats/masks/}).
 */
class GoldenMasksTest {

    static Stream<Arguments> cases() {
        return Stream.of("all_zero_row", "mask_3d", "float_mask").flatMap(c ->
                Stream.of(Arguments.of(c, DataType.FLOAT), Arguments.of(c, DataType.DOUBLE)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void everyOutputMatchesHuggingFace(String name, DataType type) throws Exception {
        Golden g = new Golden("formats/masks/" + name);
        WeightLoader.Loaded loaded = WeightLoader.loadDirectory(g.dir, type, WeightLoader.Mode.STRICT);
        Set<String> compared = g.compareEveryOutput(loaded.model(), type);
        assertEquals(12, compared.size(), "outputs compared: " + compared);
    }

    @Test
    void aFullyMaskedRowAttendsUniformlyAndStaysFinite() throws Exception {
        Golden g = new Golden("formats/masks/all_zero_row");
        BertForPreTraining model = g.model();
        try (SafetensorsFile e = g.expected()) {
            BertForPreTrainingOutput out = model.forward(Golden.inputs(e), OutputOptions.ALL);
            long s = out.lastHiddenState().size(1);
            for (INDArray a : out.attentions()) {
                INDArray row1 = a.get(NDArrayIndex.point(1));
                // HF: every score of the row is exactly finfo.min, so the softmax is exactly 1/S
                assertEquals(0.0, row1.sub(1.0 / s).amaxNumber().doubleValue(), 0.0, "row 1 attention");
            }
            for (INDArray t : out.named().values()) {
                assertEquals(0, t.isInfinite().castTo(DataType.INT).sumNumber().intValue()
                        + t.isNaN().castTo(DataType.INT).sumNumber().intValue(), "non-finite outputs");
            }
        }
    }
}
