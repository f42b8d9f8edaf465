package org.bertj.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.bertj.model.BertForPreTraining;
import org.bertj.model.BertInputs;
import org.bertj.model.OutputOptions;
import org.bertj.weights.SafetensorsFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Gradients of the other ready-made scalars (NSP logit, pre-training loss) against central
 * differences in float64, and saliency / gradient × input from the same gradient.
 */
class AttributionTest {

    static BertForPreTraining model;
    static BertInputs in;
    static INDArray x;

    @BeforeAll
    static void load() throws Exception {
        model = InternalsGolden.model("tiny_h32_l2_v99", DataType.DOUBLE);
        try (SafetensorsFile f = SafetensorsFile.open(InternalsGolden.dir("tiny_h32_l2_v99")
                .resolve("activations.safetensors"))) {
            in = InternalsGolden.inputs(f, "");
        }
        x = Attribution.inputsEmbeds(model, in);
    }

    /** ⟨∂s/∂x, v⟩ against (s(x + εv) − s(x − εv)) / 2ε along a random direction v. */
    static void assertDirectionalDerivative(Scalar s, String what) {
        INDArray g = Attribution.gradients(model, in, s, Attribution.INPUTS_EMBEDS).get(Attribution.INPUTS_EMBEDS);
        Nd4j.getRandom().setSeed(7);
        INDArray v = Nd4j.randn(DataType.DOUBLE, x.shape());
        double eps = 1e-5;
        double plus = s.value(model.forward(in.withInputsEmbeds(x.add(v.mul(eps))), OutputOptions.NONE));
        double minus = s.value(model.forward(in.withInputsEmbeds(x.sub(v.mul(eps))), OutputOptions.NONE));
        double numeric = (plus - minus) / (2 * eps);
        double analytic = g.mul(v).sumNumber().doubleValue();
        System.out.printf("%s: analytic %.10g numeric %.10g%n", what, analytic, numeric);
        assertEquals(numeric, analytic, 1e-6 * Math.max(1, Math.abs(numeric)), what);
    }

    @Test
    void nspLogitGradient() {
        assertDirectionalDerivative(Scalar.nspLogit(1, 0), "nsp logit [1, 0]");
    }

    @Test
    void lossGradient() {
        INDArray labels = Nd4j.createFromArray(new long[][] {{-100, 5, -100, 42, -100, -100, -100, -100},
            {7, -100, -100, -100, 3, -100, -100, -100}});
        assertDirectionalDerivative(Scalar.loss(labels, Nd4j.createFromArray(new long[] {0, 1})), "pre-training loss");
    }

    @Test
    void logitDifferenceAndSaliencyAndGradientTimesInput() {
        Scalar s = Scalar.logitDifference(1, 2, 10, 20);
        assertDirectionalDerivative(s, "logit difference");
        INDArray g = Attribution.gradients(model, in, s, Attribution.INPUTS_EMBEDS).get(Attribution.INPUTS_EMBEDS);
        INDArray sal = Attribution.saliency(model, in, s);
        assertEquals(Transforms.sqrt(g.mul(g).sum(2)), sal);
        assertEquals(g.mul(x), Attribution.gradientTimesInput(model, in, s));
        assertEquals(0.0, sal.getRow(0).sumNumber().doubleValue(), 0.0, "row 0 does not influence row 1's logits");
    }
}
