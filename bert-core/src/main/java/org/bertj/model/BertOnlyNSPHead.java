package org.bertj.model;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The next-sentence head, HF's {@code cls.seq_relationship} ({@code nn.Linear(H, 2)} on the pooled
 * output): {@code [B, H]} → {@code [B, 2]} logits (0 = IsNext, 1 = NotNext). Hook point: its name.
 */
public final class BertOnlyNSPHead {

    private final String name;
    private final Linear seqRelationship;
    private final Point out;

    BertOnlyNSPHead(BertConfig c, Parameters params, String prefix) {
        name = prefix + "seq_relationship";
        seqRelationship = new Linear(params, name, c.hiddenSize(), 2);
        out = Point.rows(name, 2);
    }

    /** {@return the HF module path, {@code cls.seq_relationship}} */
    public String name() {
        return name;
    }

    void points(List<Point> list) {
        list.add(out);
    }

    INDArray forward(INDArray pooled, Pass pass) {
        return pass.hook(out, seqRelationship.forward(pooled, pass));
    }

    INDArray backward(Pass pass, INDArray dLogits, Parameters grads) {
        pass.gradientAt(out, dLogits);
        return seqRelationship.backward(pass, dLogits, grads);
    }
}
