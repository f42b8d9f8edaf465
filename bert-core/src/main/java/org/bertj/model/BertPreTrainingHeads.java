package org.bertj.model;

import java.util.List;

/**
 * HF {@code BertPreTrainingHeads} ({@code cls}): the masked-LM predictions and the next-sentence
 * relationship.
 */
public final class BertPreTrainingHeads {

    private final String name;
    private final BertLMPredictionHead predictions;
    private final BertOnlyNSPHead seqRelationship;

    BertPreTrainingHeads(BertConfig c, Parameters params, String prefix, String wordEmbeddingsName) {
        name = prefix.substring(0, prefix.length() - 1);
        predictions = new BertLMPredictionHead(c, params, prefix + "predictions.", wordEmbeddingsName);
        seqRelationship = new BertOnlyNSPHead(c, params, prefix);
    }

    /** {@return the HF module path, {@code cls}} */
    public String name() {
        return name;
    }

    /** {@return {@code cls.predictions}: the MLM head} */
    public BertLMPredictionHead predictions() {
        return predictions;
    }

    /** {@return {@code cls.seq_relationship}: the NSP head, {@code [B, H]} pooled to {@code [B, 2]}} */
    public BertOnlyNSPHead seqRelationship() {
        return seqRelationship;
    }

    void points(List<Point> list) {
        predictions.points(list);
        seqRelationship.points(list);
    }
}
