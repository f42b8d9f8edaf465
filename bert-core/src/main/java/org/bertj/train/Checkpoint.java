package org.bertj.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.bertj.weights.JsonFormatException;
import org.bertj.weights.StrictJson;
import org.bertj.weights.SafetensorsFile;
import org.bertj.weights.SafetensorsWriter;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Training checkpoints in a run directory, laid out as Hugging Face's Trainer does:
 * <pre>
 *   runDir/checkpoint-&lt;step&gt;/model.safetensors      parameters by HF name (from_pretrained reads it)
 *                           config.json            the model config, when known
 *                           optimizer.safetensors  exp_avg.&lt;param&gt;, exp_avg_sq.&lt;param&gt;; step in metadata
 *                           trainer_state.json     {@link TrainerState}
 *   runDir/latest                                  the name of the newest complete checkpoint
 * </pre>
 *
 * <p>A checkpoint is written into a hidden temporary directory, every file forced to disk, and
 * only then renamed to {@code checkpoint-<step>}; {@code latest} is replaced by an atomic rename
 * after that. A run killed at any moment therefore leaves {@code latest} naming the previous
 * complete checkpoint (and at worst a temporary directory, removed by the next save).
 */
public final class Checkpoint {

    /** Parameters file. */
    public static final String MODEL = "model.safetensors";
    /** Optimizer moments file. */
    public static final String OPTIMIZER = "optimizer.safetensors";
    /** Trainer state file. */
    public static final String TRAINER_STATE = "trainer_state.json";
    /** Model config file. */
    public static final String CONFIG = "config.json";
    /** Pointer file in the run directory. */
    public static final String LATEST = "latest";
    /** Prefix of checkpoint directories. */
    public static final String PREFIX = "checkpoint-";

    private static final String TEMP_PREFIX = ".tmp-" + PREFIX;
    private static final Gson GSON = new GsonBuilder().serializeSpecialFloatingPointValues()
            .setPrettyPrinting().create();

    private Checkpoint() {
    }

    /**
     * A checkpoint read back.
     *
     * @param dir            the checkpoint directory
     * @param params         parameters by HF name, in file order
     * @param optimizerState AdamW moments ({@link AdamW#state()}'s names)
     * @param optimizerStep  AdamW's step count
     * @param trainerState   the trainer state, its configJson read from config.json (null if absent)
     */
    public record Loaded(Path dir, Map<String, INDArray> params, Map<String, INDArray> optimizerState,
            long optimizerStep, TrainerState trainerState) {

        /**
         * Puts the saved moments and step count into {@code optimizer}, checked against the params.
         *
         * @param optimizer the optimizer to resume; its moments and step count are replaced
         * @throws IllegalArgumentException naming the tensor if a moment is missing or does not fit
         */
        public void restore(AdamW optimizer) {
            optimizer.restore(optimizerState, optimizerStep, params);
        }
    }

