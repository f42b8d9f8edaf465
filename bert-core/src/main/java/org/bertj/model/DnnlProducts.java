package org.bertj.model;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.matmul;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.primitive;
import org.bytedeco.dnnl.primitive_attr;
import org.bytedeco.dnnl.primitive_desc;
import org.bytedeco.dnnl.primitive_desc_base;
import org.bytedeco.dnnl.reorder;
import org.bytedeco.dnnl.softmax_forward;
import org.bytedeco.dnnl.stream;
import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Matrix products and the attention's softmax straight through oneDNN's primitives (JavaCPP's
 * {@code dnnl} preset, oneDNN 2.5), on raw addresses of ND4J's buffers, for CPU inference. Why not
 * ND4J's {@code Mmul}, which also ends in oneDNN on AVX-512 machines: on the 2-vCPU Xeon of
 * bench/NOTES.md ("December 2, late"), bert-base's four 1x128 products, cut in two column blocks
 * on two threads, took 11.1 ms a layer this way against 12.9 through {@code Mmul} on the same
 * blocks (medians in one process), with bit-identical results (the same brgemm kernel): the difference is ND4J's
 * cost around the call (op and shape objects, views, its own oneDNN set-up). For bf16 passes
 * oneDNN 2.5 also has what ND4J's oneDNN 2.3 lacks: AMX tiles where the CPU has them (470-860
 * GFLOP/s a core on those products, against 62 for ND4J's bf16 and ~120 for float32), and a
 * float32 output without a cast pass. On CPUs without AVX-512 it replaces what OpenBLAS's own
 * detection picks.
 *
 * <p>A primitive is made once per shape and stride set (a few ms of JIT; cached here for the
 * process) and may run on any thread; the memory objects, the scratchpad and the stream it runs
 * with are per-thread, re-pointed at each call's buffers, so a call allocates nothing. Every call
 * runs on the calling thread's OpenMP setting ({@link CpuParallel} keeps that at one thread).
 *
 * <p>{@link #AVAILABLE} is false where the preset's native library does not load (another
 * platform, a build without it): callers then use ND4J's ops, which compute the same things.
 */
final class DnnlProducts {

    /** Whether oneDNN loaded and made each kind of primitive (checked once, on first use of this class). */
    static final boolean AVAILABLE;
    /** Whether bfloat16 products (float32 accumulation and output) are available too. */
    static final boolean BF16;
    /** Off routes every product through ND4J's {@code Mmul}: for A/B measurements in one process. */
    static volatile boolean enabled = !"false".equals(System.getProperty("bertj.dnnl"));
    /**
     * Whether float32 weights may be multiplied from a copy in oneDNN's blocked layout
     * ({@link Packed}): where oneDNN loaded and picks {@code BA16a64b} for float32 weights (the
     * one blocked layout this class knows how to cut into column blocks); {@code
     * -Dbertj.dnnl.packed=false} keeps every product on the plain weights (the copy costs a second
     * float32 copy of each weight it packs).
     */
    static final boolean PACKABLE;
    /** Off multiplies plain weights even where {@link Parameters} holds packed copies: for A/B measurements. */
    static volatile boolean packing = !"false".equals(System.getProperty("bertj.dnnl.packed"));
    /** The float32 weight layout {@link Packed} uses: {@code [K, N]} in 16x64 blocks, 64 columns outermost. */
    private static final memory.format_tag BLOCKED = memory.format_tag.BA16a64b;
    private static final long BLOCK_ROWS = 16;
    /** Columns of W (rows of the {@code [out, in]} weight) per block: where a column block may start. */
    static final long BLOCK_COLUMNS = 64;
    /** Beyond this many shapes the cache starts again (a server fed every sequence length). */
    private static final int MAX_PRIMITIVES = 512;

    private static final engine ENGINE;
    private static final Map<Op, Primitive> PRIMITIVES = new ConcurrentHashMap<>();
    private static final ThreadLocal<PerThread> PER_THREAD = ThreadLocal.withInitial(PerThread::new);

