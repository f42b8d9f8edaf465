package org.bertj.cli;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
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
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bert forward}: runs BertForPreTraining (eval mode) on inputs from a safetensors file and
 * writes every output under the golden files' names, so researchers can pull internals into numpy.
 */
@Command(name = "forward", description = "Run BertForPreTraining (eval mode) on inputs from a safetensors file"
        + " and write every output under Hugging Face's names.")
public final class ForwardCommand extends BertCommand {

    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "a Hugging Face model directory: config.json + model.safetensors, pytorch_model.bin or their shards")
    Path modelDir;

    @Option(names = "--inputs", required = true, paramLabel = "FILE",
            description = "a safetensors file with input_ids [, token_type_ids, attention_mask, position_ids,"
                    + " head_mask, labels, next_sentence_label]")
    Path inputsFile;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "the safetensors file to write")
    Path outFile;

    @Option(names = "--hidden-states", description = "also write hidden_states.0 .. hidden_states.L")
    boolean hiddenStates;

    @Option(names = "--attentions", description = "also write attentions.0 .. attentions.L-1")
    boolean attentions;

    @Option(names = "--double", description = "compute in float64 (default: float32)")
    boolean doublePrecision;

    @Option(names = "--lenient", description = "initialise weights the file lacks at random instead of failing")
    boolean lenient;

    @Override
    protected int run() throws Exception {
        if (!Files.exists(modelDir)) {
            throw new NoSuchFileException(modelDir.toString());
        }
        if (!Files.isDirectory(modelDir)) {
            throw new NotDirectoryException(modelDir.toString());
        }
        DataType type = doublePrecision ? DataType.DOUBLE : DataType.FLOAT;
        WeightLoader.Mode mode = lenient ? WeightLoader.Mode.LENIENT : WeightLoader.Mode.STRICT;
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
            OutputOptions options = new OutputOptions(hiddenStates, attentions);
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
