package org.bertj.examples;

import java.nio.file.Path;
import org.bertj.loss.PreTrainingLoss;
import org.bertj.model.BertForPreTraining;
import org.bertj.model.BertForPreTrainingOutput;
import org.bertj.model.BertInputs;
import org.bertj.model.Gradients;
import org.bertj.model.OutputOptions;
import org.bertj.model.WeightLoader;
import org.bertj.tokenizer.BertTokenizer;
import org.bertj.tokenizer.Encoding;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The README's model example: a BertForPreTraining directory loaded strictly, one forward pass with
 * every output, the pretraining loss, and one training step's gradients.
 */
public final class ForwardExample {

    private ForwardExample() {
    }

    /** @param args a Hugging Face BertForPreTraining directory (config.json, model.safetensors, vocab.txt) */
    public static void main(String[] args) throws Exception {
        // README forward begin
        Path dir = Path.of(args[0]);
        BertForPreTraining model = WeightLoader.loadDirectory(dir, DataType.FLOAT, WeightLoader.Mode.STRICT).model();
        BertTokenizer tokenizer = BertTokenizer.fromDirectory(dir);
        Encoding e = tokenizer.encode("The capital of France is [MASK].", "Paris is known for the Eiffel Tower.");
        BertInputs inputs = BertInputs.of(new int[][] {e.inputIds()}, new int[][] {e.tokenTypeIds()},
                new int[][] {e.attentionMask()});
        BertForPreTrainingOutput out = model.forward(inputs, OutputOptions.ALL);  // + hidden states, attentions
        int[] labels = new int[e.length()];
        java.util.Arrays.fill(labels, -100);                                      // -100: not a prediction
        labels[e.tokens().indexOf("[MASK]")] = tokenizer.vocabulary().id("paris");
        INDArray mlmLabels = Nd4j.createFromArray(new int[][] {labels});
        INDArray nspLabel = Nd4j.createFromArray(new int[] {0});                  // 0 = IsNext
        PreTrainingLoss.Result loss = PreTrainingLoss.compute(out.predictionLogits(), mlmLabels,
                out.seqRelationshipLogits(), nspLabel, false);
        Gradients grads = new Gradients(model.parameters());                      // HF names, accumulate until zero()
        model.trainingStep(inputs, mlmLabels, nspLabel, grads, 42);               // dropout from seed 42
        System.out.printf("mlm %.4f  nsp %.4f  |d word_embeddings| %.4f%n", loss.mlmLoss(), loss.nspLoss(),
                grads.asMap().get("bert.embeddings.word_embeddings.weight").norm2Number().doubleValue());
        // README end
    }
}
