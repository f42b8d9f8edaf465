package org.bertj.weights;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Hugging Face's {@code config.json} for BERT, as JSON (bert-weights does not know bert-core's
 * config class): bert-base-uncased's, the translation of Google's {@code bert_config.json}, and a
 * check that a set of weights has the shapes a config promises.
 *
 * <p>JSON trees are used rather than maps because Gson reads every number of a map as a double and
 * would write {@code 768} back as {@code 768.0}, which transformers then rejects as a layer size.
 */
public final class HfBertConfig {

    private HfBertConfig() {
    }

    /**
     * Largest sizes a config may give, one per field (bert-core's BertConfig uses the same). Far
     * above any published BERT (bert-large: 1024 hidden, 24 layers, 30522 words, 512 positions),
     * yet small enough that no product of them overflows a long, so a hostile config is stopped
     * before anything is allocated; whether a model fits in memory is checked where it is built.
     */
    public static final Map<String, Integer> MAX_SIZES = Map.of(
            "vocab_size", 1 << 24,
            "hidden_size", 1 << 16,
            "num_hidden_layers", 1024,
            "num_attention_heads", 1 << 16,
            "intermediate_size", 1 << 18,
            "max_position_embeddings", 1 << 20,
            "type_vocab_size", 1 << 16);

    /**
     * {@return bert-base-uncased's configuration, what Google's BERT-Base uncased checkpoint was
     * trained with: {@link #bertBase(int)} with 30,522 tokens; a new object on each call}
     */
    public static JsonObject bertBaseUncased() {
        return bertBase(30522);
    }

    /**
     * Hugging Face's config.json of Google's BERT-Base (12 layers, hidden 768, 12 heads) with a
     * vocabulary of {@code vocabSize}: what the uncased, cased and multilingual checkpoints share.
     *
     * @param vocabSize rows of the word embeddings (30522, 28996 or 119547 for Google's checkpoints);
     *                  not checked here
     * @return a new config object, keys sorted, as {@link #fromGoogle} makes it
     */
    public static JsonObject bertBase(int vocabSize) {
        JsonObject google = new JsonObject();
        google.addProperty("attention_probs_dropout_prob", 0.1);
        google.addProperty("hidden_act", "gelu");
        google.addProperty("hidden_dropout_prob", 0.1);
        google.addProperty("hidden_size", 768);
        google.addProperty("initializer_range", 0.02);
        google.addProperty("intermediate_size", 3072);
        google.addProperty("max_position_embeddings", 512);
        google.addProperty("num_attention_heads", 12);
        google.addProperty("num_hidden_layers", 12);
        google.addProperty("type_vocab_size", 2);
        google.addProperty("vocab_size", vocabSize);
        return fromGoogle(google);
    }

    /**
     * Hugging Face's {@code config.json} for a Google {@code bert_config.json}: the same keys, plus
     * {@code model_type}, {@code architectures} and the defaults transformers' BertConfig would
     * otherwise assume ({@code layer_norm_eps} 1e-12, {@code pad_token_id} 0, absolute positions).
     * Keys already present are kept; the result's keys are sorted, as transformers writes them.
     *
     * @param bertConfig the parsed {@code bert_config.json}; not changed (it is copied) and not
     *                   validated
     * @return a new object, the Hugging Face config
     */
    public static JsonObject fromGoogle(JsonObject bertConfig) {
        JsonObject c = bertConfig.deepCopy();
        if (!c.has("architectures")) {
            JsonArray arch = new JsonArray();
            arch.add("BertForPreTraining");
            c.add("architectures", arch);
        }
        addIfAbsent(c, "model_type", "bert");
        addIfAbsent(c, "layer_norm_eps", 1e-12);
        addIfAbsent(c, "pad_token_id", 0);
        addIfAbsent(c, "position_embedding_type", "absolute");
        addIfAbsent(c, "hidden_act", "gelu");
        TreeMap<String, JsonElement> sorted = new TreeMap<>(c.asMap());
        JsonObject out = new JsonObject();
        sorted.forEach(out::add);
        return out;
    }

