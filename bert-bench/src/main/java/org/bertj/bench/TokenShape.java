package org.bertj.bench;

/**
 * A batch of {@code batch} sequences of {@code seq} tokens, written {@code "BxS"} (e.g. {@code "8x128"})
 * as in the JMH {@code shape} parameters.
 *
 * @param batch sequences per batch
 * @param seq   tokens per sequence
 */
public record TokenShape(int batch, int seq) {

    /**
     * Rejects non-positive sizes.
     *
     * @param batch sequences per batch, at least 1
     * @param seq   tokens per sequence, at least 1
     * @throws IllegalArgumentException if either is below 1
     */
    public TokenShape {
        if (batch < 1 || seq < 1) {
            throw new IllegalArgumentException("token shape needs batch >= 1 and seq >= 1, got " + batch + "x" + seq);
        }
    }

    /**
     * Parses {@code "BxS"}.
     *
     * @param text e.g. {@code "8x128"}; lower-case 'x', no spaces
     * @return the shape
     * @throws IllegalArgumentException naming the text if it is not two positive integers joined by 'x'
     */
    public static TokenShape parse(String text) {
        String[] parts = text.split("x", -1);
        if (parts.length != 2) {
            throw new IllegalArgumentException("token shape '" + text + "' is not BxS (e.g. 8x128)");
        }
        try {
            return new TokenShape(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("token shape '" + text + "' is not BxS (e.g. 8x128)", e);
        }
    }

    /**
     * {@return tokens in the batch, {@code batch · seq}: the row count of every {@code [N, H]}
     * activation (not checked for int overflow)}
     */
    public int tokens() {
        return batch * seq;
    }

    @Override
    public String toString() {
        return batch + "x" + seq;
    }
}
