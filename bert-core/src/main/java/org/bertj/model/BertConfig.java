package org.bertj.model;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.bertj.weights.HfBertConfig;
import org.bertj.weights.JsonFormatException;
import org.bertj.weights.StrictJson;

/**
 * The shape and hyper-parameters of a BERT model, read from and written to a Hugging Face
 * {@code config.json}. Immutable and validated on construction; passed down to every layer.
 *
 * <p>Fields this project does not use (id2label, generation settings, ...) are kept verbatim so
 * that {@link #toJson()} writes a file Hugging Face transformers loads back unchanged.
 */
public final class BertConfig {

    private final int vocabSize;
    private final int hiddenSize;
    private final int numHiddenLayers;
    private final int numAttentionHeads;
    private final int intermediateSize;
    private final int maxPositionEmbeddings;
    private final int typeVocabSize;
    private final Activation hiddenAct;
    private final double layerNormEps;
    private final double initializerRange;
    private final double hiddenDropoutProb;
    private final double attentionProbsDropoutProb;
    private final int padTokenId;
    /** Everything else from the source file, so a round trip loses nothing. */
    private final JsonObject extra;

    private BertConfig(Builder b) {
        this.vocabSize = b.vocabSize;
        this.hiddenSize = b.hiddenSize;
        this.numHiddenLayers = b.numHiddenLayers;
        this.numAttentionHeads = b.numAttentionHeads;
        this.intermediateSize = b.intermediateSize;
        this.maxPositionEmbeddings = b.maxPositionEmbeddings;
        this.typeVocabSize = b.typeVocabSize;
        this.hiddenAct = b.hiddenAct;
        this.layerNormEps = b.layerNormEps;
        this.initializerRange = b.initializerRange;
        this.hiddenDropoutProb = b.hiddenDropoutProb;
        this.attentionProbsDropoutProb = b.attentionProbsDropoutProb;
        this.padTokenId = b.padTokenId;
        this.extra = b.extra.deepCopy();
        validate();
    }

    /** Largest accepted vocab_size; these limits are bert-weights' {@link HfBertConfig#MAX_SIZES}. */
    public static final int MAX_VOCAB_SIZE = HfBertConfig.MAX_SIZES.get("vocab_size");
    /** Largest accepted hidden_size. */
    public static final int MAX_HIDDEN_SIZE = HfBertConfig.MAX_SIZES.get("hidden_size");
    /** Largest accepted num_hidden_layers. */
    public static final int MAX_NUM_HIDDEN_LAYERS = HfBertConfig.MAX_SIZES.get("num_hidden_layers");
    /** Largest accepted intermediate_size. */
    public static final int MAX_INTERMEDIATE_SIZE = HfBertConfig.MAX_SIZES.get("intermediate_size");
    /** Largest accepted max_position_embeddings. */
    public static final int MAX_POSITION_EMBEDDINGS = HfBertConfig.MAX_SIZES.get("max_position_embeddings");
    /** Largest accepted type_vocab_size. */
    public static final int MAX_TYPE_VOCAB_SIZE = HfBertConfig.MAX_SIZES.get("type_vocab_size");

    private void validate() {
        inRange("vocab_size", vocabSize, MAX_VOCAB_SIZE);
        inRange("hidden_size", hiddenSize, MAX_HIDDEN_SIZE);
        inRange("num_hidden_layers", numHiddenLayers, MAX_NUM_HIDDEN_LAYERS);
        inRange("num_attention_heads", numAttentionHeads, MAX_HIDDEN_SIZE);
        inRange("intermediate_size", intermediateSize, MAX_INTERMEDIATE_SIZE);
        inRange("max_position_embeddings", maxPositionEmbeddings, MAX_POSITION_EMBEDDINGS);
        inRange("type_vocab_size", typeVocabSize, MAX_TYPE_VOCAB_SIZE);
        if (hiddenSize % numAttentionHeads != 0) {
            throw new IllegalArgumentException("hidden_size " + hiddenSize
                    + " is not a multiple of num_attention_heads " + numAttentionHeads);
        }
        if (hiddenAct == null) {
            throw new IllegalArgumentException("hidden_act is missing");
        }
        if (!(layerNormEps > 0) || Double.isInfinite(layerNormEps)) {
            throw new IllegalArgumentException("layer_norm_eps must be a positive number, got " + layerNormEps);
        }
        if (!(initializerRange >= 0) || Double.isInfinite(initializerRange)) {
            throw new IllegalArgumentException("initializer_range must be >= 0, got " + initializerRange);
        }
        probability("hidden_dropout_prob", hiddenDropoutProb);
        probability("attention_probs_dropout_prob", attentionProbsDropoutProb);
        JsonElement tie = extra.get("tie_word_embeddings");
        if (tie != null && !tie.isJsonNull()
                && !(tie.isJsonPrimitive() && tie.getAsJsonPrimitive().isBoolean())) {
            throw new IllegalArgumentException("tie_word_embeddings must be true or false, got " + tie);
        }
        positionEmbeddingType();
    }

