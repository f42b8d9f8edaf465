package org.bertj.model;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Both pre-training heads under {@code cls.}: masked-LM predictions and next-sentence relationship. */
public final class BertPreTrainingHeads {

    private final BertLMPredictionHead predictions;
    private final BertOnlyNSPHead seqRelationship;

    BertPreTrainingHeads(BertConfig c, Parameters params, String prefix, String wordEmbeddingsName) {
        predictions = new BertLMPredictionHead(c, params, prefix + "predictions.", wordEmbeddingsName);
        seqRelationship = new BertOnlyNSPHead(c, params, prefix);
    }

    BertLMPredictionHead predictions() {
        return predictions;
    }

    BertOnlyNSPHead seqRelationship() {
        return seqRelationship;
    }
}
