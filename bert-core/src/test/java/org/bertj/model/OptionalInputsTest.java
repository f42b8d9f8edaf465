package org.bertj.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.LinkedHashMap;
import java.util.Map;
import org.bertj.weights.SafetensorsFile;
import org.bertj.weights.SafetensorsWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** position_ids, head_mask and the stand-alone BertModel, checked against the golden case they must reproduce. */
class OptionalInputsTest {

    @TempDir
    java.nio.file.Path tmp;

    private static BertForPreTraining tiny() throws Exception {
        return WeightLoader.loadDirectory(new Golden("tiny_h32_l2_v99").dir, DataType.FLOAT, WeightLoader.Mode.STRICT)
                .model();
    }

    @Test
    void explicitDefaultPositionsAndAllOnesHeadMaskChangeNothing() throws Exception {
        BertForPreTraining m = tiny();
        try (SafetensorsFile e = new Golden("tiny_h32_l2_v99").expected()) {
            INDArray ids = e.load("input_ids");
            INDArray types = e.load("token_type_ids");
            INDArray mask = e.load("attention_mask");
            INDArray plain = m.forward(BertInputs.of(ids, types, mask, null, null), OutputOptions.NONE).predictionLogits();
            INDArray positions = Nd4j.arange(7).castTo(DataType.LONG).reshape(1, 7).repeat(0, 2);
            INDArray explicit = m.forward(BertInputs.of(ids, types, mask, positions, Nd4j.ones(DataType.FLOAT, 2, 4)),
                    OutputOptions.NONE).predictionLogits();
            assertEquals(plain, explicit);
            INDArray shifted = m.forward(BertInputs.of(ids, types, mask, positions.add(1), null), OutputOptions.NONE)
                    .predictionLogits();
            assertNotEquals(plain, shifted);
            Golden.assertClose("logits", e.load("prediction_logits"), plain, 8e-7);
        }
    }

    @Test
    void headMaskScalesThatHeadsProbabilities() throws Exception {
        BertForPreTraining m = tiny();
        try (SafetensorsFile e = new Golden("tiny_h32_l2_v99").expected()) {
            INDArray hm = Nd4j.ones(DataType.FLOAT, 2, 4);
            hm.putScalar(0, 2, 0.0);
            hm.putScalar(1, 1, 0.5);
            BertForPreTrainingOutput o = m.forward(BertInputs.of(e.load("input_ids"), e.load("token_type_ids"),
                    e.load("attention_mask"), null, hm), OutputOptions.ALL);
            INDArray head2 = o.attentions().get(0).get(NDArrayIndex.all(), NDArrayIndex.point(2));
            assertEquals(0.0, head2.amaxNumber().doubleValue());
            // Layer 0's other heads are untouched, so they equal HF's unmasked probabilities.
            INDArray head0 = o.attentions().get(0).get(NDArrayIndex.all(), NDArrayIndex.point(0));
            Golden.assertClose("layer 0 head 0", e.load("attentions.0").get(NDArrayIndex.all(), NDArrayIndex.point(0)),
                    head0, 1.3e-7);
            // Layer 1 head 1 rows sum to the mask value.
            INDArray rowSums = o.attentions().get(1).get(NDArrayIndex.all(), NDArrayIndex.point(1)).sum(2);
            assertEquals(0.5, rowSums.meanNumber().doubleValue(), 1e-6);
        }
    }

    @Test
    void standAloneBertModelFromASavedBertModelFile() throws Exception {
        Golden g = new Golden("tiny_h32_l2_v99");
        BertConfig c = BertConfig.fromJson(g.dir.resolve("config.json"));
        Map<String, INDArray> bare = new LinkedHashMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(g.dir.resolve("model.safetensors"))) {
            for (String n : f.names()) {
                if (n.startsWith("bert.")) {
                    bare.put(n.substring(5), f.load(n));
                }
            }
        }
        java.nio.file.Path file = tmp.resolve("bert.safetensors");
        SafetensorsWriter.write(file, bare, null);
        BertModel m = new BertModel(c, DataType.FLOAT);
        try (SafetensorsFile f = SafetensorsFile.open(file); SafetensorsFile e = g.expected()) {
            LoadReport r = WeightLoader.load(f, m.parameters(), c, WeightLoader.Mode.STRICT, 0);
            assertEquals(m.parameters().names(), r.loaded());
            BertModelOutput o = m.forward(Golden.inputs(e), OutputOptions.NONE);
            Golden.assertClose("last_hidden_state", e.load("hidden_states.2"), o.lastHiddenState(),
                    g.hint("hidden_states.2"));
            Golden.assertClose("pooled_output", e.load("pooled_output"), o.pooledOutput(), g.hint("pooled_output"));
            assertNull(o.hiddenStates());
            assertNull(o.attentions());
        }
    }
}
