package org.bertj.tokenizer;

/** How an encoding longer than {@code max_length} is cut: HF's {@code TruncationStrategy}. */
public enum Truncation {
    /** Never cut ({@code do_not_truncate}, HF's {@code truncation=False}). */
    DO_NOT_TRUNCATE("do_not_truncate"),
    /** Remove one token at a time from the end of the longer sequence, the second on a tie ({@code truncation=True}). */
    LONGEST_FIRST("longest_first"),
    /** Cut the end of the first sequence only. */
    ONLY_FIRST("only_first"),
    /** Cut the end of the second sequence only. */
    ONLY_SECOND("only_second");

    private final String hfName;

    Truncation(String hfName) {
        this.hfName = hfName;
    }

    /** {@return the name HF uses: {@code "longest_first"}, {@code "only_first"}, {@code "only_second"} or {@code "do_not_truncate"}} */
    public String hfName() {
        return hfName;
    }

    /**
     * HF's spelling of a strategy: one of the names, or {@code "true"}/{@code "false"}.
     *
     * @param name {@code "true"} (longest_first), {@code "false"} (do_not_truncate) or an {@link #hfName()}
     * @return the strategy it names
     * @throws IllegalArgumentException for anything else, naming the accepted values
     */
    public static Truncation parse(String name) {
        if (name.equals("true")) {
            return LONGEST_FIRST;
        }
        if (name.equals("false")) {
            return DO_NOT_TRUNCATE;
        }
        for (Truncation t : values()) {
            if (t.hfName.equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown truncation '" + name
                + "' (expected true, false, longest_first, only_first, only_second or do_not_truncate)");
    }
}
