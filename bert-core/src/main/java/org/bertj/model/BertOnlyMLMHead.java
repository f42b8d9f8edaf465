package org.bertj.model;

import java.util.List;

/** HF {@code BertOnlyMLMHead} ({@code cls} of {@link BertForMaskedLM}): the masked-LM head {@code cls.predictions} alone. */
public final class BertOnlyMLMHead {

    private final String name;
    private final BertLMPredictionHead predictions;

    BertOnlyMLMHead(BertConfig c, Parameters params, String prefix, String wordEmbeddingsName) {
        name = prefix.substring(0, prefix.length() - 1);
        predictions = new BertLMPredictionHead(c, params, prefix + "predictions.", wordEmbeddingsName);
    }

    /** {@return the HF module path, {@code cls}} */
    public String name() {
        return name;
    }

    /** {@return {@code cls.predictions}: the MLM head} */
    public BertLMPredictionHead predictions() {
        return predictions;
    }

    void points(List<Point> list) {
        predictions.points(list);
    }
}
