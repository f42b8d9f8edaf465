package org.bertj.model.hooks;

import java.util.Arrays;

/**
 * A named activation of the model, as listed by {@code BertForPreTraining.hookPoints(B, S)}.
 *
 * @param name  HF module path, e.g. {@code bert.encoder.layer.0.output}
 * @param layer encoder layer index, or -1
 * @param shape the activation's shape for the given B and S ({@code [B,S,H]}, {@code [B,heads,S,D]},
 *              {@code [B,heads,S,S]}, {@code [B,S,I]}, {@code [B,S,V]}, {@code [B,H]} or {@code [B,2]})
 */
public record HookPoint(String name, int layer, long[] shape) {

    @Override
    public String toString() {
        return name + " " + Arrays.toString(shape);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HookPoint p && p.name.equals(name) && p.layer == layer && Arrays.equals(p.shape, shape);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }
}
