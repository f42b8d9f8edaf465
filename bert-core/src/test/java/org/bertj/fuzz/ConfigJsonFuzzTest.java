package org.bertj.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.gson.JsonObject;
import org.bertj.model.BertConfig;
import org.bertj.weights.HfBertConfig;
import org.bertj.weights.StrictJson;
import org.bertj.weights.WeightFormatException;
import org.bertj.weights.fuzz.Fuzzing;

/**
 * config.json of any bytes: BertConfig either refuses it with an IllegalArgumentException or gives
 * a config that writes and reads back equal, whose parameter count is exact; HfBertConfig's shape
 * check (the converter's) refuses with a WeightFormatException or lists every parameter.
 */
class ConfigJsonFuzzTest {

    @FuzzTest
    void parse(byte[] input) {
        try {
            BertConfig c = BertConfig.fromJson(input, "config.json");
            assertEquals(c, BertConfig.fromJson(c.toJson()));
            c.parameterCount(); // exact, or ArithmeticException: a finding
        } catch (IllegalArgumentException e) {
            Fuzzing.readable(e);
        }
        JsonObject o;
        try {
            o = StrictJson.parse(input, "config.json").rootObject();
        } catch (IllegalArgumentException e) {
            return;
        }
        try {
            assertEquals(true, HfBertConfig.expectedShapes(o).size() >= 16);
        } catch (WeightFormatException e) {
            Fuzzing.readable(e);
        }
    }
}