    static {
        engine e = null;
        try {
            e = new engine(engine.kind.cpu, 0);
            new stream(e);
            Primitive.of(Shape.linear(1, 1, 1, 1, false), e);
            Primitive.of(new Softmax(1, 1), e);
        } catch (Throwable t) {
            // UnsatisfiedLinkError or NoClassDefFoundError without the natives, a dnnl error on
            // an unsupported CPU: ND4J's products remain
            e = null;
        }
        ENGINE = e;
        AVAILABLE = e != null;
        boolean bf16 = false;
        if (AVAILABLE) {
            try {
                Primitive.of(Shape.linear(1, 1, 1, 1, true), e);
                bf16 = true;
            } catch (RuntimeException t) {
                // no bf16 matmul on this CPU: bf16 passes keep ND4J's
            }
        }
        BF16 = bf16;
        boolean packable = false;
        if (AVAILABLE) {
            try {
                packable = choosesBlocked(e);
            } catch (RuntimeException t) {
                // the query failed: plain weights, as before
            }
        }
        PACKABLE = packable;
    }

    /**
     * Whether oneDNN, left free to choose ({@code format_tag.any}), lays out float32 weights as
     * {@link #BLOCKED} for a bert-base product: on an AVX-512 Xeon it does for every shape tried
     * (M 1-1024, N 32-30522, K 32-3072); elsewhere it may pick another blocking, which this class
     * does not cut, so weights stay plain there.
     */
    private static boolean choosesBlocked(engine e) {
        memory.desc x = new memory.desc(new long[] {128, 768}, memory.data_type.f32, memory.format_tag.ab);
        memory.desc any = new memory.desc(new long[] {768, 768}, memory.data_type.f32, memory.format_tag.any);
        memory.desc chosen = new matmul.primitive_desc(new matmul.desc(x, any, x), e).weights_desc();
        return chosen.equals(new memory.desc(new long[] {768, 768}, memory.data_type.f32, BLOCKED));
    }

    private DnnlProducts() {
    }

    /** Whether products go through this class now. */
    static boolean active() {
        return AVAILABLE && enabled;
    }

    /** Whether float32 products use packed weights now ({@link #active}, {@link #PACKABLE}, switched on). */
    static boolean packingActive() {
        return active() && PACKABLE && packing;
    }

    /** One kind of primitive with its sizes: what the caches are keyed by. */
    private interface Op {
        /** The primitive's descriptor under {@code attr}. */
        primitive_desc_base describe(primitive_attr attr, engine e);

        /** The primitive made from {@code pd}. */
        primitive make(primitive_desc_base pd);

        /** Its operands, in the order of the addresses {@link PerThread#run} takes. */
        int[] arguments();

        /** The layout of each operand, in the same order. */
        memory.desc[] layouts();
    }

