package org.bertj.model;

import java.lang.ref.Reference;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.nd4j.linalg.api.blas.params.MMulTranspose;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.nativeblas.NativeOps;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * How CPU float32 inference uses the cores: with threads of its own, not ND4J's. The calling
 * thread and one parked helper thread per further core take the next piece of a job until none
 * is left; every native call inside a piece runs single-threaded. Jobs are the linear layers'
 * products {@code x·Wᵀ} (cut into column blocks, or row blocks for many tokens, {@link #xWt}),
 * the attention's per-head work and the element-wise kernels ({@link #forRanges}).
 *
 * <p>Why not ND4J's threads (bench/NOTES.md, "December 1, night": 2 vCPUs, bert-base 1x128,
 * medians in one process, clean environment): oneDNN on two OpenMP threads took 140 ms for the
 * products of 12 layers against 149 on one, and its {@code [128,3072]x[3072,768]} product did not
 * get faster at all; cut in blocks on two threads of ours, alone, about the same (123-135 ms median,
 * 93 best, against 121-140, 114 best). The gain is around them: ND4J's small ops (softmax,
 * broadcasts) and OpenBLAS's batched attention products each wake threads of their own pools,
 * which then fight over the two cores: the forward took 241-247 ms
 * with them multi-threaded against 189-196 ms with every native call single-threaded and the work
 * spread by this class.
 *
 * <p>So an inference pass ({@link ForwardWorkspace}) makes the calling thread's OpenMP
 * single-threaded for the call (a per-thread setting in libgomp: nothing else the caller does
 * changes) and OpenBLAS single-threaded while any inference pass runs (a process-wide setting,
 * restored when the last one ends; a training step running at the same time only gets slower).
 * One caller at a time uses the helpers; a concurrent caller runs its jobs on its own thread.
 */
final class CpuParallel {

    /**
     * From this many rows of x ({@code B·S} tokens) a product is cut into one row block per
     * thread instead of column blocks: on the 2-vCPU Xeon of bench/NOTES.md ("December 2, night"),
     * alternating in one process, the 8x128 forward took 1016 ms median (937 min) against 1115
     * (968) in column blocks, and 1x512 705 (624) against 698 (668); at 1x128 row blocks of 64
     * rows were no faster (each thread's product gets too short for oneDNN).
     */
    static final long ROW_SPLIT_MIN = 512;
    /** Below this many multiply-adds a product stays whole (tiny test models). */
    static final long SPLIT_MIN = 1L << 22;
    /**
     * How long a helper spins for its next piece before parking: long enough to catch the next
     * job of a layer (the element-wise passes between two run on the calling thread and take
     * 0.1-0.6 ms), short enough to give the core back soon after a pass.
     */
    private static final long SPIN_NANOS = 500_000;
    private static final MMulTranspose TRANSPOSE_B = MMulTranspose.builder().transposeB(true).build();
    /** Threads in all, the caller's included: the cores ND4J would use ({@code OMP_NUM_THREADS} or all). */
    static final int THREADS = Integer.getInteger("bertj.cpu.threads", Math.min(
            Nd4j.getEnvironment().maxThreads(), Runtime.getRuntime().availableProcessors()));
    private static final ReentrantLock LOCK = new ReentrantLock();
    private static final AtomicInteger PASSES = new AtomicInteger();
    private static int blasThreadsBefore;
    private static volatile Helper[] helpers;
    /** Off leaves everything to ND4J's threads: for A/B measurements in one process. */
    static volatile boolean enabled = !"false".equals(System.getProperty("bertj.cpu.parallel"));

    private CpuParallel() {
    }

    /** Whether this class spreads the work (CPU backend, more than one core, not switched off). */
    static boolean active() {
        return enabled && THREADS > 1 && CpuKernels.CPU;
    }

    /**
     * Enters an inference pass on the calling thread: its OpenMP calls single-threaded, OpenBLAS
     * single-threaded while any pass runs.
     *
     * @return the value to hand to {@link #endPass}
     */
    static int beginPass() {
        if (!active()) {
            return -1;
        }
        NativeOps ops = NativeOpsHolder.getInstance().getDeviceNativeOps();
        int before = ops.ompGetMaxThreads();
        ops.setOmpNumThreads(1);
        synchronized (PASSES) {
            if (PASSES.getAndIncrement() == 0) {
                blasThreadsBefore = Nd4j.factory().blas().getMaxThreads();
                Nd4j.factory().blas().setMaxThreads(1);
            }
        }
        return before;
    }

