package org.bertj.weights;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import org.bertj.weights.tf.TensorBundleReader;
import org.bertj.weights.tf.TfToHuggingFace;

/**
 * Any BERT checkpoint bertj reads, seen the same way: a Hugging Face config, a vocabulary and the
 * weights under Hugging Face names, checked against each other.
 *
 * <ul>
 * <li>{@code bert-base-uncased}: the default model, converted once into the cache
 *     ({@link BertBaseUncasedCache});</li>
 * <li>a Hugging Face directory: {@code config.json}, {@code vocab.txt} and the weights in any
 *     format {@link HfWeightFiles} reads ({@code model.safetensors}, {@code pytorch_model.bin},
 *     either sharded, F32/F16/BF16), or one such weights file;</li>
 * <li>Google's original TF checkpoint: {@code bert_model.ckpt.*}, {@code bert_config.json},
 *     {@code vocab.txt} (the directory, the prefix or the {@code .index} file);</li>
 * <li>a TF Hub SavedModel: {@code variables/variables.*}, {@code assets/vocab.txt}; it carries no
 *     BERT config, so one is given, or bert-base's is used when the shapes are bert-base's.</li>
 * </ul>
 */
public final class BertCheckpoint implements AutoCloseable {

    /** The name that selects the default model. */
    public static final String DEFAULT_MODEL = "bert-base-uncased";

    private final String description;
    private final JsonObject config;
    private final Path vocab;
    private final TensorSource weights;
    private final Map<String, String> skipped;
    private final List<String> absent;

    private BertCheckpoint(String description, JsonObject config, Path vocab, TensorSource weights,
                           Map<String, String> skipped) throws IOException {
        this.description = description;
        this.config = config;
        this.vocab = vocab;
        this.weights = weights;
        this.skipped = skipped;
        try {
            this.absent = HfBertConfig.check(config, weights);
        } catch (IOException e) {
            weights.close();
            throw e;
        }
    }

    /**
     * Opens a checkpoint.
     *
     * @param from   {@value #DEFAULT_MODEL} or a path (see the class comment)
     * @param config a config file (Google's bert_config.json or Hugging Face's config.json) to use
     *               instead of the one found beside the weights; may be null
     * @param vocab  a vocab.txt to use instead of the one found; may be null
     * @throws WeightFormatException if the files are malformed or disagree with the config
     * @throws NoSuchFileException   if no checkpoint, config or vocabulary is found
     */
    public static BertCheckpoint open(String from, Path config, Path vocab) throws IOException {
        Path path = Paths.get(from);
        if (from.equals(DEFAULT_MODEL) && !Files.exists(path)) {
            return openHuggingFace(BertBaseUncasedCache.ensure(), config, vocab,
                    DEFAULT_MODEL + " (" + BertBaseUncasedCache.ARTIFACT + ")");
        }
        Path hfWeights = Files.isDirectory(path) ? HfWeightFiles.find(path) : null;
        if (hfWeights != null) {
            return openHuggingFace(path, hfWeights, config, vocab, "Hugging Face directory " + path
                    + " (" + hfWeights.getFileName() + ")");
        }
        if (Files.isRegularFile(path) && HfWeightFiles.isWeightsFile(path)) {
            return openHuggingFace(path.toAbsolutePath().getParent(), path, config, vocab, "Hugging Face weights " + path);
        }
        return openTensorFlow(path, config, vocab);
    }

    private static BertCheckpoint openHuggingFace(Path dir, Path config, Path vocab, String description)
            throws IOException {
        return openHuggingFace(dir, dir.resolve(HfModelDirectory.WEIGHTS), config, vocab, description);
    }

    /** @param weightsFile any file {@link HfWeightFiles#openFile} reads (safetensors, .bin, a shard index) */
    private static BertCheckpoint openHuggingFace(Path dir, Path weightsFile, Path config, Path vocab,
            String description) throws IOException {
        JsonObject cfg = HfBertConfig.fromGoogle(HfBertConfig.read(
                config != null ? config : required(dir.resolve(HfModelDirectory.CONFIG), "config.json", "--config")));
        Path v = vocab != null ? vocab : required(dir.resolve(HfModelDirectory.VOCAB), "vocab.txt", "--vocab");
        TensorSource source = HfWeightFiles.openFile(weightsFile);
        HfNamedSource weights;
        try {
            weights = new HfNamedSource(source);
        } catch (IOException | RuntimeException e) {
            source.close();
            throw e;
        }
        return new BertCheckpoint(description, cfg, v, weights, weights.skipped());
    }

    private static BertCheckpoint openTensorFlow(Path path, Path config, Path vocab) throws IOException {
        Path prefix = TensorBundleReader.resolvePrefix(path);
        Path dir = prefix.toAbsolutePath().getParent();
        boolean savedModel = prefix.getFileName().toString().equals("variables")
                && dir.getFileName() != null && dir.getFileName().toString().equals("variables");
        Path root = savedModel ? dir.getParent() : dir;
        Path v = vocab != null ? vocab : firstExisting(root.resolve("vocab.txt"), root.resolve("assets/vocab.txt"));
        if (v == null) {
            throw new NoSuchFileException(root.resolve(savedModel ? "assets/vocab.txt" : "vocab.txt").toString(), null,
                    "no vocabulary beside the checkpoint; give --vocab FILE");
        }
        Path c = config != null ? config : firstExisting(root.resolve("bert_config.json"), root.resolve("config.json"),
                root.resolve("assets/bert_config.json"));
        String description = (savedModel ? "TF Hub SavedModel " : "TensorFlow checkpoint ") + prefix;
        TfToHuggingFace weights = new TfToHuggingFace(TensorBundleReader.open(prefix));
        JsonObject cfg;
        if (c != null) {
            cfg = HfBertConfig.fromGoogle(HfBertConfig.read(c));
        } else {
            cfg = HfBertConfig.bertBaseUncased();
            try {
                HfBertConfig.check(cfg, weights);
            } catch (WeightFormatException e) {
                weights.close();
                throw new WeightFormatException("no bert_config.json beside " + prefix + " and the weights are not"
                        + " bert-base's (" + e.getMessage() + "); give --config FILE", e);
            }
            description += " (no config found: bert-base-uncased's, which its shapes match)";
        }
        return new BertCheckpoint(description, cfg, v, weights, weights.skipped());
    }

    private static Path required(Path file, String what, String option) throws NoSuchFileException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "no " + what + "; give " + option + " FILE");
        }
        return file;
    }

    private static Path firstExisting(Path... candidates) {
        for (Path p : candidates) {
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }

    /** What was opened, for messages. */
    public String description() {
        return description;
    }

    /** Hugging Face's config.json for these weights. */
    public JsonObject config() {
        return config;
    }

    /** The vocab.txt. */
    public Path vocab() {
        return vocab;
    }

    /** The weights under Hugging Face names; closed with this checkpoint. */
    public TensorSource weights() {
        return weights;
    }

    /** Entries of the source that are not weights (optimizer slots, buffers, ...), each with why. */
    public Map<String, String> skipped() {
        return skipped;
    }

    /** Optional parameters (pooler, heads) the checkpoint lacks; transformers initializes them at random. */
    public List<String> absent() {
        return absent;
    }

    @Override
    public void close() throws IOException {
        weights.close();
    }
}
