package org.bertj.model;

import java.util.List;
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
}
