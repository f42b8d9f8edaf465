package org.bertj.model;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * HF {@code BertSelfOutput} ({@code bert.encoder.layer.i.attention.output}):
 * {@code LayerNorm(dropout(dense(context)) + input)}, the projection after self-attention. Takes
 * the merged context and the layer input, both {@code [B·S, H]} (HF {@code [B, S, H]}); returns
 * {@code [B·S, H]}. Hook points: {@code .dense} (before dropout and the residual add) and the
 * module's own name (after the LayerNorm).
 */
public final class BertSelfOutput {

    private final String name;
    private final DenseAddNorm body;

    BertSelfOutput(BertConfig c, Parameters params, String prefix, int layer) {
        name = prefix.substring(0, prefix.length() - 1);
        body = new DenseAddNorm(c, params, prefix, layer, c.hiddenSize());
    }

    /** {@return the HF module path, e.g. {@code bert.encoder.layer.0.attention.output}} */
    public String name() {
        return name;
    }

    void points(List<Point> list) {
        body.points(list);
    }

    INDArray forward(INDArray context, INDArray residual, Pass pass) {
        return body.forward(context, residual, pass);
    }

    /** Returns {dContext, dResidual}. */
    INDArray[] backward(Pass pass, INDArray dOut, Parameters grads) {
        return body.backward(pass, dOut, grads);
    }
}
