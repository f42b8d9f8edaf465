package org.bertj.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bertj.model.hooks.Hook;
import org.bertj.model.hooks.HookContext;
import org.bertj.model.hooks.Hooks;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One forward call (and at most one backward through it): its mode (whether modules keep what
 * backward needs, whether dropout is on, with its own seeded stream), its forward hooks, the
 * gradients asked for at hook points, the precision of the linear layers' products
 * ({@link #withMatmulPrecision}), and everything the call produces for later. Modules hold no
 * per-call state, so one model serves any number of threads, each with its own {@code Pass}.
 *
 * <p>A {@code Pass} serves one forward call: make a new one per call (they are cheap). Not
 * thread-safe itself.
 */
public final class Pass {

    private final boolean cache;
    private final boolean dropout;
    private final long seed;
    private final Random rng;
    private final Hooks hooks;
    private final Set<String> gradientNames;
    private final MatmulPrecision precision;

    // Per call.
    private boolean begun;
    private BertInputs inputs;
    private int batch;
    private int seq;
    private int heads;
    private DataType type;
    private INDArray mask;
    private Map<String, Hook[]> resolved; // null when no hook is attached: the one check of hook()
    private final Map<Object, Object> saved = new IdentityHashMap<>();
    private final Map<Object, Object> perCall = new HashMap<>();
    private final Map<String, INDArray> gradients = new LinkedHashMap<>();
    private boolean backwardDone;

    private Pass(boolean cache, boolean dropout, long seed, Hooks hooks, Set<String> gradientNames,
            MatmulPrecision precision) {
        this.cache = cache;
        this.dropout = dropout;
        this.seed = seed;
        this.rng = dropout ? Nd4j.getRandomFactory().getNewRandomInstance(seed) : null;
        this.hooks = hooks;
        this.gradientNames = gradientNames;
        this.precision = precision;
    }

    /** {@return a new eval-mode pass: no dropout, nothing kept for a backward pass} */
    public static Pass inference() {
        return new Pass(false, false, 0, Hooks.none(), Set.of(), MatmulPrecision.FLOAT32);
    }

    /**
     * Training mode: dropout on (masks drawn from a stream seeded with {@code seed}), caches kept.
     *
     * @param seed seed of this pass's own dropout stream; the same seed gives the same masks
     * @return a new training pass, ready for one forward and one backward
     */
    public static Pass training(long seed) {
        return new Pass(true, true, seed, Hooks.none(), Set.of(), MatmulPrecision.FLOAT32);
    }

    /**
     * {@return a new pass with eval-mode arithmetic (no dropout) but caches kept, for gradients of
     * the deterministic model}
     */
    public static Pass deterministicTraining() {
        return new Pass(true, false, 0, Hooks.none(), Set.of(), MatmulPrecision.FLOAT32);
    }

    /**
     * The same mode with {@code more} hooks added (after any already attached).
     *
     * @param more hooks to run as well
     * @return a new pass; this one is unchanged and may still serve a call
     * @throws IllegalStateException if this pass already ran a forward call
     */
    public Pass withHooks(Hooks more) {
        checkFresh();
        return new Pass(cache, dropout, seed, hooks.and(more), gradientNames, precision);
    }

    /**
     * The same mode, also recording during backward the gradient at each named hook point
     * ({@code inputs_embeds} included); read them with {@link #gradient}.
     *
     * @param names hook-point names, checked against the model when the forward starts
     * @return a new pass that records those gradients as well as any this one did
     * @throws IllegalStateException if this pass keeps no caches (an inference pass has no backward),
     *                               or it already ran a forward call
     */
    public Pass withGradientsAt(Collection<String> names) {
        checkFresh();
        if (!cache) {
            throw new IllegalStateException("gradients need a caching pass (deterministicTraining() or training(seed)),"
                    + " not inference()");
        }
        Set<String> all = new java.util.LinkedHashSet<>(gradientNames);
        all.addAll(names);
        return new Pass(cache, dropout, seed, hooks, Set.copyOf(all), precision);
    }

    /**
     * The same mode with the linear layers' products in {@code precision} (see
     * {@link MatmulPrecision}); everything else the pass computes is unchanged.
     * {@code Pass.inference().withMatmulPrecision(MatmulPrecision.BF16)} is the reduced-precision
     * inference mode.
     *
     * @param precision {@link MatmulPrecision#FLOAT32} (the default) or {@link MatmulPrecision#BF16}
     * @return a new pass; this one is unchanged and may still serve a call
     * @throws IllegalStateException if {@code precision} is BF16 and this pass keeps caches (a
     *                               training pass: its backward would be the gradient of the
     *                               float32 model, not of the bf16 one it ran), or if this pass
     *                               already ran a forward call
     * @throws NullPointerException  if {@code precision} is null
     * @see MatmulPrecision#BF16 where the forward call refuses it: a model that is not FLOAT
     *      ({@code IllegalArgumentException}), off ND4J's oneDNN CPU build
     *      ({@code UnsupportedOperationException}), both thrown before anything is computed
     */
    public Pass withMatmulPrecision(MatmulPrecision precision) {
        checkFresh();
        java.util.Objects.requireNonNull(precision, "precision");
        if (precision == MatmulPrecision.BF16 && cache) {
            throw new IllegalStateException("MatmulPrecision.BF16 is for inference passes (Pass.inference());"
                    + " a caching pass computes gradients with the float32 weights");
        }
        return new Pass(cache, dropout, seed, hooks, gradientNames, precision);
    }

    /** {@return the arithmetic of the linear layers' products in this pass; FLOAT32 unless asked} */
    public MatmulPrecision matmulPrecision() {
        return precision;
    }

    /**
     * Working arrays that every layer of this call shares (the fused attention's, see
     * {@link AttentionBuffers}), made by {@code make} on first use under {@code key}. The caller
     * thread of the forward call only.
     */
    @SuppressWarnings("unchecked")
    <T> T perCall(Object key, java.util.function.Supplier<T> make) {
        return (T) perCall.computeIfAbsent(key, k -> make.get());
    }

    /** Whether the linear layers multiply in bfloat16 ({@link Bf16Products}). */
    boolean bf16() {
        return precision == MatmulPrecision.BF16;
    }

    private void checkFresh() {
        if (begun) {
            throw new IllegalStateException("this Pass already ran a forward call; derive new passes before the call");
        }
    }

    /** {@return whether layers keep their inputs for {@code backward}} */
    public boolean caches() {
        return cache;
    }

    /** {@return whether dropout is applied} */
    public boolean dropout() {
        return dropout;
    }

    /**
     * The gradient recorded during backward at hook point {@code name}, in HF's shape.
     *
     * @param name a hook-point name given to {@link #withGradientsAt}
     * @return ∂(backward's seed)/∂activation at that point, summed if the point was reached twice
     * @throws IllegalStateException if it was not asked for or backward has not run
     */
    public INDArray gradient(String name) {
        INDArray g = gradients.get(name);
        if (g == null) {
            throw new IllegalStateException("no gradient at '" + name + "': " + (!backwardDone ? "backward has not run"
                    : gradientNames.contains(name) ? "backward did not reach it"
                    : "not asked for (withGradientsAt " + gradientNames + ")"));
        }
        return g;
    }

    /** {@return every recorded gradient by hook-point name, read-only, in the order backward reached them} */
    public Map<String, INDArray> gradients() {
        return java.util.Collections.unmodifiableMap(gradients);
    }

    /** The dropout random stream; only in training mode. */
    Random rng() {
        if (rng == null) {
            throw new IllegalStateException("no random stream: dropout is off in this pass");
        }
        return rng;
    }

    /**
     * Starts the forward call: sizes, and the hooks resolved to the model's points once (no name
     * matching per activation).
     */
    void begin(BertInputs in, BertConfig config, DataType dataType, Collection<String> pointNames) {
        if (begun) {
            throw new IllegalStateException("a Pass serves one forward call; make a new one for each call");
        }
        if (precision == MatmulPrecision.BF16) {
            Bf16Products.checkUsable(dataType); // before anything runs: refused, not half done
        }
        begun = true;
        inputs = in;
        batch = in.batchSize();
        seq = in.sequenceLength();
        heads = config.numAttentionHeads();
        type = dataType;
        if (!hooks.isEmpty()) {
            hooks.checkNames(pointNames);
            Map<String, List<Hook>> m = new HashMap<>();
            for (String p : pointNames) {
                for (Hooks.Entry e : hooks.entries()) {
                    if (e.appliesTo(p)) {
                        m.computeIfAbsent(p, k -> new ArrayList<>()).add(e.hook());
                    }
                }
            }
            if (!m.isEmpty()) {
                resolved = new HashMap<>();
                m.forEach((k, v) -> resolved.put(k, v.toArray(new Hook[0])));
            }
        }
        for (String g : gradientNames) {
            if (!pointNames.contains(g)) {
                throw new IllegalArgumentException("no hook point named '" + g + "' to take a gradient at");
            }
        }
    }

    int batch() {
        return batch;
    }

    int seq() {
        return seq;
    }

    BertInputs inputs() {
        return inputs;
    }

    /** Whether any hook is attached at {@code p}: fused kernels that compute over it must not run. */
    boolean hooked(Point p) {
        return resolved != null && resolved.containsKey(p.name);
    }

    /** Whether any hook is attached at one of {@code ps}. */
    boolean hooked(Point[] ps) {
        if (resolved == null) {
            return false;
        }
        for (Point p : ps) {
            if (resolved.containsKey(p.name)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The activation {@code x} at point {@code p} after the hooks there: {@code x} itself when none
     * is attached (one null check), else what the last hook returned, in {@code x}'s layout.
     */
    INDArray hook(Point p, INDArray x) {
        if (resolved == null) {
            return x;
        }
        Hook[] hs = resolved.get(p.name);
        return hs == null ? x : runHooks(p, x, hs);
    }

    private INDArray runHooks(Point p, INDArray x, Hook[] hs) {
        INDArray view = hf(p, x);
        // A caching pass may have saved x for backward: hooks get a copy they may edit freely.
        INDArray given = cache ? view.dup('c') : view;
        HookContext ctx = new HookContext(p.name, p.layer, heads, batch, seq, mask());
        INDArray cur = given;
        for (Hook h : hs) {
            INDArray r = h.apply(cur, ctx);
            if (r == null || !Arrays.equals(r.shape(), view.shape())) {
                throw new IllegalArgumentException("hook at " + p.name + " returned "
                        + (r == null ? "null" : Arrays.toString(r.shape())) + ", expected shape "
                        + Arrays.toString(view.shape()));
            }
            cur = r;
        }
        if (cur == view) {
            return x; // returned as given (edits, if any, are already in x)
        }
        INDArray out = Nd4j.createUninitialized(x.dataType(), x.shape(), 'c');
        hf(p, out).assign(cur.dataType() == x.dataType() ? cur : cur.castTo(x.dataType()));
        return out;
    }

    private INDArray mask() {
        if (mask == null) {
            try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                mask = inputs.attentionMask(type);
            }
        }
        return mask;
    }

    /** {@code x} as HF shapes it at {@code p} (a view). */
    private INDArray hf(Point p, INDArray x) {
        if (p.kind == Point.Kind.TOKENS && x.rank() == 2) {
            return x.reshape('c', batch, seq, x.size(1));
        }
        return x;
    }

    /** During backward: records {@code d}, the gradient at {@code p}, if it was asked for. */
    void gradientAt(Point p, INDArray d) {
        if (gradientNames.isEmpty() || !gradientNames.contains(p.name)) {
            return;
        }
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            INDArray g = hf(p, d).dup('c');
            gradients.merge(p.name, g, INDArray::addi);
        }
    }

    /**
     * Keeps {@code record} for {@code module}'s backward.
     *
     * @throws IllegalStateException if the module already saved in this pass (it ran twice)
     */
    void save(Object module, Object record) {
        if (saved.put(module, record) != null) {
            throw new IllegalStateException(module.getClass().getSimpleName()
                    + " ran twice in one caching pass; each forward call needs its own Pass");
        }
    }

    /** What {@code module} saved, removed from the pass (backward reads it once). */
    <T> T saved(Object module, Class<T> type) {
        Object r = saved.remove(module);
        if (r == null) {
            throw new IllegalStateException("backward without a caching forward pass: nothing saved for "
                    + module.getClass().getSimpleName());
        }
        return type.cast(r);
    }

    /**
     * Marks the start of the one backward through this pass.
     *
     * @throws IllegalStateException after an inference pass, before the forward, or the second time
     */
    void beginBackward() {
        if (!cache) {
            throw new IllegalStateException("backward after an inference pass: run the forward with"
                    + " Pass.deterministicTraining() or Pass.training(seed)");
        }
        if (!begun) {
            throw new IllegalStateException("backward before any forward call on this pass");
        }
        if (backwardDone) {
            throw new IllegalStateException("a second backward on the same pass: its caches are spent;"
                    + " run a new forward");
        }
        backwardDone = true;
    }
}
