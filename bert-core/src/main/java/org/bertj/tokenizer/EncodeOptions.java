package org.bertj.tokenizer;

import java.util.Objects;

/**
 * The keyword arguments of HF's {@code tokenizer(text, text_pair, ...)} that this tokenizer honours:
 * {@code add_special_tokens}, {@code max_length}, {@code truncation} and {@code padding}. Immutable;
 * the {@code with...} methods return changed copies.
 */
public final class EncodeOptions {

    /**
     * HF's defaults: special tokens added, no max_length, truncation not given (none, unless a
     * max_length is given without padding: then longest_first, as HF does), no padding.
     */
    public static final EncodeOptions DEFAULT = new EncodeOptions(true, null, null, Padding.DO_NOT_PAD);

    private final boolean addSpecialTokens;
    private final Integer maxLength;
    /** null: not given (HF's {@code truncation=None}). */
    private final Truncation truncation;
    private final Padding padding;

    private EncodeOptions(boolean addSpecialTokens, Integer maxLength, Truncation truncation, Padding padding) {
        if (maxLength != null && maxLength < 0) {
            throw new IllegalArgumentException("max_length must be >= 0, got " + maxLength);
        }
        this.addSpecialTokens = addSpecialTokens;
        this.maxLength = maxLength;
        this.truncation = truncation;
        this.padding = Objects.requireNonNull(padding, "padding");
    }

    /**
     * With {@code max_length}.
     *
     * @param maxLength the length in tokens, special tokens included, at least 0; null for none
     *                  (truncation and max_length padding then use the model's maximum)
     * @return a copy with that max_length
     * @throws IllegalArgumentException if {@code maxLength} is negative
     */
    public EncodeOptions withMaxLength(Integer maxLength) {
        return new EncodeOptions(addSpecialTokens, maxLength, truncation, padding);
    }

    /**
     * With a truncation strategy, given explicitly.
     *
     * @param truncation the strategy, not null ({@link Truncation#DO_NOT_TRUNCATE} is HF's {@code truncation=False})
     * @return a copy with that strategy
     */
    public EncodeOptions withTruncation(Truncation truncation) {
        return new EncodeOptions(addSpecialTokens, maxLength, Objects.requireNonNull(truncation, "truncation"), padding);
    }

    /**
     * With a padding strategy.
     *
     * @param padding the strategy, not null
     * @return a copy with that strategy
     */
    public EncodeOptions withPadding(Padding padding) {
        return new EncodeOptions(addSpecialTokens, maxLength, truncation, padding);
    }

    /**
     * With or without {@code [CLS]}/{@code [SEP]}.
     *
     * @param addSpecialTokens whether they are added (HF's {@code add_special_tokens})
     * @return a copy with that setting
     */
    public EncodeOptions withSpecialTokens(boolean addSpecialTokens) {
        return new EncodeOptions(addSpecialTokens, maxLength, truncation, padding);
    }

    /** {@return whether a truncation strategy was given (false: HF's {@code truncation=None})} */
    public boolean truncationGiven() {
        return truncation != null;
    }

    /** {@return whether {@code [CLS]} and {@code [SEP]} are added} */
    public boolean addSpecialTokens() {
        return addSpecialTokens;
    }

    /** {@return {@code max_length} in tokens, or null if none was given} */
    public Integer maxLength() {
        return maxLength;
    }

    /** {@return the truncation strategy given, {@link Truncation#DO_NOT_TRUNCATE} if none was (see {@link #truncationGiven})} */
    public Truncation truncation() {
        return truncation == null ? Truncation.DO_NOT_TRUNCATE : truncation;
    }

    /** {@return the padding strategy} */
    public Padding padding() {
        return padding;
    }
}
