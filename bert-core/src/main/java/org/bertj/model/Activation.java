package org.bertj.model;

import java.util.Locale;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Erf;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The feed-forward and MLM-transform non-linearities, named as Hugging Face's {@code hidden_act}
 * names them. Each has its forward and, right after it, the derivative used by the backward pass.
 */
public enum Activation {

    /** Exact GELU, {@code 0.5·x·(1 + erf(x/√2))}: what HF's {@code "gelu"} computes. */
    GELU("gelu"),
    /** Same function as {@link #GELU}; HF's pure-Python spelling of it. */
    GELU_PYTHON("gelu_python"),
    /** Tanh approximation {@code 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))} (HF "gelu_new"). */
    GELU_NEW("gelu_new"),
    /** Same function as {@link #GELU_NEW} (HF "gelu_pytorch_tanh"). */
    GELU_PYTORCH_TANH("gelu_pytorch_tanh"),
    /** {@code max(0, x)}. */
    RELU("relu"),
    /** {@code x·sigmoid(x)} (HF "silu", also spelled "swish"). */
    SILU("silu"),
    /** {@code tanh(x)}. */
    TANH("tanh");

    private static final double SQRT_HALF = Math.sqrt(0.5);
    private static final double SQRT_2_OVER_PI = Math.sqrt(2.0 / Math.PI);
    private static final double INV_SQRT_2PI = 1.0 / Math.sqrt(2.0 * Math.PI);
    private static final double GELU_TANH_C = 0.044715;

    private final String hfName;

    Activation(String hfName) {
        this.hfName = hfName;
    }

    /** The name as it appears in a Hugging Face config.json. */
    public String hfName() {
        return hfName;
    }

    /**
     * Looks up a config.json {@code hidden_act} value.
     *
     * @throws IllegalArgumentException naming the value and the known names
     */
    public static Activation fromHfName(String name) {
        String n = name == null ? "" : name.toLowerCase(Locale.ROOT);
        if (n.equals("swish")) {
            return SILU;
        }
        for (Activation a : values()) {
            if (a.hfName.equals(n)) {
                return a;
            }
        }
        StringBuilder known = new StringBuilder();
        for (Activation a : values()) {
            known.append(known.length() == 0 ? "" : ", ").append(a.hfName);
        }
        throw new IllegalArgumentException("unknown hidden_act '" + name + "' (known: " + known + ", swish)");
    }

    /** Applies the function to a new array; {@code x} is left untouched. */
    public INDArray apply(INDArray x) {
        switch (this) {
            case GELU:
            case GELU_PYTHON: {
                INDArray t = x.mul(SQRT_HALF);
                Nd4j.exec(new Erf(t, t));
                return t.addi(1.0).muli(x).muli(0.5);
            }
            case GELU_NEW:
            case GELU_PYTORCH_TANH: {
                INDArray t = x.mul(x).muli(GELU_TANH_C).addi(1.0).muli(x).muli(SQRT_2_OVER_PI);
                Transforms.tanh(t, false);
                return t.addi(1.0).muli(x).muli(0.5);
            }
            case RELU:
                return Transforms.relu(x, true);
            case SILU:
                return Transforms.sigmoid(x, true).muli(x);
            case TANH:
                return Transforms.tanh(x, true);
            default:
                throw new AssertionError(this);
        }
    }

    /**
     * The gradient with respect to the input: {@code dOut · f'(x)}, as a new array.
     *
     * @param x    the input the forward pass saw
     * @param dOut the gradient with respect to the output
     */
    public INDArray backward(INDArray x, INDArray dOut) {
        INDArray d;
        switch (this) {
            case GELU:
            case GELU_PYTHON: {
                // d/dx x·Φ(x) = Φ(x) + x·φ(x)
                INDArray cdf = x.mul(SQRT_HALF);
                Nd4j.exec(new Erf(cdf, cdf));
                cdf.addi(1.0).muli(0.5);
                INDArray pdf = Transforms.exp(x.mul(x).muli(-0.5), false).muli(INV_SQRT_2PI).muli(x);
                d = cdf.addi(pdf);
                break;
            }
            case GELU_NEW:
            case GELU_PYTORCH_TANH: {
                // u = c(x + a x³); f = 0.5x(1 + tanh u); f' = 0.5(1 + t) + 0.5x(1 - t²)·c(1 + 3a x²)
                INDArray x2 = x.mul(x);
                INDArray t = x2.mul(GELU_TANH_C).addi(1.0).muli(x).muli(SQRT_2_OVER_PI);
                Transforms.tanh(t, false);
                INDArray du = x2.muli(3 * GELU_TANH_C).addi(1.0).muli(SQRT_2_OVER_PI);
                INDArray sech2 = t.mul(t).rsubi(1.0);
                d = sech2.muli(du).muli(x).muli(0.5).addi(t.addi(1.0).muli(0.5));
                break;
            }
            case RELU:
                d = x.gt(0).castTo(x.dataType());
                break;
            case SILU: {
                INDArray s = Transforms.sigmoid(x, true);
                d = s.rsub(1.0).muli(x).addi(1.0).muli(s);
                break;
            }
            case TANH: {
                INDArray t = Transforms.tanh(x, true);
                d = t.muli(t).rsubi(1.0);
                break;
            }
            default:
                throw new AssertionError(this);
        }
        return d.muli(dOut);
    }
}
