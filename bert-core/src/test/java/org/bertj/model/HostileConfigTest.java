package org.bertj.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.bertj.testing.Shared;
import org.bertj.weights.JsonFormatException;
import org.bertj.weights.SafetensorsFile;
import org.bertj.weights.WeightFormatException;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The config.json cases of issue 14: each hostile file is refused in well under a second, before
 * any memory is taken, with a message naming the field, its value and the limit.
 */
class HostileConfigTest {

    @TempDir
    Path tmp;

    private static final Path TINY = Shared.golden("tiny_h32_l2_v99");

    /** The message of the error {@code json} gives, checked to come fast and without allocating. */
    private static String refused(String json) {
        long offHeapBefore = Pointer.totalBytes();
        String m = assertTimeoutPreemptively(Duration.ofSeconds(1),
                () -> assertThrows(IllegalArgumentException.class, () -> BertConfig.fromJson(json)).getMessage());
        assertNoGrowth(offHeapBefore);
        assertFalse(m.toLowerCase().contains("lenient"), m);
        return m;
    }

    /**
     * Off-heap memory did not grow. Not "unchanged": JavaCPP's deallocator thread frees buffers of
     * earlier tests in the same JVM whenever the GC finds them, so the total may drop meanwhile.
     */
    private static void assertNoGrowth(long before) {
        long after = Pointer.totalBytes();
        assertTrue(after <= before, "allocated off-heap memory before refusing: " + before + " -> " + after + " bytes");
    }

    private static void contains(String m, String... parts) {
        for (String p : parts) {
            assertTrue(m.contains(p), "expected '" + p + "' in: " + m);
        }
    }

    @Test
    void sizesBeyondTheLimitsNameFieldValueAndLimit() {
        contains(refused("{\"num_hidden_layers\": 1000000}"), "num_hidden_layers", "1000000", "[1, 1024]", "at byte 22");
        contains(refused("{\"num_hidden_layers\": 2147483647}"), "num_hidden_layers", "2147483647", "1024");
        contains(refused("{\"vocab_size\": 2147483647}"), "vocab_size", "2147483647", "16777216");
        contains(refused("{\"hidden_size\": 1000000000}"), "hidden_size", "1000000000", "65536");
        contains(refused("{\"intermediate_size\": 1000000000}"), "intermediate_size", "262144");
        contains(refused("{\"max_position_embeddings\": 1e12}"), "max_position_embeddings", "1048576");
        contains(refused("{\"type_vocab_size\": 99999999999999999999999}"), "type_vocab_size", "out of range");
        contains(refused("{\"num_attention_heads\": 0}"), "num_attention_heads", "0 is out of range");
        contains(refused("{\"hidden_size\": -768}"), "hidden_size", "-768");
        contains(refused("{\"hidden_size\": 768.5}"), "hidden_size", "expected an integer", "768.5");
    }

    @Test
    void numbersMustBeNumbers() {
        contains(refused("{\"hidden_size\": \"32\"}"), "hidden_size", "at byte 16", "expected an integer",
                "found a string (\"32\")");
        contains(refused("{\"hidden_size\": [32]}"), "hidden_size", "expected an integer", "found an array");
        contains(refused("{\"layer_norm_eps\": \"1e-12\"}"), "layer_norm_eps", "expected a number");
        contains(refused("{\"model_type\": {}}"), "model_type", "at byte 15", "expected a string, found an object");
        contains(refused("{\"hidden_act\": 3}"), "hidden_act", "expected a string", "a number (3)");
        contains(refused("{\"position_embedding_type\": []}"), "position_embedding_type", "expected a string");
    }

    @Test
    void notStrictJsonIsRefusedWithTheByteOffset() {
        contains(refused("{\"hidden_size\": 32, // comment\n}"), "JSON has no comments", "at byte 20");
        contains(refused("{'hidden_size': 32}"), "double quotes", "at byte 1");
        contains(refused("{\"hidden_act\": 'gelu'}"), "strings take double quotes", "at byte 15");
        contains(refused("{\"hidden_act\": \"ge\\'lu\"}"), "invalid escape \\'", "at byte 18");
        contains(refused("{\"hidden_size\": 32,}"), "no trailing comma", "at byte 19");
        contains(refused("{\"hidden_size\": 32, \"hidden_size\": 64}"), "'hidden_size' given twice", "at byte 20");
        contains(refused("{\"hidden_size\": NaN}"), "unexpected 'N'", "$.hidden_size");
        contains(refused("{} {}"), "after the JSON value", "at byte 3");
        contains(refused("[]"), "expected a JSON object", "found an array");
    }

