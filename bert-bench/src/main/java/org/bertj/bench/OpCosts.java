package org.bertj.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.LayerNorm;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Erf;
import org.nd4j.linalg.api.ops.impl.transforms.strict.GELU;
import org.nd4j.linalg.api.ops.impl.transforms.strict.PreciseGELU;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * What single ND4J operations cost at bert-base sizes: the facts bench/NOTES.md is written from.
 * Each line is the best of several timed rounds (the minimum is what the op costs; sharing the
 * cores with other processes only ever adds). Run it with the same classpath as the benchmarks:
 * {@code java -cp ... org.bertj.bench.OpCosts [tokens]}.
 */
public final class OpCosts {

    private OpCosts() {
    }

    private record Line(String what, double micros, String note) {
    }

    private static final List<Line> LINES = new ArrayList<>();

    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

    /**
     * Best-of-rounds microseconds per call of {@code op}: wall-clock time, or with
     * {@code -Dcpu=true} this thread's CPU time, which other processes on the same cores do not
     * inflate (exact only with OMP_NUM_THREADS=1, where ND4J and OpenBLAS compute on the caller).
     */
    static double time(String what, Runnable op, String note) {
        boolean cpu = Boolean.getBoolean("cpu");
        for (int i = 0; i < 5; i++) {
            op.run();
        }
        long probe = System.nanoTime();
        op.run();
        long once = Math.max(1, System.nanoTime() - probe);
        int reps = (int) Math.max(3, Math.min(2000, 30_000_000L / once));
        double best = Double.MAX_VALUE;
        for (int round = 0; round < 7; round++) {
            long t0 = cpu ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
            for (int i = 0; i < reps; i++) {
                op.run();
            }
            long t1 = cpu ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
            best = Math.min(best, (t1 - t0) / 1e3 / reps);
        }
        LINES.add(new Line(what, best, note));
        System.out.printf(Locale.ROOT, "%-58s %10.1f us  %s%n", what, best, note);
        return best;
    }

    /** @param args optional token count N (default 128) */
    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 128;
        int h = 768;
        int inter = 3072;
        System.out.println(Nd4j.getExecutioner().getEnvironmentInformation());
        INDArray x = Nd4j.randn(DataType.FLOAT, n, h);
        INDArray w = Nd4j.randn(DataType.FLOAT, 3 * h, h).muli(0.03);
        INDArray wT = w.transpose().dup('c');
        INDArray qkv = Nd4j.create(DataType.FLOAT, n, 3 * h);
        double f = 2.0 * n * h * 3 * h;
        double t = time("gemm x[N,768]·Wᵀ, W [2304,768], transB flag", () -> Nd4j.gemm(x, w, qkv, false, true, 1.0, 0.0), "");
        System.out.printf(Locale.ROOT, "   = %.1f GFLOP/s%n", f / t / 1e3);
        time("gemm x·W, W stored [768,2304]", () -> Nd4j.gemm(x, wT, qkv, false, false, 1.0, 0.0), "");
        time("x.mmuli(W.transpose(), out)", () -> x.mmuli(w.transpose(), qkv), "");
        time("x.mmul(W.transpose()) (allocates)", () -> x.mmul(w.transpose()), "");
        time("Nd4j.gemm(x, W, false, true) (allocates)", () -> Nd4j.gemm(x, w, false, true), "");

        INDArray bias = Nd4j.randn(DataType.FLOAT, 3 * h);
        time("qkv.addiRowVector(bias) [N,2304]", () -> qkv.addiRowVector(bias), "");
        INDArray ones = Nd4j.ones(DataType.FLOAT, n, 1);
        time("bias via gemm: ones[N,1]·bias[1,2304], beta=1", () -> Nd4j.gemm(ones, bias.reshape(1, 3 * h), qkv, false, false, 1.0, 1.0), "");

