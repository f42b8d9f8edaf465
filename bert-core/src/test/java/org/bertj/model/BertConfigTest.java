package org.bertj.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bertj.testing.Shared;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class BertConfigTest {

    @ParameterizedTest
    @ValueSource(strings = {"tiny_h32_l2_v99", "padded_h64_l3_b3", "realvocab_h48_l2"})
    void readsGoldenConfigsAsCasesJsonDescribesThem(String name) throws Exception {
        Path dir = Shared.golden(name);
        BertConfig c = BertConfig.fromJson(dir.resolve("config.json"));
        JsonObject want = JsonParser.parseString(Files.readString(dir.resolve("cases.json")))
                .getAsJsonObject().getAsJsonObject("config");
        assertEquals(want.get("vocab_size").getAsInt(), c.vocabSize());
        assertEquals(want.get("hidden_size").getAsInt(), c.hiddenSize());
        assertEquals(want.get("num_hidden_layers").getAsInt(), c.numHiddenLayers());
        assertEquals(want.get("num_attention_heads").getAsInt(), c.numAttentionHeads());
        assertEquals(want.get("intermediate_size").getAsInt(), c.intermediateSize());
        assertEquals(want.get("max_position_embeddings").getAsInt(), c.maxPositionEmbeddings());
        assertEquals(want.get("type_vocab_size").getAsInt(), c.typeVocabSize());
        assertEquals(want.get("hidden_act").getAsString(), c.hiddenAct().hfName());
        assertEquals(want.get("layer_norm_eps").getAsDouble(), c.layerNormEps());
        assertEquals(want.get("pad_token_id").getAsInt(), c.padTokenId());
    }

    @Test
    void toJsonRoundTripsAndKeepsHfFields() throws Exception {
        BertConfig c = BertConfig.fromJson(Shared.golden("tiny_h32_l2_v99").resolve("config.json"));
        String json = c.toJson();
        JsonObject o = JsonParser.parseString(json).getAsJsonObject();
        assertEquals("bert", o.get("model_type").getAsString());
        assertEquals("BertForPreTraining", o.getAsJsonArray("architectures").get(0).getAsString());
        assertEquals("LABEL_1", o.getAsJsonObject("id2label").get("1").getAsString());
        assertEquals(0.15, o.get("initializer_range").getAsDouble());
        assertEquals("4.29.2", o.get("transformers_version").getAsString());
        BertConfig back = BertConfig.fromJson(json);
        assertEquals(c, back);
        assertEquals(json, back.toJson());
    }

    @Test
    void missingFieldsTakeHfDefaults() {
        BertConfig c = BertConfig.fromJson("{\"model_type\": \"bert\"}");
        assertEquals(30522, c.vocabSize());
        assertEquals(768, c.hiddenSize());
        assertEquals(12, c.numHiddenLayers());
        assertEquals(Activation.GELU, c.hiddenAct());
        assertEquals(1e-12, c.layerNormEps());
    }

    @Test
    void knownActivations() {
        assertEquals(Activation.GELU_NEW, BertConfig.fromJson("{\"hidden_act\": \"gelu_new\"}").hiddenAct());
        assertEquals(Activation.RELU, BertConfig.fromJson("{\"hidden_act\": \"relu\"}").hiddenAct());
        assertEquals(Activation.SILU, BertConfig.fromJson("{\"hidden_act\": \"swish\"}").hiddenAct());
    }

    private static String error(String json) {
        return assertThrows(IllegalArgumentException.class, () -> BertConfig.fromJson(json)).getMessage();
    }

    @Test
    void rejectsInvalidConfigsNamingFieldAndValue() {
        String m = error("{\"hidden_size\": 100, \"num_attention_heads\": 12}");
        assertTrue(m.contains("hidden_size 100") && m.contains("num_attention_heads 12"), m);
        m = error("{\"hidden_act\": \"gelu_fancy\"}");
        assertTrue(m.contains("gelu_fancy") && m.contains("gelu_new"), m);
        m = error("{\"vocab_size\": 0}");
        assertTrue(m.contains("vocab_size") && m.contains("0"), m);
        m = error("{\"num_hidden_layers\": -2}");
        assertTrue(m.contains("num_hidden_layers") && m.contains("-2"), m);
        m = error("{\"intermediate_size\": 3.5}");
        assertTrue(m.contains("intermediate_size"), m);
        m = error("{\"model_type\": \"roberta\"}");
        assertTrue(m.contains("roberta"), m);
        m = error("{\"position_embedding_type\": \"rotary\"}");
        assertTrue(m.contains("rotary") && m.contains("relative_key_query"), m);
        m = error("{\"tie_word_embeddings\": \"no\"}");
        assertTrue(m.contains("tie_word_embeddings"), m);
        assertEquals(PositionEmbeddingType.RELATIVE_KEY,
                BertConfig.fromJson("{\"position_embedding_type\": \"relative_key\"}").positionEmbeddingType());
        m = error("{\"hidden_dropout_prob\": 1.5}");
        assertTrue(m.contains("hidden_dropout_prob"), m);
        m = error("[1, 2]");
        assertTrue(m.contains("object"), m);
        m = error("{not json");
        assertTrue(m.contains("JSON"), m);
    }
}
