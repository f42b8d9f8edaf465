package org.bertj.model;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What {@link BertForPreTraining} returns, named as in Hugging Face.
 *
 * @param predictionLogits      MLM logits {@code [B, S, V]}
 * @param seqRelationshipLogits NSP logits {@code [B, 2]}
 * @param lastHiddenState       {@code [B, S, H]}
 * @param pooledOutput          {@code [B, H]}
 * @param hiddenStates          L+1 tensors {@code [B, S, H]}, or null if not asked for
 * @param attentions            L tensors {@code [B, heads, S, S]}, or null if not asked for
 */
public record BertForPreTrainingOutput(INDArray predictionLogits, INDArray seqRelationshipLogits,
        INDArray lastHiddenState, INDArray pooledOutput, List<INDArray> hiddenStates, List<INDArray> attentions) {

    /**
     * Every output under the names the golden files and HF use: {@code prediction_logits},
     * {@code seq_relationship_logits}, {@code last_hidden_state}, {@code pooled_output} and its HF
     * alias {@code pooler_output}, {@code hidden_states.N}, {@code attentions.N} (when present).
     *
     * @return a new, modifiable map in that order; the tensors are this record's own, not copies
     */
    public Map<String, INDArray> named() {
        Map<String, INDArray> m = new LinkedHashMap<>();
        m.put("prediction_logits", predictionLogits);
        m.put("seq_relationship_logits", seqRelationshipLogits);
        m.put("last_hidden_state", lastHiddenState);
        m.put("pooled_output", pooledOutput);
        m.put("pooler_output", pooledOutput);
        if (hiddenStates != null) {
            for (int i = 0; i < hiddenStates.size(); i++) {
                m.put("hidden_states." + i, hiddenStates.get(i));
            }
        }
        if (attentions != null) {
            for (int i = 0; i < attentions.size(); i++) {
                m.put("attentions." + i, attentions.get(i));
            }
        }
        return m;
    }
}
