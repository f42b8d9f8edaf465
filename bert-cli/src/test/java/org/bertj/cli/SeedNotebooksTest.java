package org.bertj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bertj.testing.Shared;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The constants of {@link SeedNotebooks} against the notebook text, through {@link TorchFormat}:
 * each block we print from the constants must appear verbatim in the notebook, which checks the
 * numbers and PyTorch's layout at once.
 */
class SeedNotebooksTest {

    private static String nb000;
    private static String nb001;

    @BeforeAll
    static void read() throws IOException {
        nb000 = Files.readString(Shared.dir().resolve("seeds/000_a71cee8a59db758f.txt"), StandardCharsets.UTF_8);
        nb001 = Files.readString(Shared.dir().resolve("seeds/001_01f2cc09b1562165.txt"), StandardCharsets.UTF_8);
    }

    @Test
    void predictionLogitCornersArePrintedAsInTheNotebooks() {
        assertContains(nb001, open(TorchFormat.summarized3d(SeedNotebooks.CORNERS_SINGLE)) + ",\n       grad_fn=");
        assertContains(nb000, open(TorchFormat.summarized3d(SeedNotebooks.CORNERS_PAIR)) + ",\n       grad_fn=");
    }

    @Test
    void idsArePrintedAsInTheNotebooks() {
        String masked = TorchFormat.matrix(new int[][] {SeedNotebooks.PAIR_INPUT_IDS});
        assertContains(nb001, "'input_ids': " + masked);
        assertContains(nb000, "'input_ids': " + masked);
        assertContains(nb000, "inputs.input_ids\n\n" + TorchFormat.matrix(new int[][] {SeedNotebooks.PAIR_LABELS}));
        assertContains(nb001, "argmax\n\n" + TorchFormat.vector(SeedNotebooks.ARGMAX_SINGLE));
        assertContains(nb001, "argmax\n\n" + TorchFormat.scalar(SeedNotebooks.ARGMAX_AT_2));
        int[] types = new int[63];
        for (int i = 34; i < types.length; i++) {
            types[i] = 1;
        }
        assertContains(nb000, "'token_type_ids': " + TorchFormat.matrix(new int[][] {types}));
        assertContains(nb001, "'token_type_ids': " + TorchFormat.matrix(new int[][] {new int[63]}));
    }

    @Test
    void nspLogitsAndLossAreTheNotebooks() {
        assertContains(nb001, "In [11]:\noutputs.seq_relationship_logits\n\n"
                + open(TorchFormat.floats(new double[][] {SeedNotebooks.NSP_SINGLE})) + ", grad_fn=");
        assertContains(nb001, "In [48]:\noutputs.seq_relationship_logits\n\n"
                + open(TorchFormat.floats(new double[][] {SeedNotebooks.NSP_PAIR_001})) + ", grad_fn=");
        assertContains(nb000, "outputs.seq_relationship_logits\n\n"
                + open(TorchFormat.floats(new double[][] {SeedNotebooks.NSP_PAIR_000})) + ", grad_fn=");
        assertContains(nb000, "outputs.loss\n\n" + open(TorchFormat.scalar(SeedNotebooks.LOSS)) + ", grad_fn=");
        assertContains(nb000, "inputs.input_ids[0, [9, 44]] = 103");
        assertContains(nb000, "torch.LongTensor([" + SeedNotebooks.NEXT_SENTENCE_LABEL + "])");
    }

    @Test
    void textsAreTheNotebooks() {
        assertEquals(SeedNotebooks.TEXT, pythonString(nb001, "text", 0));
        assertEquals(SeedNotebooks.TEXT_A, pythonString(nb001, "text", 1));
        assertEquals(SeedNotebooks.TEXT_B, pythonString(nb001, "text2", 0));
        assertEquals(SeedNotebooks.TEXT_A, pythonString(nb000, "text", 0));
        assertEquals(SeedNotebooks.TEXT_B, pythonString(nb000, "text2", 0));
        assertEquals(SeedNotebooks.TEXT_A_UNMASKED, pythonString(nb000, "text", 1));
        assertEquals(SeedNotebooks.TEXT_B_UNMASKED, pythonString(nb000, "text2", 1));
        assertContains(nb001, "'" + SeedNotebooks.NOTEBOOK_MASK_WORDS[0] + "'");
        assertContains(nb001, "'" + SeedNotebooks.NOTEBOOK_MASK_WORDS[1] + "'");
    }

    @Test
    void fixedPointRoundsTheExactBinaryValueHalfEven() {
        assertEquals("-12.6500", TorchFormat.fixed(-12.65004));
        assertEquals("-0.0000", TorchFormat.fixed(-1e-7));
        assertEquals("2.0000", TorchFormat.fixed(2));
        // neither is exactly representable: Python rounds the binary value, which is above / below the tie
        assertEquals("0.0001", TorchFormat.fixed(0.00005));
        assertEquals("0.0001", TorchFormat.fixed(0.00015));
        assertEquals("tensor([[ 6.0915, -5.6939],\n        [10.0000,  0.5000]])",
                TorchFormat.floats(new double[][] {{6.0915, -5.6939}, {10, 0.5}}));
    }

    /** A tensor's text without its closing parenthesis, where PyTorch goes on with grad_fn. */
    private static String open(String tensor) {
        return tensor.substring(0, tensor.length() - 1);
    }

    private static void assertContains(String notebook, String block) {
        assertTrue(notebook.contains(block), () -> "the notebook does not contain\n" + block);
    }

    /** The {@code n}-th (from 0) Python assignment {@code name = ("..." "...")} of a notebook, joined. */
    static String pythonString(String notebook, String name, int n) {
        Matcher m = Pattern.compile("(?m)^" + name + " = \\(((?:\\s*\"[^\"]*\")+)\\)").matcher(notebook);
        for (int i = 0; i <= n; i++) {
            assertTrue(m.find(), "notebook has no assignment " + i + " of " + name);
        }
        StringBuilder sb = new StringBuilder();
        Matcher part = Pattern.compile("\"([^\"]*)\"").matcher(m.group(1));
        while (part.find()) {
            sb.append(part.group(1));
        }
        return sb.toString();
    }
}
