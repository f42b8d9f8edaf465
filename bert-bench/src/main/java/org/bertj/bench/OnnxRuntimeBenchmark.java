package org.bertj.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The peer: ONNX Runtime Java (CPU, MLAS) running torch's export of the same {@code BertModel} on
 * the same weights ({@link OnnxModel}) and the same random inputs as {@link ForwardBenchmark#forward},
 * optimisation level ALL, as many intra-op threads as ND4J uses ({@code OMP_NUM_THREADS}, else
 * every core). Setup first checks ORT's {@code last_hidden_state} against Hugging Face's
 * ({@code check_1x128.safetensors}) and refuses to time a graph that disagrees.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class OnnxRuntimeBenchmark {

    /** Largest |ORT - HF| accepted on {@code last_hidden_state} (bert-base, float32). */
    static final double TOLERANCE = 1e-4;

    /** ORT's session on the BertModel graph, inputs of one token shape. */
    @State(Scope.Benchmark)
    public static class Model {
        /** Tokens per forward call, {@code BxS}. */
        @Param({"1x128", "8x128", "1x512"})
        public String shape;
        OrtEnvironment env;
        OrtSession session;
        Map<String, OnnxTensor> inputs;

        /**
         * Builds the weights file if needed, opens the session, checks it, makes the inputs.
         *
         * @throws IOException  if the ONNX graph or the reference outputs cannot be read
         * @throws OrtException if ONNX Runtime cannot open the session or run the check
         */
        @Setup
        public void setup() throws IOException, OrtException {
            env = OrtEnvironment.getEnvironment();
            session = open(env, threads());
            double diff = checkAgainstHuggingFace(env, session);
            if (!(diff <= TOLERANCE)) {
                throw new IllegalStateException("ONNX Runtime's last_hidden_state differs from Hugging Face's by " + diff);
            }
            System.out.printf(java.util.Locale.ROOT, "ONNX Runtime %s, %d intra-op threads: max |last_hidden_state - HF| = %.3g%n",
                    env.getVersion(), threads(), diff);
            TokenShape t = TokenShape.parse(shape);
            inputs = inputs(env, BertBase.randomIds(t, 7), t);
        }

        /**
         * Frees the native tensors and the session.
         *
         * @throws OrtException if ONNX Runtime fails to close the session
         */
        @TearDown
        public void tearDown() throws OrtException {
            inputs.values().forEach(OnnxTensor::close);
            session.close();
        }
    }

    /**
     * ORT's run of the whole BertModel graph: embeddings, 12 layers, pooler.
     *
     * @param m the open session and its inputs at the {@code shape} JMH is measuring
     * @return the first element of the first output, so that the run is not dead code
     * @throws OrtException if the run fails
     */
    @Benchmark
    public float forward(Model m) throws OrtException {
        try (OrtSession.Result r = m.session.run(m.inputs)) {
            return ((OnnxTensor) r.get(0)).getFloatBuffer().get(0);
        }
    }

    /** {@code OMP_NUM_THREADS} if set (the one-thread rows), else every core, as ND4J does. */
    static int threads() {
        String omp = System.getenv("OMP_NUM_THREADS");
        return omp != null && !omp.isBlank() ? Integer.parseInt(omp.trim()) : Runtime.getRuntime().availableProcessors();
    }

    static OrtSession open(OrtEnvironment env, int threads) throws IOException, OrtException {
        Path graph = OnnxModel.ensure("bert-base-uncased.BertModel");
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        options.setIntraOpNumThreads(threads);
        options.setInterOpNumThreads(1);
        return env.createSession(graph.toString(), options);
    }

    static Map<String, OnnxTensor> inputs(OrtEnvironment env, int[][] ids, TokenShape t) throws OrtException {
        long[] shape = {t.batch(), t.seq()};
        long[] flat = new long[t.tokens()];
        long[] ones = new long[t.tokens()];
        for (int b = 0; b < t.batch(); b++) {
            for (int s = 0; s < t.seq(); s++) {
                flat[b * t.seq() + s] = ids[b][s];
            }
        }
        java.util.Arrays.fill(ones, 1);
        return Map.of("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(flat), shape),
                "token_type_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(new long[t.tokens()]), shape),
                "attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(ones), shape));
    }

    /** Max |ORT - HF| of {@code last_hidden_state} on the input in {@code check_1x128.safetensors}. */
    static double checkAgainstHuggingFace(OrtEnvironment env, OrtSession session) throws IOException, OrtException {
        ByteBuffer file = ByteBuffer.wrap(Files.readAllBytes(OnnxModel.sharedDir().resolve("check_1x128.safetensors")))
                .order(ByteOrder.LITTLE_ENDIAN);
        int headerLen = Math.toIntExact(file.getLong(0));
        JsonObject header = JsonParser.parseString(new String(file.array(), 8, headerLen, StandardCharsets.UTF_8)).getAsJsonObject();
        Map<String, OnnxTensor> in = new java.util.HashMap<>();
        long[] shape = {1, 128};
        for (String name : new String[] {"input_ids", "token_type_ids", "attention_mask"}) {
            LongBuffer values = slice(file, header, name, headerLen).asLongBuffer();
            in.put(name, OnnxTensor.createTensor(env, values, shape));
        }
        FloatBuffer expected = slice(file, header, "last_hidden_state", headerLen).asFloatBuffer();
        try (OrtSession.Result r = session.run(in)) {
            FloatBuffer got = ((OnnxTensor) r.get("last_hidden_state").orElseThrow()).getFloatBuffer();
            if (got.remaining() != expected.remaining()) {
                throw new IllegalStateException("last_hidden_state has " + got.remaining() + " values, expected " + expected.remaining());
            }
            double max = 0;
            for (int i = 0; i < expected.remaining(); i++) {
                max = Math.max(max, Math.abs(got.get(i) - expected.get(i)));
            }
            return max;
        } finally {
            in.values().forEach(OnnxTensor::close);
        }
    }

    private static ByteBuffer slice(ByteBuffer file, JsonObject header, String name, int headerLen) {
        var off = header.getAsJsonObject(name).getAsJsonArray("data_offsets");
        int begin = 8 + headerLen + off.get(0).getAsInt();
        int end = 8 + headerLen + off.get(1).getAsInt();
        return file.duplicate().position(begin).limit(end).slice().order(ByteOrder.LITTLE_ENDIAN);
    }
}
