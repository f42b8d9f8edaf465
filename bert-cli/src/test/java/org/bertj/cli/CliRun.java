package org.bertj.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bertj.testing.Shared;

/** One in-process {@code bert ...} run, and the small models the research command tests run on. */
record CliRun(int code, String out, String err) {

    static CliRun of(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /**
     * The golden case {@code realvocab_h48_l2} (2 layers, 4 heads, bert-base's vocabulary, NSP head)
     * as a Hugging Face directory with vocab.txt, so it takes {@code --text}. Its expected.safetensors
     * holds transformers' outputs for {@link #TEXT_A} / {@link #TEXT_B}.
     */
    static Path realVocabModel(Path tmp) throws IOException {
        Path golden = Shared.golden("realvocab_h48_l2");
        Path d = Files.createDirectories(tmp.resolve("realvocab"));
        for (String f : new String[] {"config.json", "model.safetensors"}) {
            if (!Files.exists(d.resolve(f))) {
                Files.copy(golden.resolve(f), d.resolve(f));
            }
        }
        if (!Files.exists(d.resolve("vocab.txt"))) {
            Files.copy(Shared.bertBaseVocab(), d.resolve("vocab.txt"));
        }
        return d;
    }

    /** What --model DIR --inputs FILE would give a research command. */
    static Subject subject(Path model, Path inputs) throws Exception {
        SubjectOptions o = new SubjectOptions();
        o.model = new ModelOption();
        o.model.model = model.toString();
        o.inputs = inputs;
        return Subject.from(o);
    }

    static final String TEXT_A = "The capital of France is [MASK].";
    static final String TEXT_B = "Paris is known for the Eiffel Tower.";
}
