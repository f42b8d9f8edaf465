/**
 * Hook points of the model: named activations (Hugging Face module paths, e.g.
 * {@code bert.encoder.layer.3.attention.self.probs}, in HF's shapes), forward {@link
 * org.bertj.model.hooks.Hook}s that read or replace them, and the {@link
 * org.bertj.model.hooks.ActivationCache} that records them.
 *
 * <pre>{@code
 * BertForPreTraining model = ...;
 * model.hookPoints(1, 12);                                   // names, layers, shapes
 * CachedRun run = model.runWithCache(inputs, n -> n.endsWith(".probs"));
 * run.cache().get("bert.encoder.layer.0.attention.self.probs");   // [B, heads, S, S]
 * run.cache().save(Path.of("acts.safetensors"));
 * model.runWithHooks(inputs, Hooks.at("bert.encoder.layer.5.output", (x, ctx) -> x.mul(0.5)));
 * }</pre>
 *
 * <p>Gradients at hook points come from {@code Pass.deterministicTraining().withGradientsAt(names)}
 * and {@code BertForPreTraining.backward(pass, ...)}; {@link org.bertj.inspect.Attribution} wraps
 * this. With no hook attached a hook point costs one null check and the fused CPU kernels run as
 * before; a hook at a point that a fused kernel computes over makes that module run its steps one
 * op at a time.
 */
package org.bertj.model.hooks;
