package org.bertj.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.bertj.loss.PreTrainingLoss;
import org.bertj.weights.SafetensorsFile;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import java.util.stream.Stream;

/** Every stored output and loss of every golden case, computed by our model, equals Hugging Face's. */
class GoldenForwardTest {

    static Stream<Arguments> cases() {
        return Stream.of(Golden.CASES).flatMap(c -> Stream.of(Arguments.of(c, DataType.FLOAT),
                Arguments.of(c, DataType.DOUBLE)));
    }

    static Stream<String> names() {
        return Stream.of(Golden.CASES);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void everyOutputMatchesHuggingFace(String name, DataType type) throws Exception {
        check(name, type);
    }

    /**
     * The same in float32 with oneDNN 2.5's direct products and softmax switched off: the ND4J
     * ops that machines without the preset's natives run ({@link DnnlProducts#AVAILABLE} false).
     */
    @ParameterizedTest(name = "{0} without DnnlProducts")
    @MethodSource("names")
    void everyOutputMatchesHuggingFaceThroughNd4jOps(String name) throws Exception {
        boolean before = DnnlProducts.enabled;
        DnnlProducts.enabled = false;
        try {
            check(name, DataType.FLOAT);
        } finally {
            DnnlProducts.enabled = before;
        }
    }

    private static void check(String name, DataType type) throws Exception {
        Golden g = new Golden(name);
        WeightLoader.Loaded loaded = WeightLoader.loadDirectory(g.dir, type, WeightLoader.Mode.STRICT);
        assertTrue(loaded.report().isClean(), loaded.report().describe());
        assertEquals(loaded.model().parameters().names().size(), loaded.report().loaded().size());
        try (SafetensorsFile e = g.expected()) {
            BertForPreTrainingOutput out = loaded.model().forward(Golden.inputs(e), OutputOptions.ALL);
            Map<String, INDArray> ours = out.named();
            PreTrainingLoss.Result loss = PreTrainingLoss.compute(out.predictionLogits(), e.load("labels"),
                    out.seqRelationshipLogits(), e.load("next_sentence_label"), false);
            ours.put("loss", Nd4j.scalar(loss.total()));
            ours.put("mlm_loss", Nd4j.scalar(loss.mlmLoss()));
            ours.put("nsp_loss", Nd4j.scalar(loss.nspLoss()));
            Set<String> compared = new HashSet<>();
            for (String n : e.names()) {
                if (Golden.INPUTS.contains(n)) {
                    continue;
                }
                assertTrue(ours.containsKey(n), "we produce no output named " + n);
                Golden.assertClose(name + " " + type + " " + n, e.load(n), ours.get(n), g.hint(n));
                compared.add(n);
            }
            int layers = loaded.model().config().numHiddenLayers();
            // prediction/seq logits, pooled, L+1 hidden states, L attentions, 3 losses
            assertEquals(3 + (layers + 1) + layers + 3, compared.size(), "outputs compared: " + compared);
        }
    }
}
