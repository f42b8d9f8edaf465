package org.bertj.examples;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bertj.model.BertConfig;
import org.bertj.model.BertForPreTraining;
import org.bertj.model.ParameterInit;
import org.bertj.tokenizer.BertTokenizer;
import org.bertj.tokenizer.Vocabulary;
import org.bertj.train.PretrainOptions;
import org.bertj.train.Pretrainer;
import org.bertj.train.data.PretrainingCorpus;
import org.bertj.train.data.SpecialTokens;
import org.nd4j.linalg.api.buffer.DataType;

/** The README's training example: MLM + NSP pretraining of a tiny model from scratch, printing the loss. */
public final class TrainTinyModelExample {

    private TrainTinyModelExample() {
    }

    /** @param args optional number of steps (default 40) and output directory (default a temporary one) */
    public static void main(String[] args) throws Exception {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 40;
        Path run = args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("bertj-tiny");
        // README training begin
        List<String> words = new ArrayList<>(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"));
        words.addAll(List.of("the", "a", "cat", "dog", "sat", "ran", "on", "in", "mat", "park", "and", "slept", "."));
        BertTokenizer tokenizer = BertTokenizer.builder(Vocabulary.of(words)).build();
        StringBuilder text = new StringBuilder();
        for (String[] doc : new String[][] {{"cat", "sat", "mat"}, {"dog", "ran", "park"}}) {
            for (int i = 0; i < 6; i++) {
                text.append("the ").append(doc[0]).append(' ').append(doc[1]).append(" on the ").append(doc[2])
                        .append(" and slept .\n");
            }
            text.append('\n');                                           // a blank line ends a document
        }
        Path corpusFile = Files.writeString(run.resolve("corpus.txt"), text);
        BertConfig config = BertConfig.fromJson("{\"vocab_size\": " + words.size() + ", \"hidden_size\": 16,"
                + " \"num_hidden_layers\": 1, \"num_attention_heads\": 2, \"intermediate_size\": 32,"
                + " \"max_position_embeddings\": 32}");
        BertForPreTraining model = new BertForPreTraining(config, DataType.FLOAT);
        ParameterInit.initializeAll(model.parameters(), config, 42);
        PretrainOptions options = PretrainOptions.builder().totalSteps(steps).batchSize(4).maxSeqLength(32)
                .maxPredictions(4).learningRate(1e-3).warmupSteps(steps / 10).build();
        Pretrainer trainer = new Pretrainer(model, PretrainingCorpus.read(corpusFile, tokenizer::tokenIds),
                SpecialTokens.fromVocabulary(words), SpecialTokens.continuationPieces(words), options);
        trainer.train(run, m -> {
            if (m.step() % 10 == 0) {
                System.out.printf("step %d  loss %.4f  MLM acc %.3f%n", m.step(), m.loss(), m.mlmAccuracy());
            }
        });
        // the run directory now holds checkpoint-<step>/model.safetensors, loadable by from_pretrained
        // README end
    }
}
