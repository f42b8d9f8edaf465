package org.bertj.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.bertj.loss.PreTrainingLoss;
import org.bertj.weights.SafetensorsFile;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The checkpoint-format cases of ../shared/golden/formats (a zip and a legacy pytorch_model.bin,
 * .bin and safetensors shards, F16 and BF16 safetensors), loaded strictly by
 * {@link WeightLoader#loadDirectory}, give every output and loss Hugging Face gave, in float32 and
 * float64.
 */
class GoldenFormatsTest {

    static final String[] CASES = {"pytorch_bin", "pytorch_bin_legacy", "sharded_bin", "sharded_safetensors",
            "fp16_safetensors", "bf16_safetensors"};

    static Stream<Arguments> cases() {
        return Stream.of(CASES).flatMap(c -> Stream.of(Arguments.of(c, DataType.FLOAT),
                Arguments.of(c, DataType.DOUBLE)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void everyOutputMatchesHuggingFace(String name, DataType type) throws Exception {
        Golden g = new Golden("formats/" + name);
        WeightLoader.Loaded loaded = WeightLoader.loadDirectory(g.dir, type, WeightLoader.Mode.STRICT);
        assertEquals(loaded.model().parameters().names().size(), loaded.report().loaded().size());
        assertTrue(loaded.report().missing().isEmpty() && loaded.report().unexpected().isEmpty()
                && loaded.report().mismatched().isEmpty(), loaded.report().describe());
        if (name.contains("bin")) {
            // torch.save keeps the tied decoder under its own name; it must be found equal, not loaded twice.
            assertTrue(loaded.report().notes().stream().anyMatch(n -> n.startsWith(
                    "cls.predictions.decoder.weight equals bert.embeddings.word_embeddings.weight")),
                    loaded.report().notes().toString());
        }
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
            // prediction/seq logits, pooled, last hidden state, L+1 hidden states, L attentions, 3 losses
            assertEquals(4 + (layers + 1) + layers + 3, compared.size(), "outputs compared: " + compared);
        }
    }
}