    /**
     * The dimensions and strides (in floats) of one product {@code out[m,n] = alpha·x[m,k]·W},
     * where W is {@code w[n,k]} read transposed ({@code transposeW}) or {@code w[k,n]}; rows of x,
     * w and out are {@code ldx}, {@code ldw}, {@code ldo} floats apart, their elements contiguous;
     * or ({@code blockedW}) W is a float32 {@link Packed} block and {@code ldw}, {@code
     * transposeW} do not apply. With {@code biased}, a float32 bias {@code [n]} (a fourth
     * address) is added to every row of the product, in the product's own pass over its output.
     */
    record Shape(long m, long n, long k, long ldx, long ldw, long ldo, boolean transposeW, float alpha,
            boolean bf16, boolean blockedW, boolean biased) implements Op {
        /** A float32 product. */
        Shape(long m, long n, long k, long ldx, long ldw, long ldo, boolean transposeW, float alpha) {
            this(m, n, k, ldx, ldw, ldo, transposeW, alpha, false, false, false);
        }

        /** This product plus a bias {@code [n]} added to each row of its output. */
        Shape withBias() {
            return new Shape(m, n, k, ldx, ldw, ldo, transposeW, alpha, bf16, blockedW, true);
        }

        /**
         * {@code out = x·Wᵀ}, every operand C-contiguous: a linear layer's product or a block of
         * it; float32 throughout, or ({@code bf16}) x and W bfloat16 with float32 accumulation and
         * output.
         */
        static Shape linear(long m, long n, long k, long ldo, boolean bf16) {
            return new Shape(m, n, k, k, k, ldo, true, 1f, bf16, false, false);
        }

        /** {@code out = x·Wᵀ} in float32 with W a {@link Packed} block of {@code n} columns. */
        static Shape packed(long m, long n, long k, long ldo) {
            return new Shape(m, n, k, k, k, ldo, true, 1f, false, true, false);
        }

        @Override
        public primitive_desc describe(primitive_attr attr, engine e) {
            if (alpha != 1f) {
                attr.set_output_scales(0, new float[] {alpha});
            }
            memory.desc[] l = layouts();
            matmul.desc d = biased ? new matmul.desc(l[0], l[1], l[3], l[2]) : new matmul.desc(l[0], l[1], l[2]);
            return new matmul.primitive_desc(d, attr, e);
        }

        @Override
        public primitive make(primitive_desc_base pd) {
            return new matmul((matmul.primitive_desc) pd);
        }

        @Override
        public int[] arguments() {
            return biased ? new int[] {dnnl.DNNL_ARG_SRC, dnnl.DNNL_ARG_WEIGHTS, dnnl.DNNL_ARG_DST, dnnl.DNNL_ARG_BIAS}
                    : new int[] {dnnl.DNNL_ARG_SRC, dnnl.DNNL_ARG_WEIGHTS, dnnl.DNNL_ARG_DST};
        }

        @Override
        public memory.desc[] layouts() {
            memory.data_type in = bf16 ? memory.data_type.bf16 : memory.data_type.f32;
            memory.desc[] l = {
                new memory.desc(new long[] {m, k}, in, new long[] {ldx, 1}),
                blockedW ? new memory.desc(new long[] {k, n}, in, BLOCKED)
                        : new memory.desc(new long[] {k, n}, in, transposeW ? new long[] {1, ldw} : new long[] {ldw, 1}),
                // oneDNN 2.5 runs blocked weights into a strided output on its reference matmul
                // (ref:any, hundreds of times slower): such products write a dense block of their
                // own, which copyOut() then places (PerThread.run)
                new memory.desc(new long[] {m, n}, memory.data_type.f32, new long[] {blockedW ? n : ldo, 1}),
            };
            return biased ? new memory.desc[] {l[0], l[1], l[2],
                new memory.desc(new long[] {1, n}, memory.data_type.f32, memory.format_tag.ab)} : l;
        }

        /** The copy from this product's own dense output into the real one, or null if it writes there itself. */
        Copy copyOut() {
            return blockedW && ldo != n ? new Copy(m, n, ldo) : null;
        }
    }

    /** A copy of a C-contiguous {@code [rows, cols]} float array into one whose rows are {@code ld} floats apart. */
    record Copy(long rows, long cols, long ld) implements Op {
        @Override
        public primitive_desc_base describe(primitive_attr attr, engine e) {
            memory.desc[] l = layouts();
            return new reorder.primitive_desc(e, l[0], e, l[1], attr, false);
        }

        @Override
        public primitive make(primitive_desc_base pd) {
            return new reorder((reorder.primitive_desc) pd);
        }

        @Override
        public int[] arguments() {
            return new int[] {dnnl.DNNL_ARG_FROM, dnnl.DNNL_ARG_TO};
        }

        @Override
        public memory.desc[] layouts() {
            return new memory.desc[] {
                new memory.desc(new long[] {rows, cols}, memory.data_type.f32, new long[] {cols, 1}),
                new memory.desc(new long[] {rows, cols}, memory.data_type.f32, new long[] {ld, 1}),
            };
        }
    }

    /** A softmax over each row of a C-contiguous {@code [rows, cols]} float array, in place. */
    record Softmax(long rows, long cols) implements Op {
        @Override
        public primitive_desc describe(primitive_attr attr, engine e) {
            return new softmax_forward.primitive_desc(
                    new softmax_forward.desc(dnnl.prop_kind.forward_inference, layouts()[0], 1), attr, e);
        }

        @Override
        public primitive make(primitive_desc_base pd) {
            return new softmax_forward((softmax_forward.primitive_desc) pd);
        }

        @Override
        public int[] arguments() {
            return new int[] {dnnl.DNNL_ARG_SRC, dnnl.DNNL_ARG_DST};
        }

        @Override
        public memory.desc[] layouts() {
            memory.desc d = new memory.desc(new long[] {rows, cols}, memory.data_type.f32, memory.format_tag.ab);
            return new memory.desc[] {d, d};
        }
    }