    /** Ends what {@link #beginPass} began; -1 does nothing. */
    static void endPass(int ompThreadsBefore) {
        if (ompThreadsBefore < 0) {
            return;
        }
        NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(ompThreadsBefore);
        synchronized (PASSES) {
            if (PASSES.decrementAndGet() == 0) {
                Nd4j.factory().blas().setMaxThreads(blasThreadsBefore);
            }
        }
    }

    /**
     * {@code x·Wᵀ} into a new {@code [M, N]} array (in the caller's workspace, if one is open).
     * Each block is a whole product of its own, written straight into a column view of the output
     * (oneDNN takes the row stride), so the result equals the unsplit one up to the order of the
     * K-sum, which oneDNN's own threading changes as well.
     *
     * @param x {@code [M, K]}, C-order
     * @param w {@code [N, K]} (PyTorch's {@code [out, in]}), C-order
     * @param packed W in oneDNN's blocked layout, multiplied instead of {@code w} where a block's
     *     columns allow it; or null
     */
    static INDArray xWt(INDArray x, INDArray w, DnnlProducts.Packed packed) {
        return xWt(x, w, packed, null);
    }

    /**
     * {@code x·Wᵀ + b} as {@link #xWt(INDArray, INDArray, DnnlProducts.Packed)}, the bias {@code
     * [N]} added by each block's own product where oneDNN multiplies (its bias argument: no pass
     * of its own over the output), else afterwards; {@code bias} null adds none.
     */
    static INDArray xWt(INDArray x, INDArray w, DnnlProducts.Packed packed, INDArray bias) {
        long n = w.rows();
        if (packed != null && packed.rows() != n) {
            throw new IllegalArgumentException("packed copy of " + packed.rows() + " rows for a weight of " + n);
        }
        if (bias != null && bias.length() != n) {
            throw new IllegalArgumentException("bias of " + bias.length() + " for a weight of " + n + " rows");
        }
        boolean dnnl = byDnnl(x, w);
        INDArray out = Nd4j.createUninitialized(dnnl ? DataType.FLOAT : x.dataType(), new long[] {x.rows(), n}, 'c');
        // oneDNN takes the bias as float32 at an address: anything else is added afterwards
        INDArray b = dnnl && bias != null && CpuKernels.applies(bias) ? bias : null;
        int blocks = blocks(x.rows(), n, x.columns());
        if (blocks < 2) {
            block(x, w, packed, b, out, 0, x.rows(), 0, n).run();
        } else if (x.rows() >= ROW_SPLIT_MIN) {
            splitRows(x, w, packed, b, out, THREADS);
        } else {
            split(x, w, packed, b, out, blocks);
        }
        if (bias != null && b == null) {
            out.addiRowVector(bias);
        }
        // The pieces hold addresses, not the arrays: without the fence the JIT may count x dead
        // once its address is read, and the GC may then free a buffer still being multiplied.
        Reference.reachabilityFence(x);
        Reference.reachabilityFence(w);
        Reference.reachabilityFence(b);
        Reference.reachabilityFence(packed == null ? null : packed.storage());
        return out;
    }

    /** Column blocks for a product: 1 to leave it whole. */
    static int blocks(long m, long n, long k) {
        if (!active() || m * n * k < SPLIT_MIN || n < 64) {
            return 1;
        }
        // Two blocks a thread where blocks stay wide (≥ 512 columns), so that a helper the
        // scheduler delays costs half a block, not half the product.
        return n >= 1024L * THREADS ? 2 * THREADS : THREADS;
    }

    /** {@code x·Wᵀ} into {@code out} in {@code blocks} column blocks (package-private for the test). */
    static void split(INDArray x, INDArray w, DnnlProducts.Packed packed, INDArray bias, INDArray out, int blocks) {
        long n = w.rows();
        Runnable[] pieces = new Runnable[blocks];
        for (int b = 0; b < blocks; b++) {
            pieces[b] = block(x, w, packed, bias, out, 0, x.rows(), edge(n, b, blocks), edge(n, b + 1, blocks));
        }
        run(pieces);
        Reference.reachabilityFence(out);
    }