        // Attention at B=1 (or B=N/128 with S=128).
        int s = Math.min(n, 128);
        int b = n / s;
        int heads = 12;
        int d = 64;
        INDArray fused = qkv.reshape('c', b, s, 3, heads, d);
        INDArray q = fused.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.all(), NDArrayIndex.all()).permute(0, 2, 1, 3);
        INDArray k = fused.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(1), NDArrayIndex.all(), NDArrayIndex.all()).permute(0, 2, 1, 3);
        INDArray v = fused.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(2), NDArrayIndex.all(), NDArrayIndex.all()).permute(0, 2, 1, 3);
        INDArray scores = Nd4j.create(DataType.FLOAT, b, heads, s, s);
        INDArray ctx = Nd4j.create(DataType.FLOAT, b, heads, s, d);
        time("matmul(q,k,transB) on [B,h,S,D] permuted views of qkv", () -> Nd4j.matmul(q, k, scores, false, true, false), "");
        INDArray q3 = q.dup('c');
        INDArray kT3 = k.permute(0, 1, 3, 2).dup('c');
        INDArray k3 = k.dup('c');
        time("matmul(q,kT) contiguous [B,h,S,D]x[B,h,D,S]", () -> Nd4j.matmul(q3, kT3, scores), "");
        time("matmul(q,k,transB) contiguous", () -> Nd4j.matmul(q3, k3, scores, false, true, false), "");
        time("matmul(probs, v) v = permuted view", () -> Nd4j.matmul(scores, v, ctx), "");
        INDArray v3 = v.dup('c');
        time("matmul(probs, v) v contiguous", () -> Nd4j.matmul(scores, v3, ctx), "");
        INDArray rows = Nd4j.create(DataType.FLOAT, n, h);
        INDArray rows4 = rows.reshape('c', b, s, heads, d).permute(0, 2, 1, 3);
        time("ctx [B,h,S,D] -> [N,768] via permuted assign", () -> rows4.assign(ctx), "");
        time("ctx.permute(0,2,1,3).dup('c')", () -> ctx.permute(0, 2, 1, 3).dup('c'), "");
        time("q.dup('c') from qkv view", () -> q.dup('c'), "");
        time("scores.divi(8)", () -> scores.divi(8.0), "");
        time("softmax over last axis, in place [B,h,S,S]", () -> Nd4j.exec(new SoftMax(scores, scores, 3)), "");
        INDArray mask = Nd4j.zeros(DataType.FLOAT, b, 1, 1, s);
        time("scores.addi(mask [B,1,1,S] broadcast)", () -> scores.addi(mask.broadcast(scores.shape())), "");

        INDArray hI = Nd4j.randn(DataType.FLOAT, n, inter);
        INDArray tmp = Nd4j.create(DataType.FLOAT, n, inter);
        time("erf in place [N,3072]", () -> Nd4j.exec(new Erf(hI, tmp)), "");
        time("x.mul(c) [N,3072] (allocates)", () -> hI.mul(0.7), "");
        time("tmp.assign(x).muli(c) [N,3072]", () -> tmp.assign(hI).muli(0.7), "");
        time("tmp.muli(c) [N,3072]", () -> tmp.muli(0.7), "");
        time("tmp.muli(x) [N,3072]", () -> tmp.muli(hI), "");
        time("GELU (sigmoid approx) op [N,3072]", () -> Nd4j.exec(new GELU(hI, tmp)), "");
        time("PreciseGELU (tanh approx) op [N,3072]", () -> Nd4j.exec(new PreciseGELU(hI, tmp)), "");
        time("exact gelu composed: 5 ops, 1 alloc", () -> {
            INDArray e = hI.mul(Math.sqrt(0.5));
            Nd4j.exec(new Erf(e, e));
            e.addi(1.0).muli(hI).muli(0.5);
        }, "");

        INDArray g = Nd4j.randn(DataType.FLOAT, h);
        INDArray be = Nd4j.randn(DataType.FLOAT, h);
        INDArray lnOut = Nd4j.create(DataType.FLOAT, n, h);
        time("LayerNorm custom op [N,768] (noBias=false)", () -> Nd4j.exec(new LayerNorm(x, g, be, lnOut, true, 1)), "");
        time("LayerNorm composed (mean, sub, var, pow, mul, mul, add)", () -> {
            INDArray mean = x.mean(true, 1);
            INDArray xc = x.subColumnVector(mean);
            INDArray var = xc.mul(xc).mean(true, 1);
            INDArray r = org.nd4j.linalg.ops.transforms.Transforms.pow(var.addi(1e-12), -0.5, false);
            xc.muliColumnVector(r).muliRowVector(g).addiRowVector(be);
        }, "");
        time("x.mean(true,1) [N,768]", () -> x.mean(true, 1), "");
        time("x.std / var(false, 1)", () -> x.var(false, 1), "");
        time("x.addi(y) [N,768]", () -> lnOut.addi(x), "");

        INDArray tiny = Nd4j.create(DataType.FLOAT, 4);
        INDArray tiny2 = Nd4j.create(DataType.FLOAT, 4);
        time("per-op floor: 4-element addi(array)", () -> tiny.addi(tiny2), "");
        time("per-op floor: 4-element addi(scalar)", () -> tiny.addi(1.0), "");
        time("per-op floor: Nd4j.create [4]", () -> Nd4j.create(DataType.FLOAT, 4), "");
        time("Nd4j.create [N,3072] (zeroed)", () -> Nd4j.create(DataType.FLOAT, n, inter), "");
        time("Nd4j.createUninitialized [N,3072]", () -> Nd4j.createUninitialized(DataType.FLOAT, n, inter), "");
        INDArray ts = Nd4j.create(DataType.FLOAT, 8, 8);
        INDArray tw = Nd4j.create(DataType.FLOAT, 8, 8);
        INDArray to = Nd4j.create(DataType.FLOAT, 8, 8);
        time("per-op floor: 8x8 gemm", () -> Nd4j.gemm(ts, tw, to, false, true, 1.0, 0.0), "");
        time("per-op floor: reshape view", () -> x.reshape('c', b, s, h), "");
        time("per-op floor: get(point) view", () -> fused.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.all(), NDArrayIndex.all()), "");
    }
}
