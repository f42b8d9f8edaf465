package org.bertj.tokenizer;

/**
 * The character classes of Hugging Face's BasicTokenizer ({@code _is_whitespace}, {@code _is_control},
 * {@code _is_punctuation}, {@code _is_chinese_char}), from bertj's Unicode 14.0 tables
 * ({@link UnicodeData}), with the Basic Multilingual Plane in arrays so the tokenizer's inner loop
 * does one array read per character.
 */
final class CodePoints {

    /** A code point that belongs to a word. */
    static final byte ORDINARY = 0;
    /** Ends a word: HF's whitespace, plus U+2028/U+2029, on which Python's {@code str.split()} also splits. */
    static final byte SPACE = 1;
    /** Dropped by {@code _clean_text}: NUL, U+FFFD and every category C* (lone surrogates included). */
    static final byte REMOVED = 2;
    /** A CJK ideograph: HF puts spaces around it, so it is a word of its own. */
    static final byte CJK = 3;

    private static final byte[] BMP_KIND = new byte[0x10000];
    private static final boolean[] BMP_PUNCT = new boolean[0x10000];

    static {
        for (int c = 0; c < 0x10000; c++) {
            BMP_KIND[c] = computeKind(c);
            BMP_PUNCT[c] = UnicodeData.classOf(c) == UnicodeData.PUNCT;
        }
    }

    private CodePoints() {
    }

    /** What {@code _clean_text}, {@code _tokenize_chinese_chars} and the whitespace split make of {@code cp}. */
    static byte kind(int cp) {
        return cp < 0x10000 ? BMP_KIND[cp] : computeKind(cp);
    }

    /** HF's {@code _is_punctuation}: ASCII non-alphanumeric symbols and every Unicode P* category. */
    static boolean isPunctuation(int cp) {
        return cp < 0x10000 ? BMP_PUNCT[cp] : UnicodeData.classOf(cp) == UnicodeData.PUNCT;
    }

    private static byte computeKind(int cp) {
        switch (UnicodeData.classOf(cp)) {
            case UnicodeData.REMOVED:
                return REMOVED;
            case UnicodeData.SPACE:
                return SPACE;
            case UnicodeData.CJK:
                return CJK;
            default:
                return ORDINARY;
        }
    }
}
