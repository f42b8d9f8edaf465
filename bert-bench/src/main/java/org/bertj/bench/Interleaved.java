package org.bertj.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import org.bertj.model.BertForPreTraining;
import org.bertj.model.BertInputs;
import org.bertj.model.MatmulPrecision;
import org.bertj.model.OutputOptions;
import org.bertj.model.Pass;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The headline comparison for a shared machine: bertj's {@code BertModel.forward}, ONNX Runtime
 * on the same graph, weights and inputs ({@link OnnxRuntimeBenchmark}), the matmul yardstick, and
 * bertj's forward again with {@code MatmulPrecision.BF16} (row {@code ForwardBenchmark.forwardBf16};
 * its accuracy is {@link Bf16Accuracy}'s), <b>interleaved</b>: each round times one call of each,
 * in an order that rotates every round, so load that comes and goes hits all four alike (JMH
 * runs one benchmark after the other, minutes apart). Then the FMA peak ({@link FmaPeak}) on as many threads, best of its calls. Writes the
 * medians as JMH-style JSON (benchmark names of the JMH classes), which {@link BenchReport} reads.
 *
 * <p>With {@code -Dbench.cpu=true} (for one thread: {@code OMP_NUM_THREADS=1}, where ND4J,
 * oneDNN and ONNX Runtime all compute on the calling thread) it counts the calling thread's CPU
 * time instead of the wall clock, and the peak per CPU-second of its threads: what each engine
 * does with the time it gets, which other processes on the machine inflate far less.
 * {@code java --add-modules jdk.incubator.vector ... Interleaved OUT.json ROUNDS SHAPE...}
 */
public final class Interleaved {

    private static final java.lang.management.ThreadMXBean MX = java.lang.management.ManagementFactory.getThreadMXBean();
    private static final boolean CPU = Boolean.getBoolean("bench.cpu");
    /** Idle time before each timed call, in ms. */
    static final long GAP_MS = 50;
    /** Warm-up time per engine and shape, in ns. */
    static final long WARMUP_NANOS = 4_000_000_000L;

    private Interleaved() {
    }

    private static long now() {
        return CPU ? MX.getCurrentThreadCpuTime() : System.nanoTime();
    }