    /**
     * {@code x·Wᵀ} into {@code out} in {@code blocks} row blocks: each block multiplies a range of
     * x's rows by all of W into the same rows of {@code out}, every element's K-sum as in the
     * unsplit product (package-private for the test).
     */
    static void splitRows(INDArray x, INDArray w, DnnlProducts.Packed packed, INDArray bias, INDArray out, int blocks) {
        long m = x.rows();
        Runnable[] pieces = new Runnable[blocks];
        for (int b = 0; b < blocks; b++) {
            pieces[b] = block(x, w, packed, bias, out, m * b / blocks, m * (b + 1) / blocks, 0, w.rows());
        }
        run(pieces);
        Reference.reachabilityFence(out);
    }

    /**
     * Rows {@code [r0, r1)} and columns {@code [c0, c1)} of {@code out = x·Wᵀ}, a whole product of
     * its own, written straight into that block of {@code out}: by {@link DnnlProducts} on
     * addresses where it is active and the operands are float32 (bf16 passes come here with
     * bfloat16 ones), from {@code packed} where its blocks fit {@code [c0, c1)}, else by an ND4J
     * {@code Mmul} on views, made here on the caller (made inside the pieces they were no faster:
     * bench/NOTES.md). {@code bias} (float32, or null) is added by oneDNN's product; the ND4J
     * path takes none (its caller adds it).
     */
    private static Runnable block(INDArray x, INDArray w, DnnlProducts.Packed packed, INDArray bias, INDArray out,
            long r0, long r1, long c0, long c1) {
        long k = x.columns();
        long n = out.columns();
        if (byDnnl(x, w) && out.dataType() == DataType.FLOAT) {
            boolean bf16 = x.dataType() == DataType.BFLOAT16;
            int in = x.dataType().width();
            long xa = DnnlProducts.address(x) + r0 * k * in;
            long oa = DnnlProducts.address(out) + (r0 * n + c0) * Float.BYTES;
            long ba = bias == null ? 0 : DnnlProducts.address(bias) + c0 * Float.BYTES;
            boolean fromPacked = packed != null && !bf16 && packed.cuts(c0, c1);
            DnnlProducts.Shape shape = fromPacked ? DnnlProducts.Shape.packed(r1 - r0, c1 - c0, k, n)
                    : DnnlProducts.Shape.linear(r1 - r0, c1 - c0, k, n, bf16);
            DnnlProducts.Shape op = bias == null ? shape : shape.withBias();
            long wa = fromPacked ? packed.address(c0) : DnnlProducts.address(w) + c0 * k * in;
            return () -> DnnlProducts.multiply(op, xa, wa, oa, ba);
        }
        if (bias != null) {
            throw new IllegalArgumentException("an ND4J product block takes no bias");
        }
        boolean whole = r0 == 0 && r1 == x.rows() && c0 == 0 && c1 == n;
        Mmul op = whole ? new Mmul(x, w, out, 1.0, 0.0, TRANSPOSE_B)
                : new Mmul(x.get(NDArrayIndex.interval(r0, r1), NDArrayIndex.all()),
                        w.get(NDArrayIndex.interval(c0, c1), NDArrayIndex.all()),
                        out.get(NDArrayIndex.interval(r0, r1), NDArrayIndex.interval(c0, c1)),
                        1.0, 0.0, TRANSPOSE_B);
        return () -> Nd4j.exec(op);
    }

    /**
     * Whether {@link DnnlProducts} computes {@code x·Wᵀ}: where it loaded, for float32 operands and
     * for bfloat16 ones (a bf16 pass's), whose product it then returns in float32.
     */
    private static boolean byDnnl(INDArray x, INDArray w) {
        return DnnlProducts.active() && x.dataType() == w.dataType()
                && (x.dataType() == DataType.FLOAT || x.dataType() == DataType.BFLOAT16 && DnnlProducts.BF16);
    }

    /** What {@link #forRanges} runs on one range {@code [from, to)}. */
    interface RangeTask {
        /** Does the work of rows {@code [from, to)}. */
        void run(long from, long to);
    }

