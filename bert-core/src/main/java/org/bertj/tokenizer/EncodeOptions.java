package org.bertj.tokenizer;

import java.util.Objects;

/**
 * The keyword arguments of HF's {@code tokenizer(text, text_pair, ...)} that this tokenizer honours:
 * {@code add_special_tokens}, {@code max_length}, {@code truncation} and {@code padding}. Immutable;
 * the {@code with...} methods return changed copies.
 */
public final class EncodeOptions {

    /** HF's defaults: special tokens added, no max_length, no truncation, no padding. */
    public static final EncodeOptions DEFAULT = new EncodeOptions(true, null, Truncation.DO_NOT_TRUNCATE, Padding.DO_NOT_PAD);

    private final boolean addSpecialTokens;
    private final Integer maxLength;
    private final Truncation truncation;
    private final Padding padding;

    private EncodeOptions(boolean addSpecialTokens, Integer maxLength, Truncation truncation, Padding padding) {
        if (maxLength != null && maxLength < 0) {
            throw new IllegalArgumentException("max_length must be >= 0, got " + maxLength);
        }
        this.addSpecialTokens = addSpecialTokens;
        this.maxLength = maxLength;
        this.truncation = Objects.requireNonNull(truncation, "truncation");
        this.padding = Objects.requireNonNull(padding, "padding");
    }

    /** With {@code max_length} (null: none; truncation and max_length padding then use the model's maximum). */
    public EncodeOptions withMaxLength(Integer maxLength) {
        return new EncodeOptions(addSpecialTokens, maxLength, truncation, padding);
    }

    /** With a truncation strategy. */
    public EncodeOptions withTruncation(Truncation truncation) {
        return new EncodeOptions(addSpecialTokens, maxLength, truncation, padding);
    }

    /** With a padding strategy. */
    public EncodeOptions withPadding(Padding padding) {
        return new EncodeOptions(addSpecialTokens, maxLength, truncation, padding);
    }

    /** With or without {@code [CLS]}/{@code [SEP]}. */
    public EncodeOptions withSpecialTokens(boolean addSpecialTokens) {
        return new EncodeOptions(addSpecialTokens, maxLength, truncation, padding);
    }

    /** Whether {@code [CLS]} and {@code [SEP]} are added. */
    public boolean addSpecialTokens() {
        return addSpecialTokens;
    }

    /** {@code max_length}, or null. */
    public Integer maxLength() {
        return maxLength;
    }

    /** The truncation strategy. */
    public Truncation truncation() {
        return truncation;
    }

    /** The padding strategy. */
    public Padding padding() {
        return padding;
    }
}
