package org.bertj.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.bertj.testing.Shared;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Offsets, truncation strategies, padding, batches and decoding on bert-base-uncased. Expected ids
 * come from the golden cases (HF transformers 4.29.2); expected offsets are what HF's fast tokenizer
 * reports (its normalizer maps every folded char to the original char it came from, and dropped
 * characters belong to no token).
 */
class BertTokenizerTest {

    private static BertTokenizer tokenizer;
    private static Map<String, JsonObject> golden;

    @BeforeAll
    static void load() throws IOException {
        tokenizer = BertTokenizer.fromVocab(Shared.bertBaseVocab());
        golden = GoldenCasesTest.cases().stream().collect(Collectors.toMap(c -> c.get("id").getAsString(), c -> c));
    }

    private static int[] goldenIds(String id) {
        return GoldenCasesTest.ints(golden.get(id).getAsJsonArray("input_ids"));
    }

    private static int[][] offsets(int... pairs) {
        int[][] o = new int[pairs.length / 2][];
        for (int i = 0; i < o.length; i++) {
            o[i] = new int[] {pairs[2 * i], pairs[2 * i + 1]};
        }
        return o;
    }

    @Test
    void offsetsOfPunctuationSplitWords() {
        Encoding e = tokenizer.encode("Hello, World!");
        assertEquals(List.of("[CLS]", "hello", ",", "world", "!", "[SEP]"), e.tokens());
        assertArrayEquals(offsets(0, 0, 0, 5, 5, 6, 7, 12, 12, 13, 0, 0), e.offsets());
    }

    @Test
    void offsetsOfStrippedAccentsAndWordPieces() {
        Encoding e = tokenizer.encode("café naïve Ångström résumé");
        assertEquals(List.of("[CLS]", "cafe", "naive", "ang", "##strom", "resume", "[SEP]"), e.tokens());
        assertArrayEquals(offsets(0, 0, 0, 4, 5, 10, 11, 14, 14, 19, 20, 26, 0, 0), e.offsets());
    }

    @Test
    void offsetsOfSupplementaryCharactersInUtf16AndCodePoints() {
        String text = "I love pizza 🍕🍕 so much 😀!";
        Encoding e = tokenizer.encode(text);
        assertArrayEquals(goldenIds("pub021"), e.inputIds());
        int[][] utf16 = e.offsets();
        assertArrayEquals(new int[] {13, 17}, utf16[4]);
        assertEquals("🍕🍕", text.substring(utf16[4][0], utf16[4][1]));
        int[][] cps = e.codePointOffsets();
        assertArrayEquals(new int[] {13, 15}, cps[4]);
        assertArrayEquals(new int[] {24, 25}, cps[7]);
        assertArrayEquals(new int[] {25, 26}, cps[8]);
    }

    @Test
    void offsetsOfCjkSpecialTokensAndDroppedControls() {
        assertArrayEquals(offsets(0, 0, 0, 1, 1, 2, 2, 3, 0, 0), tokenizer.encode("我爱北").offsets());
        Encoding e = tokenizer.encode("a[MASK]b [MASK].");
        assertEquals(List.of("[CLS]", "a", "[MASK]", "b", "[MASK]", ".", "[SEP]"), e.tokens());
        assertArrayEquals(offsets(0, 0, 0, 1, 1, 7, 7, 8, 9, 15, 15, 16, 0, 0), e.offsets());
        // The NUL is dropped: "null" ends before it, "##by" starts after it.
        Encoding n = tokenizer.encode("null\u0000byte");
        assertEquals(List.of("[CLS]", "null", "##by", "##te", "[SEP]"), n.tokens());
        assertArrayEquals(offsets(0, 0, 0, 4, 5, 7, 7, 9, 0, 0), n.offsets());
    }

    @Test
    void pairOffsetsPointIntoTheSecondText() {
        Encoding e = tokenizer.encode("Hi there", "Yes, you");
        assertEquals(List.of("[CLS]", "hi", "there", "[SEP]", "yes", ",", "you", "[SEP]"), e.tokens());
        assertArrayEquals(offsets(0, 0, 0, 2, 3, 8, 0, 0, 0, 3, 3, 4, 5, 8, 0, 0), e.offsets());
        assertArrayEquals(new int[] {1, 0, 0, 1, 0, 0, 0, 1}, e.specialTokensMask());
        assertArrayEquals(new int[] {0, 0, 0, 0, 1, 1, 1, 1}, e.tokenTypeIds());
    }

