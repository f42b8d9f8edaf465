package org.bertj.tokenizer;

/**
 * The character classes of Hugging Face's BasicTokenizer ({@code _is_whitespace}, {@code _is_control},
 * {@code _is_punctuation}, {@code _is_chinese_char}), answered from tables for the Basic Multilingual
 * Plane so the tokenizer's inner loop does one array read per character.
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
            BMP_PUNCT[c] = computePunctuation(c);
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
        return cp < 0x10000 ? BMP_PUNCT[cp] : computePunctuation(cp);
    }

    private static byte computeKind(int cp) {
        if (cp == 0 || cp == 0xFFFD) {
            return REMOVED;
        }
        if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r') {
            return SPACE;
        }
        int type = Character.getType(cp);
        switch (type) {
            case Character.SPACE_SEPARATOR:
            case Character.LINE_SEPARATOR:
            case Character.PARAGRAPH_SEPARATOR:
                return SPACE;
            case Character.CONTROL:
            case Character.FORMAT:
            case Character.PRIVATE_USE:
            case Character.SURROGATE:
            case Character.UNASSIGNED:
                return REMOVED;
            default:
                return isChineseChar(cp) ? CJK : ORDINARY;
        }
    }

    /** HF's {@code _is_chinese_char}: the CJK Unified Ideographs blocks, not Hangul, Hiragana or Katakana. */
    static boolean isChineseChar(int cp) {
        return (cp >= 0x4E00 && cp <= 0x9FFF)
                || (cp >= 0x3400 && cp <= 0x4DBF)
                || (cp >= 0x20000 && cp <= 0x2A6DF)
                || (cp >= 0x2A700 && cp <= 0x2B73F)
                || (cp >= 0x2B740 && cp <= 0x2B81F)
                || (cp >= 0x2B820 && cp <= 0x2CEAF)
                || (cp >= 0xF900 && cp <= 0xFAFF)
                || (cp >= 0x2F800 && cp <= 0x2FA1F);
    }

    private static boolean computePunctuation(int cp) {
        if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126)) {
            return true;
        }
        switch (Character.getType(cp)) {
            case Character.CONNECTOR_PUNCTUATION:
            case Character.DASH_PUNCTUATION:
            case Character.START_PUNCTUATION:
            case Character.END_PUNCTUATION:
            case Character.INITIAL_QUOTE_PUNCTUATION:
            case Character.FINAL_QUOTE_PUNCTUATION:
            case Character.OTHER_PUNCTUATION:
                return true;
            default:
                return false;
        }
    }
}
