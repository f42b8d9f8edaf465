package org.bertj.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.bertj.model.BertForPreTraining;
import org.bertj.model.BertInputs;
import org.bertj.weights.SafetensorsFile;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** gradients(_f64).safetensors: ∂s/∂inputs_embeds and at hook points, integrated gradients, the logit lens. */
class GradientsGoldenTest {

    static final String CASE = "tiny_h32_l2_v99";

    @ParameterizedTest(name = "{0}")
    @CsvSource({"gradients.safetensors, FLOAT", "gradients_f64.safetensors, DOUBLE"})
    void everyGradientIgAndLogitLensTensorMatches(String file, DataType type) throws Exception {
        BertForPreTraining model = InternalsGolden.model(CASE, type);
        JsonObject hints = InternalsGolden.json(CASE, "gradients.json").getAsJsonObject("max_abs_diff_float32_vs_float64");
        try (SafetensorsFile f = SafetensorsFile.open(InternalsGolden.dir(CASE).resolve(file))) {
            BertInputs ids = InternalsGolden.inputs(f, "");
            List<String> compared = new ArrayList<>();
            Check check = (name, got) -> {
                double hint = type == DataType.DOUBLE ? -1 : hints.get(name).getAsDouble();
                InternalsGolden.assertClose(type + " " + name, InternalsGolden.load(f, name), got, hint);
                compared.add(name);
            };
            INDArray x = Attribution.inputsEmbeds(model, ids);
            check.close("inputs_embeds", x);
            BertInputs embeds = ids.withInputsEmbeds(x); // the golden forward: inputs_embeds=x
            Scalar s = Scalar.logit(0, 3, 42);
            List<String> points = new ArrayList<>(List.of("inputs_embeds", "bert.embeddings.output"));
            for (int i = 0; i < 2; i++) {
                points.add("bert.encoder.layer." + i + ".output");
                points.add("bert.encoder.layer." + i + ".attention.self.probs");
            }
            Attribution.Gradients g = Attribution.gradients(model, embeds, s, points, org.bertj.model.hooks.Hooks.none());
            check.close("s", Nd4j.scalar(g.value()));
            for (String p : points) {
                INDArray d = g.get(p);
                check.close("d_s/d_" + p, d);
                assertEquals(0.0, d.get(NDArrayIndex.point(1)).amaxNumber().doubleValue(), 0.0, p + ": row 1 exactly 0");
            }
            // the same gradient from the input_ids path (a gradient at the looked-up word vectors)
            InternalsGolden.assertClose("ids path d_s/d_inputs_embeds", g.get("inputs_embeds"),
                    Attribution.gradients(model, ids, s, "inputs_embeds").get("inputs_embeds"),
                    type == DataType.DOUBLE ? -1 : 1e-7);
            Attribution.IntegratedGradients ig = Attribution.integratedGradients(model, ids, s, null, 16, 1);
            check.close("ig_inputs_embeds", ig.attributions());
            check.close("ig_per_token", ig.perToken());
            check.close("ig_s_x", Nd4j.scalar(ig.valueAtInput()));
            check.close("ig_s_baseline", Nd4j.scalar(ig.valueAtBaseline()));
            JsonObject gap = InternalsGolden.json(CASE, "gradients.json").getAsJsonObject("integrated_gradients")
                    .getAsJsonObject(type == DataType.DOUBLE ? "float64" : "float32");
            double wantGap = gap.get("completeness_gap = sum_IG - (s(x) - s(x_baseline))").getAsDouble();
            System.out.printf("%s IG completeness gap %.6g (HF %.6g)%n", type, ig.completenessGap(), wantGap);
            assertEquals(wantGap, ig.completenessGap(), type == DataType.DOUBLE ? 1e-12 : 2e-6);
            // steps stacked along the batch axis: the same attributions up to rounding
            InternalsGolden.assertClose("IG batched 4 steps per pass", ig.attributions(),
                    Attribution.integratedGradients(model, ids, s, null, 16, 4).attributions(),
                    type == DataType.DOUBLE ? -1 : 1e-7);
            LogitLens lens = LogitLens.of(model, ids);
            assertEquals(3, lens.depth());
            for (int j = 0; j < 3; j++) {
                check.close("logit_lens." + j, lens.logits(j));
            }
            INDArray last = lens.logits(2);
            assertEquals(last.get(NDArrayIndex.point(0), NDArrayIndex.point(3), NDArrayIndex.all()).argMax().getInt(0),
                    lens.top(2, 0, 3, 5).get(0).token());
            List<String> stored = new ArrayList<>(f.names());
            stored.removeAll(InternalsGolden.INPUTS);
            assertEquals(stored.stream().sorted().toList(), compared.stream().sorted().toList());
        }
    }

    @FunctionalInterface
    interface Check {
        void close(String name, INDArray got) throws Exception;
    }
}
