package org.bertj.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.BufferedInputStream;
import java.io.BufferedWriter;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Set;
import org.bertj.tokenizer.BertTokenizer;
import org.bertj.tokenizer.EncodeOptions;
import org.bertj.tokenizer.Encoding;
import org.bertj.tokenizer.Padding;
import org.bertj.tokenizer.Truncation;
import org.bertj.tokenizer.Vocabulary;
import org.bertj.weights.JsonFormatException;
import org.bertj.weights.StrictJson;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bert tokenize --vocab FILE --jsonl IN --out OUT}: one JSON object per input line with
 * {@code text}, optional {@code text_pair}, and HF keyword arguments {@code max_length},
 * {@code truncation}, {@code padding} (at the top level or inside a {@code kwargs} object, as in
 * {@code golden/tokenizer/cases.jsonl}); each output line is the input object with
 * {@code input_ids}, {@code token_type_ids}, {@code attention_mask} and {@code tokens} set.
 * The output file appears only when every line has been encoded.
 */
@Command(name = "tokenize", description = "BertTokenizer over JSON lines: {text, text_pair?, max_length?,"
        + " truncation?, padding?} in, the same object with input_ids, token_type_ids, attention_mask, tokens out.")
public final class TokenizeCommand extends BertCommand {

    private static final Set<String> KWARGS = Set.of("max_length", "truncation", "padding");

    @Option(names = "--vocab", required = true, paramLabel = "FILE", description = "the WordPiece vocab.txt")
    Path vocab;

    @Option(names = "--jsonl", required = true, paramLabel = "IN", description = "the input, one JSON object a line")
    Path in;

    @Option(names = "--out", required = true, paramLabel = "OUT",
            description = "the output file, written only when every line has been encoded")
    Path target;

    @Option(names = "--cased", description = "keep case and accents (default: lower-case and strip accents,"
            + " as bert-base-uncased)")
    boolean cased;

