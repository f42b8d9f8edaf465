package org.bertj.train;

import java.util.ArrayList;
import java.util.List;
import org.bertj.model.BertConfig;
import org.bertj.model.BertForPreTraining;
import org.bertj.model.ParameterInit;
import org.bertj.tokenizer.BertTokenizer;
import org.bertj.tokenizer.Vocabulary;
import org.bertj.train.data.PretrainingCorpus;
import org.bertj.train.data.SpecialTokens;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * A tiny model and a small corpus with learnable structure (templated sentences whose words
 * depend on each other, grouped into topical documents), so a few hundred steps visibly lower the
 * loss in seconds.
 */
final class TinyPretraining {

    static final List<String> WORDS = List.of(
            "the", "a", "cat", "dog", "bird", "fish", "sat", "ran", "flew", "swam", "on", "in", "over", "under",
            "mat", "park", "sky", "sea", "red", "blue", "green", "small", "big", "old", "young", "and", "then",
            "slept", "ate", "sang", "food", "seed", "worm", "song", "tree", "house", "river", "happy", "sad",
            "quickly", "slowly", "every", "day", "night", "morning", "is", "was", "very", ".", "un", "##der",
            "##s", "##ed", "##ing");

    /** [PAD] [UNK] [CLS] [SEP] [MASK] then the words. */
    static List<String> vocabulary() {
        List<String> v = new ArrayList<>(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"));
        v.addAll(WORDS);
        return v;
    }

    static BertConfig config() {
        return BertConfig.builder().vocabSize(vocabulary().size()).hiddenSize(32).numHiddenLayers(2)
                .numAttentionHeads(4).intermediateSize(64).maxPositionEmbeddings(64).build();
    }

    static BertForPreTraining model(long seed) {
        BertForPreTraining m = new BertForPreTraining(config(), DataType.FLOAT);
        ParameterInit.initializeAll(m.parameters(), m.config(), seed);
        return m;
    }

    static SpecialTokens special() {
        return SpecialTokens.fromVocabulary(vocabulary());
    }

    private static final String[][] ANIMALS = {
        {"cat", "sat", "mat", "slept"}, {"dog", "ran", "park", "ate"}, {"bird", "flew", "sky", "sang"},
        {"fish", "swam", "sea", "ate"}};
    private static final String[] PLACES = {"on", "in", "over", "under"};
    private static final String[] ADJ = {"red", "blue", "green", "small", "big", "old", "young"};

    /** The corpus text: one sentence per line, a blank line between documents. */
    static String corpusText() {
        StringBuilder sb = new StringBuilder();
        for (int d = 0; d < 8; d++) {
            String[] a = ANIMALS[d % ANIMALS.length];
            for (int s = 0; s < 8; s++) {
                String adj = ADJ[d % ADJ.length]; // a document repeats its theme: context predicts masked words
                sb.append("the ").append(adj).append(' ').append(a[0]).append(' ').append(a[1]).append(' ')
                        .append(PLACES[d % PLACES.length]).append(" the ").append(a[2]);
                if (s % 2 == 1) {
                    sb.append(" and then ").append(a[3]);
                }
                sb.append(" .\n");
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    static BertTokenizer tokenizer() {
        return BertTokenizer.builder(Vocabulary.of(vocabulary())).build();
    }

    static PretrainingCorpus corpus() {
        BertTokenizer t = tokenizer();
        List<List<int[]>> docs = new ArrayList<>();
        List<int[]> doc = new ArrayList<>();
        for (String line : corpusText().split("\n", -1)) {
            if (line.isBlank()) {
                if (!doc.isEmpty()) {
                    docs.add(doc);
                }
                doc = new ArrayList<>();
            } else {
                doc.add(t.tokenIds(line));
            }
        }
        return PretrainingCorpus.of(docs);
    }

    static PretrainOptions.Builder options() {
        return PretrainOptions.builder().batchSize(8).maxSeqLength(32).maxPredictions(5).learningRate(3e-3)
                .warmupSteps(10).seed(11);
    }

    static Pretrainer trainer(BertForPreTraining model, PretrainOptions options) {
        return new Pretrainer(model, corpus(), special(), SpecialTokens.continuationPieces(vocabulary()), options);
    }

    private TinyPretraining() {
    }
}
