package org.bertj.tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One pass over a text that does all of HF's slow BertTokenizer pipeline at once: special tokens
 * written in the text, {@code _clean_text}, spaces around CJK ideographs, the whitespace split,
 * lower-casing and accent stripping, the punctuation split, and greedy longest-match WordPiece.
 *
 * <p>Each word (a run between whitespace, CJK ideographs and special tokens) is folded into a char
 * buffer that remembers, for every folded char, the span of original text it came from (all chars
 * folded from one code point share its span); a dropped character (a control, a stripped accent)
 * belongs to no token's span, as in HF's fast tokenizer's offsets. Not thread-safe: one per thread.
 *
 * <p>Unlike transformers 4.30 and later, 4.29's BertTokenizer does not NFC-normalize the text, so a
 * word is never composed: without accent stripping its characters are the text's own.
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
    /** The text being scanned, and the span of the current word in it ({@code wordFrom} -1: no word). */
    private String text;
    private int wordFrom = -1;
    private int wordTo;
    /** Whether the word holds a mark that accent stripping keeps and NFD may reorder. */
    private boolean wordReorders;
    /** When not null, words go here as strings instead of through WordPiece (HF's basic tokens). */
    private List<String> basicSink;

    TextScanner(BertTokenizer tokenizer) {
        this.tokenizer = tokenizer;
        this.folding = tokenizer.folding();
        this.trie = tokenizer.vocabulary().trie();
        this.continuationRoot = trie.node("##");
    }

    /**
     * HF's basic tokens of {@code text} (what BasicTokenizer gives, special tokens included), before
     * WordPiece: for tests that compare the per-character behaviour with the reference.
     */
    List<String> basicTokens(String text) {
        List<String> tokens = new ArrayList<>();
        basicSink = tokens;
        try {
            scan(text, new Pieces(8));
        } finally {
            basicSink = null;
        }
        return tokens;
    }

    /** Appends the tokens of {@code text} to {@code out}; offsets are UTF-16 indices into {@code text}. */
    void scan(String text, Pieces out) {
        String[] specials = tokenizer.specialTokenStrings();
        int[] specialIds = tokenizer.specialTokenIds();
        boolean chinese = tokenizer.tokenizeChineseChars();
        int n = text.length();
        this.text = text;
        resetWord();
        int i = 0;
        while (i < n) {
            char c = text.charAt(i);
            if (tokenizer.isSpecialFirstChar(c)) {
                int match = matchSpecial(text, i, specials);
                if (match >= 0) {
                    flushWord(out);
                    int end = i + specials[match].length();
                    if (basicSink != null) {
                        basicSink.add(specials[match]);
                    }
                    out.add(specialIds[match], i, end);
                    i = end;
                    continue;
                }
            }
            if (c < 128) {
                // ASCII: no table beyond the kind, and folding is at most a case change.
                byte kind = CodePoints.kind(c);
                if (kind == CodePoints.ORDINARY) {
                    startWord(i, i + 1);
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
                    startWord(i, i + len);
                    appendFolded(cp, i, i + len);
                    break;
                case CodePoints.SPACE:
                    flushWord(out);
                    break;
                case CodePoints.REMOVED:
                    break;
                default: // CJK: a word of its own
                    flushWord(out);
                    startWord(i, i + len);
                    appendFolded(cp, i, i + len);
                    flushWord(out);
                    break;
            }
            i += len;
        }
        flushWord(out);
        this.text = null;
    }

    private void startWord(int start, int end) {
        if (wordFrom < 0) {
            wordFrom = start;
        }
        wordTo = end;
    }

    private void resetWord() {
        wordLength = 0;
        wordAscii = true;
        wordFrom = -1;
        wordReorders = false;
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
        if (folding.reorders(cp)) {
            wordReorders = true;
        }
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
        if (wordFrom < 0) {
            return;
        }
        if (tokenizer.mayNeverSplit(firstCleanedCodePoint())) {
            String source = cleanedSource();
            if (tokenizer.isNeverSplit(source)) {
                // HF's never_split: the word as written is neither lower-cased, stripped nor split on
                // punctuation (a special token spelled across removed characters is caught here).
                setWord(source);
                wordPiece(0, wordLength, out);
                resetWord();
                return;
            }
        }
        if (wordReorders) {
            decomposeWord();
        }
        if (wordLength > 0 && tokenizer.mayNeverSplit(Character.codePointAt(word, 0, wordLength))
                && tokenizer.isNeverSplit(new String(word, 0, wordLength))) {
            // HF checks never_split again after folding, before the punctuation split.
            wordPiece(0, wordLength, out);
            resetWord();
            return;
        }
        int n = wordLength;
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
        resetWord();
    }

    /** The word's first code point as BasicTokenizer sees it (lower-cased if HF lower-cases). */
    private int firstCleanedCodePoint() {
        int cp = text.codePointAt(wordFrom);
        if (!folding.lowerCases()) {
            return cp;
        }
        return cp < 128 ? (cp >= 'A' && cp <= 'Z' ? cp + 32 : cp) : UnicodeData.lower(cp)[0];
    }

    /**
     * The word as HF's BasicTokenizer compares it with never_split: the text's characters with the
     * removed ones dropped, each lower-cased on its own if HF lower-cases (PreTrainedTokenizer.tokenize
     * does that before BasicTokenizer), not accent-stripped.
     */
    private String cleanedSource() {
        StringBuilder sb = new StringBuilder(wordTo - wordFrom);
        for (int i = wordFrom; i < wordTo; ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (CodePoints.kind(cp) == CodePoints.REMOVED) {
                continue;
            }
            for (int c : folding.lowerCases() ? UnicodeData.lower(cp) : new int[] {cp}) {
                sb.appendCodePoint(c);
            }
        }
        return sb.toString();
    }

    /** Replaces the word by {@code s}, every char with the whole word's span. */
    private void setWord(String s) {
        wordLength = 0;
        wordAscii = true;
        for (int k = 0; k < s.length(); k++) {
            append(s.charAt(k), wordFrom, wordTo);
        }
    }

    /**
     * Redoes the word as HF does it: NFD of the whole (lower-cased) word, whose canonical reordering
     * can swap two kept non-starters that per-character folding leaves in text order, then every Mn
     * dropped. Each char keeps the span of the code point it came from.
     */
    private void decomposeWord() {
        List<Integer> cps = new ArrayList<>();
        List<Integer> from = new ArrayList<>();
        for (int i = wordFrom; i < wordTo; ) {
            int cp = text.codePointAt(i);
            int len = Character.charCount(cp);
            if (CodePoints.kind(cp) != CodePoints.REMOVED) {
                int before = cps.size();
                folding.appendNfd(cp, cps);
                for (int k = before; k < cps.size(); k++) {
                    from.add(i);
                }
            }
            i += len;
        }
        // Canonical ordering (Unicode 3.11): a stable sort by combining class of each run of non-starters.
        for (int k = 1; k < cps.size(); k++) {
            int ccc = UnicodeData.combiningClass(cps.get(k));
            for (int j = k; ccc != 0 && j > 0; j--) {
                int prev = UnicodeData.combiningClass(cps.get(j - 1));
                if (prev <= ccc) {
                    break;
                }
                cps.set(j, cps.set(j - 1, cps.get(j)));
                from.set(j, from.set(j - 1, from.get(j)));
            }
        }
        wordLength = 0;
        wordAscii = true;
        for (int k = 0; k < cps.size(); k++) {
            int cp = cps.get(k);
            byte c = UnicodeData.classOf(cp);
            if (c == UnicodeData.MARK || c == UnicodeData.MARK_STARTER) {
                continue;
            }
            int start = from.get(k);
            int end = start + Character.charCount(text.codePointAt(start));
            for (char ch : Character.toChars(cp)) {
                append(ch, start, end);
            }
        }
    }

    /** Greedy longest-match WordPiece over {@code word[from, to)}: HF's WordpieceTokenizer.tokenize. */
    private void wordPiece(int from, int to, Pieces out) {
        if (basicSink != null) {
            basicSink.add(new String(word, from, to - from));
            return;
        }
        if (!tokenizer.neverSplit().isEmpty()) {
            String piece = new String(word, from, to - from);
            if (tokenizer.neverSplit().contains(piece)) {
                // BertTokenizer._tokenize: a basic token in never_split skips WordPiece
                int id = tokenizer.vocabulary().id(piece);
                out.add(id < 0 ? tokenizer.unkId() : id, wordStart[from], wordEnd[to - 1]);
                return;
            }
        }
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
