package org.bertj.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bertj.loss.PreTrainingLoss;
import org.bertj.model.BertForPreTraining;
import org.bertj.model.BertForPreTrainingOutput;
import org.bertj.model.BertInputs;
import org.bertj.model.OutputOptions;
import org.bertj.model.WeightLoader;
import org.bertj.weights.SafetensorsFile;
import org.bertj.weights.SafetensorsWriter;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code bert forward}: runs BertForPreTraining (eval mode) on inputs from a safetensors file and
 * writes every output under the golden files' names, so researchers can pull internals into numpy.
 */
public final class ForwardCommand implements Command {

    @Override
    public String name() {
        return "forward";
    }

    @Override
    public String usage() {
        return "forward --model DIR --inputs FILE --out FILE [--hidden-states] [--attentions] [--double] [--lenient]"
                + "   (DIR: config.json + model.safetensors, pytorch_model.bin or their shards; FILE: input_ids [, token_type_ids, attention_mask,"
                + " position_ids, head_mask, labels, next_sentence_label])";
    }

    @Override
    public int run(List<String> argList, PrintStream out) throws Exception {
        Args args = new Args(argList, Set.of("model", "inputs", "out"),
                Set.of("hidden-states", "attentions", "double", "lenient"));
        if (!args.positionals().isEmpty()) {
            throw new UsageException("unexpected argument '" + args.positionals().get(0) + "'");
        }
        Path modelDir = args.requirePath("model");
        Path inputsFile = args.requirePath("inputs");
        Path outFile = args.requirePath("out");
        if (!Files.isDirectory(modelDir)) {
            throw new UsageException("--model " + modelDir + " is not a directory");
        }
        DataType type = args.has("double") ? DataType.DOUBLE : DataType.FLOAT;
        WeightLoader.Mode mode = args.has("lenient") ? WeightLoader.Mode.LENIENT : WeightLoader.Mode.STRICT;
        WeightLoader.Loaded loaded = WeightLoader.loadDirectory(modelDir, type, mode);
        if (!loaded.report().isClean()) {
            out.println(loaded.report().describe());
        }
        BertForPreTraining model = loaded.model();
        Map<String, INDArray> tensors = new LinkedHashMap<>();
        try (SafetensorsFile in = SafetensorsFile.open(inputsFile)) {
            if (!in.contains("input_ids")) {
                throw new IllegalArgumentException(inputsFile + " has no input_ids tensor (it has " + in.names() + ")");
            }
            BertInputs inputs = BertInputs.of(in.load("input_ids"), optional(in, "token_type_ids"),
                    optional(in, "attention_mask"), optional(in, "position_ids"), optional(in, "head_mask"));
            OutputOptions options = new OutputOptions(args.has("hidden-states"), args.has("attentions"));
            BertForPreTrainingOutput output = model.forward(inputs, options);
            tensors.putAll(output.named());
            INDArray labels = optional(in, "labels");
            INDArray nsp = optional(in, "next_sentence_label");
            if (labels != null || nsp != null) {
                PreTrainingLoss.Result loss = PreTrainingLoss.compute(output.predictionLogits(), labels,
                        output.seqRelationshipLogits(), nsp, false);
                if (labels != null && nsp != null) {
                    tensors.put("loss", Nd4j.scalar(type, loss.total()));
                }
                if (labels != null) {
                    tensors.put("mlm_loss", Nd4j.scalar(type, loss.mlmLoss()));
                }
                if (nsp != null) {
                    tensors.put("nsp_loss", Nd4j.scalar(type, loss.nspLoss()));
                }
            }
        }
        SafetensorsWriter.write(outFile, tensors, Map.of("format", "pt", "producer", "bertj forward"));
        out.println("wrote " + tensors.size() + " tensors to " + outFile + ": " + String.join(", ", tensors.keySet()));
        return 0;
    }

    private static INDArray optional(SafetensorsFile f, String name) throws java.io.IOException {
        return f.contains(name) ? f.load(name) : null;
    }
}