    /**
     * Runs the interleaved rounds and writes the medians.
     *
     * @param args output file, rounds, token shapes ({@code BxS})
     * @throws Exception if a model cannot be loaded, ONNX Runtime fails or the file cannot be written
     */
    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        int rounds = Integer.parseInt(args[1]);
        int threads = OnnxRuntimeBenchmark.threads();
        BertForPreTraining model = BertBase.realModel();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        JsonArray results = new JsonArray();
        try (OrtSession session = OnnxRuntimeBenchmark.open(env, threads)) {
            double diff = OnnxRuntimeBenchmark.checkAgainstHuggingFace(env, session);
            if (!(diff <= OnnxRuntimeBenchmark.TOLERANCE)) {
                throw new IllegalStateException("ONNX Runtime's last_hidden_state differs from Hugging Face's by " + diff);
            }
            for (String s : Arrays.copyOfRange(args, 2, args.length)) {
                TokenShape t = TokenShape.parse(s);
                BertInputs inputs = BertBase.randomInputs(t, 7);
                Map<String, OnnxTensor> ortInputs = OnnxRuntimeBenchmark.inputs(env, BertBase.randomIds(t, 7), t);
                BertBaseProducts products = new BertBaseProducts(t, false);
                Runnable[] all = {
                    () -> {
                        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(ForwardBenchmark.CALLER, "bench-caller")) {
                            model.bert().forward(inputs, OutputOptions.NONE);
                        }
                    },
                    () -> {
                        try (OrtSession.Result r = session.run(ortInputs)) {
                            r.get(0);
                        } catch (ai.onnxruntime.OrtException e) {
                            throw new IllegalStateException(e);
                        }
                    },
                    products::encoderAndPooler,
                    () -> {
                        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(ForwardBenchmark.CALLER, "bench-caller")) {
                            model.bert().forward(inputs, OutputOptions.NONE, Pass.inference().withMatmulPrecision(MatmulPrecision.BF16));
                        }
                    },
                };
                String[] names = {"ForwardBenchmark.forward", "OnnxRuntimeBenchmark.forward", "MatmulYardstick.forward",
                    "ForwardBenchmark." + BenchReport.BF16};
                // bf16 only where it runs (ND4J's oneDNN build); the report leaves its column blank elsewhere.
                int n = MatmulPrecision.BF16.isAvailable() ? all.length : all.length - 1;
                Runnable[] tasks = Arrays.copyOf(all, n);
                double[][] ms = new double[n][rounds];
                // Warm-up: at least 3 calls of each and WARMUP_NANOS on each, as JMH's warm-up
                // iterations give: with only 3 calls at 1x128 bertj's first timed rounds still ran
                // 1.5-2x the later ones (its Java kernels' callers not yet compiled by C2).
                long[] warmed = new long[n];
                for (int w = 0; w < 3 || Arrays.stream(warmed).anyMatch(spent -> spent < WARMUP_NANOS); w++) {
                    for (int k = 0; k < n; k++) {
                        long t0 = System.nanoTime();
                        tasks[k].run();
                        warmed[k] += System.nanoTime() - t0;
                    }
                }
                for (int r = 0; r < rounds; r++) {
                    for (int k = 0; k < n; k++) {
                        int i = (r + k) % n;
                        // A quiet gap first: ONNX Runtime's pool spins for a while after a run and
                        // bertj's helper for 0.5 ms; neither may take a core from the next engine.
                        Thread.sleep(GAP_MS);
                        long t0 = now();
                        tasks[i].run();
                        ms[i][r] = (now() - t0) / 1e6;
                    }
                }
                ortInputs.values().forEach(OnnxTensor::close);
                for (int i = 0; i < n; i++) {
                    double[] sorted = ms[i].clone();
                    Arrays.sort(sorted);
                    System.out.printf(Locale.ROOT, "%s %s: median %.1f ms (min %.1f, max %.1f, %d rounds)%n",
                            names[i], s, median(sorted), sorted[0], sorted[sorted.length - 1], rounds);
                    results.add(row(names[i], s, median(sorted), "ms/op", ms[i]));
                }
            }
        }
        double[] peak = peak(threads);
        results.add(row("FmaPeak.fma", null, Arrays.stream(peak).max().orElse(0), "ops/ms", peak));
        Files.writeString(out, new GsonBuilder().setPrettyPrinting().create().toJson(results));
    }

    /**
     * Ten rounds of {@code threads} threads each running {@link FmaPeak#fma} for ~0.5 s: ops/ms per
     * round, summed over the threads (per ms of each thread's CPU time with {@code bench.cpu}).
     */
    static double[] peak(int threads) throws InterruptedException {
        FmaPeak fma = new FmaPeak();
        for (int i = 0; i < 3000; i++) {
            fma.fma(); // compiled before timing
        }
        double[] rate = new double[10];
        for (int r = 0; r < rate.length; r++) {
            long[] calls = new long[threads];
            long[] cpu = new long[threads];
            long t0 = System.nanoTime();
            Thread[] ts = new Thread[threads];
            for (int i = 0; i < threads; i++) {
                int j = i;
                ts[i] = new Thread(() -> {
                    long c0 = MX.getCurrentThreadCpuTime();
                    while (System.nanoTime() - t0 < 500_000_000L) {
                        fma.fma();
                        calls[j]++;
                    }
                    cpu[j] = MX.getCurrentThreadCpuTime() - c0;
                });
                ts[i].start();
            }
            for (Thread th : ts) {
                th.join();
            }
            double wallMs = (System.nanoTime() - t0) / 1e6;
            rate[r] = 0;
            for (int i = 0; i < threads; i++) {
                rate[r] += calls[i] / (CPU ? cpu[i] / 1e6 : wallMs);
            }
        }
        return rate;
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static JsonObject row(String benchmark, String shape, double score, String unit, double[] raw) {
        JsonObject o = new JsonObject();
        o.addProperty("benchmark", "org.bertj.bench." + benchmark);
        o.addProperty("mode", unit.equals("ms/op") ? "avgt" : "thrpt");
        JsonObject params = new JsonObject();
        if (shape != null) {
            params.addProperty("shape", shape);
        }
        o.add("params", params);
        JsonObject metric = new JsonObject();
        metric.addProperty("score", score);
        metric.addProperty("scoreError", "NaN");
        metric.addProperty("scoreUnit", unit);
        JsonArray fork = new JsonArray();
        Arrays.stream(raw).forEach(fork::add);
        JsonArray rawData = new JsonArray();
        rawData.add(fork);
        metric.add("rawData", rawData);
        o.add("primaryMetric", metric);
        o.add("secondaryMetrics", new JsonObject());
        return o;
    }
}
