package org.bertj.cli;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import org.bertj.weights.StrictJson;

/**
 * A JSON Lines file read one line at a time as bytes, so that each line is checked as UTF-8 and
 * parsed as strict JSON ({@link StrictJson}) on its own, and an error names its line and byte offset
 * instead of the whole read failing with a decoder's "Input length = 1".
 */
final class JsonLines implements Closeable {

    /** Longest line accepted; a longer one is an error rather than a memory exhaustion. */
    static final int MAX_LINE_BYTES = 64 << 20;

    private final InputStream in;
    private byte[] line = new byte[8192];
    private int length;
    private int number;
    private long start;
    private long next;

    JsonLines(InputStream in) {
        this.in = new BufferedInputStream(in, 1 << 16);
    }

    /**
     * Reads the next line ({@code \n} or {@code \r\n} ended, or the last one unended).
     *
     * @return false at the end of the file
     * @throws IllegalArgumentException if the line is longer than {@link #MAX_LINE_BYTES}
     */
    boolean next() throws IOException {
        length = 0;
        start = next;
        int b = in.read();
        if (b < 0) {
            return false;
        }
        number++;
        while (b >= 0 && b != '\n') {
            if (length == line.length) {
                if (length >= MAX_LINE_BYTES) {
                    throw new IllegalArgumentException("line " + number + " is longer than " + MAX_LINE_BYTES
                            + " bytes");
                }
                line = Arrays.copyOf(line, Math.min(MAX_LINE_BYTES, 2 * length));
            }
            line[length++] = (byte) b;
            next++;
            b = in.read();
        }
        if (b == '\n') {
            next++;
        }
        if (length > 0 && line[length - 1] == '\r') {
            length--;
        }
        return true;
    }

    /** The current line's number, from 1. */
    int number() {
        return number;
    }

    /** Whether the current line holds only spaces and tabs. */
    boolean isBlank() {
        for (int i = 0; i < length; i++) {
            if (line[i] != ' ' && line[i] != '\t') {
                return false;
            }
        }
        return true;
    }

    /**
     * The current line as strict JSON; errors say {@code where}, and byte offsets count from the
     * start of the file.
     *
     * @throws IllegalArgumentException if it is not UTF-8 or not JSON
     */
    StrictJson.Document parse(String where) {
        return StrictJson.parse(line, 0, length, where, start);
    }

    /**
     * {@code json} with every lone surrogate written as its <code>&#92;uXXXX</code> escape. A JSON
     * string may hold one (<code>"&#92;ud800"</code> is legal JSON), but UTF-8 cannot encode it; Python's
     * {@code json.dumps} escapes it the same way. Only string contents can hold one, so the
     * replacement keeps the text valid JSON.
     */
    static String escapeLoneSurrogates(String json) {
        StringBuilder sb = null;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            boolean paired = Character.isHighSurrogate(c) && i + 1 < json.length()
                    && Character.isLowSurrogate(json.charAt(i + 1));
            if (paired) {
                if (sb != null) {
                    sb.append(c).append(json.charAt(i + 1));
                }
                i++;
                continue;
            }
            if (Character.isSurrogate(c)) {
                if (sb == null) {
                    sb = new StringBuilder(json.length() + 16).append(json, 0, i);
                }
                sb.append(String.format("\\u%04x", (int) c));
            } else if (sb != null) {
                sb.append(c);
            }
        }
        return sb == null ? json : sb.toString();
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
