/**
 * Research on the model's internals, on our own forward and backward passes (CPU and CUDA,
 * float32 and float64), in the spirit of TransformerLens, captum and the logit lens.
 *
 * <ul>
 *   <li>Hook points, caches and hooks are in {@link org.bertj.model.hooks}:
 *       {@code model.hookPoints(B, S)}, {@code model.runWithCache(inputs, filter)},
 *       {@code model.runWithHooks(inputs, hooks)}.</li>
 *   <li>{@link org.bertj.inspect.Interventions}: zero/mean ablation of a head or an MLP, activation
 *       patching at positions or heads, steering vectors.</li>
 *   <li>{@link org.bertj.inspect.PatchingSweep}: layer × position grid of a metric.</li>
 *   <li>{@link org.bertj.inspect.Attribution}: gradients of a {@link org.bertj.inspect.Scalar} with
 *       respect to {@code inputs_embeds} and any hook point; saliency, gradient × input and
 *       integrated gradients.</li>
 *   <li>{@link org.bertj.inspect.LogitLens}: the MLM head on every layer's residual stream.</li>
 * </ul>
 */
package org.bertj.inspect;
