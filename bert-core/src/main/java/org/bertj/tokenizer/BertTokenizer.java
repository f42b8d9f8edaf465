package org.bertj.tokenizer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Hugging Face's (slow, pure-Python) {@code BertTokenizer} of transformers 4.29, token for token:
 * basic tokenization (clean text, CJK ideographs split off, whitespace split, lower-casing and accent
 * stripping for uncased vocabularies, punctuation split, {@code [CLS] [SEP] [PAD] [UNK] [MASK]} written
 * in the text kept whole), then greedy longest-match WordPiece; encoding of a text or a pair with
 * truncation and padding; decoding.
 *
 * <p>Everything happens in one pass over the text with no regular expression and no String per
 * character or per candidate piece (see {@link TextScanner}). Immutable and thread-safe.
 *
 * <p>Where HF only logs an error and returns a sequence longer than {@code max_length} (a truncation
 * that cannot remove enough tokens), this class throws {@link IllegalArgumentException} instead.
 */
public final class BertTokenizer {

    /** The unknown token. */
    public static final String UNK = "[UNK]";
    /** The classifier token that starts every encoding. */
    public static final String CLS = "[CLS]";
    /** The separator that ends each sequence. */
    public static final String SEP = "[SEP]";
    /** The padding token. */
    public static final String PAD = "[PAD]";
    /** The mask token of masked-language modelling. */
    public static final String MASK = "[MASK]";

    /** HF's {@code model_max_length} for bert-base: the default of {@link Builder#modelMaxLength}. */
    public static final int BERT_MAX_LENGTH = 512;

    private static final String[] SPECIALS = {UNK, SEP, PAD, CLS, MASK};

    private final Vocabulary vocabulary;
    private final boolean doLowerCase;
    private final boolean stripAccents;
    private final boolean tokenizeChineseChars;
    private final int maxInputCharsPerWord;
    private final int modelMaxLength;
    private final CharFolding folding;
    private final int unkId;
    private final int clsId;
    private final int sepId;
    private final int padId;
    private final int[] specialIds;
    private final boolean[] isSpecialId;
    private final ThreadLocal<TextScanner> scanners;

    private BertTokenizer(Builder b) {
        this.vocabulary = b.vocabulary;
        this.doLowerCase = b.doLowerCase;
        this.stripAccents = b.stripAccents == null ? b.doLowerCase : b.stripAccents;
        this.tokenizeChineseChars = b.tokenizeChineseChars;
        this.maxInputCharsPerWord = b.maxInputCharsPerWord;
        this.modelMaxLength = b.modelMaxLength;
        this.unkId = requireToken(UNK);
        this.clsId = requireToken(CLS);
        this.sepId = requireToken(SEP);
        this.padId = vocabulary.id(PAD);
        this.specialIds = new int[SPECIALS.length];
        this.isSpecialId = new boolean[vocabulary.idLimit()];
        for (int i = 0; i < SPECIALS.length; i++) {
            int id = vocabulary.id(SPECIALS[i]);
            specialIds[i] = id < 0 ? unkId : id;
            if (id >= 0) {
                isSpecialId[id] = true;
            }
        }
        this.folding = CharFolding.of(doLowerCase, stripAccents);
        this.scanners = ThreadLocal.withInitial(() -> new TextScanner(this));
    }

    private int requireToken(String token) {
        int id = vocabulary.id(token);
        if (id < 0) {
            throw new IllegalArgumentException("the vocabulary has no " + token + " token; BERT needs "
                    + UNK + ", " + CLS + " and " + SEP + byteOrderMarkHint(token));
        }
        return id;
    }

    /**
     * Why a token may seem absent: HF's {@code load_vocab} reads vocab.txt as "utf-8", not
     * "utf-8-sig", so a byte order mark stays part of the first token, and so it does here.
     */
    private String byteOrderMarkHint(String token) {
        String first = vocabulary.token(0);
        if (first == null || !first.startsWith("\uFEFF")) {
            return "";
        }
        return " (the file starts with a UTF-8 byte order mark, which Hugging Face's load_vocab keeps as part of"
                + " the first token: line 1 is U+FEFF + '" + first.substring(1) + "'"
                + (first.substring(1).equals(token) ? ", not " + token : "") + "; remove the 3 bytes EF BB BF)";
    }

    /** The uncased tokenizer (bert-base-uncased's settings) of a {@code vocab.txt}. */
    public static BertTokenizer fromVocab(Path vocabTxt) throws IOException {
        return builder(Vocabulary.load(vocabTxt)).build();
    }

