package org.bertj.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.bertj.model.BertForPreTraining;
import org.bertj.model.BertInputs;
import org.bertj.model.OutputOptions;
import org.bertj.model.Pass;
import org.bertj.model.hooks.Hooks;
import org.bertj.weights.SafetensorsFile;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * One model, 8 threads at once: plain forwards (fused CPU kernels), hooked forwards with a cache,
 * and gradient passes; every result bit-equal to the same call made alone.
 */
class ConcurrencyTest {

    @Test
    void eightThreadsHookedAndPlainAreBitEqualToLoneRuns() throws Exception {
        BertForPreTraining model = InternalsGolden.model("padded_h64_l3_b3", DataType.FLOAT);
        BertInputs in;
        try (SafetensorsFile f = SafetensorsFile.open(InternalsGolden.dir("padded_h64_l3_b3")
                .resolve("activations.safetensors"))) {
            in = InternalsGolden.inputs(f, "");
        }
        String ctx = "bert.encoder.layer.1.attention.self.context";
        Supplier<INDArray> plain = () -> model.forward(in, OutputOptions.NONE).predictionLogits();
        Supplier<INDArray> hooked = () -> {
            Hooks h = Hooks.at(ctx, (x, c) -> {
                x.get(NDArrayIndex.all(), NDArrayIndex.point(3)).assign(0);
                return x;
            });
            var run = model.runWithCache(in, n -> n.endsWith(".probs"), h);
            return Nd4j.concat(0, run.output().predictionLogits().reshape(-1),
                    run.cache().get("bert.encoder.layer.2.attention.self.probs").reshape(-1));
        };
        Supplier<INDArray> gradient = () -> {
            Pass p = Pass.deterministicTraining().withGradientsAt(Set.of("inputs_embeds"));
            INDArray logits = model.forward(in, OutputOptions.NONE, p).predictionLogits();
            INDArray d = Nd4j.zerosLike(logits);
            d.putScalar(new long[] {0, 2, 17}, 1.0);
            model.backward(p, d, null, null);
            return p.gradient("inputs_embeds");
        };
        List<Supplier<INDArray>> kinds = List.of(plain, hooked, gradient);
        List<INDArray> alone = new ArrayList<>();
        for (Supplier<INDArray> k : kinds) {
            alone.add(k.get());
        }
        assertBitEqual(alone.get(2), gradient.get(), "gradient, run twice alone");
        int threads = 8;
        int rounds = 15;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Integer>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int kind = t % kinds.size();
                done.add(pool.submit(() -> {
                    start.await();
                    for (int r = 0; r < rounds; r++) {
                        INDArray got = kinds.get(kind).get();
                        assertBitEqual(alone.get(kind), got, "kind " + kind + " round " + r);
                    }
                    return rounds;
                }));
            }
            start.countDown();
            int total = 0;
            for (Future<Integer> f : done) {
                total += f.get();
            }
            assertEquals(threads * rounds, total);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Same type, shape and every bit (INDArray.equals allows 1e-5). */
    static void assertBitEqual(INDArray want, INDArray got, String what) {
        assertEquals(want.dataType(), got.dataType(), what);
        assertEquals(java.util.Arrays.toString(want.shape()), java.util.Arrays.toString(got.shape()), what);
        double[] w = want.dup('c').reshape(-1).toDoubleVector();
        double[] g = got.dup('c').reshape(-1).toDoubleVector();
        for (int i = 0; i < w.length; i++) {
            if (Double.doubleToRawLongBits(w[i]) != Double.doubleToRawLongBits(g[i])) {
                throw new AssertionError(what + ": element " + i + " is " + g[i] + ", alone " + w[i]);
            }
        }
    }
}
