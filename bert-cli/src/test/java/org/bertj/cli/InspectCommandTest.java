package org.bertj.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.bertj.testing.Shared;
import org.bertj.weights.SafetensorsFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/** {@code bert inspect} writes transformers' own activations (shared/golden/internals) under their hook names. */
class InspectCommandTest {
    private static final Set<String> INPUTS = Set.of("input_ids", "token_type_ids", "attention_mask");

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"tiny_h32_l2_v99", "padded_h64_l3_b3"})
    void everyHookPointMatchesTheGoldenActivations(String name) throws Exception {
        Path model = Shared.golden(name);
        Path golden = Shared.golden("internals").resolve(name).resolve("activations.safetensors");
        JsonObject hints = JsonParser.parseString(Files.readString(golden.resolveSibling("activations.json")))
                .getAsJsonObject().getAsJsonObject("max_abs_diff_float32_vs_float64");
        Path out = tmp.resolve("acts.safetensors");
        // The golden activations file holds the inputs too: bert inspect reads input_ids etc. from it.
        CliRun r = CliRun.of("inspect", "--model", model.toString(), "--inputs", golden.toString(),
                "--hooks", "*", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        int compared = 0;
        try (SafetensorsFile want = SafetensorsFile.open(golden); SafetensorsFile got = SafetensorsFile.open(out)) {
            for (String n : want.names()) {
                if (INPUTS.contains(n)) {
                    continue;
                }
                assertTrue(got.contains(n), "no " + n + " in the output; it has " + got.names());
                INDArray g = got.load(n);
                assertEquals(DataType.FLOAT, g.dataType(), n);
                INDArray w = want.load(n).castTo(DataType.DOUBLE);
                INDArray gd = g.castTo(DataType.DOUBLE);
                assertArrayEquals(w.shape(), gd.shape(), n);
                if (n.endsWith(".scores")) {
                    // Masked keys hold exactly finfo(float32).min in HF; compare them apart.
                    INDArray masked = w.lt(-1e38);
                    assertEquals(masked.castTo(DataType.INT).sumNumber().intValue(),
                            gd.lt(-1e38).castTo(DataType.INT).sumNumber().intValue(), n + " masked count");
                    w = w.mul(masked.castTo(DataType.DOUBLE).rsub(1));
                    gd = gd.mul(masked.castTo(DataType.DOUBLE).rsub(1));
                }
                double atol = Math.max(10 * hints.get(n).getAsDouble(), 1e-5);
                INDArray diff = Transforms.abs(w.sub(gd), false);
                double excess = diff.sub(Transforms.abs(w, true).muli(1e-5)).subi(atol).maxNumber().doubleValue();
                assertTrue(excess <= 0, n + ": max |diff| " + diff.maxNumber() + " over " + atol);
                compared++;
            }
            // Every hook point is in the golden file except inputs_embeds (golden gradients.safetensors has it).
            assertEquals(want.names().size() - INPUTS.size() + 1, got.names().size(), got.names().toString());
            assertTrue(got.contains("inputs_embeds"));
        }
        int layers = name.startsWith("tiny") ? 2 : 3;
        assertEquals(1 + 12 * layers + 4, compared, "embeddings, 12 points a layer, pooler and three heads");
        assertTrue(r.out().contains("wrote " + (compared + 1) + " activations"), r.out());
    }

    @Test
    void patternsChooseHookPointsAndTextGetsTokenized() throws Exception {
        Path model = CliRun.realVocabModel(tmp);
        Path out = tmp.resolve("probs.safetensors");
        CliRun r = CliRun.of("inspect", "--model", model.toString(), "--text", CliRun.TEXT_A, "--pair", CliRun.TEXT_B,
                "--hooks", "bert.encoder.layer.*.attention.self.probs, cls.seq_relationship", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        Path expected = Shared.golden("realvocab_h48_l2").resolve("expected.safetensors");
        try (SafetensorsFile got = SafetensorsFile.open(out); SafetensorsFile want = SafetensorsFile.open(expected)) {
            assertEquals(List.of("bert.encoder.layer.0.attention.self.probs", "bert.encoder.layer.1.attention.self.probs",
                    "cls.seq_relationship"), List.copyOf(got.names()));
            for (int l = 0; l < 2; l++) {
                INDArray d = got.load("bert.encoder.layer." + l + ".attention.self.probs")
                        .sub(want.load("attentions." + l));
                assertTrue(Transforms.abs(d).maxNumber().doubleValue() < 1e-5, "layer " + l);
            }
            INDArray d = got.load("cls.seq_relationship").sub(want.load("seq_relationship_logits"));
            assertTrue(Transforms.abs(d).maxNumber().doubleValue() < 1e-5);
            assertTrue(got.metadata().get("tokens").contains("\"[MASK]\""), got.metadata().toString());
        }
    }

    @Test
    void unknownPatternsAndMissingOptionsAreUsageErrors() throws Exception {
        Path model = Shared.golden("tiny_h32_l2_v99");
        Path inputs = Shared.golden("internals").resolve("tiny_h32_l2_v99/activations.safetensors");
        Path out = tmp.resolve("never.safetensors");
        CliRun r = CliRun.of("inspect", "--model", model.toString(), "--inputs", inputs.toString(),
                "--hooks", "bert.encoder.layer.7.*", "--out", out.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("'bert.encoder.layer.7.*' matches no hook point"), r.err());
        r = CliRun.of("inspect", "--model", model.toString(), "--inputs", inputs.toString(), "--hooks", "a,,b",
                "--out", out.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("empty pattern"), r.err());
        r = CliRun.of("inspect", "--model", model.toString(), "--inputs", inputs.toString(), "--out", out.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("give --hooks"), r.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void listShowsEveryHookPointWithItsShape() {
        CliRun r = CliRun.of("inspect", "--list", "--model", Shared.golden("tiny_h32_l2_v99").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("bert.encoder.layer.1.attention.self.probs [1, 4, 64, 64]"), r.out());
        assertTrue(r.out().contains("cls.predictions [1, 64, 99]"), r.out());
    }

    @Test
    void globsAreLiteralExceptStar() {
        assertTrue(InspectCommand.glob("bert.encoder.layer.*.output").matcher("bert.encoder.layer.11.output").matches());
        assertFalse(InspectCommand.glob("bert.encoder.layer.*.output").matcher("bert.encoder.layerX1.output").matches());
        assertTrue(InspectCommand.glob("*").matcher("inputs_embeds").matches());
        assertFalse(InspectCommand.glob("cls.predictions").matcher("cls.predictions.transform").matches());
    }
}
