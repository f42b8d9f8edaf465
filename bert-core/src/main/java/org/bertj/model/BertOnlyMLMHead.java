package org.bertj.model;

/** The masked-LM head alone under {@code cls.} (HF's {@code BertOnlyMLMHead}): {@code cls.predictions}. */
public final class BertOnlyMLMHead {

    private final BertLMPredictionHead predictions;

    BertOnlyMLMHead(BertConfig c, Parameters params, String prefix, String wordEmbeddingsName) {
        predictions = new BertLMPredictionHead(c, params, prefix + "predictions.", wordEmbeddingsName);
    }

    BertLMPredictionHead predictions() {
        return predictions;
    }
}
