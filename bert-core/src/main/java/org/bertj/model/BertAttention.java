package org.bertj.model;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Self-attention followed by its output projection, residual connection and LayerNorm. */
public final class BertAttention {

    private final BertSelfAttention self;
    private final BertSelfOutput output;

    BertAttention(BertConfig c, Parameters params, String prefix) {
        self = new BertSelfAttention(c, params, prefix + "self.");
        output = new BertSelfOutput(c, params, prefix + "output.");
    }

    BertSelfAttention.Result forward(INDArray x, int batch, int seq, INDArray maskBias, INDArray headMask, Pass pass) {
        BertSelfAttention.Result r = self.forward(x, batch, seq, maskBias, headMask, pass);
        return new BertSelfAttention.Result(output.forward(r.context(), x, pass), r.probs());
    }

    INDArray backward(INDArray dOut, Parameters grads) {
        INDArray[] d = output.backward(dOut, grads);
        return self.backward(d[0], grads).addi(d[1]);
    }
}
