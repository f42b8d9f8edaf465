package org.bertj.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class ParameterInitTest {

    private static final BertConfig CONFIG = BertConfig.fromJson("""
            {"vocab_size": 50, "hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 4,
             "intermediate_size": 64, "max_position_embeddings": 40, "type_vocab_size": 2,
             "initializer_range": 0.02, "pad_token_id": 0, "hidden_act": "gelu"}""");

    private static BertForPreTraining initialized(long seed) {
        BertForPreTraining m = new BertForPreTraining(CONFIG, DataType.FLOAT);
        ParameterInit.initializeAll(m.parameters(), CONFIG, seed);
        return m;
    }

    @Test
    void sameSeedGivesTheSameWeightsAndAnotherSeedOtherWeights() {
        BertForPreTraining a = initialized(11);
        BertForPreTraining b = initialized(11);
        BertForPreTraining c = initialized(12);
        for (String name : a.parameters().names()) {
            assertEquals(a.parameters().get(name), b.parameters().get(name), name);
        }
        String w = "bert.encoder.layer.1.attention.self.key.weight";
        assertNotEquals(a.parameters().get(w), c.parameters().get(w));
    }

    @Test
    void followsHuggingFaceInitWeights() {
        Parameters p = initialized(3).parameters();
        assertEquals(1.0, p.get("bert.encoder.layer.0.output.LayerNorm.weight").minNumber().doubleValue());
        assertEquals(0.0, p.get("bert.encoder.layer.0.output.dense.bias").amaxNumber().doubleValue());
        INDArray words = p.get("bert.embeddings.word_embeddings.weight");
        assertEquals(0.0, words.getRow(0).amaxNumber().doubleValue(), "padding row is zero");
        INDArray ffn = p.get("bert.encoder.layer.0.intermediate.dense.weight");
        double std = ffn.stdNumber().doubleValue();
        assertTrue(Math.abs(std - 0.02) < 0.002, "std " + std);
        assertTrue(Math.abs(ffn.meanNumber().doubleValue()) < 0.002);
    }
}
