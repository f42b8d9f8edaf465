package org.bertj.model;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.nd4j.linalg.api.blas.params.MMulTranspose;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.nativeblas.NativeOps;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * The linear layers' products {@code x·Wᵀ} of CPU inference, spread over the cores by our own
 * threads: the output's columns are cut into blocks, and the calling thread and one parked helper
 * thread per further core each take the next block and run oneDNN on it single-threaded.
 *
 * <p>Why not oneDNN's own threads: with two OpenMP threads the products of a bert-base layer
 * (1x128 tokens) took 10.6-15.7 ms against 14 ms on one thread, and the {@code [128,3072]x[3072,768]}
 * one did not get faster at all (3.8-7.4 ms against 4.0); cut in blocks on two threads of ours they
 * took 6.5-10.6 ms (bench/NOTES.md, "December 2"). Each block is a whole product of its own,
 * written straight into a column view of the output (oneDNN takes the row stride), so the result
 * equals the unsplit one up to the order of the K-sum, which oneDNN's own threading changes as well.
 *
 * <p>OpenMP's thread count is a per-thread setting in libgomp: the helpers set theirs to one once,
 * the caller sets its own to one for the call and back afterwards, so nothing else the caller does
 * with ND4J changes. One caller at a time uses the helpers; a second, concurrent caller (a server
 * running several forwards) runs its products unsplit, as before.
 */
final class CpuProducts {

    /** Below this many multiply-adds a product stays on the calling thread (tiny test models). */
    static final long SPLIT_MIN = 1L << 22;
    /**
     * How long a helper spins for its next block before parking: long enough to catch the next
     * product of a layer (the element-wise passes between two are 0.1-0.6 ms), short enough not to
     * keep a core from ND4J's own OpenMP threads (softmax) for long.
     */
    private static final long SPIN_NANOS = 200_000;
    private static final MMulTranspose TRANSPOSE_B = MMulTranspose.builder().transposeB(true).build();
    private static final int THREADS = Integer.getInteger("bertj.products.threads", Math.min(
            Nd4j.getEnvironment().maxThreads(), Runtime.getRuntime().availableProcessors()));
    private static final ReentrantLock LOCK = new ReentrantLock();
    private static volatile Helper[] helpers;
    /** Off leaves every product to oneDNN's own threads: for A/B measurements in one process. */
    static volatile boolean enabled = !"false".equals(System.getProperty("bertj.cpuProducts"));

    private CpuProducts() {
    }

    /**
     * {@code x·Wᵀ} into a new {@code [M, N]} array (in the caller's workspace, if one is open).
     *
     * @param x {@code [M, K]}, C-order
     * @param w {@code [N, K]} (PyTorch's {@code [out, in]}), C-order
     */
    static INDArray xWt(INDArray x, INDArray w) {
        long n = w.rows();
        INDArray out = Nd4j.createUninitialized(x.dataType(), new long[] {x.rows(), n}, 'c');
        int blocks = blocks(x.rows(), n, x.columns());
        if (blocks < 2 || !LOCK.tryLock()) {
            Nd4j.exec(new Mmul(x, w, out, 1.0, 0.0, TRANSPOSE_B));
            return out;
        }
        try {
            split(x, w, out, blocks);
        } finally {
            LOCK.unlock();
        }
        return out;
    }

    /** Column blocks for a product: 0 or 1 to leave it whole. */
    static int blocks(long m, long n, long k) {
        if (!enabled || THREADS < 2 || m * n * k < SPLIT_MIN || n < 64) {
            return 1;
        }
        // Two blocks a thread where the blocks stay wide (≥ 512 columns), so that a helper the
        // scheduler delays costs half a block, not half the product.
        return n >= 1024L * THREADS ? 2 * THREADS : THREADS;
    }

    /** Package-private for the test: {@code x·Wᵀ} into {@code out}, in {@code blocks} column blocks. */
    static void split(INDArray x, INDArray w, INDArray out, int blocks) {
        long n = w.rows();
        Mmul[] ops = new Mmul[blocks];
        for (int b = 0; b < blocks; b++) {
            // block edges on multiples of 16 floats (one AVX-512 vector) where the size allows
            long from = edge(n, b, blocks);
            long to = edge(n, b + 1, blocks);
            ops[b] = new Mmul(x, w.get(NDArrayIndex.interval(from, to), NDArrayIndex.all()),
                    out.get(NDArrayIndex.all(), NDArrayIndex.interval(from, to)), 1.0, 0.0, TRANSPOSE_B);
        }
        Job job = new Job(ops);
        Helper[] hs = helpers();
        for (Helper h : hs) {
            h.give(job);
        }
        NativeOps nativeOps = NativeOpsHolder.getInstance().getDeviceNativeOps();
        int before = nativeOps.ompGetMaxThreads();
        nativeOps.setOmpNumThreads(1);
        try {
            job.work();
        } finally {
            nativeOps.setOmpNumThreads(before);
        }
        job.awaitDone();
    }

    private static long edge(long n, int b, int blocks) {
        long e = n * b / blocks;
        return b == blocks || n < 16L * blocks ? e : e / 16 * 16;
    }

    private static Helper[] helpers() {
        Helper[] hs = helpers;
        if (hs == null) {
            synchronized (CpuProducts.class) {
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

    /** The blocks of one product; every participant takes the next until none is left. */
    private static final class Job {
        private final Mmul[] ops;
        private final AtomicInteger next = new AtomicInteger();
        private final AtomicInteger done = new AtomicInteger();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();

        Job(Mmul[] ops) {
            this.ops = ops;
        }

        void work() {
            for (int i; (i = next.getAndIncrement()) < ops.length; ) {
                try {
                    Nd4j.exec(ops[i]);
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
                done.incrementAndGet();
            }
        }

        void awaitDone() {
            int spins = 0;
            while (done.get() < ops.length) {
                // the helper has its block; it is late only when the scheduler took its core
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
        }
    }

    /** A daemon thread that runs blocks of jobs with OpenMP single-threaded. */
    private static final class Helper implements Runnable {
        private final Thread thread;
        private volatile Job job;

        Helper(int index) {
            thread = new Thread(this, "bertj-products-" + (index + 1));
            thread.setDaemon(true);
            thread.start();
        }

        void give(Job j) {
            job = j;
            LockSupport.unpark(thread);
        }

        @Override
        public void run() {
            NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(1);
            while (true) {
                Job j = take();
                job = null;
                j.work();
            }
        }

        private Job take() {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            Job j;
            while ((j = job) == null) {
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
