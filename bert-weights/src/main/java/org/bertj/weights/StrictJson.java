package org.bertj.weights;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict RFC 8259 JSON parser for every JSON file bertj reads (config.json, tokenizer_config.json,
 * the safetensors header, the CLI's JSON lines), giving Gson trees so the rest of the code keeps
 * Gson's {@link JsonObject} API, and typed getters whose errors name the key, its byte offset and
 * what was expected.
 *
 * <p>Why not Gson's own parser: Gson (even 2.11+ with {@code Strictness.STRICT}) reports positions
 * as line/column of decoded characters, never a byte offset; it decodes UTF-8 in a {@code Reader}
 * before parsing, so a bad byte surfaces as "Input length = 1" with no position; its element
 * parser recurses without a depth limit in 2.10 (StackOverflowError on deep nesting), and its
 * error messages suggest {@code setLenient(true)}, which must never reach a user. The grammar is
 * small enough that an exact parser of our own is shorter than working around all of that.
 *
 * <p>What is refused, as RFC 8259 refuses it: comments, single quotes, unquoted names, trailing
 * commas, the {@code \'} escape and any escape outside the eight RFC ones and {@code \\uXXXX}, raw
 * control characters in strings, leading zeros, {@code NaN}/{@code Infinity}, a byte order mark
 * (which Python's {@code json} refuses too), content after the value, bytes that are not UTF-8.
 * Limits RFC 8259 section 9 allows an implementation: nesting depth ({@link #MAX_DEPTH}), number
 * length ({@link #MAX_NUMBER_CHARS}), and duplicate keys in one object, which are refused rather
 * than "last one wins" so that no reader sees a different value than another.
 */
public final class StrictJson {

    /** Deepest nesting of arrays and objects accepted; Hugging Face configs use 3 or 4. */
    public static final int MAX_DEPTH = 64;
    /** Longest number literal accepted (digits, sign, point, exponent). */
    public static final int MAX_NUMBER_CHARS = 256;
    /** Default largest file {@link #readFile} reads (tokenizer_config.json with added tokens stays far below). */
    public static final long DEFAULT_MAX_FILE_BYTES = 64L << 20;

    private final byte[] in;
    private final int end;
    private final String source;
    private final long base;
    private final Map<JsonElement, Long> offsets = new IdentityHashMap<>();
    /** ".key" and "[index]" steps from the root to where the parser is, for error messages. */
    private final List<String> path = new ArrayList<>();
    private int pos;

    private StrictJson(byte[] in, int from, int to, String source, long base) {
        this.in = in;
        this.pos = from;
        this.end = to;
        this.source = source;
        this.base = base - from;
    }

    /**
     * A parsed JSON text: its root and the byte offset of every value in it, so that a later type
     * check can say where the offending value is.
     */
    public static final class Document {
        private final JsonElement root;
        private final String source;
        private final Map<JsonElement, Long> offsets;

        private Document(JsonElement root, String source, Map<JsonElement, Long> offsets) {
            this.root = root;
            this.source = source;
            this.offsets = offsets;
        }

        /** {@return the top-level value: an object, array or primitive as written, never Java null} */
        public JsonElement root() {
            return root;
        }

        /**
         * {@return what the text was read from (a file name, "line 3 of in.jsonl"), as errors name
         * it}
         */
        public String source() {
            return source;
        }

        /**
         * The top-level value as an object.
         *
         * @return the root, when it is a JSON object
         * @throws JsonFormatException if it is not one
         */
        public JsonObject rootObject() {
            if (!root.isJsonObject()) {
                throw new JsonFormatException(source + ": expected a JSON object at byte " + offsetOf(root)
                        + ", found " + describe(root));
            }
            return root.getAsJsonObject();
        }

        /**
         * Where a value of this document starts.
         *
         * @param e a value taken from this document's tree (compared by identity, so an equal value
         *          from another tree is not found); null allowed
         * @return its byte offset from the start of the source (including the base offset given to
         *         {@link StrictJson#parse(byte[], int, int, String, long)}), or -1 if {@code e} is not
         *         a value of this document
         */
        public long offsetOf(JsonElement e) {
            Long at = offsets.get(e);
            return at == null ? -1 : at;
        }

        /**
         * An error about {@code key}'s value {@code e}: "source: key at byte N: message". It is
         * returned, not thrown, so callers write {@code throw doc.error(...)}.
         *
         * @param key     the key (or path) to name in the message
         * @param e       the offending value; if it is not from this document the "at byte N" part
         *                is left out
         * @param message what is wrong with it
         * @return the exception, not yet thrown
         */
        public JsonFormatException error(String key, JsonElement e, String message) {
            long at = offsetOf(e);
            return new JsonFormatException(source + ": " + key + (at >= 0 ? " at byte " + at : "") + ": " + message);
        }

        /**
         * An integer field: absent or null gives {@code fallback}; otherwise it must be a JSON number
         * with an integral value in {@code [min, max]}.
         *
         * @param o        the object holding the field, from this document
         * @param key      the field's name
         * @param fallback returned when the field is absent or JSON null (not range-checked)
         * @param min      smallest accepted value, inclusive
         * @param max      largest accepted value, inclusive
         * @return the field's value, or {@code fallback}
         * @throws JsonFormatException naming key, byte offset, value and the limit
         */
        public long integer(JsonObject o, String key, long fallback, long min, long max) {
            JsonElement e = o.get(key);
            if (e == null || e.isJsonNull()) {
                return fallback;
            }
            return integer(key, e, min, max);
        }

        /**
         * {@link #integer(JsonObject, String, long, long, long)} of a value already in hand.
         *
         * @param key the name to give the value in errors
         * @param e   the value, from this document; must not be null (JSON null is refused as not
         *            an integer)
         * @param min smallest accepted value, inclusive
         * @param max largest accepted value, inclusive
         * @return the value as a long; "2.0" is accepted as 2, "2.5" is refused
         * @throws JsonFormatException if it is not an integral number in {@code [min, max]}
         */
        public long integer(String key, JsonElement e, long min, long max) {
            BigDecimal d = number(key, e, "an integer");
            // precision - scale = digits before the point; bounds it before any exact conversion.
            if (d.signum() != 0 && (long) d.precision() - d.scale() > 19) {
                throw error(key, e, e + " is out of range: expected an integer in [" + min + ", " + max + "]");
            }
            long v;
            try {
                v = d.longValueExact();
            } catch (ArithmeticException notIntegral) {
                throw error(key, e, "expected an integer, found " + e);
            }
            if (v < min || v > max) {
                throw error(key, e, v + " is out of range: expected an integer in [" + min + ", " + max + "]");
            }
            return v;
        }

        /**
         * A number field: absent or null gives {@code fallback}; otherwise a JSON number, returned
         * as the nearest double.
         *
         * @param o        the object holding the field, from this document
         * @param key      the field's name
         * @param fallback returned when the field is absent or JSON null
         * @return the field's value (huge exponents round to infinity or zero), or {@code fallback}
         * @throws JsonFormatException if the value is not a JSON number
         */
        public double decimal(JsonObject o, String key, double fallback) {
            JsonElement e = o.get(key);
            if (e == null || e.isJsonNull()) {
                return fallback;
            }
            return number(key, e, "a number").doubleValue();
        }

        /**
         * A string field: absent or null gives {@code fallback}; otherwise it must be a JSON string.
         *
         * @param o        the object holding the field, from this document
         * @param key      the field's name
         * @param fallback returned when the field is absent or JSON null; may be null
         * @return the decoded string, or {@code fallback}
         * @throws JsonFormatException if the value is not a string (a number is not converted)
         */
        public String string(JsonObject o, String key, String fallback) {
            JsonElement e = o.get(key);
            if (e == null || e.isJsonNull()) {
                return fallback;
            }
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
                throw error(key, e, "expected a string, found " + describe(e));
            }
            return e.getAsString();
        }

        /**
         * A boolean field: absent or null gives {@code fallback}; otherwise true or false.
         *
         * @param o        the object holding the field, from this document
         * @param key      the field's name
         * @param fallback returned when the field is absent or JSON null
         * @return the field's value, or {@code fallback}
         * @throws JsonFormatException if the value is not {@code true} or {@code false} (not "true",
         *                             not 0 or 1)
         */
        public boolean bool(JsonObject o, String key, boolean fallback) {
            JsonElement e = o.get(key);
            if (e == null || e.isJsonNull()) {
                return fallback;
            }
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
                throw error(key, e, "expected true or false, found " + describe(e));
            }
            return e.getAsBoolean();
        }

        private BigDecimal number(String key, JsonElement e, String expected) {
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
                throw error(key, e, "expected " + expected + ", found " + describe(e));
            }
            return (BigDecimal) e.getAsNumber();
        }
    }

    /**
     * How a value is named in errors: "a string (\"32\")", "an array", "an object", "null", "true",
     * "a number (2.5)".
     *
     * @param e the value; Java null and JSON null both give "null"
     * @return the description; a primitive's text is cut to 60 characters
     */
    public static String describe(JsonElement e) {
        if (e == null || e.isJsonNull()) {
            return "null";
        }
        if (e.isJsonObject()) {
            return "an object";
        }
        if (e.isJsonArray()) {
            return "an array";
        }
        JsonPrimitive p = e.getAsJsonPrimitive();
        if (p.isBoolean()) {
            return p.getAsString();
        }
        String text = p.toString();
        if (text.length() > 60) {
            text = text.substring(0, 57) + "...";
        }
        return (p.isString() ? "a string (" : "a number (") + text + ")";
    }

    /**
     * Parses a whole UTF-8 JSON text.
     *
     * @param utf8   the text's bytes, UTF-8 without a byte order mark; not copied, so not to be
     *               changed while parsing
     * @param source what to call it in errors (a file name)
     * @return the parsed document, offsets counted from byte 0 of {@code utf8}
     * @throws JsonFormatException naming the source, the byte offset and what is wrong
     */
    public static Document parse(byte[] utf8, String source) {
        return parse(utf8, 0, utf8.length, source, 0);
    }

    /**
     * Parses a JSON text as {@link #parse(byte[], String)} does, after encoding it as UTF-8.
     *
     * @param text   the JSON text
     * @param source what to call it in errors
     * @return the parsed document; offsets are of the UTF-8 bytes, not of {@code text}'s chars
     * @throws JsonFormatException if it is not strict JSON
     */
    public static Document parse(String text, String source) {
        return parse(text.getBytes(StandardCharsets.UTF_8), source);
    }

    /**
     * Parses {@code bytes[from, to)}, reporting offsets as {@code baseOffset} plus the distance from
     * {@code from} (the safetensors header starts at file byte 8).
     *
     * @param bytes      holds the UTF-8 text; only {@code [from, to)} is read
     * @param from       index of the text's first byte
     * @param to         index one past its last byte
     * @param source     what to call it in errors
     * @param baseOffset the offset to report for byte {@code from}, e.g. its position in the file
     * @return the parsed document
     * @throws JsonFormatException if that range is not strict JSON
     */
    public static Document parse(byte[] bytes, int from, int to, String source, long baseOffset) {
        StrictJson p = new StrictJson(bytes, from, to, source, baseOffset);
        p.checkUtf8(from, to);
        if (to - from >= 3 && (bytes[from] & 0xFF) == 0xEF && (bytes[from + 1] & 0xFF) == 0xBB
                && (bytes[from + 2] & 0xFF) == 0xBF) {
            throw p.fail(from, "starts with a UTF-8 byte order mark, which JSON (RFC 8259) does not allow");
        }
        p.skipSpace();
        JsonElement root = p.value(0);
        p.skipSpace();
        if (p.pos < to) {
            throw p.fail(p.pos, "unexpected " + p.show(p.pos) + " after the JSON value (only whitespace may follow)");
        }
        return new Document(root, source, p.offsets);
    }

    /**
     * Reads and parses a file of at most {@code maxBytes} bytes; the size is checked before the
     * file is read.
     *
     * @param file     the JSON file
     * @param maxBytes the largest size accepted, in bytes
     * @return the parsed document, named by the file's path in errors
     * @throws JsonFormatException if it is too large or not strict JSON
     * @throws IOException         if it cannot be read
     */
    public static Document readFile(Path file, long maxBytes) throws IOException {
        long size;
        try {
            size = Files.size(file);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file + ": no such file");
        }
        if (size > maxBytes) {
            throw new JsonFormatException(file + ": " + size + " bytes, more than the limit of " + maxBytes
                    + " bytes for a JSON file");
        }
        return parse(Files.readAllBytes(file), file.toString());
    }

    /**
     * {@link #readFile(Path, long)} with {@link #DEFAULT_MAX_FILE_BYTES}.
     *
     * @param file the JSON file
     * @return the parsed document
     * @throws JsonFormatException if it is too large or not strict JSON
     * @throws IOException         if it cannot be read ({@link NoSuchFileException} if it is absent)
     */
    public static Document readFile(Path file) throws IOException {
        return readFile(file, DEFAULT_MAX_FILE_BYTES);
    }

    private JsonElement value(int depth) {
        if (pos >= end) {
            throw fail(pos, "unexpected end of input: expected a value");
        }
        int start = pos;
        JsonElement v = switch (in[pos]) {
            case '{' -> object(depth + 1);
            case '[' -> array(depth + 1);
            case '"' -> new JsonPrimitive(string());
            case 't' -> literal("true", new JsonPrimitive(true));
            case 'f' -> literal("false", new JsonPrimitive(false));
            case 'n' -> literal("null", newNull());
            default -> {
                if (in[pos] == '-' || (in[pos] >= '0' && in[pos] <= '9')) {
                    yield number();
                }
                throw fail(pos, "unexpected " + show(pos) + ": expected a value"
                        + (in[pos] == '\'' ? " (strings take double quotes)" : "")
                        + (in[pos] == '/' ? " (JSON has no comments)" : ""));
            }
        };
        offsets.put(v, base + start);
        return v;
    }

    @SuppressWarnings("deprecation") // a fresh JsonNull per value, so each has its own offset
    private static JsonNull newNull() {
        return new JsonNull();
    }

    private JsonObject object(int depth) {
        checkDepth(depth);
        JsonObject o = new JsonObject();
        pos++;
        skipSpace();
        if (peek() == '}') {
            pos++;
            return o;
        }
        while (true) {
            skipSpace();
            if (peek() != '"') {
                throw fail(pos, "unexpected " + show(pos) + ": expected a key in double quotes"
                        + (peek() == '}' ? " (no trailing comma allowed)" : peek() == '/' ? " (JSON has no comments)" : ""));
            }
            int keyAt = pos;
            String key = string();
            if (o.has(key)) {
                throw fail(keyAt, "key '" + key + "' given twice (duplicate key)");
            }
            skipSpace();
            expect(':', "':' after the key");
            skipSpace();
            path.add("." + key);
            o.add(key, value(depth));
            path.remove(path.size() - 1);
            skipSpace();
            if (peek() == ',') {
                pos++;
                continue;
            }
            expect('}', "',' or '}'");
            return o;
        }
    }

    private JsonArray array(int depth) {
        checkDepth(depth);
        JsonArray a = new JsonArray();
        pos++;
        skipSpace();
        if (peek() == ']') {
            pos++;
            return a;
        }
        while (true) {
            skipSpace();
            if (peek() == ']') {
                throw fail(pos, "unexpected ']': expected a value (no trailing comma allowed)");
            }
            path.add("[" + a.size() + "]");
            a.add(value(depth));
            path.remove(path.size() - 1);
            skipSpace();
            if (peek() == ',') {
                pos++;
                continue;
            }
            expect(']', "',' or ']'");
            return a;
        }
    }

    private void checkDepth(int depth) {
        if (depth > MAX_DEPTH) {
            throw fail(pos, "nesting deeper than the limit of " + MAX_DEPTH + " arrays and objects");
        }
    }

    private String string() {
        int open = pos++;
        StringBuilder sb = null;
        int run = pos;
        while (true) {
            if (pos >= end) {
                throw fail(open, "string is not closed before the end of input");
            }
            int b = in[pos] & 0xFF;
            if (b == '"') {
                String tail = new String(in, run, pos - run, StandardCharsets.UTF_8);
                pos++;
                return sb == null ? tail : sb.append(tail).toString();
            }
            if (b < 0x20) {
                throw fail(pos, "raw control character 0x" + hex(b) + " in a string (escape it)");
            }
            if (b != '\\') {
                pos++;
                continue;
            }
            if (sb == null) {
                sb = new StringBuilder();
            }
            sb.append(new String(in, run, pos - run, StandardCharsets.UTF_8));
            int esc = pos;
            if (++pos >= end) {
                throw fail(esc, "string ends inside an escape");
            }
            char c = (char) in[pos++];
            switch (c) {
                case '"', '\\', '/' -> sb.append(c);
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> {
                    int v = 0;
                    for (int i = 0; i < 4; i++) {
                        int d = pos < end ? Character.digit(in[pos], 16) : -1;
                        if (d < 0 || in[pos] > 'f') {
                            throw fail(esc, "\\u must be followed by four hex digits");
                        }
                        v = v * 16 + d;
                        pos++;
                    }
                    sb.append((char) v);
                }
                default -> throw fail(esc, "invalid escape \\" + (c >= 0x20 && c < 0x7F ? String.valueOf(c)
                        : "0x" + hex(c & 0xFF)) + " (JSON allows \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)");
            }
            run = pos;
        }
    }

    private JsonPrimitive number() {
        int start = pos;
        if (peek() == '-') {
            pos++;
        }
        if (peek() == '0') {
            pos++;
            if (isDigit(peek())) {
                throw fail(start, "number with a leading zero");
            }
        } else if (!digits()) {
            throw fail(start, "'-' must be followed by a digit");
        }
        if (peek() == '.') {
            pos++;
            if (!digits()) {
                throw fail(start, "number needs a digit after the decimal point");
            }
        }
        if (peek() == 'e' || peek() == 'E') {
            pos++;
            if (peek() == '+' || peek() == '-') {
                pos++;
            }
            if (!digits()) {
                throw fail(start, "number needs a digit in its exponent");
            }
        }
        if (pos - start > MAX_NUMBER_CHARS) {
            throw fail(start, "number of " + (pos - start) + " characters, more than the limit of "
                    + MAX_NUMBER_CHARS);
        }
        String text = new String(in, start, pos - start, StandardCharsets.US_ASCII);
        try {
            return new JsonPrimitive(new BigDecimal(text));
        } catch (NumberFormatException exponentTooLarge) {
            throw fail(start, "number " + text + " is out of range");
        }
    }

    private boolean digits() {
        int start = pos;
        while (isDigit(peek())) {
            pos++;
        }
        return pos > start;
    }

    private static boolean isDigit(int b) {
        return b >= '0' && b <= '9';
    }

    private JsonElement literal(String word, JsonElement value) {
        int n = word.length();
        for (int i = 0; i < n; i++) {
            if (pos + i >= end || in[pos + i] != word.charAt(i)) {
                throw fail(pos, "unexpected " + show(pos) + ": expected a value");
            }
        }
        pos += n;
        return value;
    }

    private int peek() {
        return pos < end ? in[pos] & 0xFF : -1;
    }

    private void expect(char c, String what) {
        if (peek() != c) {
            throw fail(pos, pos >= end ? "unexpected end of input: expected " + what
                    : "unexpected " + show(pos) + ": expected " + what);
        }
        pos++;
    }

    private void skipSpace() {
        while (pos < end && (in[pos] == ' ' || in[pos] == '\t' || in[pos] == '\n' || in[pos] == '\r')) {
            pos++;
        }
    }

    /** Refuses anything that is not well-formed UTF-8 (overlong forms, surrogates, above U+10FFFF). */
    private void checkUtf8(int from, int to) {
        int i = from;
        while (i < to) {
            int b = in[i] & 0xFF;
            if (b < 0x80) {
                i++;
                continue;
            }
            int n;
            int min;
            if (b >= 0xC2 && b <= 0xDF) {
                n = 1;
                min = 0x80;
            } else if (b >= 0xE0 && b <= 0xEF) {
                n = 2;
                min = 0x800;
            } else if (b >= 0xF0 && b <= 0xF4) {
                n = 3;
                min = 0x10000;
            } else {
                throw fail(i, "not valid UTF-8: byte 0x" + hex(b) + " cannot start a character");
            }
            int cp = b & (0x3F >> n);
            for (int k = 1; k <= n; k++) {
                if (i + k >= to || (in[i + k] & 0xC0) != 0x80) {
                    throw fail(i, "not valid UTF-8: the character starting with byte 0x" + hex(b) + " is cut short");
                }
                cp = (cp << 6) | (in[i + k] & 0x3F);
            }
            if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
                throw fail(i, "not valid UTF-8: bytes encode " + (cp < min ? "an overlong form"
                        : "U+" + Integer.toHexString(cp).toUpperCase()) + ", which UTF-8 does not allow");
            }
            i += n + 1;
        }
    }

    private String show(int at) {
        if (at >= end) {
            return "end of input";
        }
        int b = in[at] & 0xFF;
        return b >= 0x20 && b < 0x7F ? "'" + (char) b + "'" : "byte 0x" + hex(b);
    }

    private static String hex(int b) {
        return String.format("%02X", b);
    }

    private JsonFormatException fail(int at, String message) {
        StringBuilder where = new StringBuilder("$");
        for (String p : path) {
            where.append(p);
        }
        return new JsonFormatException(source + ": not valid JSON at byte " + (base + at)
                + (path.isEmpty() ? "" : " (in " + where + ")") + ": " + message);
    }
}
