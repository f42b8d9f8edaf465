package org.bertj.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Every tensor of a model under its Hugging Face name ({@code bert.encoder.layer.3.attention.self.query.weight}),
 * in Hugging Face's order. The same class holds gradients: {@link #zerosLike()} makes a store with
 * the identical layout, fused buffers included.
 *
 * <p>Some named tensors are views into a larger <em>fused</em> buffer (query, key and value
 * weights are three row blocks of one {@code [3H, H]} matrix) so that one matrix product serves
 * all three. Writing into a named view writes the fused buffer; callers must update tensors in
 * place ({@code assign}, {@code subi}) and never replace them, which is why there is no {@code put}.
 *
 * <p>A store also keeps the bfloat16 copies of weights that {@link MatmulPrecision#BF16} passes
 * multiply by, made on first use. Whoever writes tensors in place after such a pass calls
 * {@link #weightsChanged()} so that the next one sees the new values; bertj's own writers
 * ({@link WeightLoader#load(org.bertj.weights.TensorSource, Parameters, BertConfig, WeightLoader.Mode, long)
 * WeightLoader.load}, {@link ParameterInit#initializeAll}, {@link #zero()}, {@code AdamW.step(Parameters, Map)},
 * {@code Pretrainer}'s resume) do.
 *
 * <p>For float32 inference on CPUs where oneDNN runs the products, a store also keeps copies of
 * weights in oneDNN's blocked layout ({@link DnnlProducts.Packed}, about as big as the weights:
 * 340 MB for bert-base's encoder), but only of tensors nobody outside the model has been handed:
 * {@link #get}, {@link #fused} and {@link #asMap()} hand tensors out, and from then on those
 * tensors (all of them, after {@code asMap}) are multiplied as they are, so that a write into them
 * is seen by the next float32 pass without any call. A model that is loaded and run, never
 * inspected, gets the copies; one whose weights a researcher reads or edits gets none of those.
 * {@code -Dbertj.dnnl.packed=false} makes none at all.
 */
public final class Parameters {

    static {
        org.bertj.weights.QuietNd4j.apply(); // before ND4J starts: no banner in the user's output
    }


    /** How a named tensor was made, so {@link #zerosLike()} can make it again. */
    private record Entry(String name, String fusedKey, long fromRow, long toRow) {
    }

    private final DataType dataType;
    private final boolean zeroed;
    private final BiFunction<String, long[], INDArray> existing;
    private final Map<String, INDArray> named = new LinkedHashMap<>();
    private final Map<String, INDArray> fused = new LinkedHashMap<>();
    private final List<Entry> entries = new ArrayList<>();
    // bfloat16 copies for BF16 passes, by name (fused buffers under FUSED + key): built on first
    // use by whichever thread gets there first, shared by every pass after it.
    private final Map<String, INDArray> bfloat16 = new ConcurrentHashMap<>();
    // float32 weights in oneDNN's blocked layout, by the same keys, only for tensors not handed
    // out: see packed(). handedOut holds names and FUSED + key of everything get/fused gave away.
    private final Map<String, DnnlProducts.Packed> packed = new ConcurrentHashMap<>();
    private final Set<String> handedOut = ConcurrentHashMap.newKeySet();
    private volatile boolean allHandedOut;
    private final Map<String, String> fusedKeyOf = new ConcurrentHashMap<>();
    private static final String FUSED = "fused:";

    /** @param dataType the element type of every tensor (FLOAT or DOUBLE); tensors start as zeros */
    public Parameters(DataType dataType) {
        this(dataType, true, null);
    }

    private Parameters(DataType dataType, boolean zeroed, BiFunction<String, long[], INDArray> existing) {
        if (dataType != DataType.FLOAT && dataType != DataType.DOUBLE) {
            throw new IllegalArgumentException("parameters must be FLOAT or DOUBLE, not " + dataType);
        }
        this.dataType = dataType;
        this.zeroed = zeroed;
        this.existing = existing;
    }

    /**
     * A store whose tensors start with whatever their fresh memory holds, for a caller that writes
     * every one before anything reads it ({@link WeightLoader}): zero-filling 440 MB that is about to
     * be overwritten costs as much as the load itself. {@link #zerosLike()} still gives zeros.
     */
    static Parameters uninitialized(DataType dataType) {
        return new Parameters(dataType, false, null);
    }

    /**
     * An {@link #uninitialized} store whose non-fused tensors are, where {@code existing} gives an
     * array of the right type and shape for the name, that array itself (e.g. a mapping of a weight
     * file) instead of new memory.
     *
     * @param existing name and shape to an array, or null to allocate
     */
    static Parameters over(DataType dataType, BiFunction<String, long[], INDArray> existing) {
        return new Parameters(dataType, false, existing);
    }

    /** {@return the element type of every tensor: FLOAT or DOUBLE} */
    public DataType dataType() {
        return dataType;
    }

    /**
     * Allocates a zero tensor under {@code name} (uninitialised in a store from {@link #uninitialized}).
     *
     * @param name  the Hugging Face name, e.g. {@code bert.pooler.dense.bias}
     * @param shape the tensor's shape, as in the Hugging Face checkpoint
     * @return the new tensor, which the store keeps (write into it in place)
     * @throws IllegalArgumentException if the name is taken
     */
    public INDArray create(String name, long... shape) {
        checkFree(name);
        INDArray a = existing == null ? null : existing.apply(name, shape.clone());
        if (a == null || a.dataType() != dataType || !Arrays.equals(a.shape(), shape)) {
            a = allocate(shape);
        }
        named.put(name, a);
        entries.add(new Entry(name, null, 0, 0));
        return a;
    }

    /**
     * Allocates a zero fused buffer that named row blocks will share (see {@link #registerRows}).
     * Its key is internal: it is not among {@link #names()}.
     *
     * @param key   internal name of the buffer, unique in this store
     * @param shape the whole buffer's shape, e.g. {@code [3H, H]} for query, key and value weights
     * @return the new buffer, which the store keeps
     * @throws IllegalArgumentException if {@code key} is taken
     */
    public INDArray createFused(String key, long... shape) {
        if (fused.containsKey(key)) {
            throw new IllegalArgumentException("fused buffer " + key + " already exists");
        }
        INDArray a = allocate(shape);
        fused.put(key, a);
        entries.add(new Entry(null, key, 0, 0));
        return a;
    }

    /**
     * Registers rows {@code [from, to)} of fused buffer {@code key} as the named tensor {@code name}.
     *
     * @param name the Hugging Face name the rows take, e.g. {@code ...attention.self.key.weight}
     * @param key  a buffer made by {@link #createFused}
     * @param from first row, inclusive
     * @param to   end row, exclusive
     * @return a view of those rows: writing it writes the fused buffer
     * @throws IllegalArgumentException if the name is taken or there is no buffer {@code key}
     */
    public INDArray registerRows(String name, String key, long from, long to) {
        checkFree(name);
        INDArray buffer = fusedTensor(key);
        INDArray view = buffer.rank() == 1
                ? buffer.get(NDArrayIndex.interval(from, to))
                : buffer.get(NDArrayIndex.interval(from, to), NDArrayIndex.all());
        named.put(name, view);
        fusedKeyOf.put(name, key);
        entries.add(new Entry(name, key, from, to));
        return view;
    }

    private INDArray allocate(long[] shape) {
        return zeroed ? Nd4j.zeros(dataType, shape) : Nd4j.createUninitialized(dataType, shape, 'c');
    }

    /**
     * Checks that the named row blocks of every fused buffer cover all its rows, so that writing
     * every named tensor writes every element (what an {@link #uninitialized} store relies on).
     *
     * @throws IllegalStateException naming the fused buffer and its first uncovered row
     */
    void checkFusedBuffersCovered() {
        for (Map.Entry<String, INDArray> f : fused.entrySet()) {
            long rows = f.getValue().size(0);
            boolean[] covered = new boolean[Math.toIntExact(rows)];
            for (Entry e : entries) {
                if (e.name != null && f.getKey().equals(e.fusedKey)) {
                    Arrays.fill(covered, (int) e.fromRow, (int) e.toRow, true);
                }
            }
            for (int r = 0; r < rows; r++) {
                if (!covered[r]) {
                    throw new IllegalStateException("row " + r + " of fused buffer " + f.getKey()
                            + " belongs to no named parameter, so loading would leave it unset");
                }
            }
        }
    }

    private void checkFree(String name) {
        if (named.containsKey(name)) {
            throw new IllegalArgumentException("parameter " + name + " registered twice");
        }
    }

    /**
     * The tensor named {@code name}.
     *
     * @param name a Hugging Face name, e.g. {@code bert.embeddings.word_embeddings.weight}
     * @return the live tensor (a view into a fused buffer for some names): writes change the model,
     *     and float32 passes see them without further calls (the store stops keeping a packed copy
     *     of it, see the class comment)
     * @throws IllegalArgumentException naming the unknown tensor
     */
    public INDArray get(String name) {
        INDArray a = tensor(name);
        handOut(name);
        String key = fusedKeyOf.get(name);
        if (key != null) {
            handOut(FUSED + key);
        }
        return a;
    }

    /** {@link #get} for the model's own code, which never writes a weight behind the store's back. */
    INDArray tensor(String name) {
        INDArray a = named.get(name);
        if (a == null) {
            throw new IllegalArgumentException("no parameter named " + name);
        }
        return a;
    }

    /**
     * The fused buffer under an internal key given to {@link #createFused}.
     *
     * @param key the key it was created with
     * @return the live buffer (handed out as by {@link #get})
     * @throws IllegalArgumentException if there is no buffer {@code key}
     */
    public INDArray fused(String key) {
        INDArray a = fusedTensor(key);
        handOut(FUSED + key);
        return a;
    }

    /** A named tensor, or ({@code fused}) a fused buffer, for the model's own code. */
    INDArray tensor(String key, boolean fused) {
        return fused ? fusedTensor(key) : tensor(key);
    }

    /** {@link #fused} for the model's own code. */
    INDArray fusedTensor(String key) {
        INDArray a = fused.get(key);
        if (a == null) {
            throw new IllegalArgumentException("no fused buffer " + key);
        }
        return a;
    }

    /**
     * Whether a tensor of that name exists.
     *
     * @param name a Hugging Face name; fused-buffer keys do not count
     * @return true if {@link #get} would find it
     */
    public boolean contains(String name) {
        return named.containsKey(name);
    }

    /** {@return every name, in Hugging Face's {@code named_parameters()} order; an immutable copy} */
    public List<String> names() {
        return List.copyOf(named.keySet());
    }

    /**
     * {@return a read-only name → tensor view (tensors themselves are live and writable; all of
     * them are handed out as by {@link #get})}
     */
    public Map<String, INDArray> asMap() {
        allHandedOut = true;
        packed.clear();
        return Collections.unmodifiableMap(named);
    }

    private boolean isHandedOut(String key) {
        return allHandedOut || handedOut.contains(key);
    }

    private void handOut(String key) {
        handedOut.add(key); // before the removal: a copy made meanwhile sees it (packed())
        packed.remove(key);
    }

    /** {@return the total number of scalars over all named tensors} */
    public long count() {
        long n = 0;
        for (INDArray a : named.values()) {
            n += a.length();
        }
        return n;
    }

    /** {@return a new store with the same names, shapes and fused layout, all zeros (e.g. for gradients)} */
    public Parameters zerosLike() {
        Parameters p = new Parameters(dataType);
        for (Entry e : entries) {
            if (e.name == null) {
                p.createFused(e.fusedKey, fused.get(e.fusedKey).shape());
            } else if (e.fusedKey == null) {
                p.create(e.name, named.get(e.name).shape());
            } else {
                p.registerRows(e.name, e.fusedKey, e.fromRow, e.toRow);
            }
        }
        return p;
    }

    /**
     * The bfloat16 copy of a weight ({@link Bf16Products#copyOf}), made on first use and kept
     * until {@link #weightsChanged()}. Thread-safe: concurrent first uses make one copy.
     *
     * @param key   a tensor name, or a fused buffer's key if {@code fused}
     * @param fused whether {@code key} is a fused-buffer key
     */
    INDArray bfloat16(String key, boolean fused) {
        return bfloat16.computeIfAbsent(fused ? FUSED + key : key,
                k -> Bf16Products.copyOf(tensor(key, fused)));
    }

    /**
     * The weight's copy in oneDNN's blocked layout for float32 products ({@link
     * DnnlProducts.Packed}), made on first use; null where there is none to have: the tensor was
     * handed out ({@link #get}, {@link #fused}, {@link #asMap()}), packing is off or unavailable
     * ({@link DnnlProducts#packingActive()}), or the tensor is not a C-order float32 matrix.
     * Thread-safe: concurrent first uses make one copy.
     *
     * @param key   a tensor name, or a fused buffer's key if {@code fused}
     * @param fused whether {@code key} is a fused-buffer key
     */
    DnnlProducts.Packed packed(String key, boolean fused) {
        String k = fused ? FUSED + key : key;
        if (!DnnlProducts.packingActive() || isHandedOut(k)) {
            return null;
        }
        INDArray w = tensor(key, fused);
        if (!DnnlProducts.Packed.packs(w)) {
            return null;
        }
        DnnlProducts.Packed p = packed.computeIfAbsent(k, x -> DnnlProducts.Packed.of(w));
        if (isHandedOut(k)) {
            packed.remove(k); // handed out while the copy was made: from now on the tensor itself
            return null;
        }
        return p;
    }

    /** How many packed copies the store holds now (for tests). */
    int packedCount() {
        return packed.size();
    }

    /**
     * Says that tensors were written in place, so that the copies derived from them (the bfloat16
     * weights of {@link MatmulPrecision#BF16} passes, the packed float32 ones) are dropped and
     * made again from the new values on next use. Call it after writing weights through {@link
     * #get} or {@link #asMap()} if the model has run or will run BF16 passes; float32 passes need
     * nothing (they never use a packed copy of a tensor that was handed out). Not meant to run while
     * a pass is running on this store (writing weights then is a race anyway).
     */
    public void weightsChanged() {
        bfloat16.clear();
        packed.clear();
    }

    /** Sets every tensor to zero in place (and drops derived copies, see {@link #weightsChanged()}). */
    public void zero() {
        weightsChanged();
        for (Entry e : entries) {
            if (e.name == null) {
                fused.get(e.fusedKey).assign(0);
            } else if (e.fusedKey == null) {
                named.get(e.name).assign(0);
            }
        }
    }
}