    @Test
    void deepNestingIsAnErrorNotAStackOverflow() {
        String deep = "{\"id2label\": " + "[".repeat(1_000_000) + "]".repeat(1_000_000) + "}";
        contains(refused(deep), "nesting deeper than the limit of 64", "$.id2label");
        String deepObjects = "{\"a\":".repeat(100_000) + "1" + "}".repeat(100_000);
        contains(refused(deepObjects), "nesting deeper");
    }

    @Test
    void notUtf8NamesTheByte() throws IOException {
        Path f = tmp.resolve("config.json");
        byte[] bytes = "{\"hidden_act\": \"gelu\u00e9\"}".getBytes(StandardCharsets.ISO_8859_1);
        Files.write(f, bytes);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BertConfig.fromJson(f));
        contains(e.getMessage(), f.toString(), "not valid UTF-8", "0xE9", "at byte 20");
        Files.write(f, new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, '{', '}'});
        e = assertThrows(JsonFormatException.class, () -> BertConfig.fromJson(f));
        contains(e.getMessage(), "byte order mark", "at byte 0");
    }

    @Test
    void parameterCountIsTheModelsOwn() {
        for (String json : new String[] {
            "{\"vocab_size\":99,\"hidden_size\":32,\"num_hidden_layers\":2,\"num_attention_heads\":4,"
                + "\"intermediate_size\":37,\"max_position_embeddings\":64,\"type_vocab_size\":3}",
            "{\"vocab_size\":7,\"hidden_size\":8,\"num_hidden_layers\":1,\"num_attention_heads\":2,"
                + "\"intermediate_size\":5,\"max_position_embeddings\":4,\"type_vocab_size\":1}"}) {
            BertConfig c = BertConfig.fromJson(json);
            Parameters p = new BertForPreTraining(c, DataType.FLOAT).parameters();
            long n = 0;
            for (String name : p.names()) {
                n += p.get(name).length();
            }
            assertEquals(n, c.parameterCount(), json);
        }
        // BertForPreTraining of bert-base-uncased as torch counts it (decoder tied).
        assertEquals(110_106_428L, BertConfig.builder().build().parameterCount());
    }

    @Test
    void aModelLargerThanMemoryIsRefusedBeforeAllocating() {
        BertConfig huge = BertConfig.builder().vocabSize(1 << 24).hiddenSize(1 << 16).numAttentionHeads(16)
                .intermediateSize(1 << 18).numHiddenLayers(1024).build();
        long before = Pointer.totalBytes();
        String m = assertTimeoutPreemptively(Duration.ofSeconds(1), () -> assertThrows(IllegalArgumentException.class,
                () -> new BertForPreTraining(huge, DataType.DOUBLE)).getMessage());
        assertNoGrowth(before);
        contains(m, "bytes as DOUBLE", "off-heap memory", "num_hidden_layers 1024", "vocab_size 16777216");
    }

    @Test
    void aConfigNeedingMoreThanTheFileHoldsIsRefusedBeforeAllocating() throws IOException {
        BertConfig tiny = BertConfig.fromJson(TINY.resolve("config.json"));
        BertConfig claimsMore = tiny.toBuilder().numHiddenLayers(1024).build();
        try (SafetensorsFile f = SafetensorsFile.open(TINY.resolve("model.safetensors"))) {
            long before = Pointer.totalBytes();
            WeightFormatException e = assertThrows(WeightFormatException.class,
                    () -> WeightLoader.load(f, claimsMore, DataType.FLOAT, WeightLoader.Mode.STRICT));
            assertNoGrowth(before);
            contains(e.getMessage(), "model.safetensors", "elements in all", "num_hidden_layers 1024");
        }
    }
}
