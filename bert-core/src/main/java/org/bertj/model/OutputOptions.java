package org.bertj.model;

/**
 * Which intermediate tensors a forward pass returns besides its main outputs.
 *
 * @param hiddenStates the embedding output and every layer's output (L+1 tensors)
 * @param attentions   every layer's attention probabilities
 */
public record OutputOptions(boolean hiddenStates, boolean attentions) {

    /** Only the main outputs. */
    public static final OutputOptions NONE = new OutputOptions(false, false);
    /** Every hidden state and every attention map as well. */
    public static final OutputOptions ALL = new OutputOptions(true, true);
}