    private static void addIfAbsent(JsonObject c, String key, Object value) {
        if (!c.has(key)) {
            if (value instanceof Number n) {
                c.addProperty(key, n);
            } else {
                c.addProperty(key, value.toString());
            }
        }
    }

    /**
     * Reads a JSON object from a file, strictly ({@link StrictJson}).
     *
     * @param file the JSON file, at most 16 MiB
     * @return its top-level object, not validated as a config
     * @throws WeightFormatException naming the file and byte offset if it is not strict JSON, is
     *                               larger than 16 MiB or is not an object
     * @throws IOException           if it cannot be read
     */
    public static JsonObject read(Path file) throws IOException {
        try {
            return StrictJson.readFile(file, 16L << 20).rootObject();
        } catch (JsonFormatException e) {
            throw new WeightFormatException(e.getMessage(), e);
        }
    }

    /**
     * {@code tie_word_embeddings}, true when absent or null as in transformers' PretrainedConfig.
     *
     * @param config a Hugging Face config
     * @return false only when the key holds JSON {@code false}; true when it is absent, null, true or
     *         not a boolean at all
     */
    public static boolean tiedWordEmbeddings(JsonObject config) {
        JsonElement t = config.get("tie_word_embeddings");
        return t == null || t.isJsonNull() || !t.isJsonPrimitive() || !t.getAsJsonPrimitive().isBoolean()
                || t.getAsBoolean();
    }

    /**
     * Writes the config pretty-printed, as transformers does.
     *
     * @param file   where to write, UTF-8, ending in a newline; replaced if it exists
     * @param config the config to write, in its own key order
     * @throws IOException if the file cannot be written
     */
    public static void write(Path file, JsonObject config) throws IOException {
        String json = new GsonBuilder().setPrettyPrinting().create().toJson(config) + "\n";
        Files.writeString(file, json, StandardCharsets.UTF_8);
    }

    /**
     * The shape every {@code BertForPreTraining} parameter has under this config.
     *
     * @param config a Hugging Face config; the sizes must be integers within {@link #MAX_SIZES}
     * @return Hugging Face parameter name to shape (PyTorch order, e.g. a linear weight as
     *         {@code [out, in]}), in the order the model declares them; includes the untied decoder
     *         only when {@link #tiedWordEmbeddings} is false, and the distance embeddings only for
     *         relative positions
     * @throws WeightFormatException if a size the shapes need is missing or not a positive integer,
     *                               or {@code hidden_size} is not a multiple of the heads
     */
    public static Map<String, long[]> expectedShapes(JsonObject config) throws WeightFormatException {
        long v = positive(config, "vocab_size");
        long h = positive(config, "hidden_size");
        long layers = positive(config, "num_hidden_layers");
        long heads = positive(config, "num_attention_heads");
        long inter = positive(config, "intermediate_size");
        long positions = positive(config, "max_position_embeddings");
        long types = positive(config, "type_vocab_size");
        if (h % heads != 0) {
            throw new WeightFormatException("config: hidden_size " + h + " is not a multiple of num_attention_heads "
                    + heads);
        }
        // relative_key(_query): each layer's distance embedding, one row per distance -(P-1)..P-1.
        boolean relative = config.has("position_embedding_type") && config.get("position_embedding_type").isJsonPrimitive()
                && config.get("position_embedding_type").getAsString().startsWith("relative_key");
        Map<String, long[]> m = new LinkedHashMap<>();
        m.put("bert.embeddings.word_embeddings.weight", new long[] {v, h});
        m.put("bert.embeddings.position_embeddings.weight", new long[] {positions, h});
        m.put("bert.embeddings.token_type_embeddings.weight", new long[] {types, h});
        m.put("bert.embeddings.LayerNorm.weight", new long[] {h});
        m.put("bert.embeddings.LayerNorm.bias", new long[] {h});
        for (int i = 0; i < layers; i++) {
            String p = "bert.encoder.layer." + i + ".";
            for (String s : new String[] {"attention.self.query", "attention.self.key", "attention.self.value",
                    "attention.output.dense"}) {
                m.put(p + s + ".weight", new long[] {h, h});
                m.put(p + s + ".bias", new long[] {h});
            }
            if (relative) {
                m.put(p + "attention.self.distance_embedding.weight", new long[] {2 * positions - 1, h / heads});
            }
            m.put(p + "attention.output.LayerNorm.weight", new long[] {h});
            m.put(p + "attention.output.LayerNorm.bias", new long[] {h});
            m.put(p + "intermediate.dense.weight", new long[] {inter, h});
            m.put(p + "intermediate.dense.bias", new long[] {inter});
            m.put(p + "output.dense.weight", new long[] {h, inter});
            m.put(p + "output.dense.bias", new long[] {h});
            m.put(p + "output.LayerNorm.weight", new long[] {h});
            m.put(p + "output.LayerNorm.bias", new long[] {h});
        }
        m.put("bert.pooler.dense.weight", new long[] {h, h});
        m.put("bert.pooler.dense.bias", new long[] {h});
        m.put("cls.predictions.bias", new long[] {v});
        if (!tiedWordEmbeddings(config)) {
            m.put(HfNamedSource.UNTIED_DECODER, new long[] {v, h});
        }
        m.put("cls.predictions.transform.dense.weight", new long[] {h, h});
        m.put("cls.predictions.transform.dense.bias", new long[] {h});
        m.put("cls.predictions.transform.LayerNorm.weight", new long[] {h});
        m.put("cls.predictions.transform.LayerNorm.bias", new long[] {h});
        m.put("cls.seq_relationship.weight", new long[] {2, h});
        m.put("cls.seq_relationship.bias", new long[] {2});
        return m;
    }

