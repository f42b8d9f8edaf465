package org.bertj.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;
import org.bertj.weights.SafetensorsFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code position_embedding_type} relative_key and relative_key_query against Hugging Face:
 * every output in float and double, every parameter's gradient against PyTorch autograd
 * ({@code relative_key_query/grads.safetensors}) and against central differences in double.
 */
class GoldenRelativePositionsTest {

    static Stream<Arguments> cases() {
        return Stream.of("relative_key", "relative_key_query").flatMap(c ->
                Stream.of(Arguments.of(c, DataType.FLOAT), Arguments.of(c, DataType.DOUBLE)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void everyOutputMatchesHuggingFace(String name, DataType type) throws Exception {
        Golden g = new Golden("formats/" + name);
        WeightLoader.Loaded loaded = WeightLoader.loadDirectory(g.dir, type, WeightLoader.Mode.STRICT);
        assertTrue(loaded.report().isClean(), loaded.report().describe());
        assertTrue(loaded.model().parameters().contains("bert.encoder.layer.1.attention.self.distance_embedding.weight"));
        assertEquals(12, g.compareEveryOutput(loaded.model(), type).size());
    }

    @Test
    void everyParameterGradientMatchesPyTorch() throws Exception {
        Golden g = new Golden("formats/relative_key_query");
        double hint = g.cases.getAsJsonObject("grads").get("max_abs_diff_float32_vs_float64").getAsDouble();
        BertForPreTraining model = g.model();
        Gradients grads = new Gradients(model.parameters());
        try (SafetensorsFile e = g.expected();
             SafetensorsFile want = SafetensorsFile.open(g.dir.resolve("grads.safetensors"))) {
            TrainingStepResult r = model.trainingStep(Golden.inputs(e), e.load("labels"), e.load("next_sentence_label"),
                    grads, Pass.deterministicTraining());
            Golden.assertClose("loss", e.load("loss"), Nd4j.scalar((float) r.loss()), g.hint("loss"));
            Set<String> seen = new HashSet<>();
            for (String n : want.names()) {
                Golden.assertClose("d/d " + n, want.load(n), grads.get(n), hint);
                seen.add(n);
            }
            assertEquals(new HashSet<>(model.parameters().names()), seen);
            assertEquals(0.0, grads.get("bert.embeddings.position_embeddings.weight").amaxNumber().doubleValue(), 0.0,
                    "the unused absolute position table gets no gradient");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"relative_key", "relative_key_query"})
    void finiteDifferencesAgreeInDouble(String name) throws Exception {
        Golden g = new Golden("formats/" + name);
        BertForPreTraining model = WeightLoader.loadDirectory(g.dir, DataType.DOUBLE, WeightLoader.Mode.STRICT).model();
        try (SafetensorsFile e = g.expected()) {
            GradientCheck.check(model, Golden.inputs(e), e.load("labels"), e.load("next_sentence_label"),
                    Pass::deterministicTraining, 1, 1e-5, 1e-10, 31);
        }
    }
}
