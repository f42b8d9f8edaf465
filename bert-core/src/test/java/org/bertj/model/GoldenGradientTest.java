package org.bertj.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashSet;
import java.util.Set;
import org.bertj.weights.SafetensorsFile;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** Our hand-written backward pass against PyTorch autograd (tiny_h32_l2_v99/grads.safetensors). */
class GoldenGradientTest {

    @Test
    void everyParameterGradientMatchesPyTorch() throws Exception {
        Golden g = new Golden("tiny_h32_l2_v99");
        // The golden gradients are of the eval-mode (dropout-free) loss: see cases.json "grads".
        double hint = g.cases.getAsJsonObject("grads").get("max_abs_diff_float32_vs_float64").getAsDouble();
        BertForPreTraining model = g.model();
        Gradients grads = new Gradients(model.parameters());
        try (SafetensorsFile e = g.expected();
             SafetensorsFile want = SafetensorsFile.open(g.dir.resolve("grads.safetensors"))) {
            TrainingStepResult r = model.trainingStep(Golden.inputs(e), e.load("labels"), e.load("next_sentence_label"),
                    grads, Pass.deterministicTraining());
            Golden.assertClose("loss", e.load("loss"), org.nd4j.linalg.factory.Nd4j.scalar((float) r.loss()),
                    g.hint("loss"));
            Set<String> seen = new HashSet<>();
            for (String n : want.names()) {
                Golden.assertClose("d/d " + n, want.load(n), grads.get(n), hint);
                seen.add(n);
            }
            assertEquals(new HashSet<>(model.parameters().names()), seen);
        }
    }

    @Test
    void finiteDifferencesAgreeOnThePaddedModelInDouble() throws Exception {
        Golden g = new Golden("padded_h64_l3_b3");
        BertForPreTraining model = WeightLoader.loadDirectory(g.dir, DataType.DOUBLE, WeightLoader.Mode.STRICT).model();
        try (SafetensorsFile e = g.expected()) {
            GradientCheck.check(model, Golden.inputs(e), e.load("labels"), e.load("next_sentence_label"),
                    Pass::deterministicTraining, 2, 1e-5, 1e-10, 11);
        }
    }
}