    /**
     * Saves a checkpoint as {@code runDir/checkpoint-<state.step()>} and points {@code latest} at it.
     *
     * @param runDir    the run directory, created if absent
     * @param params    parameters by Hugging Face name, written as {@code model.safetensors}
     * @param optimizer whose moments and step count are written as {@code optimizer.safetensors}
     * @param state     where the run stands; its step names the directory, its configJson (if not
     *                  null) becomes {@code config.json}
     * @return the checkpoint directory
     * @throws IOException if anything cannot be written; {@code latest} and every existing
     *     checkpoint are then as they were
     */
    public static Path save(Path runDir, Map<String, INDArray> params, AdamW optimizer, TrainerState state)
            throws IOException {
        Files.createDirectories(runDir);
        removeLeftoverTemporaries(runDir);
        String name = PREFIX + state.step();
        Path target = runDir.resolve(name);
        Optional<String> latest = readPointer(runDir);
        if (Files.exists(target) && latest.isPresent() && latest.get().equals(name)) {
            throw new IOException(target + " already exists and is the latest checkpoint; "
                    + "refusing to replace it (save at a later step)");
        }
        Path tmp = runDir.resolve(TEMP_PREFIX + state.step() + "-" + ProcessHandle.current().pid()
                + "-" + System.nanoTime());
        try {
            Files.createDirectory(tmp);
            SafetensorsWriter.write(tmp.resolve(MODEL), params, Map.of("format", "pt"));
            Map<String, String> optimizerMeta = new LinkedHashMap<>();
            optimizerMeta.put("step", Long.toString(optimizer.stepCount()));
            optimizerMeta.put("lr", Double.toString(optimizer.learningRate()));
            SafetensorsWriter.write(tmp.resolve(OPTIMIZER), optimizer.state(), optimizerMeta);
            if (state.configJson() != null) {
                writeForced(tmp.resolve(CONFIG), state.configJson());
            }
            writeForced(tmp.resolve(TRAINER_STATE), trainerJson(state));
            forceDirectory(tmp);
            if (Files.exists(target)) {
                deleteTree(target); // a stale checkpoint of an abandoned run, not the latest
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException | Error e) {
            try {
                deleteTree(tmp);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        forceDirectory(runDir);
        Path pointerTmp = runDir.resolve("." + LATEST + "-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        try {
            writeForced(pointerTmp, name + "\n");
            Files.move(pointerTmp, runDir.resolve(LATEST), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(pointerTmp);
        }
        forceDirectory(runDir);
        return target;
    }

    /**
     * The checkpoint {@code latest} names.
     *
     * @param runDir the run directory; it need not exist
     * @return the checkpoint, or empty if the run has none yet
     * @throws IOException if {@code latest} names a missing directory, or the checkpoint is
     *                     incomplete or unreadable
     */
    public static Optional<Loaded> loadLatest(Path runDir) throws IOException {
        Optional<String> name = readPointer(runDir);
        if (name.isEmpty()) {
            return Optional.empty();
        }
        Path dir = runDir.resolve(name.get());
        if (!Files.isDirectory(dir)) {
            throw new IOException(runDir.resolve(LATEST) + " names " + name.get() + ", but " + dir + " does not exist");
        }
        return Optional.of(load(dir));
    }

    /**
     * Reads one checkpoint directory.
     *
     * @param dir a {@code checkpoint-<step>} directory
     * @return its parameters, optimizer state and trainer state
     * @throws IOException if a file is missing or unreadable, or the optimizer's step metadata is not an integer
     */
    public static Loaded load(Path dir) throws IOException {
        for (String f : new String[] {MODEL, OPTIMIZER, TRAINER_STATE}) {
            if (!Files.isRegularFile(dir.resolve(f))) {
                throw new NoSuchFileException(dir.resolve(f).toString(), null, "checkpoint is missing " + f);
            }
        }
        Map<String, INDArray> params = readAll(dir.resolve(MODEL));
        Map<String, INDArray> moments;
        long optimizerStep;
        try (SafetensorsFile f = SafetensorsFile.open(dir.resolve(OPTIMIZER))) {
            String step = f.metadata().get("step");
            try {
                optimizerStep = Long.parseLong(step);
            } catch (NumberFormatException e) {
                throw new IOException(f.path() + ": metadata 'step' is " + step + ", not an integer", e);
            }
            moments = new LinkedHashMap<>();
            for (String n : f.names()) {
                moments.put(n, f.load(n));
            }
        }
        Path config = dir.resolve(CONFIG);
        String configJson = Files.isRegularFile(config) ? Files.readString(config, StandardCharsets.UTF_8) : null;
        TrainerState state = parseTrainerState(dir.resolve(TRAINER_STATE), configJson);
        return new Loaded(dir, params, moments, optimizerStep, state);
    }

    /**
     * Complete checkpoint directories of a run, oldest step first.
     *
     * @param runDir the run directory; it need not exist
     * @return the {@code checkpoint-<step>} directories (not the temporaries of unfinished saves)
     * @throws IOException if the directory cannot be listed
     */
    public static List<Path> list(Path runDir) throws IOException {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(runDir)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(runDir, PREFIX + "*")) {
            for (Path p : ds) {
                if (Files.isDirectory(p) && stepOf(p) >= 0) {
                    out.add(p);
                }
            }
        }
        out.sort(Comparator.comparingLong(Checkpoint::stepOf));
        return out;
    }

    /**
     * Deletes all but the newest {@code keep} checkpoints, never the one {@code latest} names.
     *
     * @param runDir the run directory
     * @param keep   how many to keep, at least 1
     * @throws IOException if a checkpoint cannot be deleted
     * @throws IllegalArgumentException if {@code keep} is below 1
     */
    public static void prune(Path runDir, int keep) throws IOException {
        if (keep < 1) {
            throw new IllegalArgumentException("keep must be >= 1, got " + keep);
        }
        Optional<String> latest = readPointer(runDir);
        List<Path> all = list(runDir);
        for (int i = 0; i < all.size() - keep; i++) {
            Path p = all.get(i);
            if (latest.isEmpty() || !p.getFileName().toString().equals(latest.get())) {
                deleteTree(p);
            }
        }
    }

    private static long stepOf(Path p) {
        String n = p.getFileName().toString();
        try {
            return Long.parseLong(n.substring(PREFIX.length()));
        } catch (NumberFormatException | IndexOutOfBoundsException e) {
            return -1;
        }
    }

    private static Optional<String> readPointer(Path runDir) throws IOException {
        Path pointer = runDir.resolve(LATEST);
        if (!Files.isRegularFile(pointer)) {
            return Optional.empty();
        }
        String name = Files.readString(pointer, StandardCharsets.UTF_8).strip();
        if (!name.startsWith(PREFIX) || name.contains("/") || name.contains("\\") || stepOf(Path.of(name)) < 0) {
            throw new IOException(pointer + " should name a " + PREFIX + "<step> directory, holds '" + name + "'");
        }
        return Optional.of(name);
    }

    private static Map<String, INDArray> readAll(Path file) throws IOException {
        Map<String, INDArray> out = new LinkedHashMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            for (String n : f.names()) {
                out.put(n, f.load(n));
            }
        }
        return out;
    }

    private static String trainerJson(TrainerState s) {
        JsonObject o = new JsonObject();
        o.addProperty("global_step", s.step());
        o.addProperty("epoch", s.epoch());
        o.addProperty("batch_in_epoch", s.batchInEpoch());
        o.addProperty("seed", s.seed());
        o.addProperty("last_loss", s.lastLoss());
        return GSON.toJson(o) + "\n";
    }

    private static TrainerState parseTrainerState(Path file, String configJson) throws IOException {
        try {
            StrictJson.Document doc = StrictJson.readFile(file, 1 << 20);
            JsonObject o = doc.rootObject();
            for (String key : new String[] {"global_step", "epoch", "batch_in_epoch", "seed", "last_loss"}) {
                if (!o.has(key) || o.get(key).isJsonNull()) {
                    throw new IOException(file + " lacks '" + key + "'");
                }
            }
            doc.integer(o, "global_step", 0, 0, Long.MAX_VALUE);
            doc.integer(o, "epoch", 0, 0, Integer.MAX_VALUE);
            doc.integer(o, "batch_in_epoch", 0, 0, Long.MAX_VALUE);
            doc.integer(o, "seed", 0, Long.MIN_VALUE, Long.MAX_VALUE);
            doc.decimal(o, "last_loss", 0);
            return new TrainerState(o.get("global_step").getAsLong(), o.get("epoch").getAsInt(),
                    o.get("batch_in_epoch").getAsLong(), o.get("seed").getAsLong(),
                    o.get("last_loss").getAsDouble(), configJson);
        } catch (JsonFormatException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    private static void writeForced(Path file, String text) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
    }

    /** Makes renames and new entries in a directory durable (a no-op where the OS cannot). */
    private static void forceDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Some platforms cannot open a directory for syncing; the rename is still atomic.
        }
    }

    /** Removes what saves killed midway left behind (one trainer writes a run directory at a time). */
    private static void removeLeftoverTemporaries(Path runDir) throws IOException {
        for (String glob : new String[] {TEMP_PREFIX + "*", "." + LATEST + "-*"}) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(runDir, glob)) {
                for (Path p : ds) {
                    deleteTree(p);
                }
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