    @Test
    void specialTokensWrittenInTextAreNotMaskedAsAdded() {
        // HF's slow special_tokens_mask marks only the [CLS]/[SEP] it adds.
        Encoding e = tokenizer.encode("[CLS] x [SEP]");
        assertEquals(List.of("[CLS]", "[CLS]", "x", "[SEP]", "[SEP]"), e.tokens());
        assertArrayEquals(new int[] {1, 0, 0, 0, 1}, e.specialTokensMask());
    }

    @Test
    void onlyFirstAndOnlySecondCutTheNamedSequence() {
        // pub047 is a 23-token pair: [CLS] A [SEP] B [SEP].
        int[] full = goldenIds("pub047");
        String a = golden.get("pub047").get("text").getAsString();
        String b = golden.get("pub047").get("text_pair").getAsString();
        assertEquals(23, full.length);
        int lenA = 0;
        while (full[lenA + 1] != 102) {
            lenA++;
        }
        EncodeOptions o = EncodeOptions.DEFAULT.withMaxLength(16);
        int[] onlyFirst = tokenizer.encode(a, b, o.withTruncation(Truncation.ONLY_FIRST)).inputIds();
        int[] expectFirst = concat(Arrays.copyOfRange(full, 0, 1 + lenA - 7), Arrays.copyOfRange(full, 1 + lenA, 23));
        assertArrayEquals(expectFirst, onlyFirst);
        int[] onlySecond = tokenizer.encode(a, b, o.withTruncation(Truncation.ONLY_SECOND)).inputIds();
        int[] expectSecond = concat(Arrays.copyOfRange(full, 0, 22 - 7), new int[] {102});
        assertArrayEquals(expectSecond, onlySecond);
        // longest_first: A and B shrink in turn, B first on a tie, as golden pub051/pub052 show.
        assertArrayEquals(goldenIds("pub051"), tokenizer.encode(golden.get("pub051").get("text").getAsString(),
                golden.get("pub051").get("text_pair").getAsString(), o.withTruncation(Truncation.LONGEST_FIRST)).inputIds());
    }

    @Test
    void truncationThatCannotReachMaxLengthThrows() {
        EncodeOptions o = EncodeOptions.DEFAULT.withMaxLength(6);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> tokenizer.encode("short first", "a much longer second sentence", o.withTruncation(Truncation.ONLY_FIRST)));
        assertTrue(e.getMessage().contains("first sequence has only 2"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> tokenizer.encode("one two three four five", null, o.withTruncation(Truncation.ONLY_SECOND)));
        assertThrows(IllegalArgumentException.class,
                () -> tokenizer.encode("a b", "c d", EncodeOptions.DEFAULT.withMaxLength(2).withTruncation(Truncation.LONGEST_FIRST)));
        // max_length with no truncation and no padding truncates longest_first, as HF 4.29 does (it warns);
        // truncation=False or padding keep the text whole.
        assertEquals(6, tokenizer.encode("one two three four five", null, o).length());
        assertArrayEquals(tokenizer.encode("one two three four five", null, o.withTruncation(Truncation.LONGEST_FIRST))
                .inputIds(), tokenizer.encode("one two three four five", null, o).inputIds());
        assertEquals(7, tokenizer.encode("one two three four five", null, o.withTruncation(Truncation.DO_NOT_TRUNCATE))
                .length());
        assertEquals(7, tokenizer.encode("one two three four five", null, o.withPadding(Padding.LONGEST)).length());
    }

    @Test
    void truncationWithoutMaxLengthUsesModelMaxLength() {
        String text = "word ".repeat(600);
        Encoding e = tokenizer.encode(text, null, EncodeOptions.DEFAULT.withTruncation(Truncation.LONGEST_FIRST));
        assertEquals(512, e.length());
        assertEquals(102, e.inputIds()[511]);
    }