    @Override
    protected int run() throws Exception {
        BertTokenizer tokenizer = BertTokenizer.builder(Vocabulary.load(vocab)).doLowerCase(!cased).build();
        Gson gson = new GsonBuilder().disableHtmlEscaping().serializeNulls().create();
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
        int lines = 0;
        // Lines are read as bytes, so StrictJson checks their UTF-8 and errors give file byte offsets.
        try (InputStream reader = new BufferedInputStream(Files.newInputStream(in));
             BufferedWriter writer = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            long lineStart = 0;
            long at = 0;
            int number = 0;
            int b;
            do {
                b = reader.read();
                if (b >= 0 && b != '\n') {
                    if (line.size() >= MAX_LINE_BYTES) {
                        throw new IllegalArgumentException(in + ":" + (number + 1) + ": line longer than the limit of "
                                + MAX_LINE_BYTES + " bytes");
                    }
                    line.write(b);
                    at++;
                    continue;
                }
                number++;
                byte[] bytes = line.toByteArray();
                int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                if (!new String(bytes, 0, length, StandardCharsets.ISO_8859_1).isBlank()) {
                    JsonObject obj = encodeLine(tokenizer, bytes, length, in + ":" + number, lineStart);
                    writer.write(escapeLoneSurrogates(gson.toJson(obj)));
                    writer.write('\n');
                    lines++;
                }
                line.reset();
                at++;
                lineStart = at;
            } while (b >= 0);
        } catch (java.nio.file.FileSystemException | IllegalArgumentException e) {
            Files.deleteIfExists(tmp);
            throw e;
        } catch (java.io.IOException e) {
            Files.deleteIfExists(tmp);
            // "No space left on device" says nothing of where
            throw new java.io.IOException("writing " + target + " from " + in + ": " + e.getMessage(), e);
        } catch (Exception e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        out.println("tokenize: " + lines + " lines -> " + target);
        return 0;
    }

    /**
     * Gson writes a lone surrogate (from a "\\ud83d" escape in the input, valid JSON) as a raw char,
     * which UTF-8 cannot encode and the writer would turn into '?'; escaped, it survives.
     */
    static String escapeLoneSurrogates(String json) {
        StringBuilder sb = null;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            boolean pair = Character.isHighSurrogate(c) && i + 1 < json.length()
                    && Character.isLowSurrogate(json.charAt(i + 1));
            if (pair) {
                if (sb != null) {
                    sb.append(c).append(json.charAt(i + 1));
                }
                i++;
            } else if (Character.isSurrogate(c)) {
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

    /** Longest input line accepted. */
    static final int MAX_LINE_BYTES = 64 << 20;

    /** Encodes one input line; {@code where} (file:line) prefixes every error. */
    static JsonObject encodeLine(BertTokenizer tokenizer, String line, String where) {
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        return encodeLine(tokenizer, bytes, bytes.length, where, 0);
    }

    /**
     * Encodes the line {@code bytes[0, length)}, strictly parsed ({@link StrictJson}); errors name
     * {@code where} and the byte offset in the file ({@code lineStart} plus the offset in the line).
     */
    static JsonObject encodeLine(BertTokenizer tokenizer, byte[] bytes, int length, String where, long lineStart) {
        StrictJson.Document doc = StrictJson.parse(bytes, 0, length, where, lineStart);
        JsonObject obj = doc.rootObject();
        String text = string(obj, "text", where, true);
        String pair = string(obj, "text_pair", where, false);
        EncodeOptions options = EncodeOptions.DEFAULT;
        try {
            options = applyKwargs(doc, options, obj, false);
            if (obj.has("kwargs") && !obj.get("kwargs").isJsonNull()) {
                if (!obj.get("kwargs").isJsonObject()) {
                    throw doc.error("kwargs", obj.get("kwargs"), "expected an object, found "
                            + StrictJson.describe(obj.get("kwargs")));
                }
                options = applyKwargs(doc, options, obj.getAsJsonObject("kwargs"), true);
            }
            Encoding e = tokenizer.encode(text, pair, options);
            obj.add("input_ids", array(e.inputIds()));
            obj.add("token_type_ids", array(e.tokenTypeIds()));
            obj.add("attention_mask", array(e.attentionMask()));
            JsonArray tokens = new JsonArray();
            for (String t : e.tokens()) {
                tokens.add(t);
            }
            obj.add("tokens", tokens);
            return obj;
        } catch (JsonFormatException e) {
            throw e;
        } catch (IllegalArgumentException | UnsupportedOperationException | IllegalStateException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    private static EncodeOptions applyKwargs(StrictJson.Document doc, EncodeOptions options, JsonObject kw,
            boolean strict) {
        for (String key : kw.keySet()) {
            JsonElement v = kw.get(key);
            if (!KWARGS.contains(key)) {
                if (strict) {
                    throw new IllegalArgumentException("unsupported kwarg '" + key + "' (supported: " + KWARGS + ")");
                }
                continue;
            }
            if (v.isJsonNull()) {
                continue;
            }
            switch (key) {
                case "max_length":
                    options = options.withMaxLength((int) doc.integer(key, v, 0, Integer.MAX_VALUE));
                    break;
                case "truncation":
                    options = options.withTruncation(Truncation.parse(stringOrBoolean(doc, key, v)));
                    break;
                default:
                    options = options.withPadding(Padding.parse(stringOrBoolean(doc, key, v)));
                    break;
            }
        }
        return options;
    }

    /** HF's truncation and padding take a strategy name or true/false. */
    private static String stringOrBoolean(StrictJson.Document doc, String key, JsonElement v) {
        if (!v.isJsonPrimitive() || v.getAsJsonPrimitive().isNumber()) {
            throw doc.error(key, v, "expected a string or true/false, found " + StrictJson.describe(v));
        }
        return v.getAsString();
    }

    private static String string(JsonObject obj, String key, String where, boolean required) {
        JsonElement v = obj.get(key);
        if (v == null || v.isJsonNull()) {
            if (required) {
                throw new IllegalArgumentException(where + ": no \"" + key + "\" string");
            }
            return null;
        }
        if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isString()) {
            throw new IllegalArgumentException(where + ": \"" + key + "\" must be a string, got " + v);
        }
        return v.getAsString();
    }

    private static JsonArray array(int[] values) {
        JsonArray a = new JsonArray(values.length);
        for (int v : values) {
            a.add(v);
        }
        return a;
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 60) + "...";
    }
}
