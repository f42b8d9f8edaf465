package org.bertj.model.hooks;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What runs at a hook point during a forward pass. It sees the activation in Hugging Face's shape
 * ({@link HookPoint#shape}) and returns what flows on: the same array, or a replacement of the same
 * shape (copied into the model's own memory, so it may be any array, e.g. one from another run's
 * {@link ActivationCache}).
 *
 * <p>The activation is only valid during the call: copy it ({@code dup()}) to keep it. A hook may
 * modify it in place and return it; in a pass that keeps caches for backward it is handed a copy,
 * so in-place edits never reach what backward reads. The backward pass treats every hook as the
 * identity (gradients flow through a replacement as if it were the original).
 */
@FunctionalInterface
public interface Hook {

    /**
     * Runs at one hook point of one forward call.
     *
     * @param activation the activation at {@code context.name()}, HF shape
     * @param context    where and in which call it runs
     * @return {@code activation} or a replacement of the same shape
     */
    INDArray apply(INDArray activation, HookContext context);
}