    @Test
    void paddingToLongestAndToMaxLength() {
        List<Encoding> batch = tokenizer.encodeBatch(List.of("Hello, World!", "", "question?"), null,
                EncodeOptions.DEFAULT.withPadding(Padding.LONGEST));
        int[] g3 = goldenIds("pub003");
        for (Encoding e : batch) {
            assertEquals(g3.length, e.length());
        }
        assertArrayEquals(g3, batch.get(0).inputIds());
        assertArrayEquals(new int[] {101, 102, 0, 0, 0, 0}, batch.get(1).inputIds());
        assertArrayEquals(new int[] {1, 1, 0, 0, 0, 0}, batch.get(1).attentionMask());
        assertArrayEquals(new int[] {1, 1, 1, 1, 1, 1}, batch.get(1).specialTokensMask());
        assertArrayEquals(new int[] {0, 0}, batch.get(1).offsets()[5]);

        Encoding p = tokenizer.encode("tiny", "pair", EncodeOptions.DEFAULT.withMaxLength(8).withPadding(Padding.MAX_LENGTH));
        int[] tiny = goldenIds("pub054");
        assertArrayEquals(concat(tiny, new int[8 - tiny.length]), p.inputIds());
        assertArrayEquals(new int[] {0, 0, 0, 1, 1, 0, 0, 0}, p.tokenTypeIds());
        assertArrayEquals(new int[] {1, 1, 1, 1, 1, 0, 0, 0}, p.attentionMask());
    }

    @Test
    void batchWithPairsMatchesSingleEncodings() {
        List<Encoding> batch = tokenizer.encodeBatch(List.of("tiny", "The capital of France is [MASK]."),
                List.of("pair", "Paris is known for the Eiffel Tower."), EncodeOptions.DEFAULT);
        assertArrayEquals(goldenIds("pub054"), batch.get(0).inputIds());
        assertArrayEquals(goldenIds("pub002"), batch.get(1).inputIds());
        assertThrows(IllegalArgumentException.class,
                () -> tokenizer.encodeBatch(List.of("a", "b"), List.of("c"), EncodeOptions.DEFAULT));
    }

    @Test
    void decodeJoinsWordPiecesAndCleansSpaces() {
        assertEquals("[CLS] hello, world! [SEP]", tokenizer.decode(goldenIds("pub003")));
        assertEquals("hello, world!", tokenizer.decode(goldenIds("pub003"), true, true));
        assertEquals("hello , world !", tokenizer.decode(goldenIds("pub003"), true, false));
        // "secessionist" is secession ##ist; "lincoln's" is lincoln ' s.
        assertEquals("after abraham lincoln won the november 1860 presidential [MASK] on an anti - slavery"
                        + " platform, an initial seven slave states declared their secession from the country to form"
                        + " the confederacy. war broke out in april 1861 when secessionist forces [MASK] fort sumter"
                        + " in south carolina, just over a month after lincoln's inauguration.",
                tokenizer.decode(goldenIds("pub000"), false, true).replace("[CLS] ", "").replace(" [SEP]", ""));
        assertEquals("[UNK]", tokenizer.decode(new int[] {999_999}));
    }

    @Test
    void badInputHasDefinedBehaviour() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> tokenizer.encode(null));
        assertTrue(e.getMessage().contains("text is null"));
        assertThrows(IllegalArgumentException.class, () -> tokenizer.encode("a", null, null));
        IllegalArgumentException p = assertThrows(IllegalArgumentException.class,
                () -> tokenizer.encodeBatch(Arrays.asList("a", null), null, EncodeOptions.DEFAULT));
        assertTrue(p.getMessage().contains("text is null"));
        // Unpaired surrogates are category Cs, which HF's _clean_text drops like any control.
        assertEquals(tokenizer.tokenize("ab cd"), tokenizer.tokenize("a\uD800b cd\uDFFF"));
        assertEquals(List.of(), tokenizer.tokenize(""));
        assertEquals(List.of(), tokenizer.tokenize(" \t\n\u3000\u2028 "));
        assertArrayEquals(goldenIds("pub006"), tokenizer.encode("   ").inputIds());
    }

    private static int[] concat(int[] a, int[] b) {
        int[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
