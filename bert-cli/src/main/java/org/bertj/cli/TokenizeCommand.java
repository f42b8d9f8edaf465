package org.bertj.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
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
import org.bertj.weights.JsonFormatException;
import org.bertj.weights.StrictJson;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bert tokenize --vocab FILE [--cased] | --model DIR|NAME --jsonl IN --out OUT}: the tokenizer
 * of a vocabulary (uncased unless {@code --cased}) or of a model directory or named model (its
 * {@code vocab.txt} and {@code tokenizer_config.json}, as HF's {@code from_pretrained} reads them);
 * one JSON object per input line with
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

    @Option(names = "--vocab", paramLabel = "FILE", description = "the WordPiece vocab.txt (no default: this or"
            + " --model is required)")
    Path vocab;

    @Option(names = "--model", paramLabel = "DIR|NAME", description = "a model directory (vocab.txt and"
            + " tokenizer_config.json, read as HF's from_pretrained does) or a named model: bert-base-uncased,"
            + " bert-base-cased, bert-base-multilingual-cased (no default: this or --vocab is required)")
    String model;

    @Option(names = "--jsonl", required = true, paramLabel = "IN", description = "the input, one JSON object a line")
    Path in;

    @Option(names = "--out", required = true, paramLabel = "OUT",
            description = "the output file, written only when every line has been encoded")
    Path target;

    @Option(names = "--cased", description = "keep case and accents (default: lower-case and strip accents,"
            + " as bert-base-uncased)")
    boolean cased;

    /** How many bad lines are listed before the rest are only counted. */
    static final int MAX_LISTED_ERRORS = 20;

    @Override
    protected int run() throws Exception {
        if ((vocab == null) == (model == null)) {
            throw new UsageException("give either --vocab FILE or --model DIR|NAME");
        }
        if (model != null && cased) {
            throw new UsageException("--cased goes with --vocab; a --model's tokenizer_config.json says whether it is cased");
        }
        BertTokenizer tokenizer = model != null
                ? BertTokenizer.fromDirectory(ModelChoice.directory(model))
                : BertTokenizer.builder(Vocabulary.load(vocab)).doLowerCase(!cased).build();
        CliFiles.requireFile(in);
        Gson gson = new GsonBuilder().disableHtmlEscaping().serializeNulls().create();
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
        int lines = 0;
        int failed = 0;
        try (JsonLines reader = new JsonLines(Files.newInputStream(in));
             BufferedWriter writer = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            while (reader.next()) {
                if (reader.isBlank()) {
                    continue;
                }
                String where = in + ":" + reader.number();
                try {
                    JsonObject obj = encodeLine(tokenizer, reader.parse(where), where);
                    writer.write(JsonLines.escapeLoneSurrogates(gson.toJson(obj)));
                    writer.write('\n');
                    lines++;
                } catch (IllegalArgumentException e) {
                    // every bad line is listed (file:line: what), as a compiler lists errors, then one failure
                    if (++failed <= MAX_LISTED_ERRORS) {
                        err.println(e.getMessage());
                    }
                }
            }
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
        if (failed > 0) {
            Files.deleteIfExists(tmp);
            throw new IllegalArgumentException(failed + " of " + (lines + failed) + " lines of " + in + " failed"
                    + (failed > MAX_LISTED_ERRORS ? " (the first " + MAX_LISTED_ERRORS + " are listed above)" : "")
                    + "; nothing written to " + target);
        }
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        out.println("tokenize: " + lines + " lines -> " + target);
        return 0;
    }

    /** Encodes one input line; {@code where} (file:line) prefixes every error. */
    static JsonObject encodeLine(BertTokenizer tokenizer, String line, String where) {
        return encodeLine(tokenizer, StrictJson.parse(line, where), where);
    }

    /** Encodes one parsed input line; {@code where} (file:line) prefixes every error. */
    static JsonObject encodeLine(BertTokenizer tokenizer, StrictJson.Document doc, String where) {
        if (!doc.root().isJsonObject()) {
            throw new IllegalArgumentException(where + ": expected a JSON object, got "
                    + StrictJson.describe(doc.root()));
        }
        JsonObject obj = doc.root().getAsJsonObject();
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
}
