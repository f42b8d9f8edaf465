package org.bertj.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Set;
import java.util.stream.Stream;
import org.bertj.weights.SafetensorsFile;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Every {@code hidden_act} of {@code formats/activations/} (used in BertIntermediate and in
 * cls.predictions.transform), forward against Hugging Face in float and double, backward against
 * central differences in double.
 */
class GoldenActivationsTest {

    private static final String[] ACTS = {"gelu_fast", "quick_gelu", "gelu_10", "mish", "relu6", "sigmoid",
        "linear", "gelu_accurate"};

    static Stream<Arguments> cases() {
        return Stream.of(ACTS).flatMap(a -> Stream.of(Arguments.of(a, DataType.FLOAT), Arguments.of(a, DataType.DOUBLE)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void everyOutputMatchesHuggingFace(String act, DataType type) throws Exception {
        Golden g = new Golden("formats/activations/" + act);
        WeightLoader.Loaded loaded = WeightLoader.loadDirectory(g.dir, type, WeightLoader.Mode.STRICT);
        assertEquals(Activation.fromHfName(act), loaded.model().config().hiddenAct());
        Set<String> compared = g.compareEveryOutput(loaded.model(), type);
        // prediction/seq logits, last hidden, pooled, 3 hidden states, 2 attentions, 3 losses
        assertEquals(12, compared.size(), "outputs compared: " + compared);
    }

    @ParameterizedTest
    @ValueSource(strings = {"gelu_fast", "quick_gelu", "gelu_10", "mish", "relu6", "sigmoid", "linear",
        "gelu_accurate"})
    void backwardAgreesWithFiniteDifferencesInDouble(String act) throws Exception {
        Golden g = new Golden("formats/activations/" + act);
        BertForPreTraining model = WeightLoader.loadDirectory(g.dir, DataType.DOUBLE, WeightLoader.Mode.STRICT).model();
        try (SafetensorsFile e = g.expected()) {
            // The tensors whose gradients pass through the activation's derivative: the two dense
            // layers it follows and one upstream of layer 0's (the rest of the backward is the
            // GELU models' and is checked there). relu6 and gelu_10 have kinks; a sampled entry
            // whose ±h step crossed one would fail honestly, so the seed is fixed.
            GradientCheck.check(model, Golden.inputs(e), e.load("labels"), e.load("next_sentence_label"),
                    Pass::deterministicTraining, 2, 1e-5, 1e-10, 23, n -> n.contains("intermediate.dense")
                            || n.contains("transform.dense") || n.contains("layer.0.attention.output.dense"));
        }
    }
}
