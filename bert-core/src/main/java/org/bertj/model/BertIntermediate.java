package org.bertj.model;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * HF {@code BertIntermediate} ({@code bert.encoder.layer.i.intermediate}): {@code act(dense(x))},
 * {@code [B·S, H]} → {@code [B·S, I]} (HF {@code [B, S, I]}). Hook points: {@code .dense} (before
 * the activation) and the module's own name (after it).
 */
public final class BertIntermediate {

    private final String name;
    private final Linear dense;
    private final Activation act;
    private final Point densePoint;
    private final Point out;

    BertIntermediate(BertConfig c, Parameters params, String prefix, int layer) {
        name = prefix.substring(0, prefix.length() - 1);
        dense = new Linear(params, prefix + "dense", c.hiddenSize(), c.intermediateSize());
        act = c.hiddenAct();
        densePoint = Point.tokens(prefix + "dense", layer, c.intermediateSize());
        out = Point.tokens(name, layer, c.intermediateSize());
    }

    /** {@return the HF module path, e.g. {@code bert.encoder.layer.0.intermediate}} */
    public String name() {
        return name;
    }

    /** {@return the activation function ({@code hidden_act})} */
    public Activation activation() {
        return act;
    }

    void points(List<Point> list) {
        list.add(densePoint);
        list.add(out);
    }

    INDArray forward(INDArray x, Pass pass) {
        if (!pass.caches() && (act == Activation.GELU || act == Activation.GELU_PYTHON) && CpuKernels.applies(x)
                && !pass.hooked(densePoint)) {
            INDArray z = dense.forwardWithoutBias(x, pass); // bias and exact GELU in one pass, in place
            CpuKernels.biasGelu(z, dense.bias(), z);
            return pass.hook(out, z);
        }
        INDArray z = pass.hook(densePoint, dense.forward(x, pass));
        if (pass.caches()) {
            pass.save(this, z);
        }
        return pass.hook(out, act.apply(z));
    }

    INDArray backward(Pass pass, INDArray dOut, Parameters grads) {
        pass.gradientAt(out, dOut);
        INDArray dz = act.backward(pass.saved(this, INDArray.class), dOut);
        pass.gradientAt(densePoint, dz);
        return dense.backward(pass, dz, grads);
    }
}
