package org.bertj.tokenizer;

import java.text.Normalizer;
import java.util.Arrays;

/**
 * One pass over a text that does all of HF's slow BertTokenizer pipeline at once: special tokens
 * written in the text, {@code _clean_text}, spaces around CJK ideographs, the whitespace split,
 * lower-casing and accent stripping, the punctuation split, and greedy longest-match WordPiece.
 *
 * <p>Each word (a run between whitespace, CJK ideographs and special tokens) is folded into a char
 * buffer that remembers, for every folded char, the span of original text it came from (all chars
 * folded from one code point share its span); a dropped character (a control, a stripped accent)
 * belongs to no token's span, as in HF's fast tokenizer's offsets. Not thread-safe: one per thread.
 */
final class TextScanner {

    private final BertTokenizer tokenizer;
    private final CharFolding folding;
    private final TokenTrie trie;
    private final int continuationRoot;

    private char[] word = new char[64];
    private int[] wordStart = new int[64];
    private int[] wordEnd = new int[64];
    private int wordLength;
    private boolean wordAscii = true;

    TextScanner(BertTokenizer tokenizer) {
        this.tokenizer = tokenizer;
        this.folding = tokenizer.folding();
        this.trie = tokenizer.vocabulary().trie();
        this.continuationRoot = trie.node("##");
    }

