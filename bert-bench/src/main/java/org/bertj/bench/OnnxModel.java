package org.bertj.bench;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import org.bertj.weights.BertBaseUncasedCache;

/**
 * torch's ONNX export of bert-base-uncased ({@code ../shared/bench/onnx}, see its README) with its
 * external-data weights file rebuilt from our converted {@code model.safetensors}, so ONNX Runtime
 * runs on exactly the weights bertj runs on. The graph and its {@code .weights} file go to
 * {@code ~/.cache/bertj/onnx/} (external data must lie next to the graph); built once, written to
 * a temporary file and renamed, so a killed build leaves nothing half-written.
 */
final class OnnxModel {

    private OnnxModel() {
    }

    /** {@code ../shared/bench/onnx} (or {@code -Dbertj.shared=DIR}). */
    static Path sharedDir() {
        String p = System.getProperty("bertj.shared");
        Path dir = Paths.get(p == null || p.isBlank() ? "../shared" : p).toAbsolutePath().normalize().resolve("bench/onnx");
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("no ONNX graphs at " + dir + " (the project's shared/bench/onnx; set -Dbertj.shared=DIR)");
        }
        return dir;
    }

    /**
     * The path of graph {@code name} (e.g. {@code bert-base-uncased.BertModel}) with its weights
     * file beside it, building that file if it is missing or of the wrong size.
     */
    static Path ensure(String name) throws IOException {
        Path shared = sharedDir();
        JsonObject manifest = JsonParser.parseString(Files.readString(shared.resolve(name + ".manifest.json"))).getAsJsonObject();
        Path dir = BertBaseUncasedCache.cacheRoot().resolve("onnx");
        Files.createDirectories(dir);
        Path graph = dir.resolve(name + ".onnx");
        Path weights = dir.resolve(manifest.get("weights_file").getAsString());
        long total = manifest.get("total_bytes").getAsLong();
        if (!Files.exists(weights) || Files.size(weights) != total) {
            Path tmp = Files.createTempFile(dir, name, ".weights.tmp");
            try {
                write(manifest, BertBaseUncasedCache.ensure().resolve("model.safetensors"), tmp, total);
                Files.move(tmp, weights, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
        Files.copy(shared.resolve(name + ".onnx"), graph, StandardCopyOption.REPLACE_EXISTING);
        return graph;
    }

    private static void write(JsonObject manifest, Path safetensors, Path out, long total) throws IOException {
        try (FileChannel src = FileChannel.open(safetensors, StandardOpenOption.READ);
             FileChannel dst = FileChannel.open(out, StandardOpenOption.WRITE)) {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            src.read(len, 0);
            long headerLen = len.flip().getLong();
            ByteBuffer hb = ByteBuffer.allocate(Math.toIntExact(headerLen));
            src.read(hb, 8);
            JsonObject header = JsonParser.parseString(new String(hb.array(), StandardCharsets.UTF_8)).getAsJsonObject();
            long dataStart = 8 + headerLen;
            for (JsonElement e : manifest.getAsJsonArray("initializers")) {
                JsonObject init = e.getAsJsonObject();
                String source = init.get("source").getAsString();
                long offset = init.get("offset").getAsLong();
                int length = init.get("length").getAsInt();
                ByteBuffer bytes = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
                if (source.equals("arange")) {
                    for (long i = 0; i < length / 8; i++) {
                        bytes.putLong(i);
                    }
                } else if (!source.equals("zeros")) {
                    JsonObject t = header.getAsJsonObject(source);
                    if (t == null || !t.get("dtype").getAsString().equals("F32")) {
                        throw new IOException(safetensors + ": no float32 tensor " + source + " (wanted by " + init.get("initializer") + ")");
                    }
                    JsonArray off = t.getAsJsonArray("data_offsets");
                    long begin = off.get(0).getAsLong();
                    if (off.get(1).getAsLong() - begin != length) {
                        throw new IOException(safetensors + ": tensor " + source + " has " + (off.get(1).getAsLong() - begin)
                                + " bytes, the graph wants " + length);
                    }
                    ByteBuffer raw = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
                    src.read(raw, dataStart + begin);
                    raw.flip();
                    if (init.get("transpose").getAsBoolean()) {
                        JsonArray shape = t.getAsJsonArray("shape"); // source [rows, cols] -> [cols, rows]
                        int rows = shape.get(0).getAsInt();
                        int cols = shape.get(1).getAsInt();
                        for (int c = 0; c < cols; c++) {
                            for (int r = 0; r < rows; r++) {
                                bytes.putFloat(raw.getFloat((r * cols + c) * 4));
                            }
                        }
                    } else {
                        bytes.put(raw);
                    }
                }
                bytes.flip();
                dst.write(bytes, offset);
            }
            if (dst.size() < total) {
                dst.write(ByteBuffer.allocate(1), total - 1); // zero gaps up to the stated size
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
