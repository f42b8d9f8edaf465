package org.bertj.train;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;
import org.bertj.model.Parameters;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.floating.Sqrt;
import org.nd4j.linalg.api.ops.impl.updaters.AdamUpdater;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Adam with decoupled weight decay, as BERT is pretrained, updating parameters in place.
 *
 * <p>With bias correction on (the default) one {@link #step} is exactly PyTorch's
 * {@code torch.optim.AdamW} (and Hugging Face's {@code AdamW}, {@code correct_bias=True}), for each
 * parameter {@code p} with gradient {@code g}, step count {@code t} (1 on the first step):
 * <pre>
 *   p -= lr * wd * p                      (only where decay applies)
 *   m  = b1 * m + (1 - b1) * g
 *   v  = b2 * v + (1 - b2) * g²
 *   p -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
 * </pre>
 *
 * <p>Google's original BERT {@code AdamWeightDecayOptimizer} (optimization.py) differs in one
 * respect: it has no bias correction, i.e. {@code p -= lr * (m / (sqrt(v) + eps) + wd * p)}. Its
 * warmup hides most of that difference; set {@link Builder#biasCorrection(boolean)} to false to get
 * it. The decay itself is the same in both: it uses {@code p} before this step's Adam update.
 *
 * <p>Weight decay is skipped for the parameters BERT excludes. Hugging Face's examples exclude
 * names containing any of {@code ["bias", "LayerNorm.weight"]}; Google's excludes
 * {@code ["LayerNorm", "layer_norm", "bias"]}. On BERT's Hugging Face names both come to the same
 * set, which {@link #BERT_NO_DECAY} expresses as: the name contains {@code LayerNorm} or ends with
 * {@code .bias} (this includes {@code cls.predictions.bias}).
 *
 * <p>Gradients are only read. Besides the two moments per parameter the optimizer keeps one scratch
 * buffer the size of the largest parameter (94 MB for bert-base's word embeddings).
 *
 * <p>The defaults are BERT's: lr 1e-4, betas (0.9, 0.999), eps 1e-6, weight decay 0.01. The
 * learning rate is normally set before every step from a schedule such as
 * {@link LinearWarmupDecay}.
 */
public final class AdamW {

    /** BERT's no-decay rule: LayerNorm weights and biases, and every bias. */
    public static final Predicate<String> BERT_NO_DECAY =
            name -> name.contains("LayerNorm") || name.endsWith(".bias");

    /** Prefix of the first-moment tensors in {@link #state()} (PyTorch's state key). */
    public static final String EXP_AVG = "exp_avg.";
    /** Prefix of the second-moment tensors in {@link #state()} (PyTorch's state key). */
    public static final String EXP_AVG_SQ = "exp_avg_sq.";

    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final boolean biasCorrection;
    private final Predicate<String> noDecay;
    private double learningRate;
    private long step;
    private final Map<String, INDArray> expAvg = new LinkedHashMap<>();
    private final Map<String, INDArray> expAvgSq = new LinkedHashMap<>();
    private INDArray scratchBuffer;

    private AdamW(Builder b) {
        this.learningRate = b.learningRate;
        this.beta1 = b.beta1;
        this.beta2 = b.beta2;
        this.eps = b.eps;
        this.weightDecay = b.weightDecay;
        this.biasCorrection = b.biasCorrection;
        this.noDecay = b.noDecay;
    }

    /**
     * A builder with BERT's defaults.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return the learning rate the next {@link #step} uses} */
    public double learningRate() {
        return learningRate;
    }

    /**
     * Sets the learning rate for the next steps (from a schedule, typically before each step).
     *
     * @param learningRate the rate, finite and at least 0
     * @throws IllegalArgumentException if it is negative, infinite or NaN
     */
    public void setLearningRate(double learningRate) {
        if (!(learningRate >= 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("learning rate must be finite and >= 0, got " + learningRate);
        }
        this.learningRate = learningRate;
    }

    /** {@return how many steps have been taken (0 before the first): PyTorch's {@code t} of the last step} */
    public long stepCount() {
        return step;
    }

    /**
     * Whether a parameter gets weight decay.
     *
     * @param name the parameter's Hugging Face name, e.g. {@code bert.encoder.layer.0.output.dense.bias}
     * @return false if the weight decay is 0 or the no-decay rule excludes the name
     */
    public boolean decays(String name) {
        return weightDecay != 0 && !noDecay.test(name);
    }

    /**
     * {@link #step(Map, Map)} on a model's store, telling the store that its weights changed
     * ({@link Parameters#weightsChanged()}) so that a later
     * {@link org.bertj.model.MatmulPrecision#BF16} inference pass multiplies by the new weights,
     * not by bfloat16 copies of the old ones.
     *
     * @param params the model's parameters ({@code model.parameters()}); updated in place
     * @param grads  a gradient for every parameter, same shape and data type
     * @throws IllegalArgumentException naming the tensor if a gradient is missing or does not fit
     */
    public void step(Parameters params, Map<String, INDArray> grads) {
        try {
            step(params.asMap(), grads);
        } finally {
            params.weightsChanged(); // also after a failed step, which may have written some tensors
        }
    }

    /**
     * Updates every parameter in place from its gradient. Moments are created (zero) on the first
     * step, as PyTorch does. Given a {@link Parameters}' map, prefer {@link #step(Parameters, Map)}
     * (or call {@link Parameters#weightsChanged()} after this) if the model also serves bf16
     * inference passes: this method cannot tell the store its weights changed.
     *
     * @param params parameters by Hugging Face name; updated in place
     * @param grads  a gradient for every parameter, same shape and data type
     * @throws IllegalArgumentException naming the tensor if a gradient is missing or does not fit
     */
    public void step(Map<String, INDArray> params, Map<String, INDArray> grads) {
        for (Map.Entry<String, INDArray> e : params.entrySet()) {
            checkFits("gradient", e.getKey(), e.getValue(), grads.get(e.getKey()));
        }
        for (String name : grads.keySet()) {
            if (!params.containsKey(name)) {
                throw new IllegalArgumentException("gradient " + name + " has no parameter of that name");
            }
        }
        step++;
        double sqrtBc2 = Math.sqrt(1 - Math.pow(beta2, step));
        for (Map.Entry<String, INDArray> e : params.entrySet()) {
            String name = e.getKey();
            INDArray p = e.getValue();
            INDArray g = grads.get(name);
            INDArray m = expAvg.computeIfAbsent(name, k -> Nd4j.zeros(p.dataType(), p.shape()));
            INDArray v = expAvgSq.computeIfAbsent(name, k -> Nd4j.zeros(p.dataType(), p.shape()));
            if (decays(name)) {
                p.muli(1 - learningRate * weightDecay);
            }
            INDArray scratch = scratch(p);
            if (biasCorrection) {
                // ND4J's fused Adam computes lr·sqrt(bc2)/bc1 · m / (sqrt(v) + ε'), which is
                // PyTorch's lr/bc1 · m / (sqrt(v)/sqrt(bc2) + ε) exactly when ε' = ε·sqrt(bc2).
                Nd4j.exec(new AdamUpdater(g, v, m, scratch, v, m, learningRate, beta1, beta2,
                        eps * sqrtBc2, Math.toIntExact(step - 1)));
                p.subi(scratch);
                continue;
            }
            // Google's variant, which the fused kernel cannot do: p -= lr · m / (sqrt(v) + ε).
            g.mul(1 - beta1, scratch);
            m.muli(beta1).addi(scratch);
            g.mul(g, scratch).muli(1 - beta2);
            v.muli(beta2).addi(scratch);
            Nd4j.exec(new Sqrt(v, scratch));
            scratch.addi(eps);
            m.div(scratch, scratch).muli(learningRate);
            p.subi(scratch);
        }
    }

    /**
     * A view, shaped like {@code p}, of one flat buffer kept for the largest parameter: allocating
     * a fresh temporary per parameter and step costs ND4J far more than the arithmetic (0.4 s for
     * the 23M-element word embeddings, against 10 ms for an in-place multiply).
     */
    private INDArray scratch(INDArray p) {
        long n = p.length();
        if (scratchBuffer == null || scratchBuffer.dataType() != p.dataType() || scratchBuffer.length() < n) {
            long size = scratchBuffer == null || scratchBuffer.dataType() != p.dataType()
                    ? n : Math.max(n, scratchBuffer.length());
            scratchBuffer = Nd4j.createUninitialized(p.dataType(), size);
        }
        return scratchBuffer.get(NDArrayIndex.interval(0, n)).reshape('c', p.shape());
    }

    /**
     * The moments, keyed {@code exp_avg.<name>} and {@code exp_avg_sq.<name>} (views of the live
     * arrays, not copies; empty before the first step). Together with {@link #stepCount()} this is
     * everything needed to resume.
     *
     * @return the moments, unmodifiable: every {@code exp_avg.*}, then every {@code exp_avg_sq.*}, each
     *         in the order the parameters were first stepped
     */
    public Map<String, INDArray> state() {
        Map<String, INDArray> out = new LinkedHashMap<>();
        expAvg.forEach((k, v) -> out.put(EXP_AVG + k, v));
        expAvgSq.forEach((k, v) -> out.put(EXP_AVG_SQ + k, v));
        return Collections.unmodifiableMap(out);
    }

    /**
     * Replaces the moments and step count with saved ones (as {@link #state()} gives them).
     *
     * @param state     the moments, keyed as {@link #state()} gives them; cast to each parameter's data type
     * @param stepCount the step count they were saved at, at least 0; with 0 the moments may be absent
     * @param params    the parameters they belong to, to check that every moment fits its parameter
     * @throws IllegalArgumentException naming the tensor if a moment is missing, unknown or does
     *     not fit its parameter
     */
    public void restore(Map<String, INDArray> state, long stepCount, Map<String, INDArray> params) {
        if (stepCount < 0) {
            throw new IllegalArgumentException("step count must be >= 0, got " + stepCount);
        }
        Map<String, INDArray> m = new LinkedHashMap<>();
        Map<String, INDArray> v = new LinkedHashMap<>();
        for (Map.Entry<String, INDArray> e : state.entrySet()) {
            String key = e.getKey();
            // exp_avg_sq. must be tested first: exp_avg. is a prefix of it.
            boolean sq = key.startsWith(EXP_AVG_SQ);
            if (!sq && !key.startsWith(EXP_AVG)) {
                throw new IllegalArgumentException("optimizer state " + key
                        + " is neither " + EXP_AVG + "<param> nor " + EXP_AVG_SQ + "<param>");
            }
            String name = key.substring(sq ? EXP_AVG_SQ.length() : EXP_AVG.length());
            INDArray p = params.get(name);
            if (p == null) {
                throw new IllegalArgumentException("optimizer state " + key + " names no parameter");
            }
            INDArray value = e.getValue().dataType() == p.dataType()
                    ? e.getValue() : e.getValue().castTo(p.dataType());
            checkFits("optimizer state " + (sq ? EXP_AVG_SQ : EXP_AVG), name, p, value);
            (sq ? v : m).put(name, value);
        }
        if (stepCount > 0) {
            for (String name : params.keySet()) {
                if (!m.containsKey(name) || !v.containsKey(name)) {
                    throw new IllegalArgumentException("optimizer state lacks "
                            + (m.containsKey(name) ? EXP_AVG_SQ : EXP_AVG) + name
                            + " after " + stepCount + " steps");
                }
            }
        }
        expAvg.clear();
        expAvgSq.clear();
        expAvg.putAll(m);
        expAvgSq.putAll(v);
        step = stepCount;
    }

    private static void checkFits(String what, String name, INDArray param, INDArray other) {
        if (other == null) {
            throw new IllegalArgumentException("no " + what + " for parameter " + name);
        }
        if (!java.util.Arrays.equals(param.shape(), other.shape())) {
            throw new IllegalArgumentException(what + " " + name + " has shape "
                    + java.util.Arrays.toString(other.shape()) + ", parameter has "
                    + java.util.Arrays.toString(param.shape()));
        }
        if (param.dataType() != other.dataType()) {
            throw new IllegalArgumentException(what + " " + name + " is " + other.dataType()
                    + ", parameter is " + param.dataType());
        }
    }

    /** Settings of an {@link AdamW}; every default is BERT's. */
    public static final class Builder {
        private double learningRate = 1e-4;
        private double beta1 = 0.9;
        private double beta2 = 0.999;
        private double eps = 1e-6;
        private double weightDecay = 0.01;
        private boolean biasCorrection = true;
        private Predicate<String> noDecay = BERT_NO_DECAY;

        private Builder() {
        }

        /**
         * Initial (peak) learning rate; default 1e-4.
         *
         * @param lr the rate, at least 0 and finite
         * @return this builder
         * @throws IllegalArgumentException if it is out of range
         */
        public Builder learningRate(double lr) {
            this.learningRate = requireRange("learning rate", lr, 0, Double.MAX_VALUE);
            return this;
        }

        /**
         * Moment decay rates; default (0.9, 0.999).
         *
         * @param b1 decay of the first moment, in {@code [0, 1)}
         * @param b2 decay of the second moment, in {@code [0, 1)}
         * @return this builder
         * @throws IllegalArgumentException if either is out of range
         */
        public Builder betas(double b1, double b2) {
            this.beta1 = requireRange("beta1", b1, 0, Math.nextDown(1.0));
            this.beta2 = requireRange("beta2", b2, 0, Math.nextDown(1.0));
            return this;
        }

        /**
         * Denominator epsilon; default 1e-6 (BERT's; PyTorch's default is 1e-8).
         *
         * @param eps added to {@code sqrt(v)}, at least 0 and finite
         * @return this builder
         * @throws IllegalArgumentException if it is out of range
         */
        public Builder eps(double eps) {
            this.eps = requireRange("eps", eps, 0, Double.MAX_VALUE);
            return this;
        }

        /**
         * Decoupled weight decay; default 0.01.
         *
         * @param wd the decay per unit of learning rate ({@code p -= lr * wd * p}), at least 0 and finite
         * @return this builder
         * @throws IllegalArgumentException if it is out of range
         */
        public Builder weightDecay(double wd) {
            this.weightDecay = requireRange("weight decay", wd, 0, Double.MAX_VALUE);
            return this;
        }

        /**
         * Whether the moments are bias-corrected; default true.
         *
         * @param on true for PyTorch's AdamW, false for Google's AdamWeightDecayOptimizer
         * @return this builder
         */
        public Builder biasCorrection(boolean on) {
            this.biasCorrection = on;
            return this;
        }

        /**
         * Which parameter names get no weight decay; default {@link #BERT_NO_DECAY}.
         *
         * @param noDecay true for a Hugging Face parameter name that is not to decay; not null
         * @return this builder
         */
        public Builder noDecay(Predicate<String> noDecay) {
            this.noDecay = java.util.Objects.requireNonNull(noDecay);
            return this;
        }

        /**
         * A fresh optimizer with these settings.
         *
         * @return an optimizer with no moments, at step 0
         */
        public AdamW build() {
            return new AdamW(this);
        }

        private static double requireRange(String what, double x, double lo, double hi) {
            if (!(x >= lo && x <= hi)) {
                throw new IllegalArgumentException(what + " must be in [" + lo + ", " + hi + "], got " + x);
            }
            return x;
        }
    }
}
