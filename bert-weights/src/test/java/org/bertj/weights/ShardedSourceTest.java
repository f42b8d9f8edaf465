package org.bertj.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bertj.testing.Shared;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Shard indexes that do not describe their shards are refused, naming the index, the tensor and the shard. */
class ShardedSourceTest {

    @TempDir
    Path dir;

    private Path shards() throws IOException {
        Path golden = Shared.golden("formats/sharded_safetensors");
        for (String f : new String[] {"model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"}) {
            Files.copy(golden.resolve(f), dir.resolve(f));
        }
        return golden.resolve("model.safetensors.index.json");
    }

    private String refused(String index) throws IOException {
        Path p = Files.writeString(dir.resolve("model.safetensors.index.json"), index);
        WeightFormatException e = assertThrows(WeightFormatException.class, () -> HfWeightFiles.open(dir).close());
        assertTrue(e.getMessage().contains("model.safetensors.index.json"), e.getMessage());
        return e.getMessage();
    }

    private static void assertHas(String message, String part) {
        assertTrue(message.contains(part), message);
    }

    @Test
    void theGoldenIndexOpens() throws IOException {
        Files.copy(shards(), dir.resolve("model.safetensors.index.json"));
        try (TensorSource s = HfWeightFiles.open(dir)) {
            assertEquals(47, s.names().size()); // the weight_map's count
            assertTrue(s.contains("cls.seq_relationship.bias"));
        }
    }

    @Test
    void badIndexesAreNamed() throws IOException {
        shards();
        String first = "\"bert.embeddings.LayerNorm.bias\": ";
        assertHas(refused("{\"weight_map\": {" + first + "\"../model-00001-of-00002.safetensors\"}}"), "expected a plain file name beside the index");
        assertHas(refused("{\"weight_map\": {" + first + "\"/etc/passwd\"}}"), "plain file name");
        assertHas(refused("{\"weight_map\": {" + first + "\"absent.safetensors\"}}"), "shard absent.safetensors (named in weight_map) does not exist");
        assertHas(refused("{\"weight_map\": {\"no.such.tensor\": \"model-00001-of-00002.safetensors\"}}"), "puts 'no.such.tensor' in model-00001-of-00002.safetensors, which has no tensor of that name");
        assertHas(refused("{\"weight_map\": {" + first + "\"model-00001-of-00002.safetensors\", " + first
                + "\"model-00001-of-00002.safetensors\"}}"), "duplicate");
        assertHas(refused("{\"weight_map\": {" + first + "3}}"), "bert.embeddings.LayerNorm.bias at byte 50: expected a string");
        assertHas(refused("{\"metadata\": {}}"), "no weight_map");
        assertHas(refused("{\"weight_map\": {}}"), "weight_map is empty");
        assertHas(refused("{\"weight_map\": [1]}"), "expected an object");
        assertHas(refused("{\"weight_map\": {"), "byte");
        Path p = dir.resolve("model.safetensors.index.json");
        assertTrue(Files.exists(p));
    }
}
