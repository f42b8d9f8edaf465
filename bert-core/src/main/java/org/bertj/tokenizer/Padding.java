package org.bertj.tokenizer;

/** How encodings are padded on the right with {@code [PAD]}: HF's {@code PaddingStrategy}. */
public enum Padding {
    /** No padding ({@code padding=False}). */
    DO_NOT_PAD("do_not_pad"),
    /** Pad every encoding of a batch to the longest one ({@code padding=True}). */
    LONGEST("longest"),
    /** Pad to {@code max_length} (or the model's maximum length when none is given). */
    MAX_LENGTH("max_length");

    private final String hfName;

    Padding(String hfName) {
        this.hfName = hfName;
    }

    /** {@return the name HF uses: {@code "longest"}, {@code "max_length"} or {@code "do_not_pad"}} */
    public String hfName() {
        return hfName;
    }

    /**
     * HF's spelling of a strategy: one of the names, or {@code "true"}/{@code "false"}.
     *
     * @param name {@code "true"} (longest), {@code "false"} (do_not_pad) or an {@link #hfName()}, e.g.
     *             from {@code tokenizer_config.json}
     * @return the strategy it names
     * @throws IllegalArgumentException for anything else, naming the accepted values
     */
    public static Padding parse(String name) {
        if (name.equals("true")) {
            return LONGEST;
        }
        if (name.equals("false")) {
            return DO_NOT_PAD;
        }
        for (Padding p : values()) {
            if (p.hfName.equals(name)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown padding '" + name
                + "' (expected true, false, longest, max_length or do_not_pad)");
    }
}