    /**
     * Runs {@code task} on {@code n} rows cut into one range per thread (all on the calling thread
     * when this class is not {@link #active} or {@code n < 2}).
     */
    static void forRanges(long n, RangeTask task) {
        int parts = active() ? (int) Math.min(THREADS, n) : 1;
        if (parts < 2) {
            task.run(0, n);
            return;
        }
        Runnable[] pieces = new Runnable[parts];
        for (int p = 0; p < parts; p++) {
            long from = n * p / parts;
            long to = n * (p + 1) / parts;
            pieces[p] = () -> task.run(from, to);
        }
        run(pieces);
    }

    /**
     * Block edges on multiples of 64 columns where the size allows: where a packed weight's
     * blocks start ({@link DnnlProducts.Packed#cuts}), and whole AVX-512 vectors of the output.
     */
    private static long edge(long n, int b, int blocks) {
        long e = n * b / blocks;
        long unit = DnnlProducts.BLOCK_COLUMNS;
        return b == blocks || n < unit * blocks ? e : e / unit * unit;
    }

    /**
     * Runs the pieces on the caller and the helpers, the caller single-threaded in OpenMP for the
     * call; all on the caller when another caller holds the helpers. Rethrows the first failure.
     */
    private static void run(Runnable[] pieces) {
        Job job = new Job(pieces);
        boolean shared = LOCK.tryLock();
        NativeOps nativeOps = NativeOpsHolder.getInstance().getDeviceNativeOps();
        int before = nativeOps.ompGetMaxThreads();
        nativeOps.setOmpNumThreads(1);
        try {
            if (shared) {
                for (Helper h : helpers()) {
                    h.give(job);
                }
            }
            job.work();
            job.awaitDone();
        } finally {
            nativeOps.setOmpNumThreads(before);
            if (shared) {
                LOCK.unlock();
            }
        }
    }

    private static Helper[] helpers() {
        Helper[] hs = helpers;
        if (hs == null) {
            synchronized (CpuParallel.class) {
                hs = helpers;
                if (hs == null) {
                    hs = new Helper[Math.max(0, THREADS - 1)];
                    for (int i = 0; i < hs.length; i++) {
                        hs[i] = new Helper(i);
                    }
                    helpers = hs;
                }
            }
        }
        return hs;
    }

    /** The pieces of one job; every participant takes the next until none is left. */
    private static final class Job {
        private final Runnable[] pieces;
        private final AtomicInteger next = new AtomicInteger();
        private final AtomicInteger done = new AtomicInteger();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();

        Job(Runnable[] pieces) {
            this.pieces = pieces;
        }

        void work() {
            for (int i; (i = next.getAndIncrement()) < pieces.length; ) {
                try {
                    pieces[i].run();
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
                done.incrementAndGet();
            }
        }

        void awaitDone() {
            int spins = 0;
            while (done.get() < pieces.length) {
                // a helper has the last piece; it is late only when the scheduler took its core
                if (++spins > 10_000) {
                    Thread.yield();
                } else {
                    Thread.onSpinWait();
                }
            }
            Throwable t = failure.get();
            if (t instanceof RuntimeException r) {
                throw r;
            }
            if (t instanceof Error e) {
                throw e;
            }
            if (t != null) {
                throw new IllegalStateException(t);
            }
        }
    }

    /** A daemon thread that runs pieces of jobs, single-threaded in OpenMP. */
    private static final class Helper implements Runnable {
        private final Thread thread;
        private final AtomicReference<Job> slot = new AtomicReference<>();

        Helper(int index) {
            thread = new Thread(this, "bertj-cpu-" + (index + 1));
            thread.setDaemon(true);
            thread.start();
        }

        void give(Job j) {
            slot.set(j); // replaces a job never taken: its caller finished it alone
            LockSupport.unpark(thread);
        }

        @Override
        public void run() {
            NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(1);
            while (true) {
                take().work();
            }
        }

        private Job take() {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            Job j = null;
            while (slot.get() == null || (j = slot.getAndSet(null)) == null) {
                if (System.nanoTime() < spinUntil) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
            return j;
        }
    }
}
