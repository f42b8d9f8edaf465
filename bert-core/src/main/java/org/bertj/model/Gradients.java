package org.bertj.model;

import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Gradients of every parameter, under the same Hugging Face names and with the same fused layout
 * as the model's {@link Parameters}. Backward passes add into them, so several micro-batches
 * accumulate until {@link #zero()}.
 */
public final class Gradients {

    private final Parameters store;

    /** Zero gradients shaped like {@code params}. */
    public Gradients(Parameters params) {
        this.store = params.zerosLike();
    }

    Parameters store() {
        return store;
    }

    /** The gradient of parameter {@code name}. */
    public INDArray get(String name) {
        return store.get(name);
    }

    /** Every name, in the parameters' order. */
    public List<String> names() {
        return store.names();
    }

    /** Read-only name → gradient view (the tensors themselves are live). */
    public Map<String, INDArray> asMap() {
        return store.asMap();
    }

    /** Resets every gradient to zero. */
    public void zero() {
        store.zero();
    }
}
