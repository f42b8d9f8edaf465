package org.bertj.model;

/**
 * The arithmetic of the linear layers' matrix products in an inference pass
 * ({@link Pass#withMatmulPrecision}).
 *
 * <p>Only the products {@code x·Wᵀ} of the linear layers change: query/key/value, the attention
 * output, the intermediate and output dense layers, the pooler, the MLM head's transform and its
 * decoder (the {@code [H, V]} product, the largest of all), and the NSP head. The attention's own
 * products ({@code q·kᵀ}, {@code probs·v}), softmax, LayerNorm, GELU, biases and residual sums stay
 * float32.
 */
public enum MatmulPrecision {

    /** Every product in float32, the default: results match Hugging Face's float32 to its rounding. */
    FLOAT32,

    /**
     * Inputs and weights rounded to bfloat16 (8 significant bits), the products accumulated in
     * float32 by oneDNN and rounded to bfloat16 once, then widened to float32 before the bias is
     * added. oneDNN's bf16 kernel took 2.4 ms for a {@code [128, 768] x [768, 3072]} product
     * where float32 took 4 ms (one thread, AVX-512 with AVX512_BF16); the README's speed table
     * has the whole forward. Measured accuracy against float32
     * ({@code Bf16Accuracy} in bert-bench; {@code Bf16AccuracyTest} asserts about twice these):
     * on bert-base and the seed notebooks' texts the logits move by at most 0.23 and the MLM loss
     * by at most 0.0025 (the bf16 figures move a little between runs), with every position's top-1
     * unchanged; on the golden tiny models by at most
     * 0.043 with MLM loss within 0.0024, where 2 of 91 positions change their top-1, both near
     * ties (top two within 0.4).
     *
     * <p>Opt-in and restricted to where it is what it claims to be: inference passes (a caching
     * pass would train a different function from the one the gradients are of), FLOAT models, and
     * ND4J's oneDNN CPU build (the build bertj loads on AVX-512 CPUs). ND4J's portable build and
     * other backends accumulate bfloat16 products in bfloat16, which is far less accurate, so the
     * pass is refused there rather than run. The model keeps one bfloat16 copy of each weight it
     * multiplies by, made on first use (half the size of the float32 weights: 220 MB more for
     * bert-base) and dropped by {@link Parameters#weightsChanged()}.
     */
    BF16;

    /**
     * Whether a pass in this precision can run in this process: always for FLOAT32; for BF16 on
     * ND4J's oneDNN CPU build with its platform helpers on (else a BF16 forward call throws
     * {@code UnsupportedOperationException} saying why). Checked once per process.
     *
     * @return true if {@link Pass#withMatmulPrecision} with this precision gives a pass that runs
     *         on a FLOAT model
     */
    public boolean isAvailable() {
        return this == FLOAT32 || Bf16Products.available();
    }
}
