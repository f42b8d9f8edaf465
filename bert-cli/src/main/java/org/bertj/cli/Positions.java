package org.bertj.cli;

import java.util.Arrays;
import org.bertj.tokenizer.BertTokenizer;
import org.bertj.tokenizer.Vocabulary;

/** Which token positions and which vocabulary entry a research command looks at. */
final class Positions {

    private Positions() {
    }

    /**
     * {@code --position P}, else every [MASK] of the row.
     *
     * @throws UsageException if P is outside the row's attended tokens, or there is no [MASK] and no --position
     */
    static int[] chosen(Subject s, int row, Integer position) throws UsageException {
        int[] kept = s.kept()[row];
        if (position != null) {
            int p = position;
            if (Arrays.stream(kept).noneMatch(k -> k == p)) {
                throw new UsageException("--position " + p + " is not one of row " + row + "'s " + kept.length
                        + " attended tokens (0.." + (kept.length - 1) + " unpadded)");
            }
            return new int[] {p};
        }
        if (s.tokenizer() == null) {
            throw new UsageException("without a vocab.txt there is no [MASK] to find: give --position P");
        }
        int mask = s.tokenizer().vocabulary().id(BertTokenizer.MASK);
        int[] masks = Arrays.stream(kept).filter(i -> s.inputIds()[row][i] == mask).toArray();
        if (masks.length == 0) {
            throw new UsageException("the input has no [MASK]: write one in the text or give --position P");
        }
        return masks;
    }

    /**
     * A vocabulary entry named by a word ("election") or by "#id" ("#42").
     *
     * @throws UsageException if the word is not one token of the vocabulary or the id is outside it
     */
    static int tokenId(Subject s, String word) throws UsageException {
        int vocabSize = s.model().config().vocabSize();
        if (word.matches("#\\d+")) {
            int id = Integer.parseInt(word.substring(1));
            if (id >= vocabSize) {
                throw new UsageException("token id " + id + " is outside the vocabulary of " + vocabSize);
            }
            return id;
        }
        if (s.tokenizer() == null) {
            throw new UsageException("without a vocab.txt a target is given as #id, not '" + word + "'");
        }
        Vocabulary v = s.tokenizer().vocabulary();
        String w = s.tokenizer().encode(word).tokens().size() == 3 ? s.tokenizer().encode(word).tokens().get(1) : null;
        if (w == null || !v.contains(w)) {
            throw new UsageException("'" + word + "' is not a single token of the vocabulary (it is "
                    + s.tokenizer().encode(word).tokens() + "); give a word that is, or #id");
        }
        return v.id(w);
    }

    static String word(Vocabulary v, int id) {
        return v == null ? "#" + id : v.token(id);
    }

    static String token(Subject s, int row, int position) {
        return word(s.tokenizer() == null ? null : s.tokenizer().vocabulary(), s.inputIds()[row][position]);
    }
}
