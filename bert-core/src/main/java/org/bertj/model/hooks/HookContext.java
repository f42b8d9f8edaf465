package org.bertj.model.hooks;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Where a {@link Hook} runs: the hook point's name, its layer (-1 outside the encoder layers), the
 * model's head count and the call's batch size B and sequence length S.
 *
 * @param name          the hook point, e.g. {@code bert.encoder.layer.1.attention.self.context}
 * @param layer         the encoder layer index, or -1 for embeddings, pooler and heads
 * @param heads         {@code num_attention_heads}
 * @param batch         B
 * @param seq           S
 * @param attentionMask the call's {@code attention_mask [B, S]} (1 = attended) in the model's type
 */
public record HookContext(String name, int layer, int heads, int batch, int seq, INDArray attentionMask) {
}
