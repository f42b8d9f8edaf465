package org.bertj.model;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * HF {@code BertLayer} ({@code bert.encoder.layer.i}): one transformer block, attention then the
 * feed-forward ({@link BertIntermediate} + {@link BertOutput}). Takes and returns {@code [B, S, H]}
 * ({@code [B·S, H]} inside the model).
 */
public final class BertLayer {

    private final String name;
    private final int index;
    private final BertConfig config;
    private final BertAttention attention;
    private final BertIntermediate intermediate;
    private final BertOutput output;

    BertLayer(BertConfig c, Parameters params, String prefix, int index) {
        this.name = prefix.substring(0, prefix.length() - 1);
        this.index = index;
        this.config = c;
        attention = new BertAttention(c, params, prefix + "attention.", index);
        intermediate = new BertIntermediate(c, params, prefix + "intermediate.", index);
        output = new BertOutput(c, params, prefix + "output.", index);
    }

    /** {@return the HF module path, e.g. {@code bert.encoder.layer.3}} */
    public String name() {
        return name;
    }

    /** {@return its index i in the encoder, from 0} */
    public int index() {
        return index;
    }

    /** {@return {@code .attention}: self-attention, then projection, residual and LayerNorm} */
    public BertAttention attention() {
        return attention;
    }

    /** {@return {@code .intermediate}: the feed-forward layer's first dense layer and activation} */
    public BertIntermediate intermediate() {
        return intermediate;
    }

    /** {@return {@code .output}: second dense layer, residual and LayerNorm; its result is the layer's output} */
    public BertOutput output() {
        return output;
    }

    void points(List<Point> list) {
        attention.points(list);
        intermediate.points(list);
        output.points(list);
    }

    /**
     * This layer alone, eval mode, as the model runs it (same kernels, same workspaces), e.g. to
     * time it or to feed it a hidden state of one's own. Thread-safe.
     *
     * @param hidden        the layer input {@code [B, S, H]}
     * @param attentionMask {@code [B, S]} or {@code [B, S, S]} of 0/1 (1 = attended), or null for all attended
     * @return the layer output {@code [B, S, H]}, a new array
     */
    public INDArray forward(INDArray hidden, INDArray attentionMask) {
        if (hidden.rank() != 3 || hidden.size(2) != config.hiddenSize()) {
            throw new IllegalArgumentException(name + ": hidden must be [B, S, " + config.hiddenSize() + "], got "
                    + java.util.Arrays.toString(hidden.shape()));
        }
        int b = (int) hidden.size(0);
        int s = (int) hidden.size(1);
        Pass pass = Pass.inference();
        try (ForwardWorkspace ws = ForwardWorkspace.enter(pass)) {
            INDArray bias = attentionMask == null ? null : AttentionMaskBias.of(attentionMask, hidden.dataType());
            INDArray x = hidden.dup('c').reshape('c', (long) b * s, config.hiddenSize());
            INDArray y = forward(x, b, s, bias, null, pass).context();
            return ws.result(y.reshape('c', b, s, config.hiddenSize()));
        }
    }

    BertSelfAttention.Result forward(INDArray x, int batch, int seq, INDArray maskBias, INDArray headMask, Pass pass) {
        BertSelfAttention.Result a = attention.forward(x, batch, seq, maskBias, headMask, pass);
        INDArray y = output.forward(intermediate.forward(a.context(), pass), a.context(), pass);
        return new BertSelfAttention.Result(y, a.probs());
    }

    INDArray backward(Pass pass, INDArray dOut, Parameters grads) {
        INDArray[] d = output.backward(pass, dOut, grads);
        INDArray dAttn = intermediate.backward(pass, d[0], grads).addi(d[1]);
        return attention.backward(pass, dAttn, grads);
    }
}