    /** A builder with HF's defaults: lower-case, strip accents with it, split CJK, 100 chars per word. */
    public static Builder builder(Vocabulary vocabulary) {
        return new Builder(vocabulary);
    }

    /** The options of HF's {@code BertTokenizer.__init__} that change tokenization. */
    public static final class Builder {
        private final Vocabulary vocabulary;
        private boolean doLowerCase = true;
        private Boolean stripAccents;
        private boolean tokenizeChineseChars = true;
        private int maxInputCharsPerWord = 100;
        private int modelMaxLength = BERT_MAX_LENGTH;

        private Builder(Vocabulary vocabulary) {
            this.vocabulary = Objects.requireNonNull(vocabulary, "vocabulary");
        }

        /** {@code do_lower_case} (true for uncased vocabularies). */
        public Builder doLowerCase(boolean v) {
            doLowerCase = v;
            return this;
        }

        /** {@code strip_accents}; null (the default) follows {@code do_lower_case}. */
        public Builder stripAccents(Boolean v) {
            stripAccents = v;
            return this;
        }

        /** {@code tokenize_chinese_chars}. */
        public Builder tokenizeChineseChars(boolean v) {
            tokenizeChineseChars = v;
            return this;
        }

        /** WordPiece's {@code max_input_chars_per_word}: longer words become {@code [UNK]}. */
        public Builder maxInputCharsPerWord(int v) {
            if (v < 1) {
                throw new IllegalArgumentException("max_input_chars_per_word must be >= 1, got " + v);
            }
            maxInputCharsPerWord = v;
            return this;
        }

        /** {@code model_max_length}: the max_length of truncation or padding when none is given. */
        public Builder modelMaxLength(int v) {
            if (v < 1) {
                throw new IllegalArgumentException("model_max_length must be >= 1, got " + v);
            }
            modelMaxLength = v;
            return this;
        }

        /** @throws IllegalArgumentException if the vocabulary lacks [UNK], [CLS] or [SEP] */
        public BertTokenizer build() {
            return new BertTokenizer(this);
        }
    }

    // ---------------------------------------------------------------- tokenizing

    /** HF's {@code tokenize(text)}: the WordPiece tokens, no special tokens added. */
    public List<String> tokenize(String text) {
        Pieces p = pieces(text, "text");
        List<String> out = new ArrayList<>(p.size);
        for (int i = 0; i < p.size; i++) {
            String t = vocabulary.token(p.ids[i]);
            out.add(t == null ? UNK : t);
        }
        return out;
    }

    /** The ids of {@link #tokenize}, HF's {@code encode(text, add_special_tokens=False)}. */
    public int[] tokenIds(String text) {
        Pieces p = pieces(text, "text");
        return Arrays.copyOf(p.ids, p.size);
    }

    private Pieces pieces(String text, String what) {
        if (text == null) {
            throw new IllegalArgumentException(what + " is null: input must be a string (HF raises"
                    + " 'text input must be of type str')");
        }
        Pieces p = new Pieces(text.length() / 4 + 8);
        scanners.get().scan(text, p);
        return p;
    }

    // ---------------------------------------------------------------- encoding

    /** {@code tokenizer(text)}: {@code [CLS] text [SEP]}. */
    public Encoding encode(String text) {
        return encode(text, null, EncodeOptions.DEFAULT);
    }

    /** {@code tokenizer(text, text_pair)}: {@code [CLS] A [SEP] B [SEP]}. */
    public Encoding encode(String text, String textPair) {
        return encode(text, textPair, EncodeOptions.DEFAULT);
    }

    /**
     * {@code tokenizer(text, text_pair, **options)}.
     *
     * @param textPair the second sequence, or null for a single text
     * @throws IllegalArgumentException for a null text, or a truncation that cannot reach max_length
     */
    public Encoding encode(String text, String textPair, EncodeOptions options) {
        requireOptions(options);
        Encoding e = encodeUnpadded(text, textPair, options);
        if (options.padding() == Padding.MAX_LENGTH) {
            e = pad(e, maxLength(options));
        }
        return e;
    }