    /**
     * {@code out = alpha·x·Wᵀ} (or {@code alpha·x·W}) on raw addresses: {@code x}, {@code w},
     * {@code out} are the addresses of element [0,0] of each, laid out as {@code shape} says. The
     * caller keeps the arrays behind them reachable until this returns.
     */
    static void multiply(Shape shape, long x, long w, long out) {
        PER_THREAD.get().run(shape, x, w, out, 0);
    }

    /** As {@link #multiply(Shape, long, long, long)} for a {@link Shape#withBias} product, the bias's floats at {@code bias}. */
    static void multiply(Shape shape, long x, long w, long out, long bias) {
        PER_THREAD.get().run(shape, x, w, out, bias);
    }

    /** Softmax over each row of {@code [rows, cols]} floats at {@code address}, in place. */
    static void softmax(Softmax shape, long address) {
        PER_THREAD.get().run(shape, address, address, 0, 0);
    }

    /** The address of element [0, 0] of {@code a}. */
    static long address(INDArray a) {
        return a.data().address() + a.offset() * a.dataType().width();
    }

    /**
     * A float32 weight {@code w [N, K]} copied once into oneDNN's blocked layout ({@link
     * #BLOCKED}: the layout oneDNN's matmul otherwise makes of the plain weight in every call, into
     * its scratchpad, before multiplying). Why: at 128 tokens that per-call reorder is what ONNX
     * Runtime's weights, packed at load, never pay: 6-14% of each 1x128 product block on one
     * thread, copy into place included (bench/NOTES.md, "December 2, packed weights"), the same
     * brgemm kernel, results equal up to the K-sum order. Which weights get one, and why a copy
     * never goes stale, is {@link Parameters#packed}'s business.
     *
     * <p>In this layout the 64 columns of W starting at a multiple of 64 are one contiguous run
     * of {@code ⌈K/16⌉·16·64} floats holding all of K, so a column block that starts at a multiple of
     * 64 and ends at one (or at N) is itself a packed block at an offset: the same copy serves
     * the column blocks and the row blocks of {@link CpuParallel}.
     */
    static final class Packed {
        private final long n;
        private final long k;
        private final INDArray storage; // owns the memory the address points into
        private final long address;

        private Packed(long n, long k, INDArray storage) {
            this.n = n;
            this.k = k;
            this.storage = storage;
            this.address = DnnlProducts.address(storage);
        }

        /**
         * Packs {@code w}, a C-order float32 {@code [N, K]} array, into new off-heap memory of
         * about the same size ({@code N} and {@code K} rounded up to 64 and 16).
         */
        static Packed of(INDArray w) {
            if (!packs(w)) {
                throw new IllegalArgumentException("packing needs a C-order float32 [N, K] weight, got "
                        + w.dataType() + " " + w.shapeInfoToString());
            }
            long n = w.rows();
            long k = w.columns();
            memory.desc plain = new memory.desc(new long[] {k, n}, memory.data_type.f32, new long[] {1, k});
            memory.desc blocked = new memory.desc(new long[] {k, n}, memory.data_type.f32, BLOCKED);
            INDArray storage;
            // out of the forward's workspace, which would hand the memory to the next pass's activations
            try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                storage = Nd4j.createUninitialized(DataType.FLOAT, blocked.get_size() / Float.BYTES);
            }
            Address from = new Address().at(DnnlProducts.address(w));
            Address to = new Address().at(DnnlProducts.address(storage));
            memory src = new memory(plain, ENGINE, from);
            memory dst = new memory(blocked, ENGINE, to);
            stream s = new stream(ENGINE);
            new reorder(src, dst).execute(s, src, dst);
            s._wait();
            java.lang.ref.Reference.reachabilityFence(w);
            return new Packed(n, k, storage);
        }

        /** Whether {@link #of} takes {@code w}: float32 {@code [N, K]} with rows {@code K} floats apart. */
        static boolean packs(INDArray w) {
            return w.dataType() == DataType.FLOAT && w.rank() == 2 && w.stride(1) == 1 && w.stride(0) == w.columns();
        }

        /** {@return N, the weight's rows} */
        long rows() {
            return n;
        }

        /** Whether columns {@code [c0, c1)} of W form a packed block of their own. */
        boolean cuts(long c0, long c1) {
            return c0 % BLOCK_COLUMNS == 0 && (c1 % BLOCK_COLUMNS == 0 || c1 == n) && c0 < c1 && c1 <= n;
        }