    /**
     * Checks Hugging Face-named weights against a config: every tensor must be a parameter of the
     * model the config describes, with the shape it needs, and the embeddings and every encoder
     * layer must be present.
     *
     * @param config  a Hugging Face config, as {@link #expectedShapes} takes it
     * @param weights tensors under Hugging Face names; only their headers are read
     * @return the parameters that are absent but optional (pooler and heads), which transformers
     *         would initialize at random
     * @throws WeightFormatException naming the tensor, its shape and the config value it contradicts
     */
    public static List<String> check(JsonObject config, TensorSource weights) throws WeightFormatException {
        Map<String, long[]> expected = expectedShapes(config);
        for (String name : weights.names()) {
            long[] want = expected.get(name);
            long[] have = weights.info(name).shape();
            if (want == null) {
                throw new WeightFormatException("tensor '" + name + "' " + Arrays.toString(have) + " is not a parameter of"
                        + " the BertForPreTraining this config describes (" + config.get("num_hidden_layers")
                        + " layers)");
            }
            if (!Arrays.equals(want, have)) {
                throw new WeightFormatException("tensor '" + name + "' has shape " + Arrays.toString(have)
                        + " but the config (hidden_size " + config.get("hidden_size") + ", vocab_size "
                        + config.get("vocab_size") + ", intermediate_size " + config.get("intermediate_size")
                        + ", max_position_embeddings " + config.get("max_position_embeddings")
                        + ", type_vocab_size " + config.get("type_vocab_size") + ") needs " + Arrays.toString(want));
            }
        }
        List<String> missingOptional = new ArrayList<>();
        for (String name : expected.keySet()) {
            if (!weights.contains(name)) {
                if (name.startsWith("bert.embeddings.") || name.startsWith("bert.encoder.")) {
                    throw new WeightFormatException("the weights lack '" + name + "', which the config ("
                            + config.get("num_hidden_layers") + " layers) needs");
                }
                missingOptional.add(name);
            }
        }
        return missingOptional;
    }

    private static long positive(JsonObject config, String key) throws WeightFormatException {
        JsonElement e = config.get(key);
        try {
            if (e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
                BigDecimal d = e.getAsBigDecimal();
                if (d.signum() > 0 && d.compareTo(BigDecimal.valueOf(MAX_SIZES.get(key))) <= 0
                        && d.stripTrailingZeros().scale() <= 0) {
                    return d.longValueExact();
                }
            }
        } catch (NumberFormatException | ArithmeticException ignored) {
            // reported below
        }
        throw new WeightFormatException("config: " + key + " must be an integer in [1, " + MAX_SIZES.get(key)
                + "], found " + (e == null ? "nothing" : StrictJson.describe(e)));
    }
}
