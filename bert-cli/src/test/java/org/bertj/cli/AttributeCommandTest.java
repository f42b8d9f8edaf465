package org.bertj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.bertj.inspect.Scalar;
import org.bertj.testing.Shared;
import org.bertj.weights.SafetensorsFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * {@code bert attribute} against transformers' gradients and 16-step integrated gradients of
 * s = prediction_logits[0, 3, 42] (shared/golden/internals/tiny_h32_l2_v99/gradients.*).
 */
class AttributeCommandTest {
    @TempDir
    static Path tmp;
    static Path model, golden;
    static JsonObject ig;

    @BeforeAll
    static void setUp() throws Exception {
        model = Shared.golden("tiny_h32_l2_v99");
        golden = Shared.golden("internals").resolve("tiny_h32_l2_v99/gradients.safetensors");
        ig = JsonParser.parseString(Files.readString(golden.resolveSibling("gradients.json"))).getAsJsonObject()
                .getAsJsonObject("integrated_gradients").getAsJsonObject("float32");
    }

    private static Subject subject() throws Exception {
        return CliRun.subject(model, golden);
    }


    @Test
    void integratedGradientsMatchTransformers16Steps() throws Exception {
        Subject s = subject();
        Scalar logit = Scalar.logit(0, 3, 42);
        double[] want;
        try (SafetensorsFile f = SafetensorsFile.open(golden)) {
            want = f.load("ig_per_token").castTo(DataType.DOUBLE).getRow(0).toDoubleVector();
        }
        for (int perBatch : new int[] {1, 8}) {
            AttributeCommand.Scores r = AttributeCommand.scores(s, logit, AttributeCommand.Method.IG, 16, perBatch, 0);
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], r.perToken()[i], 2e-6, "ig_per_token[0, " + i + "], " + perBatch + " steps a batch");
            }
            assertEquals(ig.get("s(x)").getAsDouble(), r.fx(), 2e-6);
            assertEquals(ig.get("s(x_baseline)").getAsDouble(), r.fBaseline(), 2e-6);
            assertEquals(ig.get("sum_IG").getAsDouble(), r.sum(), 5e-6);
        }

        CliRun run = CliRun.of("attribute", "--model", model.toString(), "--inputs", golden.toString(),
                "--position", "3", "--target", "#42", "--steps", "16", "--out", tmp.resolve("ig.png").toString());
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains(String.format(Locale.ROOT, "s(x) = %.4f", ig.get("s(x)").getAsDouble())), run.out());
        assertTrue(run.out().contains(String.format(Locale.ROOT, "s(baseline) = %.4f", ig.get("s(x_baseline)").getAsDouble())),
                run.out());
        assertTrue(run.out().contains("explaining: the logit of '#42' (#42) at position 3 ('#19')"), run.out());
        // The table: one line per token of row 0, its IG score to 4 decimals.
        List<String> table = run.out().lines().filter(l -> l.matches("\\s+\\d+\\s+#\\d+\\s+[+-]\\d.*")).toList();
        assertEquals(8, table.size(), run.out());
        for (int i = 0; i < 8; i++) {
            String[] cells = table.get(i).trim().split("\\s+");
            assertEquals(want[i], Double.parseDouble(cells[2]), 5.1e-5, table.get(i));
        }
        BufferedImage img = ImageIO.read(tmp.resolve("ig.png").toFile());
        assertTrue(img.getWidth() > 100 && img.getHeight() > 50);
    }

    @Test
    void saliencyAndGradientTimesInputComeFromTransformersGradient() throws Exception {
        Subject s = subject();
        Scalar logit = Scalar.logit(0, 3, 42);
        AttributeCommand.Scores sal = AttributeCommand.scores(s, logit, AttributeCommand.Method.SALIENCY, 1, 1, 0);
        AttributeCommand.Scores gxi = AttributeCommand.scores(s, logit, AttributeCommand.Method.GRAD_X_INPUT, 1, 1, 0);
        try (SafetensorsFile f = SafetensorsFile.open(golden)) {
            INDArray grad = f.load("d_s/d_inputs_embeds").castTo(DataType.DOUBLE);
            INDArray x = f.load("inputs_embeds").castTo(DataType.DOUBLE);
            INDArray g0 = grad.get(NDArrayIndex.point(0), NDArrayIndex.all(), NDArrayIndex.all());
            INDArray x0 = x.get(NDArrayIndex.point(0), NDArrayIndex.all(), NDArrayIndex.all());
            double[] norms = g0.norm2(1).toDoubleVector();
            double[] dots = x0.mul(g0).sum(1).toDoubleVector();
            for (int i = 0; i < 8; i++) {
                assertEquals(norms[i], sal.perToken()[i], 1e-5, "saliency " + i);
                assertEquals(dots[i], gxi.perToken()[i], 1e-5, "grad x input " + i);
            }
        }
        assertEquals(ig.get("s(x)").getAsDouble(), sal.fx(), 2e-6);
    }

    @Test
    void onTextItExplainsTheTopWordAtTheMaskAndTheNspLogit() throws Exception {
        Path m = CliRun.realVocabModel(tmp);
        CliRun r = CliRun.of("attribute", "--model", m.toString(), "--text", CliRun.TEXT_A, "--pair", CliRun.TEXT_B,
                "--steps", "8");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("at position 6 ('[MASK]') (the model's top word there, p = "), r.out());
        assertTrue(r.out().contains("completeness gap = "), r.out());
        r = CliRun.of("attribute", "--model", m.toString(), "--text", CliRun.TEXT_A, "--pair", CliRun.TEXT_B, "--nsp",
                "--steps", "8");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("explaining: the NSP IsNext logit"), r.out());
        double nsp;
        try (SafetensorsFile f = SafetensorsFile.open(Shared.golden("realvocab_h48_l2").resolve("expected.safetensors"))) {
            nsp = f.load("seq_relationship_logits").getDouble(0, 0);
        }
        assertTrue(r.out().contains(String.format(Locale.ROOT, "s(x) = %.4f", nsp)), r.out());
        r = CliRun.of("attribute", "--model", m.toString(), "--text", "x", "--method", "lime");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--method must be ig, saliency or grad-x-input"), r.err());
    }
}
