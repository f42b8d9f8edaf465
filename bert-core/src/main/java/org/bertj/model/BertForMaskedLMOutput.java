package org.bertj.model;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What {@link BertForMaskedLM} returns, named as in Hugging Face's {@code MaskedLMOutput}.
 *
 * @param logits          MLM logits {@code [B, S, V]}
 * @param lastHiddenState {@code [B, S, H]}
 * @param pooledOutput    {@code [B, H]}, or null if the model has no pooler
 * @param hiddenStates    L+1 tensors {@code [B, S, H]}, or null if not asked for
 * @param attentions      L tensors {@code [B, heads, S, S]}, or null if not asked for
 */
public record BertForMaskedLMOutput(INDArray logits, INDArray lastHiddenState, INDArray pooledOutput,
        List<INDArray> hiddenStates, List<INDArray> attentions) {

    /**
     * Every output present: {@code prediction_logits} (the name {@link BertForPreTrainingOutput}
     * and the golden files use for the same tensor; HF's MaskedLMOutput calls it {@code logits}),
     * then {@link BertModelOutput#named()}'s. There is no {@code seq_relationship_logits}.
     *
     * @return a new, modifiable map in that order; the tensors are this record's own, not copies
     */
    public Map<String, INDArray> named() {
        Map<String, INDArray> m = new LinkedHashMap<>();
        m.put("prediction_logits", logits);
        m.putAll(new BertModelOutput(lastHiddenState, pooledOutput, hiddenStates, attentions).named());
        return m;
    }
}
