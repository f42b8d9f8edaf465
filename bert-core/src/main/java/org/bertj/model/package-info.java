/**
 * BERT itself, module for module as Hugging Face transformers builds it, with its own forward and
 * backward passes over ND4J.
 *
 * <ul>
 *   <li>Model classes, one per HF class: {@link org.bertj.model.BertModel} (the encoder),
 *       {@link org.bertj.model.BertForMaskedLM} and {@link org.bertj.model.BertForPreTraining};
 *       their common view is {@link org.bertj.model.BertPreTrainedModel}. Each module
 *       ({@code BertEmbeddings}, {@code BertLayer}, ...) carries the HF module path of its tensors
 *       and hook points.</li>
 *   <li>{@link org.bertj.model.BertConfig}: the shape, read from and written to config.json.</li>
 *   <li>{@link org.bertj.model.WeightLoader}: a model from a checkpoint directory or tensor source,
 *       with a {@link org.bertj.model.LoadReport}; {@link org.bertj.model.ParameterInit}: HF's
 *       initialisation instead.</li>
 *   <li>{@link org.bertj.model.BertInputs}: one padded batch ({@code input_ids [B, S]} or
 *       {@code inputs_embeds [B, S, H]}, masks, types, positions).</li>
 *   <li>{@link org.bertj.model.Pass}: the mode and state of one forward call (and its backward):
 *       eval, training with seeded dropout, hooks, gradients at hook points.
 *       {@link org.bertj.model.Gradients} collects parameter gradients.</li>
 * </ul>
 *
 * <pre>{@code
 * WeightLoader.Loaded l = WeightLoader.loadDirectory(dir, DataType.FLOAT, WeightLoader.Mode.STRICT);
 * BertForPreTraining model = l.model();
 * BertForPreTrainingOutput out = model.forward(BertInputs.of(ids), OutputOptions.NONE);
 * out.predictionLogits();                                        // [B, S, V]
 * }</pre>
 *
 * <p>Models are immutable and thread-safe: all per-call state lives in the call's {@code Pass}.
 * Tensor names and shapes are those of Hugging Face, so its checkpoints load and its outputs compare
 * one to one.
 */
package org.bertj.model;
