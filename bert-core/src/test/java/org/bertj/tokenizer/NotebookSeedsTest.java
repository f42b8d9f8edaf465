package org.bertj.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bertj.testing.Shared;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The two seed notebooks: their texts are read from the notebook source, and the ids HF printed
 * (000: input_ids and token_type_ids of the pair, 63 tokens) are parsed from the printed tensors.
 */
class NotebookSeedsTest {

    private static BertTokenizer tokenizer;
    private static String nb000;
    private static String nb001;

    @BeforeAll
    static void load() throws IOException {
        tokenizer = BertTokenizer.fromVocab(Shared.bertBaseVocab());
        nb000 = Files.readString(Shared.dir().resolve("seeds/000_a71cee8a59db758f.txt"), StandardCharsets.UTF_8);
        nb001 = Files.readString(Shared.dir().resolve("seeds/001_01f2cc09b1562165.txt"), StandardCharsets.UTF_8);
    }

    /** The {@code n}-th (from 0) Python assignment {@code name = ("..." "...")} of a notebook, joined. */
    static String pythonString(String notebook, String name, int n) {
        Matcher m = Pattern.compile("(?m)^" + name + " = \\(((?:\\s*\"[^\"]*\")+)\\)").matcher(notebook);
        for (int i = 0; i <= n; i++) {
            if (!m.find()) {
                throw new AssertionError("notebook has no assignment " + i + " of " + name);
            }
        }
        StringBuilder sb = new StringBuilder();
        Matcher part = Pattern.compile("\"([^\"]*)\"").matcher(m.group(1));
        while (part.find()) {
            sb.append(part.group(1));
        }
        return sb.toString();
    }

    /** The first printed {@code 'name': tensor([[...]])} of a notebook. */
    static int[] printedTensor(String notebook, String name) {
        Matcher m = Pattern.compile("'" + name + "': tensor\\(\\[\\[([^\\]]*)\\]\\]").matcher(notebook);
        if (!m.find()) {
            throw new AssertionError("notebook prints no " + name);
        }
        List<Integer> values = new ArrayList<>();
        for (String s : m.group(1).split("[,\\s]+")) {
            if (!s.isBlank()) {
                values.add(Integer.parseInt(s.trim()));
            }
        }
        return values.stream().mapToInt(Integer::intValue).toArray();
    }

    @Test
    void pairOfNotebook000Gives63PrintedIdsAndTokenTypes() {
        String text = pythonString(nb000, "text", 0);
        String text2 = pythonString(nb000, "text2", 0);
        Encoding e = tokenizer.encode(text, text2);
        int[] ids = printedTensor(nb000, "input_ids");
        assertEquals(63, ids.length);
        assertArrayEquals(ids, e.inputIds());
        assertArrayEquals(printedTensor(nb000, "token_type_ids"), e.tokenTypeIds());
        assertArrayEquals(printedTensor(nb000, "attention_mask"), e.attentionMask());
    }

    @Test
    void singleTextOfNotebook001Gives62Ids() {
        // 001 tokenizes the paragraph as one text: the pair's ids without the [SEP] between the sentences.
        String text = pythonString(nb001, "text", 0);
        Encoding e = tokenizer.encode(text);
        int[] pair = printedTensor(nb000, "input_ids");
        int[] expected = new int[62];
        System.arraycopy(pair, 0, expected, 0, 33);
        System.arraycopy(pair, 34, expected, 33, 29);
        assertEquals(102, pair[33]);
        assertArrayEquals(expected, e.inputIds());
        assertArrayEquals(new int[62], e.tokenTypeIds());
        // The [MASK] positions the notebooks use (9 and 44 in the pair, 9 and 43 here).
        assertEquals(103, e.inputIds()[9]);
        assertEquals(103, e.inputIds()[43]);
    }

    @Test
    void pairOfNotebook001MatchesNotebook000() {
        String text = pythonString(nb001, "text", 1);
        String text2 = pythonString(nb001, "text2", 0);
        assertArrayEquals(printedTensor(nb000, "input_ids"), tokenizer.encode(text, text2).inputIds());
        assertArrayEquals(printedTensor(nb000, "input_ids"), printedTensor(nb001, "input_ids"));
    }
}
