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
    TANH("tanh"),
    /**
     * HF "gelu_fast": {@code 0.5·x·(1 + tanh(x·0.7978845608·(1 + 0.044715·x²)))}, the tanh form
     * with √(2/π) truncated to ten digits (differs from {@link #GELU_NEW} by rounding only).
     */
    GELU_FAST("gelu_fast"),
    /** HF "gelu_accurate": {@code 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))}, the {@link #GELU_NEW} formula. */
    GELU_ACCURATE("gelu_accurate"),
    /** HF "quick_gelu": {@code x·sigmoid(1.702·x)}. */
    QUICK_GELU("quick_gelu"),
    /** HF "gelu_10": exact GELU clipped to [−10, 10]. */
    GELU_10("gelu_10"),
    /** HF "mish": {@code x·tanh(softplus(x))} (torch's {@code F.mish}). */
    MISH("mish"),
    /** HF "relu6": {@code min(max(x, 0), 6)}. */
    RELU6("relu6"),
    /** HF "relu2": {@code max(0, x)²}. */
    RELU2("relu2"),
    /** HF "sigmoid": {@code 1 / (1 + e^(−x))}. */
    SIGMOID("sigmoid"),
    /** HF "laplace": {@code 0.5·(1 + erf((x − 0.707107) / (0.282095·√2)))}. */
    LAPLACE("laplace"),
    /** HF "linear": the identity. */
    LINEAR("linear");

    private static final double SQRT_HALF = Math.sqrt(0.5);
    private static final double SQRT_2_OVER_PI = Math.sqrt(2.0 / Math.PI);
    private static final double INV_SQRT_2PI = 1.0 / Math.sqrt(2.0 * Math.PI);
    private static final double GELU_TANH_C = 0.044715;
    /** HF's FastGELUActivation writes √(2/π) with ten digits; kept so results round as HF's do. */
    private static final double GELU_FAST_SQRT_2_OVER_PI = 0.7978845608;
    private static final double QUICK_GELU_C = 1.702;
    private static final double GELU_10_LIMIT = 10.0;
    private static final double RELU6_LIMIT = 6.0;
    private static final double LAPLACE_MU = 0.707107;
    private static final double LAPLACE_SIGMA = 0.282095;

    private final String hfName;

    Activation(String hfName) {
        this.hfName = hfName;
    }

    /** {@return the name as it appears in a Hugging Face config.json, e.g. {@code gelu_new}} */
    public String hfName() {
        return hfName;
    }

    /**
     * Looks up a config.json {@code hidden_act} value.
     *
     * @param name the value, in any case ({@code swish} is read as {@code silu}); null is unknown
     * @return the activation of that name
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

    /**
     * Applies the function to a new array; {@code x} is left untouched.
     *
     * @param x the pre-activation, any shape, FLOAT or DOUBLE
     * @return f(x) elementwise, shaped and typed as {@code x}
     */
    public INDArray apply(INDArray x) {
        switch (this) {
            case GELU:
            case GELU_PYTHON: {
                if (CpuKernels.applies(x)) {
                    INDArray out = Nd4j.createUninitialized(x.dataType(), x.shape(), 'c');
                    CpuKernels.gelu(x, out);
                    return out;
                }
                INDArray t = x.mul(SQRT_HALF);
                Nd4j.exec(new Erf(t, t));
                return t.addi(1.0).muli(x).muli(0.5);
            }
            case GELU_NEW:
            case GELU_PYTORCH_TANH:
            case GELU_ACCURATE:
                return geluTanh(x, SQRT_2_OVER_PI);
            case GELU_FAST:
                return geluTanh(x, GELU_FAST_SQRT_2_OVER_PI);
            case RELU:
                return Transforms.relu(x, true);
            case SILU:
                return Transforms.sigmoid(x, true).muli(x);
            case TANH:
                return Transforms.tanh(x, true);
            case QUICK_GELU:
                return Transforms.sigmoid(x.mul(QUICK_GELU_C), false).muli(x);
            case GELU_10: {
                INDArray g = GELU.apply(x);
                return Transforms.min(Transforms.max(g, -GELU_10_LIMIT, false), GELU_10_LIMIT, false);
            }
            case MISH:
                // torch's softplus returns x above 20; tanh of either is 1 in float and double, so the
                // plain log(1 + e^x) gives the same result there (and +inf → tanh 1 on overflow).
                return Transforms.tanh(Transforms.softPlus(x, true), false).muli(x);
            case RELU6:
                return Transforms.min(Transforms.relu(x, true), RELU6_LIMIT, false);
            case RELU2: {
                INDArray r = Transforms.relu(x, true);
                return r.muli(r);
            }
            case SIGMOID:
                return Transforms.sigmoid(x, true);
            case LAPLACE: {
                INDArray t = x.sub(LAPLACE_MU).divi(LAPLACE_SIGMA * Math.sqrt(2.0));
                Nd4j.exec(new Erf(t, t));
                return t.addi(1.0).muli(0.5);
            }
            case LINEAR:
                return x.dup();
            default:
                throw new AssertionError(this);
        }
    }

    /**
     * The gradient with respect to the input: {@code dOut · f'(x)}, as a new array.
     *
     * @param x    the input the forward pass saw
     * @param dOut the gradient with respect to the output
     * @return dOut · f'(x), shaped as {@code x}
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
            case GELU_PYTORCH_TANH:
            case GELU_ACCURATE:
                d = geluTanhDerivative(x, SQRT_2_OVER_PI);
                break;
            case GELU_FAST:
                d = geluTanhDerivative(x, GELU_FAST_SQRT_2_OVER_PI);
                break;
            case QUICK_GELU: {
                // f = x·s(cx); f' = s + c·x·s·(1 − s)
                INDArray s = Transforms.sigmoid(x.mul(QUICK_GELU_C), false);
                d = s.rsub(1.0).muli(s).muli(x).muli(QUICK_GELU_C).addi(s);
                break;
            }
            case GELU_10: {
                // torch's clamp passes the gradient where min <= gelu(x) <= max
                INDArray g = GELU.apply(x);
                INDArray inside = Transforms.abs(g, false).lte(GELU_10_LIMIT).castTo(x.dataType());
                d = GELU.backward(x, Nd4j.onesLike(x)).muli(inside);
                break;
            }
            case MISH: {
                // f = x·tanh(sp(x)); f' = t + x·(1 − t²)·sigmoid(x)
                INDArray t = Transforms.tanh(Transforms.softPlus(x, true), false);
                INDArray sech2 = t.mul(t).rsubi(1.0);
                d = sech2.muli(Transforms.sigmoid(x, true)).muli(x).addi(t);
                break;
            }
            case RELU6:
                // torch's hardtanh backward: gradient 1 strictly inside (0, 6)
                d = x.gt(0).castTo(x.dataType()).muli(x.lt(RELU6_LIMIT).castTo(x.dataType()));
                break;
            case RELU2:
                d = Transforms.relu(x, true).muli(2.0);
                break;
            case SIGMOID: {
                INDArray s = Transforms.sigmoid(x, true);
                d = s.rsub(1.0).muli(s);
                break;
            }
            case LAPLACE: {
                // d/dx 0.5(1 + erf(u)), u = (x − μ)/(σ√2): e^(−u²) / (σ√(2π))
                INDArray u = x.sub(LAPLACE_MU).divi(LAPLACE_SIGMA * Math.sqrt(2.0));
                d = Transforms.exp(u.muli(u).negi(), false).muli(1.0 / (LAPLACE_SIGMA * Math.sqrt(2.0 * Math.PI)));
                break;
            }
            case LINEAR:
                d = Nd4j.onesLike(x);
                break;
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

    /** {@code 0.5·x·(1 + tanh(c·x·(1 + 0.044715·x²)))}: HF's tanh-form GELUs, with their constant c. */
    private static INDArray geluTanh(INDArray x, double c) {
        INDArray t = x.mul(x).muli(GELU_TANH_C).addi(1.0).muli(x).muli(c);
        Transforms.tanh(t, false);
        return t.addi(1.0).muli(x).muli(0.5);
    }

    /** The derivative of {@link #geluTanh}, without the upstream gradient. */
    private static INDArray geluTanhDerivative(INDArray x, double c) {
        // u = c(x + a x³); f = 0.5x(1 + tanh u); f' = 0.5(1 + t) + 0.5x(1 - t²)·c(1 + 3a x²)
        INDArray x2 = x.mul(x);
        INDArray t = x2.mul(GELU_TANH_C).addi(1.0).muli(x).muli(c);
        Transforms.tanh(t, false);
        INDArray du = x2.muli(3 * GELU_TANH_C).addi(1.0).muli(c);
        INDArray sech2 = t.mul(t).rsubi(1.0);
        return sech2.muli(du).muli(x).muli(0.5).addi(t.addi(1.0).muli(0.5));
    }
}
