package org.bertj.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.bertj.testing.Shared;
import org.bertj.weights.SafetensorsFile;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/** One golden case directory: its inputs, expected outputs and tolerance hints. */
final class Golden {

    /** The golden cases with forward outputs. */
    static final String[] CASES = {"tiny_h32_l2_v99", "padded_h64_l3_b3", "realvocab_h48_l2"};

    /** Names in expected.safetensors that are inputs, not outputs. */
    static final Set<String> INPUTS = Set.of("input_ids", "token_type_ids", "attention_mask", "position_ids",
            "head_mask", "labels", "next_sentence_label");

    final String name;
    final Path dir;
    final JsonObject cases;

    Golden(String name) throws IOException {
        this.name = name;
        this.dir = Shared.golden(name);
        this.cases = JsonParser.parseString(Files.readString(dir.resolve("cases.json"))).getAsJsonObject();
    }

    /** This case's model, float32, loaded strictly (every tensor present and used). */
    BertForPreTraining model() throws IOException {
        return WeightLoader.loadDirectory(dir, DataType.FLOAT, WeightLoader.Mode.STRICT).model();
    }

    SafetensorsFile expected() throws IOException {
        return SafetensorsFile.open(dir.resolve("expected.safetensors"));
    }

    /** The model inputs stored in expected.safetensors. */
    static BertInputs inputs(SafetensorsFile e) throws IOException {
        return BertInputs.of(e.load("input_ids"), optional(e, "token_type_ids"), optional(e, "attention_mask"),
                optional(e, "position_ids"), optional(e, "head_mask"));
    }

    static INDArray optional(SafetensorsFile f, String name) throws IOException {
        return f.contains(name) ? f.load(name) : null;
    }

    /** The float32-vs-float64 difference HF saw for this output. */
    double hint(String output) {
        JsonObject h = cases.getAsJsonObject("max_abs_diff_float32_vs_float64");
        if (!h.has(output)) {
            throw new AssertionError(name + ": cases.json has no tolerance hint for " + output);
        }
        return h.get(output).getAsDouble();
    }

    /**
     * Compares every output and loss stored in this case's expected.safetensors with what
     * {@code model} computes from the stored inputs, failing on the first that differs or that
     * we do not produce.
     *
     * @return the names compared
     */
    java.util.Set<String> compareEveryOutput(BertForPreTraining model, DataType type) throws IOException {
        try (SafetensorsFile e = expected()) {
            BertForPreTrainingOutput out = model.forward(inputs(e), OutputOptions.ALL);
            java.util.Map<String, INDArray> ours = out.named();
            if (e.contains("labels")) {
                org.bertj.loss.PreTrainingLoss.Result loss = org.bertj.loss.PreTrainingLoss.compute(
                        out.predictionLogits(), e.load("labels"), out.seqRelationshipLogits(),
                        e.load("next_sentence_label"), false);
                ours.put("loss", org.nd4j.linalg.factory.Nd4j.scalar(loss.total()));
                ours.put("mlm_loss", org.nd4j.linalg.factory.Nd4j.scalar(loss.mlmLoss()));
                ours.put("nsp_loss", org.nd4j.linalg.factory.Nd4j.scalar(loss.nspLoss()));
            }
            java.util.Set<String> compared = new java.util.TreeSet<>();
            for (String n : e.names()) {
                if (INPUTS.contains(n)) {
                    continue;
                }
                assertTrue(ours.containsKey(n), name + ": we produce no output named " + n);
                assertClose(name + " " + type + " " + n, e.load(n), ours.get(n), hint(n));
                compared.add(n);
            }
            return compared;
        }
    }

    /**
     * Asserts {@code |got - want| <= atol + 1e-5·|want|} element-wise with atol = max(10·hint, 1e-5),
     * printing the largest absolute difference.
     *
     * @return the largest absolute difference
     */
    static double assertClose(String what, INDArray want, INDArray got, double hint) {
        assertArrayEquals(want.shape(), got.shape(), what + ": shape");
        INDArray w = want.castTo(DataType.DOUBLE);
        INDArray g = got.castTo(DataType.DOUBLE);
        // ND4J's max skips NaN, so a NaN in our output would otherwise pass unnoticed
        int nanGot = g.isNaN().castTo(DataType.INT).sumNumber().intValue();
        int nanWant = w.isNaN().castTo(DataType.INT).sumNumber().intValue();
        assertTrue(nanGot == nanWant, what + ": " + nanGot + " NaN in our output, " + nanWant + " in HF's");
        INDArray diff = Transforms.abs(w.sub(g), false);
        double maxAbs = diff.maxNumber().doubleValue();
        double atol = Math.max(10 * hint, 1e-5);
        INDArray excess = diff.subi(Transforms.abs(w, true).muli(1e-5)).subi(atol);
        double worst = excess.maxNumber().doubleValue();
        System.out.printf("%-45s max |diff| %.3g (atol %.3g)%n", what, maxAbs, atol);
        assertTrue(worst <= 0 && !Double.isNaN(maxAbs), what + ": max |diff| " + maxAbs + " exceeds atol " + atol
                + " + 1e-5 relative");
        return maxAbs;
    }
}
