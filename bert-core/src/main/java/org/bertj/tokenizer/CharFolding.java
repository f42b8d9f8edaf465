package org.bertj.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Lower-casing and accent stripping of one code point, as HF's slow tokenizer does them: Python's
 * {@code str.lower()} (full case mapping, so U+0130 becomes "i" + U+0307) applied character by
 * character, then NFD with every Mn (non-spacing mark) dropped; all from bertj's Unicode 14.0 tables
 * ({@link UnicodeData}), never from the JDK.
 *
 * <p>HF lower-cases the text one character at a time before it splits off special tokens
 * ({@code PreTrainedTokenizer.tokenize}: a regex with {@code (.+?)}), so there is no final-sigma
 * context; and NFD followed by dropping Mn gives the same letters whether applied to a word or to
 * each of its code points, except for NFD's canonical reordering of the few marks that accent
 * stripping keeps ({@link #reorders}; the scanner redoes such a word whole). That makes folding a
 * per-code-point table: the BMP is precomputed once, the rare supplementary characters are cached on
 * first sight.
 */
final class CharFolding {

    /** {@link #bmpCode} of a character that folds to nothing (an accent, for instance). */
    static final int EMPTY = -1;

    private static final CharFolding[] MODES = new CharFolding[4];

    private final boolean lowerCase;
    private final boolean stripAccents;
    /** Per BMP char: the single char it folds to, {@link #EMPTY}, or {@code -(2 + index into multi)}. */
    private final int[] bmp = new int[0x10000];
    private final String[] multi;
    /** Per BMP char: whether its fold holds a kept non-starter, which NFD may reorder within the word. */
    private final boolean[] bmpReorders = new boolean[0x10000];
    private final ConcurrentHashMap<Integer, String> supplementary = new ConcurrentHashMap<>();

    private CharFolding(boolean lowerCase, boolean stripAccents) {
        this.lowerCase = lowerCase;
        this.stripAccents = stripAccents;
        List<String> multiList = new ArrayList<>();
        for (int c = 0; c < 0x10000; c++) {
            String f;
            if (c < 128) {
                f = asciiFold((char) c);
            } else if (CodePoints.kind(c) == CodePoints.REMOVED || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF)) {
                // Never folded (dropped before folding), or CJK ideographs: caseless, no decomposition.
                f = String.valueOf((char) c);
            } else {
                f = compute(c);
                bmpReorders[c] = stripAccents && hasKeptNonStarter(f);
            }
            if (f.isEmpty()) {
                bmp[c] = EMPTY;
            } else if (f.length() == 1) {
                bmp[c] = f.charAt(0);
            } else {
                bmp[c] = -(2 + multiList.size());
                multiList.add(f);
            }
        }
        multi = multiList.toArray(new String[0]);
    }

    /** The shared table for one combination of options (built on first use: about 0.1 s of CPU in a cold JVM). */
    static CharFolding of(boolean lowerCase, boolean stripAccents) {
        int i = (lowerCase ? 2 : 0) + (stripAccents ? 1 : 0);
        synchronized (MODES) {
            if (MODES[i] == null) {
                MODES[i] = new CharFolding(lowerCase, stripAccents);
            }
            return MODES[i];
        }
    }

    /** Whether this folding changes anything at all (false for cased vocabularies without stripping). */
    boolean isIdentity() {
        return !lowerCase && !stripAccents;
    }

    /** The fold of a BMP char: a char value, {@link #EMPTY}, or a negative index for {@link #multi}. */
    int bmpCode(char c) {
        return bmp[c];
    }

    /** The string behind a negative {@link #bmpCode} other than {@link #EMPTY}. */
    String multi(int code) {
        return multi[-code - 2];
    }

    /** Whether accents are stripped. */
    boolean stripsAccents() {
        return stripAccents;
    }

    /** Whether lower-casing is on. */
    boolean lowerCases() {
        return lowerCase;
    }

    /**
     * Whether the fold of {@code cp} holds a non-Mn character with a non-zero combining class (25 of
     * them in Unicode 14, e.g. U+1D165): with accents stripped, NFD's reordering may move it against
     * another kept one, so a word holding one is redone with {@link #appendNfd}.
     */
    boolean reorders(int cp) {
        return cp < 0x10000 ? bmpReorders[cp] : stripAccents && hasKeptNonStarter(supplementary(cp));
    }

    /**
     * Appends Python's {@code lower()} (if lower-casing) then the full canonical decomposition of
     * {@code cp} to {@code out}, marks included, for a word that must be decomposed and reordered whole.
     */
    void appendNfd(int cp, List<Integer> out) {
        for (int c : lowerCase ? UnicodeData.lower(cp) : new int[] {cp}) {
            for (int d : UnicodeData.nfd(c)) {
                out.add(d);
            }
        }
    }

    private static boolean hasKeptNonStarter(String f) {
        for (int i = 0; i < f.length(); ) {
            int c = f.codePointAt(i);
            if (UnicodeData.classOf(c) == UnicodeData.KEPT_NON_STARTER) {
                return true;
            }
            i += Character.charCount(c);
        }
        return false;
    }

    /** The fold of a supplementary code point (cached; these are rare). */
    String supplementary(int cp) {
        String f = supplementary.get(cp);
        if (f == null) {
            f = compute(cp);
            supplementary.put(cp, f);
        }
        return f;
    }

    private String asciiFold(char c) {
        return String.valueOf(lowerCase && c >= 'A' && c <= 'Z' ? (char) (c + 32) : c);
    }

    private String compute(int cp) {
        StringBuilder out = new StringBuilder(4);
        for (int c : lowerCase ? UnicodeData.lower(cp) : new int[] {cp}) {
            if (!stripAccents) {
                out.appendCodePoint(c);
                continue;
            }
            for (int d : UnicodeData.nfd(c)) {
                byte k = UnicodeData.classOf(d);
                if (k != UnicodeData.MARK && k != UnicodeData.MARK_STARTER) {
                    out.appendCodePoint(d);
                }
            }
        }
        return out.toString();
    }
}
