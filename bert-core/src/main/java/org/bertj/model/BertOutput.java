package org.bertj.model;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * HF {@code BertOutput} ({@code bert.encoder.layer.i.output}):
 * {@code LayerNorm(dropout(dense(h)) + attentionOutput)}, intermediate → hidden size. Takes
 * {@code [B·S, I]} and the attention output {@code [B·S, H]}; returns the layer output
 * {@code [B·S, H]} (HF {@code hidden_states.{i+1}}). Hook points: {@code .dense} (before dropout
 * and the residual add) and the module's own name (the layer output).
 */
public final class BertOutput {

    private final String name;
    private final DenseAddNorm body;

    BertOutput(BertConfig c, Parameters params, String prefix, int layer) {
        name = prefix.substring(0, prefix.length() - 1);
        body = new DenseAddNorm(c, params, prefix, layer, c.intermediateSize());
    }

    /** {@return the HF module path, e.g. {@code bert.encoder.layer.0.output}} */
    public String name() {
        return name;
    }

    void points(List<Point> list) {
        body.points(list);
    }

    INDArray forward(INDArray h, INDArray residual, Pass pass) {
        return body.forward(h, residual, pass);
    }

    /** Returns {dH, dResidual}. */
    INDArray[] backward(Pass pass, INDArray dOut, Parameters grads) {
        return body.backward(pass, dOut, grads);
    }
}
