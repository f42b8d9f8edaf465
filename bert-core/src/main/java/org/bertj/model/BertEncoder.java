package org.bertj.model;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The stack of {@code num_hidden_layers} {@link BertLayer}s. */
public final class BertEncoder {

    private final List<BertLayer> layers = new ArrayList<>();

    BertEncoder(BertConfig c, Parameters params, String prefix) {
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            layers.add(new BertLayer(c, params, prefix + "layer." + i + "."));
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
            BertSelfAttention.Result r = layers.get(i).forward(x, batch, seq, maskBias, hm, pass);
            x = r.context();
            if (hidden != null) {
                hidden.add(x);
            }
            if (attentions != null) {
                attentions.add(r.probs());
            }
        }
        return x;
    }

    INDArray backward(INDArray dOut, Parameters grads) {
        INDArray d = dOut;
        for (int i = layers.size() - 1; i >= 0; i--) {
            d = layers.get(i).backward(d, grads);
        }
        return d;
    }
}
