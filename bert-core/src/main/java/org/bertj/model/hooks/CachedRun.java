package org.bertj.model.hooks;

import org.bertj.model.BertForPreTrainingOutput;

/**
 * What {@code BertForPreTraining.runWithCache} returns: the model's outputs and the recorded
 * activations.
 *
 * @param output the forward's outputs (logits, NSP logits, hidden state, pooled)
 * @param cache  the activations its filter chose, by hook-point name
 */
public record CachedRun(BertForPreTrainingOutput output, ActivationCache cache) {
}
