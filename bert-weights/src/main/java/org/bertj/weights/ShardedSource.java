package org.bertj.weights;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A checkpoint split into shards by Hugging Face's {@code save_pretrained(max_shard_size=...)}:
 * an index ({@code model.safetensors.index.json} or {@code pytorch_model.bin.index.json},
 * {@code {"metadata": {...}, "weight_map": {tensor: shard file}}}) and the shard files beside it,
 * seen as one source. Each tensor is read from the shard the index names; a shard's tensors the
 * index does not name (the second copy of a tied pair split across shards) are left out.
 *
 * <p>{@link #open} reads the index, opens every shard once and checks that each named tensor is in
 * its shard, so later reads fail only as the shard's own reader fails. Shard names must be plain
 * file names in the index's directory.
 */
public final class ShardedSource implements TensorSource {

    /** Larger than any real index (bert-large's is 30 KB), checked before reading. */
    static final long MAX_INDEX_BYTES = 64L << 20;

    private final Path index;
    private final Map<String, TensorSource> shards;
    private final Map<String, TensorSource> byName = new LinkedHashMap<>();
    private final List<String> names;

    private ShardedSource(Path index, Map<String, TensorSource> shards, Map<String, String> weightMap)
            throws WeightFormatException {
        this.index = index;
        this.shards = shards;
        // Shard by shard, each in its own order: the order the bytes lie on disk.
        for (Map.Entry<String, TensorSource> s : shards.entrySet()) {
            for (String name : s.getValue().names()) {
                if (s.getKey().equals(weightMap.get(name))) {
                    byName.put(name, s.getValue());
                }
            }
        }
        for (Map.Entry<String, String> e : weightMap.entrySet()) {
            if (!byName.containsKey(e.getKey())) {
                throw new WeightFormatException(index + ": weight_map puts '" + e.getKey() + "' in " + e.getValue()
                        + ", which has no tensor of that name");
            }
        }
        this.names = List.copyOf(byName.keySet());
    }

    /**
     * Opens an index and its shards.
     *
     * @param index  the {@code *.index.json} file; its shards are looked for beside it
     * @param opener opens one shard file (a safetensors or .bin reader)
     * @return the shards as one source, under the names the index lists; closing it closes every shard
     * @throws WeightFormatException if the index is malformed, names a shard outside its directory,
     *                               or names a tensor its shard lacks
     */
    public static ShardedSource open(Path index, ShardOpener opener) throws IOException {
        Map<String, String> weightMap = readIndex(index);
        Map<String, TensorSource> shards = new TreeMap<>();
        try {
            for (String file : weightMap.values()) {
                if (!shards.containsKey(file)) {
                    Path shard = index.resolveSibling(file);
                    if (!Files.isRegularFile(shard)) {
                        throw new WeightFormatException(index + ": shard " + file + " (named in weight_map) does not exist");
                    }
                    shards.put(file, opener.open(shard));
                }
            }
            return new ShardedSource(index, shards, weightMap);
        } catch (IOException | RuntimeException | Error e) {
            for (TensorSource s : shards.values()) {
                try {
                    s.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    /** Opens one shard file. */
    @FunctionalInterface
    public interface ShardOpener {
        /**
         * Opens one shard file.
         *
         * @param shard the shard's path, an existing regular file beside the index
         * @return the shard's tensors; the {@link ShardedSource} closes it
         * @throws IOException if it cannot be opened or is malformed
         */
        TensorSource open(Path shard) throws IOException;
    }

    /**
     * The index's weight_map, checked: strict JSON ({@link StrictJson}: no duplicate keys), an
     * object of tensor name to plain file name.
     */
    static Map<String, String> readIndex(Path index) throws IOException {
        Map<String, String> weightMap = new LinkedHashMap<>();
        try {
            StrictJson.Document doc = StrictJson.readFile(index, MAX_INDEX_BYTES);
            JsonObject root = doc.rootObject();
            JsonElement map = root.get("weight_map");
            if (map == null) {
                throw new WeightFormatException(index + ": no weight_map (not a Hugging Face shard index)");
            }
            if (!map.isJsonObject()) {
                throw doc.error("weight_map", map, "expected an object of tensor name to shard file, found "
                        + StrictJson.describe(map));
            }
            for (Map.Entry<String, JsonElement> e : map.getAsJsonObject().entrySet()) {
                String tensor = e.getKey();
                String file = doc.string(map.getAsJsonObject(), tensor, null);
                if (file == null || file.isEmpty() || file.contains("/") || file.contains("\\") || file.equals(".")
                        || file.equals("..") || file.indexOf('\0') >= 0) {
                    throw doc.error("weight_map." + tensor, e.getValue(),
                            "expected a plain file name beside the index, found " + StrictJson.describe(e.getValue()));
                }
                weightMap.put(tensor, file);
            }
        } catch (JsonFormatException e) {
            throw new WeightFormatException(e.getMessage(), e);
        }
        if (weightMap.isEmpty()) {
            throw new WeightFormatException(index + ": weight_map is empty");
        }
        return weightMap;
    }

    /** {@return the shard file names (as the index gives them), sorted; a new list} */
    public List<String> shardFiles() {
        return new ArrayList<>(shards.keySet());
    }

    @Override
    public List<String> names() {
        return names;
    }

    @Override
    public boolean contains(String name) {
        return byName.containsKey(name);
    }

    @Override
    public TensorInfo info(String name) {
        TensorSource s = byName.get(name);
        if (s == null) {
            throw new IllegalArgumentException(index + ": no tensor named '" + name + "'");
        }
        return s.info(name);
    }

    @Override
    public INDArray load(String name) throws IOException {
        return shard(name).load(name);
    }

    @Override
    public void loadInto(String name, INDArray target) throws IOException {
        shard(name).loadInto(name, target);
    }

    private TensorSource shard(String name) throws WeightFormatException {
        TensorSource s = byName.get(name);
        if (s == null) {
            throw new WeightFormatException(index + ": no tensor named '" + name + "'");
        }
        return s;
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (TensorSource s : shards.values()) {
            try {
                s.close();
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    @Override
    public String toString() {
        return "ShardedSource[" + index + ", " + shards.size() + " shards, " + names.size() + " tensors]";
    }
}
