package org.bertj.model;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What {@link BertModel} returns.
 *
 * @param lastHiddenState {@code [B, S, H]}
 * @param pooledOutput    {@code [B, H]} (HF's {@code pooler_output})
 * @param hiddenStates    L+1 tensors {@code [B, S, H]} (embedding output first), or null if not asked for
 * @param attentions      L tensors {@code [B, heads, S, S]}, or null if not asked for
 */
public record BertModelOutput(INDArray lastHiddenState, INDArray pooledOutput, List<INDArray> hiddenStates,
        List<INDArray> attentions) {
}
