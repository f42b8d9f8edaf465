package org.bertj.bench;

import java.util.concurrent.TimeUnit;
import org.bertj.model.BertConfig;
import org.bertj.model.BertForPreTraining;
import org.bertj.model.BertInputs;
import org.bertj.model.BertLMPredictionHead;
import org.bertj.model.BertLayer;
import org.bertj.model.OutputOptions;
import org.bertj.model.ParameterInit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * The bert-base forward pass, whole and in parts, eval mode. Method names and parameters match
 * {@link MatmulYardstick}'s, which times only the matrix products of the same work, so the report
 * can divide one by the other. The whole model runs on the real bert-base-uncased weights from
 * the cache; the parts alone on random weights of the same shapes (speed does not depend on the
 * values). Inputs are random token ids with {@code [CLS]} first and {@code [SEP]} last, no padding.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "-Dorg.bytedeco.javacpp.maxbytes=12G",
        "-Dorg.bytedeco.javacpp.maxphysicalbytes=0"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class ForwardBenchmark {

    /** The whole model at the three benchmarked token shapes. */
    @State(Scope.Benchmark)
    public static class Model {
        /** Tokens per forward call, {@code BxS}. */
        @Param({"1x128", "8x128", "1x512"})
        public String shape;
        BertForPreTraining model;
        BertInputs inputs;
        int[] maskPositions;

        /** Loads bert-base and makes one random batch, once per fork. */
        @Setup
        public void setup() {
            model = BertBase.realModel();
            TokenShape t = TokenShape.parse(shape);
            inputs = BertBase.randomInputs(t, 7);
            maskPositions = BertBase.maskPositions(t);
        }
    }

    /** One layer and the MLM head alone, at {@link MatmulYardstick#PART_SHAPE}. */
    @State(Scope.Benchmark)
    public static class Part {
        BertLayer layer;
        BertLMPredictionHead mlmHead;
        INDArray hidden;
        INDArray hiddenRows;

        /**
         * A one-layer bert-base-shaped model with random weights (its layer and MLM head are the
         * public modules the whole model runs) and a random hidden state, once per fork.
         */
        @Setup
        public void setup() {
            BertConfig config = BertConfig.builder().numHiddenLayers(1).build();
            BertForPreTraining model = new BertForPreTraining(config, DataType.FLOAT);
            ParameterInit.initializeAll(model.parameters(), config, 11);
            layer = model.bert().encoder().layer(0);
            mlmHead = model.cls().predictions();
            TokenShape t = MatmulYardstick.PART_SHAPE;
            hidden = Nd4j.randn(DataType.FLOAT, t.batch(), t.seq(), config.hiddenSize());
            hiddenRows = hidden.reshape(t.tokens(), config.hiddenSize());
        }
    }

    /**
     * Like a serving loop, each call runs in the caller's ND4J workspace, so its outputs reuse that
     * memory instead of fresh pages (on this VM a fresh 16 MB logits array costs ~40 ms of page
     * faults and zeroing; the garbage would only be freed by a later GC). The yardstick's outputs
     * are preallocated likewise.
     */
    static final WorkspaceConfiguration CALLER = WorkspaceConfiguration.builder().initialSize(0)
            .policyAllocation(AllocationPolicy.STRICT).policyLearning(LearningPolicy.FIRST_LOOP)
            .policySpill(SpillPolicy.REALLOCATE).build();

    /**
     * {@code BertModel.forward}: embeddings, 12 layers, pooler.
     *
     * @param m  the loaded model and a random batch at the {@code shape} JMH is measuring
     * @param bh takes the output, so that the work is not dead code
     */
    @Benchmark
    public void forward(Model m, Blackhole bh) {
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(CALLER, "bench-caller")) {
            bh.consume(m.model.bert().forward(m.inputs, OutputOptions.NONE));
        }
    }

    /**
     * {@code BertForPreTraining.forward}: as {@link #forward}, plus MLM logits at every position and NSP.
     *
     * @param m  the loaded model and a random batch at the {@code shape} JMH is measuring
     * @param bh takes the output, so that the work is not dead code
     */
    @Benchmark
    public void forwardWithMlmHead(Model m, Blackhole bh) {
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(CALLER, "bench-caller")) {
            bh.consume(m.model.forward(m.inputs, OutputOptions.NONE));
        }
    }

    /**
     * As {@link #forwardWithMlmHead}, through the hook machinery with nothing attached: a cache
     * whose filter accepts no hook point ({@code runWithCache(inputs, n -> false)}). Against
     * {@link #forwardWithMlmHead} in the same run it shows what the hook points cost when unused.
     *
     * @param m  the loaded model and a random batch at the {@code shape} JMH is measuring
     * @param bh takes the output, so that the work is not dead code
     */
    @Benchmark
    public void forwardWithMlmHeadHooksNoneAttached(Model m, Blackhole bh) {
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(CALLER, "bench-caller")) {
            bh.consume(m.model.runWithCache(m.inputs, n -> false).output());
        }
    }

    /**
     * As {@link #forwardWithMlmHead}, but MLM logits only at 15% of the positions (BERT's masking
     * rate), through {@code BertForPreTraining.predictionLogitsAt}.
     *
     * @param m  the loaded model and a random batch at the {@code shape} JMH is measuring
     * @param bh takes the output, so that the work is not dead code
     */
    @Benchmark
    public void forwardMlmAtMasks(Model m, Blackhole bh) {
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(CALLER, "bench-caller")) {
            bh.consume(m.model.predictionLogitsAt(m.inputs, m.maskPositions));
        }
    }

    /**
     * One encoder layer on a {@code [128, 768]} hidden state.
     *
     * @param p  the one-layer model's layer, MLM head and random hidden state
     * @param bh takes the output, so that the work is not dead code
     */
    @Benchmark
    public void encoderLayer(Part p, Blackhole bh) {
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(CALLER, "bench-caller")) {
            bh.consume(p.layer.forward(p.hidden, null));
        }
    }

    /**
     * The MLM head alone (transform and decoder) at all 128 positions.
     *
     * @param p  the one-layer model's layer, MLM head and random hidden state
     * @param bh takes the output, so that the work is not dead code
     */
    @Benchmark
    public void mlmHead(Part p, Blackhole bh) {
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(CALLER, "bench-caller")) {
            bh.consume(p.mlmHead.logits(p.hiddenRows));
        }
    }
}
