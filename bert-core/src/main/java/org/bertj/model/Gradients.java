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

    /**
     * Zero gradients shaped like {@code params}.
     *
     * @param params the model's parameters; names, shapes, type and fused layout are copied, not values
     */
    public Gradients(Parameters params) {
        this.store = params.zerosLike();
    }

    Parameters store() {
        return store;
    }

    /**
     * The gradient of parameter {@code name}.
     *
     * @param name a Hugging Face parameter name, e.g. {@code bert.pooler.dense.weight}
     * @return the live gradient tensor, shaped like the parameter
     * @throws IllegalArgumentException if there is no parameter of that name
     */
    public INDArray get(String name) {
        return store.get(name);
    }

    /** {@return every name, in the parameters' order} */
    public List<String> names() {
        return store.names();
    }

    /** {@return a read-only name → gradient view (the tensors themselves are live)} */
    public Map<String, INDArray> asMap() {
        return store.asMap();
    }

    /** Resets every gradient to zero. */
    public void zero() {
        store.zero();
    }
}
