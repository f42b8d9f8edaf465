package org.bertj.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * vocab.txt parsing as HF's {@code load_vocab}, and tokenizer options on small vocabularies whose
 * expected tokens follow from HF's algorithm by hand (the classic "unaffable" example of its docstring).
 */
class VocabularyTest {

    private static final List<String> BASE = List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]",
            "un", "##aff", "##able", "aff", "a", "##a", "é", "e", "##́", ",", "Hello", "hello");

    @Test
    void readsLinesLikePythonReadlines(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("vocab.txt");
        Files.write(f, "[PAD]\r\n[UNK]\rdup\n\ndup\n x \n".getBytes(StandardCharsets.UTF_8));
        Vocabulary v = Vocabulary.load(f);
        assertEquals(1, v.id("[UNK]"));
        assertEquals(4, v.id("dup"), "a repeated token keeps its last line");
        assertNull(v.token(2), "the earlier line of a repeated token decodes to nothing");
        assertEquals(3, v.id(""));
        assertEquals(5, v.id(" x "), "only the newline is stripped");
        assertEquals(5, v.size());
        assertEquals(6, v.idLimit());
    }

    @Test
    void invalidUtf8NamesTheByte(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("vocab.txt");
        Files.write(f, new byte[] {'[', 'U', 'N', 'K', ']', '\n', 'a', (byte) 0xC3, '\n'});
        IOException e = assertThrows(IOException.class, () -> Vocabulary.load(f));
        assertTrue(e.getMessage().contains("not valid UTF-8 at byte 7"), e.getMessage());
    }

    @Test
    void vocabularyWithoutUnkIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BertTokenizer.builder(Vocabulary.of(List.of("[CLS]", "[SEP]", "a"))).build());
        assertTrue(e.getMessage().contains("no [UNK]"), e.getMessage());
    }

    @Test
    void greedyLongestMatchWordPiece() {
        BertTokenizer t = BertTokenizer.builder(Vocabulary.of(BASE)).build();
        assertEquals(List.of("un", "##aff", "##able"), t.tokenize("unaffable"));
        assertEquals(List.of("a", "##a", "##a"), t.tokenize("aaa"));
        // No piece matches "x", so the whole word is [UNK], not just its tail.
        assertEquals(List.of("[UNK]", "a"), t.tokenize("unaffablex a"));
        assertEquals(List.of("a", "[UNK]"), t.tokenize("a " + "a".repeat(101)));
        assertEquals(100, t.tokenize("a".repeat(100)).size(), "100 chars is still within the limit");
    }

    @Test
    void maxInputCharsPerWordCountsCodePoints() {
        BertTokenizer t = BertTokenizer.builder(Vocabulary.of(List.of("[UNK]", "[CLS]", "[SEP]", "😀", "##😀")))
                .maxInputCharsPerWord(3).build();
        assertEquals(List.of("😀", "##😀", "##😀"), t.tokenize("😀😀😀"));
        assertEquals(List.of("[UNK]"), t.tokenize("😀😀😀😀"));
        assertEquals(List.of("😀"), t.tokenize("😀\u0301"), "the accent is stripped");
    }

    @Test
    void casedVocabularyKeepsCaseAndAccentsAndNeverSplitsSpecialWords() {
        // Expectations from scripts/hf_bert_tokenizer.py (transformers 4.29's BertTokenizer) on BASE.
        BertTokenizer cased = BertTokenizer.builder(Vocabulary.of(BASE)).doLowerCase(false).build();
        assertEquals(List.of("Hello", ",", "hello"), cased.tokenize("Hello, hello"));
        // HF 4.29 does not NFC-normalize: e + U+0301 stays two characters, é is one.
        assertEquals(List.of("e", "##\u0301"), cased.tokenize("e\u0301"));
        assertEquals(List.of("é"), cased.tokenize("é"));
        // A word that spells a special token once a control is dropped is not split at its brackets.
        assertEquals(List.of("[MASK]"), cased.tokenize("[MA\u200bSK]"));
        BertTokenizer uncased = BertTokenizer.builder(Vocabulary.of(BASE)).build();
        assertEquals(List.of("[UNK]", "[UNK]", "[UNK]"), uncased.tokenize("[MA\u200bSK]"));
        BertTokenizer casedStripped = BertTokenizer.builder(Vocabulary.of(BASE)).doLowerCase(false)
                .stripAccents(true).build();
        assertEquals(List.of("e"), casedStripped.tokenize("é"));
        // never_split is checked again after stripping, before the punctuation split
        assertEquals(List.of("[MASK]"), casedStripped.tokenize("[MÁ\u200bSK]"));
        BertTokenizer lowerKeepAccents = BertTokenizer.builder(Vocabulary.of(BASE)).stripAccents(false).build();
        assertEquals(List.of("é"), lowerKeepAccents.tokenize("É"));
    }

    @Test
    void neverSplitWordsAreKeptWhole() {
        // scripts/hf_bert_tokenizer.py gives the tokens ['[UNK]', 'aff,a', 'aff,a'] in both modes: the
        // never-split word is kept whole (not split at the comma into aff , a, all in the vocabulary)
        // and, not being in the vocabulary, has [UNK]'s id (HF's tokenize() shows the string itself).
        for (boolean lower : new boolean[] {false, true}) {
            BertTokenizer t = BertTokenizer.builder(Vocabulary.of(BASE)).doLowerCase(lower)
                    .neverSplit(java.util.Set.of("aff,a")).build();
            String text = lower ? "x AFF,a aff,\u200ba" : "x aff,a aff,\u200ba";
            assertEquals(List.of("x", "aff,a", "aff,a"), t.basicTokens(text));
            assertEquals(List.of("[UNK]", "[UNK]", "[UNK]"), t.tokenize(text));
        }
    }

    @Test
    void chineseCharsCanStayInWords() {
        List<String> v = List.of("[UNK]", "[CLS]", "[SEP]", "a", "中", "##中", "##a");
        assertEquals(List.of("a", "中", "a"), BertTokenizer.builder(Vocabulary.of(v)).build().tokenize("a中a"));
        assertEquals(List.of("a", "##中", "##a"),
                BertTokenizer.builder(Vocabulary.of(v)).tokenizeChineseChars(false).build().tokenize("a中a"));
    }
}