    private static void inRange(String name, int v, int max) {
        if (v <= 0 || v > max) {
            throw new IllegalArgumentException(name + " " + v + " is out of range: expected an integer in [1, "
                    + max + "]");
        }
    }

    private static void probability(String name, double p) {
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException(name + " must be in [0, 1), got " + p);
        }
    }

    /**
     * Number of parameters of the {@link BertForPreTraining} this config describes (embeddings,
     * encoder, pooler, both heads; the decoder is tied to the word embeddings). Exact: the limits
     * keep it far below 2^63.
     *
     * @return the total count of trainable scalars, tied decoder counted once
     */
    public long parameterCount() {
        long h = hiddenSize;
        long dense = Math.addExact(Math.multiplyExact(h, h), h); // pooler and transform: [h, h] + bias
        long heads = Math.addExact(2 * dense, 2 * h); // + the transform's LayerNorm
        heads = Math.addExact(heads, vocabSize + 2 * h + 2); // prediction bias, seq_relationship [2, h] + bias
        return Math.addExact(encoderParameterCount(), heads);
    }

    /**
     * Parameters of the embeddings and the encoder layers: what every checkpoint must hold.
     *
     * @return the count of scalars in the embeddings and all {@code num_hidden_layers} layers,
     *         without pooler and heads
     */
    public long encoderParameterCount() {
        return Math.addExact(embeddingParameterCount(), Math.multiplyExact((long) numHiddenLayers, layerParameterCount()));
    }

    /** Parameters of the embeddings: three tables and a LayerNorm. */
    long embeddingParameterCount() {
        long rows = (long) vocabSize + maxPositionEmbeddings + typeVocabSize;
        return Math.addExact(Math.multiplyExact(rows, hiddenSize), 2L * hiddenSize);
    }

    /** Parameters of one encoder layer: q, k, v, output dense, two LayerNorms, the feed-forward pair. */
    long layerParameterCount() {
        long h = hiddenSize;
        long attention = Math.addExact(Math.multiplyExact(4 * h, h), 4 * h + 2 * h);
        long ffn = Math.addExact(Math.multiplyExact(2 * h, (long) intermediateSize), (long) intermediateSize + 3 * h);
        return Math.addExact(attention, ffn);
    }

    /**
     * Where the parameters of {@link #parameterCount()} come from, naming the fields, for errors
     * about a model too large for its file or for memory.
     *
     * @return one line with each size field and the embedding and per-layer parameter counts
     */
    public String describeSize() {
        return String.format("vocab_size %d + max_position_embeddings %d + type_vocab_size %d rows of hidden_size %d"
                + " = %,d embedding parameters, num_hidden_layers %d x %,d per layer (intermediate_size %d)",
                vocabSize, maxPositionEmbeddings, typeVocabSize, hiddenSize, embeddingParameterCount(),
                numHiddenLayers, layerParameterCount(), intermediateSize);
    }

    /** Largest config.json read; real ones are about 1 KB. */
    private static final long MAX_CONFIG_BYTES = 16L << 20;

    /**
     * Reads a Hugging Face config.json file, strictly ({@link StrictJson}).
     *
     * @param file the config.json to read; at most 16 MiB, UTF-8
     * @return the validated config, with unknown fields kept for {@link #toJson()}
     * @throws IOException if the file cannot be read
     * @throws IllegalArgumentException naming the file, the field, its byte offset and the limit it breaks
     */
    public static BertConfig fromJson(Path file) throws IOException {
        StrictJson.Document doc = StrictJson.readFile(file, MAX_CONFIG_BYTES);
        try {
            return fromDocument(doc);
        } catch (JsonFormatException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Parses the text of a Hugging Face config.json. Missing fields take BertConfig's defaults
     * (bert-base-uncased's shape), as in transformers.
     *
     * @param json the whole text of a config.json (a JSON object)
     * @return the validated config, with unknown fields kept for {@link #toJson()}
     * @throws IllegalArgumentException on malformed JSON or invalid values, naming the field
     */
    public static BertConfig fromJson(String json) {
        return fromDocument(StrictJson.parse(json, "config.json"));
    }

    /**
     * Parses the bytes of a config.json, checking their UTF-8.
     *
     * @param utf8 the file's bytes; invalid UTF-8 is an error, not replaced
     * @param source what to call them in errors
     * @return the validated config, with unknown fields kept for {@link #toJson()}
     * @throws IllegalArgumentException as {@link #fromJson(String)}, with byte offsets into {@code utf8}
     */
    public static BertConfig fromJson(byte[] utf8, String source) {
        return fromDocument(StrictJson.parse(utf8, source));
    }

    private static BertConfig fromDocument(StrictJson.Document doc) {
        JsonObject o = doc.rootObject();
        String mt = doc.string(o, "model_type", null);
        if (mt != null && !mt.equals("bert")) {
            throw doc.error("model_type", o.get("model_type"), "'" + mt + "', expected 'bert'");
        }
        Builder b = builder();
        b.vocabSize = intField(doc, o, "vocab_size", b.vocabSize, MAX_VOCAB_SIZE);
        b.hiddenSize = intField(doc, o, "hidden_size", b.hiddenSize, MAX_HIDDEN_SIZE);
        b.numHiddenLayers = intField(doc, o, "num_hidden_layers", b.numHiddenLayers, MAX_NUM_HIDDEN_LAYERS);
        b.numAttentionHeads = intField(doc, o, "num_attention_heads", b.numAttentionHeads, MAX_HIDDEN_SIZE);
        b.intermediateSize = intField(doc, o, "intermediate_size", b.intermediateSize, MAX_INTERMEDIATE_SIZE);
        b.maxPositionEmbeddings = intField(doc, o, "max_position_embeddings", b.maxPositionEmbeddings,
                MAX_POSITION_EMBEDDINGS);
        b.typeVocabSize = intField(doc, o, "type_vocab_size", b.typeVocabSize, MAX_TYPE_VOCAB_SIZE);
        String act = doc.string(o, "hidden_act", null);
        if (act != null) {
            try {
                b.hiddenAct = Activation.fromHfName(act);
            } catch (IllegalArgumentException e) {
                throw doc.error("hidden_act", o.get("hidden_act"), e.getMessage());
            }
        }
        b.layerNormEps = doc.decimal(o, "layer_norm_eps", b.layerNormEps);
        b.initializerRange = doc.decimal(o, "initializer_range", b.initializerRange);
        b.hiddenDropoutProb = doc.decimal(o, "hidden_dropout_prob", b.hiddenDropoutProb);
        b.attentionProbsDropoutProb = doc.decimal(o, "attention_probs_dropout_prob", b.attentionProbsDropoutProb);
        b.padTokenId = (int) doc.integer(o, "pad_token_id", b.padTokenId, Integer.MIN_VALUE, Integer.MAX_VALUE);
        doc.string(o, "position_embedding_type", null); // type check here, value check in validate
        JsonObject rest = o.deepCopy();
        for (String k : KNOWN) {
            rest.remove(k);
        }
        b.extra = rest;
        return b.build();
    }

    private static final String[] KNOWN = {"vocab_size", "hidden_size", "num_hidden_layers",
        "num_attention_heads", "intermediate_size", "max_position_embeddings", "type_vocab_size",
        "hidden_act", "layer_norm_eps", "initializer_range", "hidden_dropout_prob",
        "attention_probs_dropout_prob", "pad_token_id"};

    private static int intField(StrictJson.Document doc, JsonObject o, String name, int fallback, int max) {
        return (int) doc.integer(o, name, fallback, 1, max);
    }

    /**
     * A config.json that Hugging Face transformers loads as this model: every field this class
     * knows, the fields kept from the source file, {@code model_type "bert"} and
     * {@code architectures ["BertForPreTraining"]} unless the source named others.
     *
     * @return pretty-printed JSON ending in a newline; equal configs give equal text
     */
    public String toJson() {
        JsonObject o = new JsonObject();
        JsonArray arch = new JsonArray();
        arch.add("BertForPreTraining");
        o.add("architectures", arch);
        o.addProperty("model_type", "bert");
        o.addProperty("vocab_size", vocabSize);
        o.addProperty("hidden_size", hiddenSize);
        o.addProperty("num_hidden_layers", numHiddenLayers);
        o.addProperty("num_attention_heads", numAttentionHeads);
        o.addProperty("intermediate_size", intermediateSize);
        o.addProperty("max_position_embeddings", maxPositionEmbeddings);
        o.addProperty("type_vocab_size", typeVocabSize);
        o.addProperty("hidden_act", hiddenAct.hfName());
        o.addProperty("layer_norm_eps", layerNormEps);
        o.addProperty("initializer_range", initializerRange);
        o.addProperty("hidden_dropout_prob", hiddenDropoutProb);
        o.addProperty("attention_probs_dropout_prob", attentionProbsDropoutProb);
        o.addProperty("pad_token_id", padTokenId);
        o.addProperty("position_embedding_type", positionEmbeddingType().hfName());
        for (Map.Entry<String, JsonElement> e : extra.entrySet()) {
            boolean keepOurs = e.getKey().equals("model_type")
                    || (e.getKey().equals("architectures") && (e.getValue().isJsonNull()
                        || (e.getValue().isJsonArray() && e.getValue().getAsJsonArray().isEmpty())));
            if (!keepOurs) {
                o.add(e.getKey(), e.getValue());
            }
        }
        Gson gson = new GsonBuilder().setPrettyPrinting().serializeNulls().disableHtmlEscaping().create();
        return gson.toJson(o) + "\n";
    }

    /**
     * A builder starting from bert-base-uncased's values (HF BertConfig defaults).
     *
     * @return a new builder; nothing is checked until {@link Builder#build()}
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder starting from this config's values.
     *
     * @return a new builder holding a copy of every field, the kept unknown ones included;
     *         changing it leaves this config as it is
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.vocabSize = vocabSize;
        b.hiddenSize = hiddenSize;
        b.numHiddenLayers = numHiddenLayers;
        b.numAttentionHeads = numAttentionHeads;
        b.intermediateSize = intermediateSize;
        b.maxPositionEmbeddings = maxPositionEmbeddings;
        b.typeVocabSize = typeVocabSize;
        b.hiddenAct = hiddenAct;
        b.layerNormEps = layerNormEps;
        b.initializerRange = initializerRange;
        b.hiddenDropoutProb = hiddenDropoutProb;
        b.attentionProbsDropoutProb = attentionProbsDropoutProb;
        b.padTokenId = padTokenId;
        b.extra = extra.deepCopy();
        return b;
    }

    /** {@return vocab_size: rows of the word embedding table and width of the MLM logits} */
    public int vocabSize() {
        return vocabSize;
    }

    /** {@return hidden_size: width H of every hidden state {@code [B, S, H]}} */
    public int hiddenSize() {
        return hiddenSize;
    }

    /** {@return num_hidden_layers: how many encoder layers} */
    public int numHiddenLayers() {
        return numHiddenLayers;
    }

    /** {@return num_attention_heads: heads per self-attention; divides hidden_size} */
    public int numAttentionHeads() {
        return numAttentionHeads;
    }

    /** {@return the width of one attention head: hidden_size / num_attention_heads} */
    public int headSize() {
        return hiddenSize / numAttentionHeads;
    }

    /** {@return intermediate_size: width of the feed-forward layer between its two dense layers} */
    public int intermediateSize() {
        return intermediateSize;
    }

    /**
     * {@return max_position_embeddings: rows of the position table (of the distance table's range for
     * relative types), so the longest sequence S the inputs may have}
     */
    public int maxPositionEmbeddings() {
        return maxPositionEmbeddings;
    }

    /** {@return type_vocab_size: rows of the token-type (segment) table} */
    public int typeVocabSize() {
        return typeVocabSize;
    }

    /** {@return hidden_act: the activation of the feed-forward layer and the MLM head's transform} */
    public Activation hiddenAct() {
        return hiddenAct;
    }

    /** {@return layer_norm_eps: the epsilon added to the variance in every LayerNorm} */
    public double layerNormEps() {
        return layerNormEps;
    }

    /** {@return initializer_range: standard deviation of the normal init of weights and embeddings} */
    public double initializerRange() {
        return initializerRange;
    }

    /** {@return hidden_dropout_prob: dropout on embeddings and on each sub-layer's output, in [0, 1)} */
    public double hiddenDropoutProb() {
        return hiddenDropoutProb;
    }

    /** {@return attention_probs_dropout_prob: dropout on the attention probabilities, in [0, 1)} */
    public double attentionProbsDropoutProb() {
        return attentionProbsDropoutProb;
    }

    /** {@return pad_token_id: the token id of padding, whose word-embedding row {@link ParameterInit} zeroes} */
    public int padTokenId() {
        return padTokenId;
    }

    /**
     * position_embedding_type (default absolute).
     *
     * @return how positions enter the model: an absolute table, or relative scores in attention
     * @throws IllegalArgumentException if config.json names an unknown one (checked on construction)
     */
    public PositionEmbeddingType positionEmbeddingType() {
        JsonElement e = extra.get("position_embedding_type");
        if (e == null || e.isJsonNull()) {
            return PositionEmbeddingType.ABSOLUTE;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new IllegalArgumentException("position_embedding_type must be a string, got " + e);
        }
        return PositionEmbeddingType.fromHfName(e.getAsString());
    }

    /**
     * tie_word_embeddings (PretrainedConfig's default true): whether the MLM decoder is the word
     * embedding table itself or a {@code cls.predictions.decoder.weight} of its own.
     *
     * @return true when the decoder shares the word embedding table (also when config.json is silent)
     */
    public boolean tieWordEmbeddings() {
        JsonElement e = extra.get("tie_word_embeddings");
        return e == null || e.isJsonNull() || e.getAsBoolean();
    }

    /**
     * The first entry of config.json's {@code architectures}, if it names one.
     *
     * @return for example {@code "BertForMaskedLM"}; empty if the list is absent, empty or not strings
     */
    public java.util.Optional<String> architecture() {
        JsonElement a = extra.get("architectures");
        if (a != null && a.isJsonArray() && !a.getAsJsonArray().isEmpty()
                && a.getAsJsonArray().get(0).isJsonPrimitive()) {
            return java.util.Optional.of(a.getAsJsonArray().get(0).getAsString());
        }
        return java.util.Optional.empty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BertConfig c && c.toJson().equals(toJson());
    }

    @Override
    public int hashCode() {
        return toJson().hashCode();
    }

    @Override
    public String toString() {
        return "BertConfig{vocab=" + vocabSize + ", hidden=" + hiddenSize + ", layers=" + numHiddenLayers
                + ", heads=" + numAttentionHeads + ", intermediate=" + intermediateSize + ", maxPos="
                + maxPositionEmbeddings + ", types=" + typeVocabSize + ", act=" + hiddenAct.hfName()
                + ", eps=" + layerNormEps + "}";
    }

    /** Mutable staging for a {@link BertConfig}; {@link #build()} validates. */
    public static final class Builder {
        private int vocabSize = 30522;
        private int hiddenSize = 768;
        private int numHiddenLayers = 12;
        private int numAttentionHeads = 12;
        private int intermediateSize = 3072;
        private int maxPositionEmbeddings = 512;
        private int typeVocabSize = 2;
        private Activation hiddenAct = Activation.GELU;
        private double layerNormEps = 1e-12;
        private double initializerRange = 0.02;
        private double hiddenDropoutProb = 0.1;
        private double attentionProbsDropoutProb = 0.1;
        private int padTokenId = 0;
        private JsonObject extra = new JsonObject();

        private Builder() {
        }

        /**
         * Sets vocab_size; {@link #build()} checks it.
         *
         * @param v vocab_size, in [1, {@link BertConfig#MAX_VOCAB_SIZE}]
         * @return this builder
         */
        public Builder vocabSize(int v) {
            vocabSize = v;
            return this;
        }

        /**
         * Sets hidden_size; {@link #build()} checks it.
         *
         * @param v hidden_size, in [1, {@link BertConfig#MAX_HIDDEN_SIZE}] and a multiple of num_attention_heads
         * @return this builder
         */
        public Builder hiddenSize(int v) {
            hiddenSize = v;
            return this;
        }

        /**
         * Sets num_hidden_layers; {@link #build()} checks it.
         *
         * @param v num_hidden_layers, in [1, {@link BertConfig#MAX_NUM_HIDDEN_LAYERS}]
         * @return this builder
         */
        public Builder numHiddenLayers(int v) {
            numHiddenLayers = v;
            return this;
        }

        /**
         * Sets num_attention_heads; {@link #build()} checks it.
         *
         * @param v num_attention_heads, positive and dividing hidden_size
         * @return this builder
         */
        public Builder numAttentionHeads(int v) {
            numAttentionHeads = v;
            return this;
        }

        /**
         * Sets intermediate_size; {@link #build()} checks it.
         *
         * @param v intermediate_size, in [1, {@link BertConfig#MAX_INTERMEDIATE_SIZE}]
         * @return this builder
         */
        public Builder intermediateSize(int v) {
            intermediateSize = v;
            return this;
        }

        /**
         * Sets max_position_embeddings; {@link #build()} checks it.
         *
         * @param v max_position_embeddings, in [1, {@link BertConfig#MAX_POSITION_EMBEDDINGS}]
         * @return this builder
         */
        public Builder maxPositionEmbeddings(int v) {
            maxPositionEmbeddings = v;
            return this;
        }

        /**
         * Sets type_vocab_size; {@link #build()} checks it.
         *
         * @param v type_vocab_size, in [1, {@link BertConfig#MAX_TYPE_VOCAB_SIZE}]
         * @return this builder
         */
        public Builder typeVocabSize(int v) {
            typeVocabSize = v;
            return this;
        }

        /**
         * Sets hidden_act; {@link #build()} checks it.
         *
         * @param v hidden_act; not null
         * @return this builder
         */
        public Builder hiddenAct(Activation v) {
            hiddenAct = v;
            return this;
        }

        /**
         * Sets layer_norm_eps; {@link #build()} checks it.
         *
         * @param v layer_norm_eps, positive and finite
         * @return this builder
         */
        public Builder layerNormEps(double v) {
            layerNormEps = v;
            return this;
        }

        /**
         * Sets initializer_range; {@link #build()} checks it.
         *
         * @param v initializer_range, a standard deviation: finite and {@code >= 0}
         * @return this builder
         */
        public Builder initializerRange(double v) {
            initializerRange = v;
            return this;
        }

        /**
         * Sets hidden_dropout_prob; {@link #build()} checks it.
         *
         * @param v hidden_dropout_prob, in [0, 1)
         * @return this builder
         */
        public Builder hiddenDropoutProb(double v) {
            hiddenDropoutProb = v;
            return this;
        }

        /**
         * Sets attention_probs_dropout_prob; {@link #build()} checks it.
         *
         * @param v attention_probs_dropout_prob, in [0, 1)
         * @return this builder
         */
        public Builder attentionProbsDropoutProb(double v) {
            attentionProbsDropoutProb = v;
            return this;
        }

        /**
         * Sets pad_token_id.
         *
         * @param v pad_token_id; any int (ids outside the vocabulary leave no row zeroed)
         * @return this builder
         */
        public Builder padTokenId(int v) {
            padTokenId = v;
            return this;
        }

        /**
         * Sets position_embedding_type.
         *
         * @param v position_embedding_type; not null
         * @return this builder
         */
        public Builder positionEmbeddingType(PositionEmbeddingType v) {
            extra.addProperty("position_embedding_type", v.hfName());
            return this;
        }

        /**
         * Sets tie_word_embeddings.
         *
         * @param v tie_word_embeddings: true to share the word embedding table with the MLM decoder
         * @return this builder
         */
        public Builder tieWordEmbeddings(boolean v) {
            extra.addProperty("tie_word_embeddings", v);
            return this;
        }

        /**
         * Validates every field and makes the config; the builder may be reused afterwards.
         *
         * @return the validated, immutable config
         * @throws IllegalArgumentException naming the first field out of range
         */
        public BertConfig build() {
            return new BertConfig(this);
        }
    }
}
