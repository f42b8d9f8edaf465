package org.bertj.tokenizer;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import org.bertj.weights.JsonFormatException;
import org.bertj.weights.StrictJson;
import java.util.Set;

/**
 * The options of a Hugging Face {@code tokenizer_config.json} that {@code BertTokenizer.from_pretrained}
 * passes to {@code BertTokenizer.__init__}: {@code do_lower_case}, {@code strip_accents},
 * {@code tokenize_chinese_chars}, {@code never_split}, {@code model_max_length} (or its old name
 * {@code max_len}), the special tokens (a string or an AddedToken object with {@code content}) and
 * {@code additional_special_tokens}. A {@code special_tokens_map.json} beside it overrides the special
 * tokens, as in HF. Other keys (tokenizer_class, name_or_path, ...) do not change tokenization and
 * are ignored; {@code do_basic_tokenize: false} is refused (not implemented).
 *
 * <p>Absent values keep HF's defaults; a present value of the wrong type is an error naming the file
 * and the field.
 */
public final class TokenizerConfig {

    /** The file's name in a model directory. */
    public static final String FILE = "tokenizer_config.json";
    /** The special tokens file that HF reads beside it. */
    public static final String SPECIAL_TOKENS_MAP = "special_tokens_map.json";

    /** HF's LARGE_INTEGER: a model_max_length above it means "no maximum". */
    private static final double LARGE_INTEGER = 1e20;

    private final Path file;
    private final JsonObject json;
    private final JsonObject specialMap;

    private TokenizerConfig(Path file, JsonObject json, JsonObject specialMap) {
        this.file = file;
        this.json = json;
        this.specialMap = specialMap;
    }

    /**
     * Reads {@code file} (and {@code special_tokens_map.json} beside it); a missing file is an empty
     * configuration.
     *
     * @param file the {@code tokenizer_config.json} path, e.g. {@code dir.resolve(FILE)}; it need not exist
     * @return the configuration read, empty if neither file exists
     * @throws IOException if a file exists but cannot be read or is not a JSON object
     */
    public static TokenizerConfig read(Path file) throws IOException {
        JsonObject json = readObject(file);
        JsonObject map = readObject(file.resolveSibling(SPECIAL_TOKENS_MAP));
        return new TokenizerConfig(file, json == null ? new JsonObject() : json, map == null ? new JsonObject() : map);
    }

    /** Largest tokenizer_config.json or special_tokens_map.json read (real ones: a few KB). */
    private static final long MAX_FILE_BYTES = 16L << 20;

    /** The one place JSON is parsed. */
    private static JsonObject readObject(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            // Strict RFC 8259, UTF-8 checked, depth-limited; errors give the byte offset and key.
            return StrictJson.readFile(file, MAX_FILE_BYTES).rootObject();
        } catch (JsonFormatException ex) {
            throw new IOException(ex.getMessage(), ex);
        }
    }

    /**
     * Sets every option the file gives on {@code b}.
     *
     * @param b the builder to change; options the file does not give keep their value there
     * @throws IOException naming the file and field of a value of the wrong type
     */
    public void applyTo(BertTokenizer.Builder b) throws IOException {
        if (Boolean.FALSE.equals(bool("do_basic_tokenize"))) {
            throw new IOException(file + ": do_basic_tokenize false (WordPiece on the raw text) is not supported");
        }
        Boolean lower = bool("do_lower_case");
        if (lower != null) {
            b.doLowerCase(lower);
        }
        if (json.has("strip_accents")) {
            b.stripAccents(bool("strip_accents"));
        }
        Boolean chinese = bool("tokenize_chinese_chars");
        if (chinese != null) {
            b.tokenizeChineseChars(chinese);
        }
        List<String> never = strings(json, "never_split", file);
        if (never != null) {
            b.neverSplit(new LinkedHashSet<>(never));
        }
        String lengthKey = json.has("model_max_length") ? "model_max_length" : "max_len";
        JsonElement len = json.get(lengthKey);
        if (len != null && !len.isJsonNull()) {
            if (!len.isJsonPrimitive() || !len.getAsJsonPrimitive().isNumber()) {
                throw new IOException(file + ": " + lengthKey + " must be a number, got " + len);
            }
            double v = len.getAsDouble();
            if (v > LARGE_INTEGER || v >= Integer.MAX_VALUE) {
                b.modelMaxLength(BertTokenizer.NO_MAX_LENGTH);
            } else if (v < 1 || v != Math.rint(v)) {
                throw new IOException(file + ": " + lengthKey + " must be a positive integer, got " + len);
            } else {
                b.modelMaxLength((int) v);
            }
        }
        b.specialTokens(token("unk_token"), token("sep_token"), token("pad_token"), token("cls_token"),
                token("mask_token"));
        JsonObject src = specialMap.has("additional_special_tokens") ? specialMap : json;
        Path srcFile = src == specialMap ? file.resolveSibling(SPECIAL_TOKENS_MAP) : file;
        List<String> extra = strings(src, "additional_special_tokens", srcFile);
        if (extra != null) {
            b.additionalSpecialTokens(extra);
        }
    }

    private Boolean bool(String key) throws IOException {
        JsonElement e = json.get(key);
        if (e == null || e.isJsonNull()) {
            return null;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
            throw new IOException(file + ": " + key + " must be true, false or null, got " + e);
        }
        return e.getAsBoolean();
    }

    /** A special token: special_tokens_map.json's, else tokenizer_config.json's, else null. */
    private String token(String key) throws IOException {
        if (specialMap.has(key) && !specialMap.get(key).isJsonNull()) {
            return tokenString(specialMap.get(key), key, file.resolveSibling(SPECIAL_TOKENS_MAP));
        }
        JsonElement e = json.get(key);
        return e == null || e.isJsonNull() ? null : tokenString(e, key, file);
    }

    /** A string, or an AddedToken object ({@code {"content": "[MASK]", ...}}). */
    private static String tokenString(JsonElement e, String key, Path where) throws IOException {
        if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()) {
            return e.getAsString();
        }
        if (e.isJsonObject()) {
            JsonElement c = e.getAsJsonObject().get("content");
            if (c instanceof JsonPrimitive && ((JsonPrimitive) c).isString()) {
                return c.getAsString();
            }
        }
        throw new IOException(where + ": " + key + " must be a string or an object with a string content, got " + e);
    }

    private static List<String> strings(JsonObject o, String key, Path where) throws IOException {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) {
            return null;
        }
        if (!e.isJsonArray()) {
            throw new IOException(where + ": " + key + " must be a list of strings, got " + e);
        }
        JsonArray a = e.getAsJsonArray();
        List<String> out = new ArrayList<>(a.size());
        for (int i = 0; i < a.size(); i++) {
            out.add(tokenString(a.get(i), key + "[" + i + "]", where));
        }
        return out;
    }

    /** {@return the top-level keys of {@code tokenizer_config.json} (for diagnostics); empty if it is absent} */
    public Set<String> keys() {
        return json.keySet();
    }
}
