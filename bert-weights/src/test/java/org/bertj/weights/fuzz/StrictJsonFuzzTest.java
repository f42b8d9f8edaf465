package org.bertj.weights.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import org.bertj.weights.JsonFormatException;
import org.bertj.weights.StrictJson;

/** StrictJson: any bytes either parse, and then round-trip through Gson's writer, or are refused. */
class StrictJsonFuzzTest {

    private static final Gson GSON = new GsonBuilder().serializeNulls().create();

    @FuzzTest
    void parse(byte[] input) {
        StrictJson.Document doc;
        try {
            doc = StrictJson.parse(input, "fuzz.json");
        } catch (JsonFormatException e) {
            Fuzzing.readable(e);
            return;
        }
        String written = GSON.toJson(doc.root());
        assertEquals(doc.root(), StrictJson.parse(written, "again").root(), written);
    }
}
