package org.bertj.model;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * HF {@code BertPredictionHeadTransform} ({@code cls.predictions.transform}):
 * {@code LayerNorm(act(dense(x)))}, {@code [B, S, H]} → {@code [B, S, H]}, the MLM head's transform
 * before the tied decoder. Hook point: its own name.
 */
public final class BertPredictionHeadTransform {

    private final String name;
    private final Linear dense;
    private final Activation act;
    private final LayerNorm layerNorm;
    private final Point out;

    BertPredictionHeadTransform(BertConfig c, Parameters params, String prefix) {
        name = prefix.substring(0, prefix.length() - 1);
        dense = new Linear(params, prefix + "dense", c.hiddenSize(), c.hiddenSize());
        act = c.hiddenAct();
        layerNorm = new LayerNorm(params, prefix + "LayerNorm", c.hiddenSize(), c.layerNormEps());
        out = Point.tokens(name, -1, c.hiddenSize());
    }

    /** {@return the HF module path, {@code cls.predictions.transform}} */
    public String name() {
        return name;
    }

    void points(List<Point> list) {
        list.add(out);
    }

    INDArray forward(INDArray x, Pass pass) {
        INDArray z = dense.forward(x, pass);
        if (pass.caches()) {
            pass.save(this, z);
        }
        return pass.hook(out, layerNorm.forward(act.apply(z), pass));
    }

    INDArray backward(Pass pass, INDArray dOut, Parameters grads) {
        pass.gradientAt(out, dOut);
        INDArray dz = act.backward(pass.saved(this, INDArray.class), layerNorm.backward(pass, dOut, grads));
        return dense.backward(pass, dz, grads);
    }
}
