package org.bertj.model.hooks;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.bertj.weights.SafetensorsWriter;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Activations of one forward pass by hook-point name, in the order the forward reached them, each
 * in Hugging Face's shape and the model's element type, copied out of the pass (they stay valid).
 * Filled by the hooks of {@link #recording}; {@code BertForPreTraining.runWithCache} does that for
 * you. Thread-confined while recording; read-only afterwards.
 */
public final class ActivationCache {

    private final Map<String, INDArray> activations = new LinkedHashMap<>();
    private final Predicate<String> filter;

    private ActivationCache(Predicate<String> filter) {
        this.filter = filter;
    }

    /**
     * An empty cache that records every point {@code filter} accepts once {@link #hooks()} run.
     *
     * @param filter which hook-point names to record, e.g. {@code n -> n.endsWith(".output")}
     * @return a new, empty cache
     */
    public static ActivationCache recording(Predicate<String> filter) {
        return new ActivationCache(filter);
    }

    /**
     * The hooks that fill this cache (they return each activation unchanged).
     *
     * @return hooks to attach to one forward pass, after any that change the activations they record
     */
    public Hooks hooks() {
        return Hooks.matching(filter, (x, ctx) -> {
            // A copy out of the pass's workspaces: the pass reuses (and modifies in place) its memory.
            try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                activations.put(ctx.name(), x.dup('c'));
            }
            return x;
        });
    }

    /**
     * The activation at {@code name}.
     *
     * @param name a hook-point name, e.g. {@code bert.encoder.layer.3.output}
     * @return the recorded copy, in the point's HF shape (e.g. {@code [B, S, H]})
     * @throws IllegalArgumentException if it was not recorded (the message lists what was)
     */
    public INDArray get(String name) {
        INDArray a = activations.get(name);
        if (a == null) {
            throw new IllegalArgumentException("no activation '" + name + "' in the cache (it holds "
                    + activations.size() + ": " + summary() + ")");
        }
        return a;
    }

    /**
     * Whether {@code name} was recorded.
     *
     * @param name a hook-point name
     * @return true if {@link #get} would return it
     */
    public boolean contains(String name) {
        return activations.containsKey(name);
    }

    /** {@return the recorded names in forward order, an immutable copy} */
    public List<String> names() {
        return List.copyOf(activations.keySet());
    }

    /** {@return a read-only name → activation view, in forward order} */
    public Map<String, INDArray> asMap() {
        return Collections.unmodifiableMap(activations);
    }

    /**
     * Writes every activation to a safetensors file under its hook-point name, in its own type
     * (F32 or F64). numpy/torch read it with {@code safetensors.numpy.load_file}.
     *
     * @param file the safetensors file to write
     * @throws IOException if it cannot be written, or a name or array cannot be stored
     */
    public void save(Path file) throws IOException {
        save(file, null);
    }

    /**
     * As {@link #save(Path)}, each tensor cast to {@code type} first (e.g. FLOAT), or as is if null.
     *
     * @param file the safetensors file to write
     * @param type the element type to store, or null to keep each tensor's own
     * @throws IOException if it cannot be written, or a name or array cannot be stored
     */
    public void save(Path file, DataType type) throws IOException {
        Map<String, INDArray> out = new LinkedHashMap<>();
        activations.forEach((k, v) -> out.put(k, type == null || v.dataType() == type ? v : v.castTo(type)));
        SafetensorsWriter.write(file, out, Map.of("origin", "bertj", "what", "activations by hook point"));
    }

    private String summary() {
        List<String> n = names();
        return n.size() <= 6 ? String.join(", ", n) : String.join(", ", n.subList(0, 6)) + ", ...";
    }
}
