package org.bertj.model;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * HF {@code BertEncoder} ({@code bert.encoder}): the stack of {@code num_hidden_layers}
 * {@link BertLayer}s, {@code [B, S, H]} in and out.
 */
public final class BertEncoder {

    private final String name;
    private final List<BertLayer> layers = new ArrayList<>();

    BertEncoder(BertConfig c, Parameters params, String prefix) {
        name = prefix.substring(0, prefix.length() - 1);
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            layers.add(new BertLayer(c, params, prefix + "layer." + i + ".", i));
        }
    }

    /** {@return the HF module path, {@code bert.encoder}} */
    public String name() {
        return name;
    }

    /**
     * Layer {@code i}, 0-based.
     *
     * @param i layer index in {@code [0, num_hidden_layers)}
     * @return the layer, whose tensors are named {@code ...encoder.layer.{i}.*}
     * @throws IndexOutOfBoundsException if there is no layer {@code i}
     */
    public BertLayer layer(int i) {
        if (i < 0 || i >= layers.size()) {
            throw new IndexOutOfBoundsException("layer " + i + " of " + layers.size());
        }
        return layers.get(i);
    }

    /** {@return every layer in order (read-only)} */
    public List<BertLayer> layers() {
        return List.copyOf(layers);
    }

    void points(List<Point> list) {
        for (BertLayer l : layers) {
            l.points(list);
        }
    }

    /**
     * @param x          the embedding output {@code [B·S, H]}
     * @param headMask   {@code [L, heads]} or null
     * @param hidden     if not null, receives the input and every layer's output ({@code [B·S, H]})
     * @param attentions if not null, receives every layer's probabilities
     * @return the last layer's output {@code [B·S, H]}
     */
    INDArray forward(INDArray x, int batch, int seq, INDArray maskBias, INDArray headMask, Pass pass,
            List<INDArray> hidden, List<INDArray> attentions) {
        if (hidden != null) {
            hidden.add(x);
        }
        for (int i = 0; i < layers.size(); i++) {
            INDArray hm = headMask == null ? null : headMask.getRow(i);
            try (MemoryWorkspace ws = ForwardWorkspace.layer()) {
                BertSelfAttention.Result r = layers.get(i).forward(x, batch, seq, maskBias, hm, pass);
                x = ForwardWorkspace.keep(r.context(), ws);
                if (hidden != null) {
                    hidden.add(x);
                }
                if (attentions != null) {
                    attentions.add(ForwardWorkspace.keep(r.probs(), ws));
                }
            }
        }
        return x;
    }

    INDArray backward(Pass pass, INDArray dOut, Parameters grads) {
        INDArray d = dOut;
        for (int i = layers.size() - 1; i >= 0; i--) {
            d = layers.get(i).backward(pass, d, grads);
        }
        return d;
    }
}
