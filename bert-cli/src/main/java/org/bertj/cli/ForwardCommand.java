package org.bertj.cli;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bertj.loss.PreTrainingLoss;
import org.bertj.model.BertForMaskedLM;
import org.bertj.model.BertForMaskedLMOutput;
import org.bertj.model.BertForPreTraining;
import org.bertj.model.BertForPreTrainingOutput;
import org.bertj.model.BertInputs;
import org.bertj.model.BertModel;
import org.bertj.model.BertPreTrainedModel;
import org.bertj.model.MatmulPrecision;
import org.bertj.model.OutputOptions;
import org.bertj.model.Pass;
import org.bertj.model.WeightLoader;
import org.bertj.weights.SafetensorsFile;
import org.bertj.weights.SafetensorsWriter;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bert forward}: runs the model class the weights make (BertForPreTraining, BertForMaskedLM
 * or BertModel; eval mode) on inputs from a safetensors file and writes every output it computes
 * under the golden files' names, so researchers can pull internals into numpy. What that class
 * does not compute (the NSP logits of weights without that head, say) is named, never made up.
 */
@Command(name = "forward", description = "Run the model class the weights make (BertForPreTraining, BertForMaskedLM"
        + " or BertModel; eval mode) on inputs from a safetensors file and write every output it computes under"
        + " Hugging Face's names; what it does not compute is named, never made up.")
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

    @Option(names = "--bf16", description = "the linear layers' products in bfloat16 with float32 accumulation"
            + " (MatmulPrecision.BF16: faster, its accuracy in the README; default: float32)")
    boolean bf16;

    @Option(names = "--lenient", description = "initialise weights the file lacks at random instead of failing"
            + " (the outputs are then flagged: a warning, and randomly_initialized in the file's metadata)")
    boolean lenient;

    /** A fresh inference pass, with bf16 products if asked. */
    private Pass pass() {
        return bf16 ? Pass.inference().withMatmulPrecision(MatmulPrecision.BF16) : Pass.inference();
    }

    @Override
    protected int run() throws Exception {
        if (!Files.exists(modelDir)) {
            throw new NoSuchFileException(modelDir.toString());
        }
        if (!Files.isDirectory(modelDir)) {
            throw new NotDirectoryException(modelDir.toString());
        }
        if (bf16 && doublePrecision) {
            throw new UsageException("--bf16 and --double exclude each other (bf16 products round what float64 keeps)");
        }
        if (bf16 && !MatmulPrecision.BF16.isAvailable()) {
            throw new NotAvailableException("--bf16 is not available in this process: it needs ND4J's oneDNN CPU build,"
                    + " which bertj loads on AVX-512 CPUs");
        }
        DataType type = doublePrecision ? DataType.DOUBLE : DataType.FLOAT;
        WeightLoader.Mode mode = lenient ? WeightLoader.Mode.LENIENT : WeightLoader.Mode.STRICT;
        WeightLoader.AutoLoaded loaded = WeightLoader.loadAuto(modelDir, type, mode);
        if (!loaded.report().isClean() || !(loaded.model() instanceof BertForPreTraining)) {
            out.println(loaded.report().describe());
        }
        BertPreTrainedModel model = loaded.model();
        Map<String, INDArray> tensors = new LinkedHashMap<>();
        List<String> leftOut = new ArrayList<>();
        try (SafetensorsFile in = SafetensorsFile.open(inputsFile)) {
            if (!in.contains("input_ids")) {
                throw new IllegalArgumentException(inputsFile + " has no input_ids tensor (it has " + in.names() + ")");
            }
            BertInputs inputs = BertInputs.of(in.load("input_ids"), optional(in, "token_type_ids"),
                    optional(in, "attention_mask"), optional(in, "position_ids"), optional(in, "head_mask"));
            OutputOptions options = new OutputOptions(hiddenStates, attentions);
            INDArray labels = optional(in, "labels");
            INDArray nsp = optional(in, "next_sentence_label");
            INDArray logits = null;
            INDArray seqLogits = null;
            // Only what the weights make is written: no head is invented, so no output of one either.
            if (model instanceof BertForPreTraining p) {
                BertForPreTrainingOutput o = p.forward(inputs, options, pass());
                tensors.putAll(o.named());
                logits = o.predictionLogits();
                seqLogits = o.seqRelationshipLogits();
            } else if (model instanceof BertForMaskedLM m) {
                BertForMaskedLMOutput o = m.forward(inputs, options, pass());
                tensors.putAll(o.named());
                logits = o.logits();
                leftOut.add("seq_relationship_logits");
            } else {
                tensors.putAll(((BertModel) model).forward(inputs, options, pass()).named());
                leftOut.addAll(List.of("prediction_logits", "seq_relationship_logits"));
            }
            if (!model.bert().hasPooler()) {
                leftOut.add("pooled_output");
            }
            INDArray mlmLabels = logits == null ? null : labels;
            INDArray nspLabels = seqLogits == null ? null : nsp;
            if (mlmLabels != null || nspLabels != null) {
                PreTrainingLoss.Result loss = PreTrainingLoss.compute(logits, mlmLabels, seqLogits, nspLabels, false);
                if (mlmLabels != null && nspLabels != null) {
                    tensors.put("loss", Nd4j.scalar(type, loss.total()));
                }
                if (mlmLabels != null) {
                    tensors.put("mlm_loss", Nd4j.scalar(type, loss.mlmLoss()));
                }
                if (nspLabels != null) {
                    tensors.put("nsp_loss", Nd4j.scalar(type, loss.nspLoss()));
                }
            }
            if (labels != null && mlmLabels == null) {
                leftOut.add("mlm_loss");
            }
            if (nsp != null && nspLabels == null) {
                leftOut.add("nsp_loss");
            }
            if (labels != null && nsp != null && !tensors.containsKey("loss")) {
                leftOut.add("loss");
            }
        }
        if (!leftOut.isEmpty()) {
            out.println("left out (a " + model.hfClassName() + " does not compute them; no head is invented): "
                    + String.join(", ", leftOut));
        }
        Map<String, String> metadata = new LinkedHashMap<>(Map.of("format", "pt", "producer", "bertj forward"));
        List<String> random = loaded.report().initialized();
        if (!random.isEmpty()) {
            // --lenient filled gaps with HF's random init: the file says so, so nobody takes it for real
            metadata.put("randomly_initialized", String.join(",", random));
            out.println("WARNING: these outputs depend on randomly initialised tensors (listed in the file's"
                    + " metadata as randomly_initialized): " + String.join(", ", random));
        }
        SafetensorsWriter.write(outFile, tensors, metadata);
        out.println("wrote " + tensors.size() + " tensors to " + outFile + ": " + String.join(", ", tensors.keySet()));
        return 0;
    }

    private static INDArray optional(SafetensorsFile f, String name) throws java.io.IOException {
        return f.contains(name) ? f.load(name) : null;
    }
}