    /**
     * A batch: {@code tokenizer(texts, text_pairs, **options)}; with {@link Padding#LONGEST} every
     * encoding is padded to the longest of the batch.
     *
     * @param textPairs null, or one second sequence per text
     */
    public List<Encoding> encodeBatch(List<String> texts, List<String> textPairs, EncodeOptions options) {
        requireOptions(options);
        if (texts == null) {
            throw new IllegalArgumentException("texts is null");
        }
        if (textPairs != null && textPairs.size() != texts.size()) {
            throw new IllegalArgumentException("batch has " + texts.size() + " texts but " + textPairs.size()
                    + " text pairs");
        }
        List<Encoding> out = new ArrayList<>(texts.size());
        int longest = 0;
        for (int i = 0; i < texts.size(); i++) {
            Encoding e = encodeUnpadded(texts.get(i), textPairs == null ? null : textPairs.get(i), options);
            longest = Math.max(longest, e.length());
            out.add(e);
        }
        int target = options.padding() == Padding.MAX_LENGTH ? maxLength(options)
                : options.padding() == Padding.LONGEST ? longest : -1;
        if (target >= 0) {
            out.replaceAll(e -> pad(e, target));
        }
        return out;
    }

    private static void requireOptions(EncodeOptions options) {
        if (options == null) {
            throw new IllegalArgumentException("options is null (use EncodeOptions.DEFAULT)");
        }
    }

    private int maxLength(EncodeOptions options) {
        return options.maxLength() != null ? options.maxLength() : modelMaxLength;
    }

    private Encoding encodeUnpadded(String text, String textPair, EncodeOptions options) {
        Pieces a = pieces(text, "text");
        Pieces b = textPair == null ? null : pieces(textPair, "text_pair");
        int specials = options.addSpecialTokens() ? (b == null ? 2 : 3) : 0;
        int lenA = a.size;
        int lenB = b == null ? 0 : b.size;
        if (options.truncation() != Truncation.DO_NOT_TRUNCATE) {
            int max = maxLength(options);
            int remove = lenA + lenB + specials - max;
            if (remove > 0) {
                if (max < specials) {
                    throw new IllegalArgumentException("max_length " + max + " is less than the " + specials
                            + " special tokens of a " + (b == null ? "single text" : "pair"));
                }
                Truncation t = options.truncation();
                if (t == Truncation.ONLY_FIRST || (t == Truncation.LONGEST_FIRST && b == null)) {
                    if (lenA <= remove) {
                        throw cannotTruncate(remove, "first", lenA, t);
                    }
                    lenA -= remove;
                } else if (t == Truncation.ONLY_SECOND) {
                    if (b == null) {
                        throw new IllegalArgumentException("truncation only_second needs a text pair; the single"
                                + " text has " + (lenA + specials) + " tokens, over max_length " + max);
                    }
                    if (lenB <= remove) {
                        throw cannotTruncate(remove, "second", lenB, t);
                    }
                    lenB -= remove;
                } else {
                    // HF removes one token at a time from the longer sequence, the second on a tie.
                    for (int r = 0; r < remove; r++) {
                        if (lenA > lenB) {
                            lenA--;
                        } else {
                            lenB--;
                        }
                    }
                }
            }
        }
        int n = lenA + lenB + specials;
        int[] ids = new int[n];
        int[] types = new int[n];
        int[] mask = new int[n];
        int[] special = new int[n];
        int[] starts = new int[n];
        int[] ends = new int[n];
        Arrays.fill(mask, 1);
        int k = 0;
        if (options.addSpecialTokens()) {
            ids[k] = clsId;
            special[k++] = 1;
        }
        System.arraycopy(a.ids, 0, ids, k, lenA);
        System.arraycopy(a.starts, 0, starts, k, lenA);
        System.arraycopy(a.ends, 0, ends, k, lenA);
        k += lenA;
        if (options.addSpecialTokens()) {
            ids[k] = sepId;
            special[k++] = 1;
        }
        if (b != null) {
            int from = k;
            System.arraycopy(b.ids, 0, ids, k, lenB);
            System.arraycopy(b.starts, 0, starts, k, lenB);
            System.arraycopy(b.ends, 0, ends, k, lenB);
            k += lenB;
            if (options.addSpecialTokens()) {
                ids[k] = sepId;
                special[k++] = 1;
            }
            Arrays.fill(types, from, k, 1);
        }
        return new Encoding(vocabulary, text, textPair, ids, types, mask, special, starts, ends);
    }

    private static IllegalArgumentException cannotTruncate(int remove, String which, int has, Truncation t) {
        return new IllegalArgumentException("truncation " + t.hfName() + " must remove " + remove
                + " tokens but the " + which + " sequence has only " + has
                + " (HF logs this as an error and returns the sequence too long)");
    }

