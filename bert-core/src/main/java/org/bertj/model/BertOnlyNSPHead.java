package org.bertj.model;

import org.nd4j.linalg.api.ndarray.INDArray;

/** The next-sentence head: {@code seq_relationship(pooled)}, 2 logits (0 = IsNext, 1 = NotNext). */
public final class BertOnlyNSPHead {

    private final Linear seqRelationship;

    BertOnlyNSPHead(BertConfig c, Parameters params, String prefix) {
        seqRelationship = new Linear(params, prefix + "seq_relationship", c.hiddenSize(), 2);
    }

    INDArray forward(INDArray pooled, Pass pass) {
        return seqRelationship.forward(pooled, pass);
    }

    INDArray backward(INDArray dLogits, Parameters grads) {
        return seqRelationship.backward(dLogits, grads);
    }
}
