package org.bertj.bench;

import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The yardstick: only the matrix products of a bert-base forward pass ({@link BertBaseProducts}),
 * in the same JMH run as the real thing. Each method here has the same name and parameters as the
 * forward-pass benchmark method it bounds from below; {@link BenchReport} divides the two. The
 * gap is what everything that is not a matrix product costs: softmax, LayerNorm, GELU, bias and
 * residual adds, reshapes, copies, allocation and ND4J's per-op overhead.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "-Dorg.bytedeco.javacpp.maxbytes=12G",
        "-Dorg.bytedeco.javacpp.maxphysicalbytes=0"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class MatmulYardstick {

    /** Tokens for the part benchmarks (one layer, MLM head alone). */
    static final TokenShape PART_SHAPE = new TokenShape(1, 128);

    /** Whole-model products at the three benchmarked token shapes. */
    @State(Scope.Benchmark)
    public static class Model {
        /** Tokens per forward call, {@code BxS}. */
        @Param({"1x128", "8x128", "1x512"})
        public String shape;
        BertBaseProducts products;

        /** Allocates weights and buffers once per fork. */
        @Setup
        public void setup() {
            products = new BertBaseProducts(TokenShape.parse(shape), true);
        }
    }

    /** One layer and the MLM head alone, at 1x128 tokens. */
    @State(Scope.Benchmark)
    public static class Part {
        BertBaseProducts products;

        /** Allocates weights and buffers once per fork. */
        @Setup
        public void setup() {
            products = new BertBaseProducts(PART_SHAPE, true);
        }
    }

    /**
     * Embeddings aside, the products of {@code BertModel.forward}: 12 layers, pooler (and NSP).
     *
     * @param m preallocated weights and buffers at the {@code shape} JMH is measuring
     * @return the NSP logits {@code [B, 2]}, a preallocated buffer, for JMH to consume
     */
    @Benchmark
    public INDArray forward(Model m) {
        return m.products.encoderAndPooler();
    }

    /**
     * As {@link #forward}, plus the MLM head's products at every position.
     *
     * @param m preallocated weights and buffers at the {@code shape} JMH is measuring
     * @return the MLM logits {@code [B*S, vocab]}, a preallocated buffer, for JMH to consume
     */
    @Benchmark
    public INDArray forwardWithMlmHead(Model m) {
        m.products.encoderAndPooler();
        return m.products.mlmHead();
    }

    /**
     * The products of one encoder layer.
     *
     * @param p preallocated weights and buffers at {@link #PART_SHAPE}
     * @return the layer's output {@code [128, 768]}, for JMH to consume
     */
    @Benchmark
    public INDArray encoderLayer(Part p) {
        return p.products.layer(0);
    }

    /**
     * The products of the MLM head at every position.
     *
     * @param p preallocated weights and buffers at {@link #PART_SHAPE}
     * @return the MLM logits {@code [128, vocab]}, for JMH to consume
     */
    @Benchmark
    public INDArray mlmHead(Part p) {
        return p.products.mlmHead();
    }
}