    /** Appends the tokens of {@code text} to {@code out}; offsets are UTF-16 indices into {@code text}. */
    void scan(String text, Pieces out) {
        String[] specials = tokenizer.specialTokenStrings();
        int[] specialIds = tokenizer.specialTokenIds();
        char specialFirst = tokenizer.specialFirstChar();
        boolean chinese = tokenizer.tokenizeChineseChars();
        int n = text.length();
        wordLength = 0;
        wordAscii = true;
        int i = 0;
        while (i < n) {
            char c = text.charAt(i);
            if (c == specialFirst) {
                int match = matchSpecial(text, i, specials);
                if (match >= 0) {
                    flushWord(out);
                    int end = i + specials[match].length();
                    out.add(specialIds[match], i, end);
                    i = end;
                    continue;
                }
            }
            if (c < 128) {
                // ASCII: no table beyond the kind, and folding is at most a case change.
                byte kind = CodePoints.kind(c);
                if (kind == CodePoints.ORDINARY) {
                    append((char) folding.bmpCode(c), i, i + 1);
                } else if (kind == CodePoints.SPACE) {
                    flushWord(out);
                }
                // else REMOVED: an ASCII control leaves nothing
                i++;
                continue;
            }
            int cp = c;
            int len = 1;
            if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) {
                cp = Character.toCodePoint(c, text.charAt(i + 1));
                len = 2;
            }
            byte kind = CodePoints.kind(cp);
            if (kind == CodePoints.CJK && !chinese) {
                kind = CodePoints.ORDINARY;
            }
            switch (kind) {
                case CodePoints.ORDINARY:
                    appendFolded(cp, i, i + len);
                    break;
                case CodePoints.SPACE:
                    flushWord(out);
                    break;
                case CodePoints.REMOVED:
                    break;
                default: // CJK: a word of its own
                    flushWord(out);
                    appendFolded(cp, i, i + len);
                    flushWord(out);
                    break;
            }
            i += len;
        }
        flushWord(out);
    }

    private static int matchSpecial(String text, int at, String[] specials) {
        int best = -1;
        for (int s = 0; s < specials.length; s++) {
            if (text.startsWith(specials[s], at) && (best < 0 || specials[s].length() > specials[best].length())) {
                best = s;
            }
        }
        return best;
    }

    private void appendFolded(int cp, int start, int end) {
        String multi;
        if (cp < 0x10000) {
            int code = folding.bmpCode((char) cp);
            if (code >= 0) {
                append((char) code, start, end);
                return;
            }
            if (code == CharFolding.EMPTY) {
                return;
            }
            multi = folding.multi(code);
        } else {
            multi = folding.supplementary(cp);
            if (multi.isEmpty()) {
                return;
            }
        }
        for (int k = 0; k < multi.length(); k++) {
            append(multi.charAt(k), start, end);
        }
    }

    private void append(char c, int start, int end) {
        if (wordLength == word.length) {
            int n = wordLength * 2;
            word = Arrays.copyOf(word, n);
            wordStart = Arrays.copyOf(wordStart, n);
            wordEnd = Arrays.copyOf(wordEnd, n);
        }
        if (c >= 128) {
            wordAscii = false;
        }
        word[wordLength] = c;
        wordStart[wordLength] = start;
        wordEnd[wordLength] = end;
        wordLength++;
    }

    private void flushWord(Pieces out) {
        int n = wordLength;
        if (n == 0) {
            return;
        }
        if (!wordAscii) {
            if (tokenizer.composesWords()) {
                composeWord();
                n = wordLength;
            }
            if (!tokenizer.doLowerCase() && isSpecialToken()) {
                // HF's never_split: a whole whitespace-separated word that spells a special token
                // (possible only without lower-casing) goes to WordPiece unsplit.
                wordPiece(0, n, out);
                wordLength = 0;
                wordAscii = true;
                return;
            }
        } else if (!tokenizer.doLowerCase() && isSpecialToken()) {
            wordPiece(0, n, out);
            wordLength = 0;
            return;
        }
        int from = 0;
        int k = 0;
        while (k < n) {
            char c = word[k];
            int cp = c;
            int len = 1;
            if (!wordAscii && Character.isHighSurrogate(c) && k + 1 < n && Character.isLowSurrogate(word[k + 1])) {
                cp = Character.toCodePoint(c, word[k + 1]);
                len = 2;
            }
            if (CodePoints.isPunctuation(cp)) {
                if (k > from) {
                    wordPiece(from, k, out);
                }
                wordPiece(k, k + len, out);
                from = k + len;
            }
            k += len;
        }
        if (from < n) {
            wordPiece(from, n, out);
        }
        wordLength = 0;
        wordAscii = true;
    }

    private boolean isSpecialToken() {
        for (String s : tokenizer.specialTokenStrings()) {
            if (s.length() == wordLength) {
                boolean same = true;
                for (int k = 0; k < wordLength && same; k++) {
                    same = s.charAt(k) == word[k];
                }
                if (same) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * HF 4.29 NFC-normalizes the text before splitting it; that only matters when accents are kept
     * (stripping decomposes everything again). Composition is done per cluster (a starter and the
     * marks after it) so each composed char keeps the span of the characters it was made from.
     */
    private void composeWord() {
        String s = new String(word, 0, wordLength);
        if (Normalizer.isNormalized(s, Normalizer.Form.NFC)) {
            return;
        }
        String whole = Normalizer.normalize(s, Normalizer.Form.NFC);
        char[] w = new char[Math.max(whole.length(), 1)];
        int[] ws = new int[w.length];
        int[] we = new int[w.length];
        int len = 0;
        int k = 0;
        boolean clustersAgree = true;
        StringBuilder check = new StringBuilder(whole.length());
        while (k < wordLength) {
            int end = k + Character.charCount(Character.codePointAt(word, k, wordLength));
            while (end < wordLength && !isStarter(Character.codePointAt(word, end, wordLength))) {
                end += Character.charCount(Character.codePointAt(word, end, wordLength));
            }
            String cluster = Normalizer.normalize(new String(word, k, end - k), Normalizer.Form.NFC);
            check.append(cluster);
            if (check.length() > w.length) {
                clustersAgree = false;
                break;
            }
            for (int q = 0; q < cluster.length(); q++) {
                w[len] = cluster.charAt(q);
                ws[len] = wordStart[k];
                we[len] = wordEnd[end - 1];
                len++;
            }
            k = end;
        }
        if (!clustersAgree || !check.toString().equals(whole)) {
            // Composition across clusters (Hangul jamo, for instance): every char gets the word's span.
            len = whole.length();
            for (int q = 0; q < len; q++) {
                w[q] = whole.charAt(q);
                ws[q] = wordStart[0];
                we[q] = wordEnd[wordLength - 1];
            }
        }
        if (w.length > word.length) {
            word = new char[w.length];
            wordStart = new int[w.length];
            wordEnd = new int[w.length];
        }
        System.arraycopy(w, 0, word, 0, len);
        System.arraycopy(ws, 0, wordStart, 0, len);
        System.arraycopy(we, 0, wordEnd, 0, len);
        wordLength = len;
    }

    private static boolean isStarter(int cp) {
        int t = Character.getType(cp);
        return t != Character.NON_SPACING_MARK && t != Character.COMBINING_SPACING_MARK
                && t != Character.ENCLOSING_MARK;
    }

    /** Greedy longest-match WordPiece over {@code word[from, to)}: HF's WordpieceTokenizer.tokenize. */
    private void wordPiece(int from, int to, Pieces out) {
        int unk = tokenizer.unkId();
        int codePoints = wordAscii ? to - from : Character.codePointCount(word, from, to - from);
        if (codePoints > tokenizer.maxInputCharsPerWord()) {
            out.add(unk, wordStart[from], wordEnd[to - 1]);
            return;
        }
        int mark = out.size;
        int start = from;
        while (start < to) {
            int node = start == from ? TokenTrie.ROOT : continuationRoot;
            int best = TokenTrie.NONE;
            int bestEnd = -1;
            for (int k = start; k < to && node != TokenTrie.NONE; k++) {
                node = trie.child(node, word[k]);
                if (node != TokenTrie.NONE) {
                    int id = trie.tokenId(node);
                    // A match may not end between the two halves of a surrogate pair.
                    if (id != TokenTrie.NONE && !(k + 1 < to && Character.isLowSurrogate(word[k + 1])
                            && Character.isHighSurrogate(word[k]))) {
                        best = id;
                        bestEnd = k + 1;
                    }
                }
            }
            if (best == TokenTrie.NONE) {
                out.size = mark;
                out.add(unk, wordStart[from], wordEnd[to - 1]);
                return;
            }
            out.add(best, wordStart[start], wordEnd[bestEnd - 1]);
            start = bestEnd;
        }
    }
}
