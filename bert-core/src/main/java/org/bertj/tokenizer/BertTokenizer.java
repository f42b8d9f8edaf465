package org.bertj.tokenizer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

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
 * <p>The Unicode data (categories, whitespace, case mapping, NFD) is Unicode 14.0 from bertj's own
 * tables, what Hugging Face gives on Python 3.11, not the JDK's: the tokens are the same on every JDK.
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

    /** {@link #modelMaxLength()} of a tokenizer without one (HF: {@code VERY_LARGE_INTEGER}). */
    public static final int NO_MAX_LENGTH = Integer.MAX_VALUE;

    private static final System.Logger LOG = System.getLogger(BertTokenizer.class.getName());

    private final Vocabulary vocabulary;
    private final String unkToken;
    private final String sepToken;
    private final String padToken;
    private final String clsToken;
    private final String maskToken;
    /** The special tokens in HF's all_special_tokens order; matched in the text and never split. */
    private final String[] specials;
    private final Set<String> neverSplit;
    /** First code points of every never-split string (specials included): a cheap test per word. */
    private final int[] neverSplitFirst;
    private final boolean[] asciiSpecialFirst = new boolean[128];
    private final String specialFirstChars;
    /** HF warns about max_length without truncation once per tokenizer (its deprecation_warnings). */
    private final AtomicBoolean warnedTruncation = new AtomicBoolean();
    private final AtomicBoolean warnedNoMaxLength = new AtomicBoolean();
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
        this.unkToken = b.unkToken;
        this.sepToken = b.sepToken;
        this.padToken = b.padToken;
        this.clsToken = b.clsToken;
        this.maskToken = b.maskToken;
        this.unkId = requireToken(unkToken, "unk_token");
        this.clsId = requireToken(clsToken, "cls_token");
        this.sepId = requireToken(sepToken, "sep_token");
        this.padId = vocabulary.id(padToken);
        LinkedHashSet<String> sp = new LinkedHashSet<>(List.of(unkToken, sepToken, padToken, clsToken, maskToken));
        sp.addAll(b.additionalSpecialTokens);
        this.specials = sp.toArray(new String[0]);
        this.specialIds = new int[specials.length];
        this.isSpecialId = new boolean[vocabulary.idLimit()];
        StringBuilder firsts = new StringBuilder();
        for (int i = 0; i < specials.length; i++) {
            int id = vocabulary.id(specials[i]);
            specialIds[i] = id < 0 ? unkId : id;
            if (id >= 0) {
                isSpecialId[id] = true;
            }
            char f = specials[i].charAt(0);
            if (f < 128) {
                asciiSpecialFirst[f] = true;
            } else if (firsts.indexOf(String.valueOf(f)) < 0) {
                firsts.append(f);
            }
        }
        this.specialFirstChars = firsts.toString();
        this.neverSplit = Set.copyOf(b.neverSplit);
        LinkedHashSet<Integer> nsFirst = new LinkedHashSet<>();
        for (String t : neverSplit) {
            nsFirst.add(t.codePointAt(0));
        }
        for (String t : specials) {
            nsFirst.add(t.codePointAt(0));
        }
        this.neverSplitFirst = nsFirst.stream().mapToInt(Integer::intValue).toArray();
        this.folding = CharFolding.of(doLowerCase, stripAccents);
        this.scanners = ThreadLocal.withInitial(() -> new TextScanner(this));
    }

    private int requireToken(String token, String role) {
        int id = vocabulary.id(token);
        if (id < 0) {
            throw new IllegalArgumentException("the vocabulary has no " + token + " token (" + role
                    + "); BERT needs its unk, cls and sep tokens" + byteOrderMarkHint(token));
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

    /**
     * The uncased tokenizer (bert-base-uncased's settings) of a {@code vocab.txt}.
     *
     * @param vocabTxt the vocabulary file, as {@link Vocabulary#load} reads it
     * @return the tokenizer, lower-casing, with model_max_length 512
     * @throws IOException if the file cannot be read or is not valid UTF-8
     * @throws IllegalArgumentException if the vocabulary lacks [UNK], [CLS] or [SEP]
     */
    public static BertTokenizer fromVocab(Path vocabTxt) throws IOException {
        return builder(Vocabulary.load(vocabTxt)).build();
    }

    /**
     * The tokenizer of a Hugging Face model directory, as {@code BertTokenizer.from_pretrained(dir)}
     * builds it: {@code vocab.txt} with the options of {@code tokenizer_config.json} (see
     * {@link TokenizerConfig}). Without that file HF's defaults apply (lower-casing, no maximum length).
     *
     * @param dir the model directory, holding {@code vocab.txt} and optionally {@code tokenizer_config.json}
     *            and {@code special_tokens_map.json}
     * @return the tokenizer
     * @throws IOException if vocab.txt is missing or either file is unreadable or malformed
     */
    public static BertTokenizer fromDirectory(Path dir) throws IOException {
        Path vocab = dir.resolve("vocab.txt");
        if (!java.nio.file.Files.isRegularFile(vocab)) {
            throw new IOException(dir + " has no vocab.txt (the tokenizer's WordPiece vocabulary)");
        }
        Builder b = builder(Vocabulary.load(vocab)).modelMaxLength(NO_MAX_LENGTH);
        TokenizerConfig.read(dir.resolve(TokenizerConfig.FILE)).applyTo(b);
        return b.build();
    }

    /**
     * A builder with HF's defaults: lower-case, strip accents with it, split CJK, 100 chars per word,
     * model_max_length 512, the usual special tokens.
     *
     * @param vocabulary the WordPiece vocabulary, not null
     * @return a new builder
     */
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
        private String unkToken = UNK;
        private String sepToken = SEP;
        private String padToken = PAD;
        private String clsToken = CLS;
        private String maskToken = MASK;
        private List<String> additionalSpecialTokens = List.of();
        private Set<String> neverSplit = Set.of();

        private Builder(Vocabulary vocabulary) {
            this.vocabulary = Objects.requireNonNull(vocabulary, "vocabulary");
        }

        /**
         * {@code do_lower_case}.
         *
         * @param v true for uncased vocabularies (the default), false for cased ones
         * @return this builder
         */
        public Builder doLowerCase(boolean v) {
            doLowerCase = v;
            return this;
        }

        /**
         * {@code strip_accents}: whether accents are removed (NFD, then combining marks dropped).
         *
         * @param v true or false, or null (the default) to follow {@code do_lower_case}
         * @return this builder
         */
        public Builder stripAccents(Boolean v) {
            stripAccents = v;
            return this;
        }

        /**
         * {@code tokenize_chinese_chars}.
         *
         * @param v whether each CJK ideograph becomes a word of its own (the default, true)
         * @return this builder
         */
        public Builder tokenizeChineseChars(boolean v) {
            tokenizeChineseChars = v;
            return this;
        }

        /**
         * WordPiece's {@code max_input_chars_per_word}: longer words become {@code [UNK]}.
         *
         * @param v the limit in characters (code points), at least 1; 100 by default
         * @return this builder
         * @throws IllegalArgumentException if {@code v} is below 1
         */
        public Builder maxInputCharsPerWord(int v) {
            if (v < 1) {
                throw new IllegalArgumentException("max_input_chars_per_word must be >= 1, got " + v);
            }
            maxInputCharsPerWord = v;
            return this;
        }

        /**
         * HF's {@code never_split}: words (between whitespace) kept whole, neither lower-cased,
         * stripped nor split; each becomes its vocabulary id or the unknown token.
         *
         * @param v the words, none null or empty; replaces any set before
         * @return this builder
         * @throws IllegalArgumentException if a word is null or empty
         */
        public Builder neverSplit(Set<String> v) {
            for (String t : v) {
                if (t == null || t.isEmpty()) {
                    throw new IllegalArgumentException("never_split holds an empty or null token");
                }
            }
            neverSplit = Set.copyOf(v);
            return this;
        }

        /**
         * The special tokens; each null keeps the one set before (by default {@code [UNK]},
         * {@code [SEP]}, {@code [PAD]}, {@code [CLS]}, {@code [MASK]}).
         *
         * @param unk  {@code unk_token}, or null
         * @param sep  {@code sep_token}, or null
         * @param pad  {@code pad_token}, or null
         * @param cls  {@code cls_token}, or null
         * @param mask {@code mask_token}, or null
         * @return this builder
         * @throws IllegalArgumentException if a token is the empty string
         */
        public Builder specialTokens(String unk, String sep, String pad, String cls, String mask) {
            unkToken = nonEmpty(unk, unkToken, "unk_token");
            sepToken = nonEmpty(sep, sepToken, "sep_token");
            padToken = nonEmpty(pad, padToken, "pad_token");
            clsToken = nonEmpty(cls, clsToken, "cls_token");
            maskToken = nonEmpty(mask, maskToken, "mask_token");
            return this;
        }

        /**
         * {@code additional_special_tokens}: matched in the text and kept whole, like [MASK].
         *
         * @param v the tokens, none null or empty; replaces any set before
         * @return this builder
         * @throws IllegalArgumentException if a token is null or empty
         */
        public Builder additionalSpecialTokens(List<String> v) {
            for (String t : v) {
                nonEmpty(t, null, "additional_special_tokens");
            }
            additionalSpecialTokens = List.copyOf(v);
            return this;
        }

        private static String nonEmpty(String v, String dflt, String what) {
            if (v == null && dflt != null) {
                return dflt;
            }
            if (v == null || v.isEmpty()) {
                throw new IllegalArgumentException(what + " must be a non-empty string");
            }
            return v;
        }

        /**
         * {@code model_max_length}: the max_length of truncation or padding when none is given;
         * {@link #NO_MAX_LENGTH} for none (then such truncation and padding do nothing, as in HF).
         *
         * @param v the length in tokens, special tokens included, at least 1; 512 by default
         * @return this builder
         * @throws IllegalArgumentException if {@code v} is below 1
         */
        public Builder modelMaxLength(int v) {
            if (v < 1) {
                throw new IllegalArgumentException("model_max_length must be >= 1, got " + v);
            }
            modelMaxLength = v;
            return this;
        }

        /**
         * The tokenizer with these options.
         *
         * @return a new, immutable tokenizer
         * @throws IllegalArgumentException if the vocabulary lacks [UNK], [CLS] or [SEP]
         */
        public BertTokenizer build() {
            return new BertTokenizer(this);
        }
    }

    // ---------------------------------------------------------------- tokenizing

    /**
     * HF's {@code tokenize(text)}: the WordPiece tokens, no special tokens added.
     *
     * @param text the text, not null
     * @return the tokens, continuation pieces with their {@code ##}
     * @throws IllegalArgumentException if the text is null
     */
    public List<String> tokenize(String text) {
        Pieces p = pieces(text, "text");
        List<String> out = new ArrayList<>(p.size);
        for (int i = 0; i < p.size; i++) {
            String t = vocabulary.token(p.ids[i]);
            out.add(t == null ? unkToken : t);
        }
        return out;
    }

    /**
     * The ids of {@link #tokenize}, HF's {@code encode(text, add_special_tokens=False)}.
     *
     * @param text the text, not null
     * @return one vocabulary id per WordPiece token
     * @throws IllegalArgumentException if the text is null
     */
    public int[] tokenIds(String text) {
        Pieces p = pieces(text, "text");
        return Arrays.copyOf(p.ids, p.size);
    }

    /**
     * HF's {@code basic_tokenizer.tokenize} as {@code tokenize} runs it (special tokens split off
     * first, lower-casing per character): the words before WordPiece. For tests and diagnostics.
     *
     * @param text the text, not null
     * @return the words: split on whitespace and punctuation, cleaned, lower-cased if configured
     * @throws IllegalArgumentException if the text is null
     */
    public List<String> basicTokens(String text) {
        if (text == null) {
            throw new IllegalArgumentException("text is null");
        }
        return scanners.get().basicTokens(text);
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

    /**
     * {@code tokenizer(text)}: {@code [CLS] text [SEP]}, with HF's default options.
     *
     * @param text the text, not null
     * @return its encoding, neither truncated nor padded
     * @throws IllegalArgumentException if the text is null
     */
    public Encoding encode(String text) {
        return encode(text, null, EncodeOptions.DEFAULT);
    }

    /**
     * {@code tokenizer(text, text_pair)}: {@code [CLS] A [SEP] B [SEP]}, with HF's default options.
     *
     * @param text     sequence A (token type 0), not null
     * @param textPair sequence B (token type 1), or null for a single text
     * @return the encoding, neither truncated nor padded
     * @throws IllegalArgumentException if the text is null
     */
    public Encoding encode(String text, String textPair) {
        return encode(text, textPair, EncodeOptions.DEFAULT);
    }

    /**
     * {@code tokenizer(text, text_pair, **options)}.
     *
     * @param text     sequence A (token type 0), not null
     * @param textPair the second sequence, or null for a single text
     * @param options  special tokens, max_length, truncation and padding
     * @return the encoding, truncated and padded as the options say
     * @throws IllegalArgumentException for a null text, or a truncation that cannot reach max_length
     */
    public Encoding encode(String text, String textPair, EncodeOptions options) {
        options = effective(options);
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
     * @param texts     the first sequences, none null
     * @param textPairs null, or one second sequence per text
     * @param options   special tokens, max_length, truncation and padding, the same for every text
     * @return one encoding per text, in order
     * @throws IllegalArgumentException for null texts, lists of different sizes, or a truncation
     *                                  that cannot reach max_length
     */
    public List<Encoding> encodeBatch(List<String> texts, List<String> textPairs, EncodeOptions options) {
        options = effective(options);
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

    /**
     * The strategies HF 4.29's {@code _get_padding_truncation_strategies} settles on: max_length
     * with neither truncation nor padding given means longest_first (HF warns, once per tokenizer);
     * truncation or max_length padding with no max_length on a tokenizer without model_max_length
     * does nothing (HF warns each time).
     */
    private EncodeOptions effective(EncodeOptions options) {
        if (options == null) {
            throw new IllegalArgumentException("options is null (use EncodeOptions.DEFAULT)");
        }
        if (!options.truncationGiven() && options.maxLength() != null && options.padding() == Padding.DO_NOT_PAD) {
            if (!warnedTruncation.getAndSet(true)) {
                LOG.log(System.Logger.Level.WARNING, "Truncation was not explicitly activated but `max_length` is"
                        + " provided a specific value, please use `truncation=True` to explicitly truncate examples"
                        + " to max length. Defaulting to 'longest_first' truncation strategy. If you encode pairs"
                        + " of sequences (GLUE-style) with the tokenizer you can select this strategy more precisely"
                        + " by providing a specific strategy to `truncation`.");
            }
            options = options.withTruncation(Truncation.LONGEST_FIRST);
        }
        if (options.maxLength() == null && modelMaxLength == NO_MAX_LENGTH) {
            if (options.padding() == Padding.MAX_LENGTH) {
                LOG.log(System.Logger.Level.WARNING, "Asking to pad to max_length but no maximum length is provided"
                        + " and the model has no predefined maximum length. Default to no padding.");
                options = options.withPadding(Padding.DO_NOT_PAD);
            }
            if (options.truncation() != Truncation.DO_NOT_TRUNCATE) {
                LOG.log(System.Logger.Level.WARNING, "Asking to truncate to max_length but no maximum length is"
                        + " provided and the model has no predefined maximum length. Default to no truncation.");
                options = options.withTruncation(Truncation.DO_NOT_TRUNCATE);
            }
        }
        return options;
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

    /**
     * {@code decode(ids)}: HF's defaults, special tokens kept and tokenization spaces cleaned up.
     *
     * @param ids vocabulary ids, e.g. {@link Encoding#inputIds()}
     * @return the text, as {@link #decode(int[], boolean, boolean) decode(ids, false, true)}
     */
    public String decode(int[] ids) {
        return decode(ids, false, true);
    }

    /**
     * HF's {@code decode}: tokens joined by spaces, {@code " ##"} removed, and with
     * {@code cleanUpTokenizationSpaces} the spaces before {@code . ? ! ,} and English contractions removed.
     * Ids no token has decode to {@code [UNK]}, as in HF.
     *
     * @param ids                       vocabulary ids
     * @param skipSpecialTokens         whether the special tokens ({@code [CLS]}, {@code [SEP]},
     *                                  {@code [PAD]}, ...) are left out
     * @param cleanUpTokenizationSpaces whether the spaces WordPiece puts before punctuation and
     *                                  contractions are removed
     * @return the text
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
                t = unkToken;
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

    /** {@return the WordPiece vocabulary} */
    public Vocabulary vocabulary() {
        return vocabulary;
    }

    /** {@return {@code do_lower_case}: whether text is lower-cased before WordPiece} */
    public boolean doLowerCase() {
        return doLowerCase;
    }

    /** {@return whether accents are stripped (NFD, Mn removed): {@code strip_accents}, or {@code do_lower_case} when that was null} */
    public boolean stripAccents() {
        return stripAccents;
    }

    /** {@return {@code tokenize_chinese_chars}: whether each CJK ideograph is a word of its own} */
    public boolean tokenizeChineseChars() {
        return tokenizeChineseChars;
    }

    /** {@return {@code max_input_chars_per_word}: words longer than this (in code points) become the unknown token} */
    public int maxInputCharsPerWord() {
        return maxInputCharsPerWord;
    }

    /** {@return {@code model_max_length} in tokens, or {@link #NO_MAX_LENGTH}} */
    public int modelMaxLength() {
        return modelMaxLength;
    }

    /** {@return the id of the unknown token ({@code unk_token}, {@code [UNK]} by default)} */
    public int unkId() {
        return unkId;
    }

    /** {@return the id of {@code cls_token} ({@code [CLS]} by default)} */
    public int clsId() {
        return clsId;
    }

    /** {@return the id of {@code sep_token} ({@code [SEP]} by default)} */
    public int sepId() {
        return sepId;
    }

    /** {@return the id of {@code pad_token} ({@code [PAD]} by default), or -1 if the vocabulary has none} */
    public int padId() {
        return padId;
    }

    CharFolding folding() {
        return folding;
    }

    /** {@return the unknown token ({@code unk_token})} */
    public String unkToken() {
        return unkToken;
    }

    /** {@return the mask token ({@code mask_token})} */
    public String maskToken() {
        return maskToken;
    }

    /** {@return the id of the mask token, or -1 if the vocabulary has none} */
    public int maskId() {
        return vocabulary.id(maskToken);
    }

    /** {@return HF's {@code never_split}, unmodifiable (the special tokens are never split besides)} */
    public Set<String> neverSplit() {
        return neverSplit;
    }

    String[] specialTokenStrings() {
        return specials;
    }

    int[] specialTokenIds() {
        return specialIds;
    }

    boolean isSpecialFirstChar(char c) {
        return c < 128 ? asciiSpecialFirst[c] : specialFirstChars.indexOf(c) >= 0;
    }

    /** Whether a word starting with {@code cp} could be a never-split word or a special token. */
    boolean mayNeverSplit(int cp) {
        for (int f : neverSplitFirst) {
            if (f == cp) {
                return true;
            }
        }
        return false;
    }

    boolean isNeverSplit(String word) {
        return neverSplit.contains(word) || isSpecialToken(word);
    }

    boolean isSpecialToken(String word) {
        for (String s : specials) {
            if (s.equals(word)) {
                return true;
            }
        }
        return false;
    }
}
