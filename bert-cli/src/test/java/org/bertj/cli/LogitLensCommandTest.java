package org.bertj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.bertj.testing.Shared;
import org.bertj.weights.SafetensorsFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** {@code bert logit-lens} against transformers' logit_lens.{j} (golden internals gradients file) and its printed table. */
class LogitLensCommandTest {
    @TempDir
    Path tmp;

    @Test
    void lensIsTheMlmHeadOnEveryLayersOutputAsTransformersComputesIt() throws Exception {
        Path model = Shared.golden("tiny_h32_l2_v99");
        Path golden = Shared.golden("internals").resolve("tiny_h32_l2_v99/gradients.safetensors");
        Subject s = CliRun.subject(model, golden);
        int[][] cases = {{0, 3}, {0, 7}, {1, 2}, {1, 5}};
        try (SafetensorsFile f = SafetensorsFile.open(golden)) {
            for (int[] c : cases) {
                double[][][] lens = LogitLensCommand.lens(s, c[0], new int[] {c[1]});
                assertEquals(3, lens[0].length, "embeddings + 2 layers");
                for (int j = 0; j <= 2; j++) {
                    double[] want = f.load("logit_lens." + j).castTo(DataType.DOUBLE)
                            .get(NDArrayIndex.point(c[0]), NDArrayIndex.point(c[1]), NDArrayIndex.all()).toDoubleVector();
                    for (int v = 0; v < want.length; v++) {
                        assertEquals(want[v], lens[0][j][v], 1e-5 + 1e-5 * Math.abs(want[v]),
                                "row " + c[0] + " position " + c[1] + " layer " + j + " id " + v);
                    }
                }
            }
        }
        CliRun r = CliRun.of("logit-lens", "--model", model.toString(), "--inputs", golden.toString(),
                "--position", "3", "--target", "#42", "--top-k", "3");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("logit lens at position 3 ('#19')"), r.out());
        assertEquals(3, r.out().lines().filter(l -> l.contains("| #42 #")).count(), r.out());
    }

    @Test
    void atTheMaskTheLastLayerIsTheModelsPrediction() throws Exception {
        Path model = CliRun.realVocabModel(tmp);
        CliRun r = CliRun.of("logit-lens", "--model", model.toString(), "--text", CliRun.TEXT_A, "--pair", CliRun.TEXT_B,
                "--target", "paris");
        assertEquals(0, r.code(), r.err());
        int prediction;
        try (SafetensorsFile f = SafetensorsFile.open(Shared.golden("realvocab_h48_l2").resolve("expected.safetensors"))) {
            prediction = Inference.argmax(f.load("prediction_logits"))[6];
        }
        String word = ModelChoice.load(model, false).tokenizer().vocabulary().token(prediction);
        assertTrue(r.out().contains("logit lens at position 6 ('[MASK]')"), r.out());
        String last = r.out().lines().filter(l -> l.strip().startsWith("layer 1 ")).findFirst().orElseThrow();
        assertTrue(last.strip().startsWith("layer 1      " + word + " "), "top of the last layer is the prediction '"
                + word + "': " + last);
        assertTrue(last.contains("| paris #"), last);
    }

    @Test
    void noMaskOrAWordOutsideTheVocabularyIsAUsageError() throws Exception {
        Path model = CliRun.realVocabModel(tmp);
        CliRun r = CliRun.of("logit-lens", "--model", model.toString(), "--text", "no mask here");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("has no [MASK]"), r.err());
        r = CliRun.of("logit-lens", "--model", model.toString(), "--text", "a [MASK]", "--target", "unbelievableness");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("not a single token"), r.err());
        r = CliRun.of("logit-lens", "--model", model.toString(), "--text", "a [MASK]", "--position", "9");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--position 9 is not one of row 0's 4 attended tokens"), r.err());
    }
}
