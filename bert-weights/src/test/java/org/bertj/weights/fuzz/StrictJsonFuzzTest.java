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
            Fuzzing.readable(e, input);
            return;
        }
        String written = GSON.toJson(doc.root());
        if (hasLoneSurrogate(written)) {
            return; // "\ud83d" alone is valid JSON, but Gson writes it raw and UTF-8 has no form for it
        }
        assertEquals(doc.root(), StrictJson.parse(written, "again").root(), written);
    }

    private static boolean hasLoneSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }
}
