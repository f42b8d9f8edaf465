package org.bertj.bench;

import java.util.concurrent.TimeUnit;
import org.bertj.model.BertConfig;
import org.bertj.model.BertForPreTraining;
import org.bertj.model.BertInputs;
import org.bertj.model.Gradients;
import org.bertj.model.ParameterInit;
import org.bertj.model.TrainingStepResult;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One pre-training step of a small BERT (4 layers, hidden 256, 4 heads, intermediate 1024,
 * bert-base's 30522-token vocab) on 8 sequences of 128 tokens: forward in training mode (dropout
 * on), MLM + NSP loss with 15% of positions labelled, backward into zeroed gradients.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "-Dorg.bytedeco.javacpp.maxbytes=12G",
        "-Dorg.bytedeco.javacpp.maxphysicalbytes=0"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class TrainingStepBenchmark {

    static final TokenShape SHAPE = new TokenShape(8, 128);

    private BertForPreTraining model;
    private Gradients grads;
    private BertInputs inputs;
    private INDArray labels;
    private INDArray nextSentence;
    private long seed;

    /** The small config: 4 layers, hidden 256, 4 heads, intermediate 1024. */
    static BertConfig config() {
        return BertConfig.builder().numHiddenLayers(4).hiddenSize(256).numAttentionHeads(4).intermediateSize(1024).build();
    }

    /** Model, gradients and one labelled batch, once per fork. */
    @Setup
    public void setup() {
        BertConfig c = config();
        model = new BertForPreTraining(c, DataType.FLOAT);
        ParameterInit.initializeAll(model.parameters(), c, 3);
        grads = new Gradients(model.parameters());
        int[][] ids = BertBase.randomIds(SHAPE, 5);
        long[][] lab = new long[SHAPE.batch()][SHAPE.seq()];
        for (long[] row : lab) {
            java.util.Arrays.fill(row, -100);
        }
        for (int p : BertBase.maskPositions(SHAPE)) {
            int b = p / SHAPE.seq();
            int s = p % SHAPE.seq();
            lab[b][s] = ids[b][s];
            ids[b][s] = BertBase.MASK;
        }
        inputs = BertInputs.of(Nd4j.createFromArray(ids));
        labels = Nd4j.createFromArray(lab);
        nextSentence = Nd4j.createFromArray(new long[] {0, 1, 0, 1, 1, 0, 0, 1});
    }

    /**
     * Zero the gradients, then forward, loss and backward.
     *
     * @return the step's losses and accuracy counts, for JMH to consume (the gradients stay in the
     *         benchmark's buffer)
     */
    @Benchmark
    public TrainingStepResult trainingStep() {
        grads.zero();
        return model.trainingStep(inputs, labels, nextSentence, grads, seed++);
    }
}
