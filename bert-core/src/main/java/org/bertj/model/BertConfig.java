package org.bertj.model;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

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

    private void validate() {
        positive("vocab_size", vocabSize);
        positive("hidden_size", hiddenSize);
        positive("num_hidden_layers", numHiddenLayers);
        positive("num_attention_heads", numAttentionHeads);
        positive("intermediate_size", intermediateSize);
        positive("max_position_embeddings", maxPositionEmbeddings);
        positive("type_vocab_size", typeVocabSize);
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

    private static void positive(String name, int v) {
        if (v <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + v);
        }
    }

    private static void probability(String name, double p) {
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException(name + " must be in [0, 1), got " + p);
        }
    }

    /** Reads a Hugging Face config.json file. */
    public static BertConfig fromJson(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        try {
            return fromJson(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Parses the text of a Hugging Face config.json. Missing fields take BertConfig's defaults
     * (bert-base-uncased's shape), as in transformers.
     *
     * @throws IllegalArgumentException on malformed JSON or invalid values, naming the field
     */
    public static BertConfig fromJson(String json) {
        JsonObject o;
        try {
            JsonElement e = JsonParser.parseString(json);
            if (!e.isJsonObject()) {
                throw new IllegalArgumentException("config.json must be a JSON object");
            }
            o = e.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new IllegalArgumentException("config.json is not valid JSON: " + e.getMessage(), e);
        }
        JsonElement mt = o.get("model_type");
        if (mt != null && !mt.isJsonNull() && !mt.getAsString().equals("bert")) {
            throw new IllegalArgumentException("model_type is '" + mt.getAsString() + "', expected 'bert'");
        }
        Builder b = builder();
        b.vocabSize = intField(o, "vocab_size", b.vocabSize);
        b.hiddenSize = intField(o, "hidden_size", b.hiddenSize);
        b.numHiddenLayers = intField(o, "num_hidden_layers", b.numHiddenLayers);
        b.numAttentionHeads = intField(o, "num_attention_heads", b.numAttentionHeads);
        b.intermediateSize = intField(o, "intermediate_size", b.intermediateSize);
        b.maxPositionEmbeddings = intField(o, "max_position_embeddings", b.maxPositionEmbeddings);
        b.typeVocabSize = intField(o, "type_vocab_size", b.typeVocabSize);
        JsonElement act = o.get("hidden_act");
        if (act != null && !act.isJsonNull()) {
            if (!act.isJsonPrimitive() || !act.getAsJsonPrimitive().isString()) {
                throw new IllegalArgumentException("hidden_act must be a string, got " + act);
            }
            b.hiddenAct = Activation.fromHfName(act.getAsString());
        }
        b.layerNormEps = doubleField(o, "layer_norm_eps", b.layerNormEps);
        b.initializerRange = doubleField(o, "initializer_range", b.initializerRange);
        b.hiddenDropoutProb = doubleField(o, "hidden_dropout_prob", b.hiddenDropoutProb);
        b.attentionProbsDropoutProb = doubleField(o, "attention_probs_dropout_prob", b.attentionProbsDropoutProb);
        b.padTokenId = intField(o, "pad_token_id", b.padTokenId);
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

    private static int intField(JsonObject o, String name, int fallback) {
        JsonElement e = o.get(name);
        if (e == null || e.isJsonNull()) {
            return fallback;
        }
        try {
            double d = e.getAsDouble();
            if (d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(name + " must be an integer, got " + e);
            }
            return (int) d;
        } catch (NumberFormatException | UnsupportedOperationException | IllegalStateException ex) {
            throw new IllegalArgumentException(name + " must be an integer, got " + e);
        }
    }

    private static double doubleField(JsonObject o, String name, double fallback) {
        JsonElement e = o.get(name);
        if (e == null || e.isJsonNull()) {
            return fallback;
        }
        try {
            return e.getAsDouble();
        } catch (NumberFormatException | UnsupportedOperationException | IllegalStateException ex) {
            throw new IllegalArgumentException(name + " must be a number, got " + e);
        }
    }

    /**
     * A config.json that Hugging Face transformers loads as this model: every field this class
     * knows, the fields kept from the source file, {@code model_type "bert"} and
     * {@code architectures ["BertForPreTraining"]} unless the source named others.
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

    /** A builder starting from bert-base-uncased's values (HF BertConfig defaults). */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this config's values. */
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

    /** vocab_size. */
    public int vocabSize() {
        return vocabSize;
    }

    /** hidden_size. */
    public int hiddenSize() {
        return hiddenSize;
    }

    /** num_hidden_layers. */
    public int numHiddenLayers() {
        return numHiddenLayers;
    }

    /** num_attention_heads. */
    public int numAttentionHeads() {
        return numAttentionHeads;
    }

    /** hidden_size / num_attention_heads. */
    public int headSize() {
        return hiddenSize / numAttentionHeads;
    }

    /** intermediate_size. */
    public int intermediateSize() {
        return intermediateSize;
    }

    /** max_position_embeddings. */
    public int maxPositionEmbeddings() {
        return maxPositionEmbeddings;
    }

    /** type_vocab_size. */
    public int typeVocabSize() {
        return typeVocabSize;
    }

    /** hidden_act. */
    public Activation hiddenAct() {
        return hiddenAct;
    }

    /** layer_norm_eps. */
    public double layerNormEps() {
        return layerNormEps;
    }

    /** initializer_range: standard deviation of the normal init of weights and embeddings. */
    public double initializerRange() {
        return initializerRange;
    }

    /** hidden_dropout_prob. */
    public double hiddenDropoutProb() {
        return hiddenDropoutProb;
    }

    /** attention_probs_dropout_prob. */
    public double attentionProbsDropoutProb() {
        return attentionProbsDropoutProb;
    }

    /** pad_token_id. */
    public int padTokenId() {
        return padTokenId;
    }

    /**
     * position_embedding_type (default absolute).
     *
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
     */
    public boolean tieWordEmbeddings() {
        JsonElement e = extra.get("tie_word_embeddings");
        return e == null || e.isJsonNull() || e.getAsBoolean();
    }

    /** The first entry of config.json's {@code architectures}, if it names one. */
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

        /** @param v vocab_size */
        public Builder vocabSize(int v) {
            vocabSize = v;
            return this;
        }

        /** @param v hidden_size */
        public Builder hiddenSize(int v) {
            hiddenSize = v;
            return this;
        }

        /** @param v num_hidden_layers */
        public Builder numHiddenLayers(int v) {
            numHiddenLayers = v;
            return this;
        }

        /** @param v num_attention_heads */
        public Builder numAttentionHeads(int v) {
            numAttentionHeads = v;
            return this;
        }

        /** @param v intermediate_size */
        public Builder intermediateSize(int v) {
            intermediateSize = v;
            return this;
        }

        /** @param v max_position_embeddings */
        public Builder maxPositionEmbeddings(int v) {
            maxPositionEmbeddings = v;
            return this;
        }

        /** @param v type_vocab_size */
        public Builder typeVocabSize(int v) {
            typeVocabSize = v;
            return this;
        }

        /** @param v hidden_act */
        public Builder hiddenAct(Activation v) {
            hiddenAct = v;
            return this;
        }

        /** @param v layer_norm_eps */
        public Builder layerNormEps(double v) {
            layerNormEps = v;
            return this;
        }

        /** @param v initializer_range */
        public Builder initializerRange(double v) {
            initializerRange = v;
            return this;
        }

        /** @param v hidden_dropout_prob */
        public Builder hiddenDropoutProb(double v) {
            hiddenDropoutProb = v;
            return this;
        }

        /** @param v attention_probs_dropout_prob */
        public Builder attentionProbsDropoutProb(double v) {
            attentionProbsDropoutProb = v;
            return this;
        }

        /** @param v pad_token_id */
        public Builder padTokenId(int v) {
            padTokenId = v;
            return this;
        }

        /** @param v position_embedding_type */
        public Builder positionEmbeddingType(PositionEmbeddingType v) {
            extra.addProperty("position_embedding_type", v.hfName());
            return this;
        }

        /** @param v tie_word_embeddings */
        public Builder tieWordEmbeddings(boolean v) {
            extra.addProperty("tie_word_embeddings", v);
            return this;
        }

        /** @return the validated config */
        public BertConfig build() {
            return new BertConfig(this);
        }
    }
}
