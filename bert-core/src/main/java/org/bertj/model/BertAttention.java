package org.bertj.model;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * HF {@code BertAttention} ({@code bert.encoder.layer.i.attention}): {@link BertSelfAttention}
 * followed by {@link BertSelfOutput} (projection, residual connection and LayerNorm). Takes and
 * returns {@code [B·S, H]} (HF {@code [B, S, H]}).
 */
public final class BertAttention {

    private final String name;
    private final BertSelfAttention self;
    private final BertSelfOutput output;

    BertAttention(BertConfig c, Parameters params, String prefix, int layer) {
        name = prefix.substring(0, prefix.length() - 1);
        self = new BertSelfAttention(c, params, prefix + "self.", layer);
        output = new BertSelfOutput(c, params, prefix + "output.", layer);
    }

    /** {@return the HF module path, e.g. {@code bert.encoder.layer.0.attention}} */
    public String name() {
        return name;
    }

    /** {@return {@code .self}: the attention proper (query, key, value, scores, context)} */
    public BertSelfAttention self() {
        return self;
    }

    /** {@return {@code .output}: projection, residual and LayerNorm} */
    public BertSelfOutput output() {
        return output;
    }

    void points(List<Point> list) {
        self.points(list);
        output.points(list);
    }

    BertSelfAttention.Result forward(INDArray x, int batch, int seq, INDArray maskBias, INDArray headMask, Pass pass) {
        BertSelfAttention.Result r = self.forward(x, batch, seq, maskBias, headMask, pass);
        return new BertSelfAttention.Result(output.forward(r.context(), x, pass), r.probs());
    }

    INDArray backward(Pass pass, INDArray dOut, Parameters grads) {
        INDArray[] d = output.backward(pass, dOut, grads);
        return self.backward(pass, d[0], grads).addi(d[1]);
    }
}
