package org.bertj.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.util.Map;
import java.util.TreeSet;
import org.bertj.testing.Shared;
import org.bertj.weights.HfBertConfig;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Hugging Face's config.json is read in two places: {@link HfBertConfig} (untyped, in bert-weights,
 * where the converters work without a model) and {@link BertConfig} (the model's typed config).
 * These tests keep the two from drifting apart: same bert-base defaults, same parameter shapes.
 */
class HfConfigAgreementTest {

    @Test
    void bertBaseUncasedIsBertConfigsDefault() {
        assertEquals(BertConfig.builder().build(), BertConfig.fromJson(HfBertConfig.bertBaseUncased().toString()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny_h32_l2_v99", "padded_h64_l3_b3", "realvocab_h48_l2"})
    void expectedShapesAreTheModelsParameters(String golden) throws IOException {
        JsonObject json = HfBertConfig.read(Shared.golden(golden).resolve("config.json"));
        Map<String, long[]> expected = HfBertConfig.expectedShapes(json);
        Parameters params = new BertForPreTraining(BertConfig.fromJson(json.toString()), DataType.FLOAT).parameters();
        assertEquals(new TreeSet<>(expected.keySet()), new TreeSet<>(params.names()), golden + ": names");
        expected.forEach((name, shape) -> assertArrayEquals(shape, params.get(name).shape(), golden + ": " + name));
    }
}
