package org.bertj.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the per-code-point coverage cannot see: words where NFD of the whole word reorders marks that
 * accent stripping keeps, and lower-casing that needs no context. Expectations printed by
 * scripts/hf_bert_tokenizer.py's BasicTokenizer (transformers 4.29) on Python 3.11 / Unicode 14.0.
 */
class UnicodeTablesTest {

    private static final Vocabulary VOCAB = Vocabulary.of(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"));
    private static final BertTokenizer UNCASED = BertTokenizer.builder(VOCAB).build();
    private static final BertTokenizer STRIP_ONLY = BertTokenizer.builder(VOCAB).doLowerCase(false).stripAccents(true).build();
    private static final BertTokenizer CASED = BertTokenizer.builder(VOCAB).doLowerCase(false).build();

    @Test
    void tablesAreUnicode14() {
        assertEquals("14.0.0", UnicodeData.VERSION);
        // U+1FAE0 (melting face) is new in 14.0: a symbol, kept (JDK 17's Unicode 13 calls it unassigned)
        assertEquals(UnicodeData.OTHER, UnicodeData.classOf(0x1FAE0));
        assertEquals(UnicodeData.REMOVED, UnicodeData.classOf(0x1FAE8), "unassigned in 14.0");
        assertEquals(230, UnicodeData.combiningClass(0x0301));
        assertEquals(0, UnicodeData.combiningClass('a'));
    }

    @Test
    void canonicalReorderingOfKeptNonStartersAsHf() {
        // 'a' U+1D16D (ccc 226) U+1D165 (ccc 216) 'b': NFD swaps the two, both Mc, both kept
        for (BertTokenizer t : new BertTokenizer[] {UNCASED, STRIP_ONLY}) {
            assertEquals(List.of("0061 1D165 1D16D 0062"), hex(t.basicTokens("a\uD834\uDD6D\uD834\uDD65b")));
            // the acute between them is dropped, the order still follows the combining classes
            assertEquals(List.of("0078 1D165 1D16D"), hex(t.basicTokens("x\uD834\uDD6D\u0301\uD834\uDD65")));
            // U+1D160 decomposes to 1D158 1D165 1D16E; the U+1D16D after it stays last
            assertEquals(List.of("1D158 1D165 1D16E 1D16D"), hex(t.basicTokens("\uD834\uDD60\uD834\uDD6D")));
            assertEquals(List.of("0061 1B44 0062"), hex(t.basicTokens("a\u1B44\u1B34b")));
        }
        // without stripping nothing is decomposed or reordered
        assertEquals(List.of("0061 1D16D 1D165 0062"), hex(CASED.basicTokens("a\uD834\uDD6D\uD834\uDD65b")));
        assertEquals(List.of("0061 1B44 1B34 0062"), hex(CASED.basicTokens("a\u1B44\u1B34b")));
    }

    @Test
    void lowerCasingIsPythonsPerCharacter() {
        String text = "\u0130stanbul \u03A3\u038A\u03A3\u03A5\u03A6\u039F\u03A3";
        assertEquals(List.of("0069 0073 0074 0061 006E 0062 0075 006C", "03C3 03B9 03C3 03C5 03C6 03BF 03C3"),
                hex(UNCASED.basicTokens(text)), "no final sigma: HF lowers one character at a time");
        assertEquals(List.of("0049 0073 0074 0061 006E 0062 0075 006C", "03A3 0399 03A3 03A5 03A6 039F 03A3"),
                hex(STRIP_ONLY.basicTokens(text)));
        assertEquals(List.of("0130 0073 0074 0061 006E 0062 0075 006C", "03A3 038A 03A3 03A5 03A6 039F 03A3"),
                hex(CASED.basicTokens(text)));
    }

    private static List<String> hex(List<String> tokens) {
        List<String> out = new ArrayList<>();
        for (String t : tokens) {
            StringBuilder sb = new StringBuilder();
            t.codePoints().forEach(c -> sb.append(sb.length() == 0 ? "" : " ").append(String.format("%04X", c)));
            out.add(sb.toString());
        }
        return out;
    }
}
