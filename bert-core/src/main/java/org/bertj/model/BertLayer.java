package org.bertj.model;

import org.nd4j.linalg.api.ndarray.INDArray;

/** One transformer block: attention, then the feed-forward (intermediate + output). */
public final class BertLayer {

    private final BertAttention attention;
    private final BertIntermediate intermediate;
    private final BertOutput output;

    BertLayer(BertConfig c, Parameters params, String prefix) {
        attention = new BertAttention(c, params, prefix + "attention.");
        intermediate = new BertIntermediate(c, params, prefix + "intermediate.");
        output = new BertOutput(c, params, prefix + "output.");
    }

    BertSelfAttention.Result forward(INDArray x, int batch, int seq, INDArray maskBias, INDArray headMask, Pass pass) {
        BertSelfAttention.Result a = attention.forward(x, batch, seq, maskBias, headMask, pass);
        INDArray y = output.forward(intermediate.forward(a.context(), pass), a.context(), pass);
        return new BertSelfAttention.Result(y, a.probs());
    }

    INDArray backward(INDArray dOut, Parameters grads) {
        INDArray[] d = output.backward(dOut, grads);
        INDArray dAttn = intermediate.backward(d[0], grads).addi(d[1]);
        return attention.backward(dAttn, grads);
    }
}