    /**
     * Longest sequence padding may produce. A request's max_length is otherwise unchecked (HF itself
     * uses 10^30 for "no limit"), but padding to it allocates: 2^31 - 1 would take 50 GB.
     */
    public static final int MAX_PADDED_LENGTH = 1 << 20;

    private Encoding pad(Encoding e, int target) {
        int n = e.length();
        if (n >= target) {
            return e;
        }
        if (target > MAX_PADDED_LENGTH) {
            throw new IllegalArgumentException("max_length " + target + " with padding is more than the limit of "
                    + MAX_PADDED_LENGTH + " tokens a padded sequence may have");
        }
        if (padId < 0) {
            throw new IllegalArgumentException("padding needs a " + PAD + " token, which the vocabulary lacks"
                    + byteOrderMarkHint(PAD));
        }
        int[] ids = Arrays.copyOf(e.inputIds(), target);
        Arrays.fill(ids, n, target, padId);
        int[] special = Arrays.copyOf(e.specialTokensMask(), target);
        Arrays.fill(special, n, target, 1);
        int[][] offsets = e.offsets();
        int[] starts = new int[target];
        int[] ends = new int[target];
        for (int i = 0; i < n; i++) {
            starts[i] = offsets[i][0];
            ends[i] = offsets[i][1];
        }
        return new Encoding(vocabulary, e.text(), e.textPair(), ids, Arrays.copyOf(e.tokenTypeIds(), target),
                Arrays.copyOf(e.attentionMask(), target), special, starts, ends);
    }

    // ---------------------------------------------------------------- decoding

    /** {@code decode(ids)}: HF's defaults, special tokens kept and tokenization spaces cleaned up. */
    public String decode(int[] ids) {
        return decode(ids, false, true);
    }

    /**
     * HF's {@code decode}: tokens joined by spaces, {@code " ##"} removed, and with
     * {@code cleanUpTokenizationSpaces} the spaces before {@code . ? ! ,} and English contractions removed.
     * Ids no token has decode to {@code [UNK]}, as in HF.
     */
    public String decode(int[] ids, boolean skipSpecialTokens, boolean cleanUpTokenizationSpaces) {
        StringBuilder sb = new StringBuilder(ids.length * 6);
        boolean first = true;
        for (int id : ids) {
            if (skipSpecialTokens && id >= 0 && id < isSpecialId.length && isSpecialId[id]) {
                continue;
            }
            String t = vocabulary.token(id);
            if (t == null) {
                t = UNK;
            }
            if (!first) {
                sb.append(' ');
            }
            first = false;
            sb.append(t);
        }
        String s = sb.toString().replace(" ##", "").strip();
        if (!cleanUpTokenizationSpaces) {
            return s;
        }
        return s.replace(" .", ".").replace(" ?", "?").replace(" !", "!").replace(" ,", ",")
                .replace(" ' ", "'").replace(" n't", "n't").replace(" 'm", "'m").replace(" 's", "'s")
                .replace(" 've", "'ve").replace(" 're", "'re");
    }

    // ---------------------------------------------------------------- accessors

    /** The vocabulary. */
    public Vocabulary vocabulary() {
        return vocabulary;
    }

    /** {@code do_lower_case}. */
    public boolean doLowerCase() {
        return doLowerCase;
    }

    /** Whether accents are stripped (NFD, Mn removed). */
    public boolean stripAccents() {
        return stripAccents;
    }

    /** {@code tokenize_chinese_chars}. */
    public boolean tokenizeChineseChars() {
        return tokenizeChineseChars;
    }

    /** {@code max_input_chars_per_word}. */
    public int maxInputCharsPerWord() {
        return maxInputCharsPerWord;
    }

    /** {@code model_max_length}. */
    public int modelMaxLength() {
        return modelMaxLength;
    }

    /** The id of {@code [UNK]}. */
    public int unkId() {
        return unkId;
    }

    /** The id of {@code [CLS]}. */
    public int clsId() {
        return clsId;
    }

    /** The id of {@code [SEP]}. */
    public int sepId() {
        return sepId;
    }

    /** The id of {@code [PAD]}, or -1 if the vocabulary has none. */
    public int padId() {
        return padId;
    }

    CharFolding folding() {
        return folding;
    }

    /** HF 4.29 NFC-normalizes before splitting; it only changes tokens when accents are kept. */
    boolean composesWords() {
        return !stripAccents;
    }

    String[] specialTokenStrings() {
        return SPECIALS;
    }

    int[] specialTokenIds() {
        return specialIds;
    }

    char specialFirstChar() {
        return '[';
    }
}