        /** The address of the block of columns from {@code c0} (a multiple of 64, see {@link #cuts}). */
        long address(long c0) {
            long kRounded = (k + BLOCK_ROWS - 1) / BLOCK_ROWS * BLOCK_ROWS;
            return address + c0 * kRounded * Float.BYTES;
        }

        /** The array the packed floats live in: the caller keeps it reachable while multiplying. */
        INDArray storage() {
            return storage;
        }
    }

    /**
     * A primitive and the layout of the scratchpad it needs. The scratchpad is the caller's (user
     * mode): in oneDNN's default mode the primitive owns one, and two threads running the same
     * primitive at once (the two column blocks of a split product) then share it; with row blocks
     * of 73 and 74 rows that corrupted the result.
     */
    private record Primitive(primitive primitive, memory.desc scratchpad) {
        static Primitive of(Op op, engine e) {
            primitive_attr attr = new primitive_attr();
            attr.set_scratchpad_mode(dnnl.scratchpad_mode.user);
            primitive_desc_base pd = op.describe(attr, e);
            return new Primitive(op.make(pd), pd.scratchpad_desc());
        }
    }

    private static Primitive primitive(Op op) {
        Primitive p = PRIMITIVES.get(op);
        if (p == null) {
            if (PRIMITIVES.size() >= MAX_PRIMITIVES) {
                PRIMITIVES.clear();
            }
            p = PRIMITIVES.computeIfAbsent(op, k -> Primitive.of(k, ENGINE));
        }
        return p;
    }

    /** One thread's stream and, per op, its memory objects and argument map. */
    private static final class PerThread {
        private final stream stream;
        private final Map<Op, Args> args = new HashMap<>();
        private final Address address = new Address();

        PerThread() {
            stream = new stream(ENGINE);
        }

        /** Runs {@code op} on its operands at {@code a0, a1, a2, a3} (as many as it has). */
        void run(Op op, long a0, long a1, long a2, long a3) {
            Args a = args.get(op);
            if (a == null) {
                if (args.size() >= MAX_PRIMITIVES) {
                    args.clear();
                }
                a = new Args(op, primitive(op));
                args.put(op, a);
            }
            a.operands[0].set_data_handle(address.at(a0));
            a.operands[1].set_data_handle(address.at(a1));
            if (a.operands.length > 2) {
                a.operands[2].set_data_handle(address.at(a.copyOut == null ? a2 : a.ownOutput));
            }
            if (a.operands.length > 3) {
                a.operands[3].set_data_handle(address.at(a3));
            }
            a.primitive.primitive().execute(stream, a.map);
            stream._wait();
            if (a.copyOut != null) {
                run(a.copyOut, a.ownOutput, a2, 0, 0); // still in this core's cache
            }
        }
    }

    /** One thread's memory objects for one op: re-pointed at each call's buffers. */
    private static final class Args {
        final Primitive primitive;
        final memory[] operands;
        final memory scratchpad; // this thread's own
        final IntMemoryMap map = new IntMemoryMap();
        final Copy copyOut; // for a product that writes its own dense output first (Shape.copyOut)
        final memory ownOutputMemory; // that output, this thread's own; null if none
        final long ownOutput;

        Args(Op op, Primitive primitive) {
            this.primitive = primitive;
            memory.desc[] layouts = op.layouts();
            copyOut = op instanceof Shape s ? s.copyOut() : null;
            ownOutputMemory = copyOut == null ? null : new memory(layouts[2], ENGINE);
            ownOutput = ownOutputMemory == null ? 0 : ownOutputMemory.get_data_handle().address();
            scratchpad = new memory(primitive.scratchpad(), ENGINE);
            int[] kinds = op.arguments();
            operands = new memory[kinds.length];
            Address none = new Address(); // no buffer yet: each call points them at its own
            for (int i = 0; i < kinds.length; i++) {
                operands[i] = new memory(layouts[i], ENGINE, none);
                map.put(kinds[i], operands[i]);
            }
            map.put(dnnl.DNNL_ARG_SCRATCHPAD, scratchpad);
        }
    }

    /** A pointer re-aimed at each buffer, so that handing oneDNN an address allocates nothing. */
    private static final class Address extends Pointer {
        Address at(long a) {
            address = a;
            return this;
        }
    }
}
