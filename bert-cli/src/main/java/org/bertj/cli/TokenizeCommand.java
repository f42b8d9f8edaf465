package org.bertj.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.BufferedWriter;
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
        try (BufferedReader reader = Files.newBufferedReader(in, StandardCharsets.UTF_8);
             BufferedWriter writer = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            String line;
            int number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                JsonObject obj = encodeLine(tokenizer, line, in + ":" + number);
                writer.write(gson.toJson(obj));
                writer.write('\n');
                lines++;
            }
        } catch (Exception e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        out.println("tokenize: " + lines + " lines -> " + target);
        return 0;
    }

    /** Encodes one input line; {@code where} (file:line) prefixes every error. */
    static JsonObject encodeLine(BertTokenizer tokenizer, String line, String where) {
        JsonObject obj;
        try {
            JsonElement parsed = JsonParser.parseString(line);
            if (!parsed.isJsonObject()) {
                throw new IllegalArgumentException(where + ": expected a JSON object, got " + abbreviate(line));
            }
            obj = parsed.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new IllegalArgumentException(where + ": not valid JSON: " + e.getMessage(), e);
        }
        String text = string(obj, "text", where, true);
        String pair = string(obj, "text_pair", where, false);
        EncodeOptions options = EncodeOptions.DEFAULT;
        try {
            options = applyKwargs(options, obj, false);
            if (obj.has("kwargs") && !obj.get("kwargs").isJsonNull()) {
                if (!obj.get("kwargs").isJsonObject()) {
                    throw new IllegalArgumentException("kwargs must be an object");
                }
                options = applyKwargs(options, obj.getAsJsonObject("kwargs"), true);
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
        } catch (IllegalArgumentException | UnsupportedOperationException | IllegalStateException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    private static EncodeOptions applyKwargs(EncodeOptions options, JsonObject kw, boolean strict) {
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
                    options = options.withMaxLength(v.getAsInt());
                    break;
                case "truncation":
                    options = options.withTruncation(Truncation.parse(v.getAsString()));
                    break;
                default:
                    options = options.withPadding(Padding.parse(v.getAsString()));
                    break;
            }
        }
        return options;
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
