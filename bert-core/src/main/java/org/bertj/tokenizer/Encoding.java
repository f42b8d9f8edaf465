package org.bertj.tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One encoded text or pair: what HF's tokenizer call returns ({@code input_ids}, {@code token_type_ids},
 * {@code attention_mask}, {@code special_tokens_mask}) plus the fast tokenizer's {@code offset_mapping}.
 *
 * <p>Offsets are [start, end) UTF-16 indices into the text the token came from (the first text for
 * token type 0, the pair for type 1), so {@code text.substring(start, end)} is its source; they equal
 * HF's (Python code point) offsets whenever the text has no character outside the BMP, and
 * {@link #codePointOffsets} converts them. {@code [CLS]}, {@code [SEP]} and padding have (0, 0). The
 * arrays returned are copies.
 */
public final class Encoding {

    private final Vocabulary vocabulary;
    private final String text;
    private final String textPair;
    private final int[] inputIds;
    private final int[] tokenTypeIds;
    private final int[] attentionMask;
    private final int[] specialTokensMask;
    private final int[] starts;
    private final int[] ends;

    Encoding(Vocabulary vocabulary, String text, String textPair, int[] inputIds, int[] tokenTypeIds,
             int[] attentionMask, int[] specialTokensMask, int[] starts, int[] ends) {
        this.vocabulary = vocabulary;
        this.text = text;
        this.textPair = textPair;
        this.inputIds = inputIds;
        this.tokenTypeIds = tokenTypeIds;
        this.attentionMask = attentionMask;
        this.specialTokensMask = specialTokensMask;
        this.starts = starts;
        this.ends = ends;
    }

    /** {@return the number of tokens, special tokens and padding included} */
    public int length() {
        return inputIds.length;
    }

    /** {@return {@code input_ids}: one vocabulary id per token, padding included} */
    public int[] inputIds() {
        return inputIds.clone();
    }

    /** {@return {@code token_type_ids}: 0 for {@code [CLS]} A {@code [SEP]}, 1 for B {@code [SEP]}, 0 for padding} */
    public int[] tokenTypeIds() {
        return tokenTypeIds.clone();
    }

    /** {@return {@code attention_mask}: 1 for tokens, 0 for padding} */
    public int[] attentionMask() {
        return attentionMask.clone();
    }

    /** {@return {@code special_tokens_mask}: 1 for the added {@code [CLS]}/{@code [SEP]} and padding, else 0} */
    public int[] specialTokensMask() {
        return specialTokensMask.clone();
    }

    /** {@return {@code offset_mapping} as {@code [length][2]} start/end pairs, in UTF-16 units (see the class comment)} */
    public int[][] offsets() {
        int[][] o = new int[inputIds.length][];
        for (int i = 0; i < o.length; i++) {
            o[i] = new int[] {starts[i], ends[i]};
        }
        return o;
    }

    /** {@return {@code offset_mapping} as {@code [length][2]}, in code points, exactly as HF's fast tokenizer reports it in Python} */
    public int[][] codePointOffsets() {
        int[][] o = new int[inputIds.length][];
        for (int i = 0; i < o.length; i++) {
            if (starts[i] == 0 && ends[i] == 0) {
                o[i] = new int[] {0, 0};
            } else {
                String source = tokenTypeIds[i] == 1 && textPair != null ? textPair : text;
                int start = source.codePointCount(0, starts[i]);
                o[i] = new int[] {start, start + source.codePointCount(starts[i], ends[i])};
            }
        }
        return o;
    }

    /** {@return the tokens, HF's {@code convert_ids_to_tokens(input_ids)}; {@code [UNK]} for an id the vocabulary lacks} */
    public List<String> tokens() {
        List<String> t = new ArrayList<>(inputIds.length);
        for (int id : inputIds) {
            String s = vocabulary.token(id);
            t.add(s == null ? BertTokenizer.UNK : s);
        }
        return t;
    }

    String text() {
        return text;
    }

    String textPair() {
        return textPair;
    }

    @Override
    public String toString() {
        return "Encoding" + tokens() + " ids=" + Arrays.toString(inputIds);
    }
}
