package org.bertj.bench;

import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The machine's float32 FMA peak as measured here: every thread runs fused multiply-adds on
 * 512-bit vectors (Java's Vector API, which C2 compiles to {@code vfmadd…ps zmm}) in
 * {@link #CHAINS} independent accumulator chains, register to register, no memory traffic. That
 * is the arithmetic limit of a gemm: a gemm does the same FMAs and must also load its operands,
 * so no matrix product can beat this rate; 12 chains cover the FMA latency (4 cycles) times the
 * two FMA pipes of a Zen 4/5 or Skylake-SP core. JMH's throughput mode sums over the threads:
 * {@code @Threads(MAX)} = one per core (the default run), {@code -t 1} in the one-thread run.
 * {@link BenchReport} turns ops/ms into GFLOP/s with {@link #FLOPS_PER_OP} and takes the best of
 * the ten one-second iterations: on a shared machine that is the one least slowed by others.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 10, time = 1)
@Threads(Threads.MAX)
public class FmaPeak {

    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_512;
    /** Floats in one 512-bit vector; a literal, so that {@link BenchReport} reads the flop count without the Vector API. */
    static final int LANES = 16;
    /** Independent accumulators. */
    static final int CHAINS = 12;
    /** Loop trips per call. */
    static final int TRIPS = 100_000;
    /** Floating-point operations of one {@link #fma} call (a multiply-add counts 2). */
    static final long FLOPS_PER_OP = 2L * TRIPS * CHAINS * LANES;

    /**
     * {@link #TRIPS} x {@link #CHAINS} vector FMAs, {@link #FLOPS_PER_OP} flops in all.
     *
     * @return a lane sum of the accumulators, so that nothing is dead code
     */
    @Benchmark
    public float fma() {
        FloatVector a = FloatVector.broadcast(SPECIES, 0.999999f);
        FloatVector b = FloatVector.broadcast(SPECIES, 1e-7f);
        FloatVector c0 = FloatVector.broadcast(SPECIES, 1f);
        FloatVector c1 = c0.add(1f);
        FloatVector c2 = c0.add(2f);
        FloatVector c3 = c0.add(3f);
        FloatVector c4 = c0.add(4f);
        FloatVector c5 = c0.add(5f);
        FloatVector c6 = c0.add(6f);
        FloatVector c7 = c0.add(7f);
        FloatVector c8 = c0.add(8f);
        FloatVector c9 = c0.add(9f);
        FloatVector c10 = c0.add(10f);
        FloatVector c11 = c0.add(11f);
        for (int i = 0; i < TRIPS; i++) {
            c0 = c0.fma(a, b);
            c1 = c1.fma(a, b);
            c2 = c2.fma(a, b);
            c3 = c3.fma(a, b);
            c4 = c4.fma(a, b);
            c5 = c5.fma(a, b);
            c6 = c6.fma(a, b);
            c7 = c7.fma(a, b);
            c8 = c8.fma(a, b);
            c9 = c9.fma(a, b);
            c10 = c10.fma(a, b);
            c11 = c11.fma(a, b);
        }
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11)
                .reduceLanes(VectorOperators.ADD);
    }
}
