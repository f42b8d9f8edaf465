package org.bertj.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;
import org.bertj.model.BertForPreTraining;
import org.bertj.model.BertInputs;
import org.bertj.model.OutputOptions;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The forward/yardstick ratio in a minute, without JMH, for working on the model: best-of-rounds
 * time of {@code BertModel.forward} and of its matrix products alone at one token shape. With
 * {@code -Dcpu=true} it reads this thread's CPU time instead of the wall clock, which other
 * processes on shared cores do not inflate; that is exact only with {@code OMP_NUM_THREADS=1}
 * (ND4J and OpenBLAS then compute on the calling thread), so it gives the one-thread ratio.
 * {@code java -cp ... org.bertj.bench.QuickRatio [BxS] [rounds]}
 */
public final class QuickRatio {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private QuickRatio() {
    }

    private static long now(boolean cpu) {
        return cpu ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
    }

    static double best(Runnable r, int rounds, boolean cpu) {
        r.run();
        r.run();
        double best = Double.MAX_VALUE;
        for (int i = 0; i < rounds; i++) {
            long t0 = now(cpu);
            r.run();
            best = Math.min(best, (now(cpu) - t0) / 1e6);
        }
        return best;
    }

    static String rss() {
        try {
            return java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status")).stream()
                    .filter(l -> l.startsWith("VmRSS") || l.startsWith("VmHWM")).map(l -> l.replaceAll("\\s+", " "))
                    .reduce((a, b) -> a + ", " + b).orElse("");
        } catch (java.io.IOException e) {
            return "";
        }
    }

    /** @param args token shape (default 1x128) and rounds (default 10) */
    public static void main(String[] args) {
        TokenShape shape = TokenShape.parse(args.length > 0 ? args[0] : "1x128");
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        boolean cpu = Boolean.getBoolean("cpu");
        BertForPreTraining model = BertBase.randomModel();
        BertInputs inputs = BertBase.randomInputs(shape, 7);
        BertBaseProducts products = new BertBaseProducts(shape, false);
        double fwd = 0;
        double yard = 0;
        for (int k = 0; k < 3; k++) { // interleaved, so drifting load hits both alike
            fwd = best(Boolean.getBoolean("ws") ? () -> {
                try (org.nd4j.linalg.api.memory.MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(
                        org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration.builder()
                                .policyAllocation(org.nd4j.linalg.api.memory.enums.AllocationPolicy.STRICT)
                                .policyLearning(org.nd4j.linalg.api.memory.enums.LearningPolicy.FIRST_LOOP).build(), "quick")) {
                    model.bert().forward(inputs, OutputOptions.NONE);
                }
            } : () -> model.bert().forward(inputs, OutputOptions.NONE), rounds, cpu);
            yard = best(products::encoderAndPooler, rounds, cpu);
            System.out.printf(Locale.ROOT, "%s %s: forward %.1f ms, matmul yardstick %.1f ms, ratio %.3f  (%s)%n",
                    shape, cpu ? "cpu time" : "wall", fwd, yard, fwd / yard, rss());
        }
    }
}
