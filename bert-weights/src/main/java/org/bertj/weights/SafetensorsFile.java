package org.bertj.weights;

import java.io.IOException;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.indexer.FloatIndexer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A safetensors file (Hugging Face's weight format), opened read-only. {@link #open} reads and
 * validates the whole header, so a malformed or truncated file fails there and never later; tensor
 * bytes are memory-mapped on demand, one tensor at a time, so files larger than 2 GiB work.
 *
 * <p>{@link #names()} lists tensors in the order their bytes lie in the file. {@link #load} copies
 * a tensor from the mapping into new ND4J memory with one native memcpy (no Java heap array), then
 * widens it with an ND4J cast where the stored dtype is narrower than the loaded one.
 * {@link #loadInto} reads straight from the file into an existing array where it can (positional
 * reads, no mapping), so loading a model touches each weight byte once. Loads may run from several threads at once.
 */
public final class SafetensorsFile implements TensorSource {

    static {
        org.bertj.weights.QuietNd4j.apply(); // before ND4J starts: no banner in the user's output
    }


    /** Largest piece copied at once (ByteBuffers and ND4J buffer factories index with int). */
    static long chunkBytes = 1L << 30;

    private final SafetensorsHeader header;
    private final FileChannel channel;
    private final Map<String, SafetensorsHeader.Entry> byName = new LinkedHashMap<>();
    private final List<String> names;
    /** Opened read-write on first {@link #mapCopyOnWrite}, only because Java requires it for private maps. */
    private FileChannel privateChannel;
    private boolean privateMapsUnavailable;

    private SafetensorsFile(SafetensorsHeader header, FileChannel channel) {
        this.header = header;
        this.channel = channel;
        for (SafetensorsHeader.Entry e : header.entries) {
            byName.put(e.name(), e);
        }
        this.names = List.copyOf(byName.keySet());
    }

    /**
     * Opens and validates {@code file}.
     *
     * @param file a {@code .safetensors} file
     * @return the open file, holding a read channel until {@link #close}
     * @throws WeightFormatException if the file is not a well-formed safetensors file; the message names
     *                               the file, the tensor and the byte offset at fault
     * @throws IOException           if it cannot be opened or read
     */
    public static SafetensorsFile open(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        try {
            return new SafetensorsFile(SafetensorsHeader.read(file, channel), channel);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** {@return the file this was opened from, as given to {@link #open}} */
    public Path path() {
        return header.file;
    }

    /** {@return the header's {@code __metadata__} string pairs (empty if it has none)} */
    public Map<String, String> metadata() {
        return header.metadata;
    }

    @Override
    public List<String> names() {
        return names;
    }

    @Override
    public boolean contains(String name) {
        return byName.containsKey(name);
    }

    @Override
    public TensorInfo info(String name) {
        SafetensorsHeader.Entry e = byName.get(name);
        if (e == null) {
            throw new IllegalArgumentException(header.file + ": no tensor named '" + name + "'");
        }
        return new TensorInfo(name, e.dtype().name(), e.shape().clone());
    }

    /**
     * The stored dtype of a tensor.
     *
     * @param name the tensor's name in the header
     * @return its dtype as stored, before any widening {@link #load} does
     * @throws WeightFormatException if the file has no tensor of that name
     */
    public SafetensorsDtype dtype(String name) throws WeightFormatException {
        return entry(name).dtype();
    }

    /**
     * Absolute file offsets {@code [begin, end)} of a tensor's bytes, for tools that copy or
     * checksum raw data.
     *
     * @param name the tensor's name in the header
     * @return a new array {@code {begin, end}} of byte offsets from the start of the file (header
     *         included); {@code begin == end} for an empty tensor
     * @throws WeightFormatException if the file has no tensor of that name
     */
    public long[] fileOffsets(String name) throws WeightFormatException {
        SafetensorsHeader.Entry e = entry(name);
        return new long[] {header.dataStart + e.begin(), header.dataStart + e.end()};
    }

    /**
     * A read-only little-endian view of a tensor's stored bytes (memory-mapped, no copy), in the
     * stored dtype and C order.
     *
     * @param name the tensor's name in the header
     * @return a buffer positioned at 0 whose limit is the tensor's byte count
     * @throws WeightFormatException if the name is unknown or the tensor is 2 GiB or larger
     * @throws IOException           if the file cannot be mapped
     */
    public ByteBuffer rawBytes(String name) throws IOException {
        SafetensorsHeader.Entry e = entry(name);
        if (e.byteCount() > Integer.MAX_VALUE) {
            throw new WeightFormatException(header.file + ": tensor '" + name + "' is " + e.byteCount()
                    + " bytes, too large for one ByteBuffer (limit " + Integer.MAX_VALUE + ")");
        }
        return map(e, 0, e.byteCount());
    }

    @Override
    public INDArray load(String name) throws IOException {
        SafetensorsHeader.Entry e = entry(name);
        if (e.dtype().loadedAs() == null) {
            throw new WeightFormatException(header.file + ": tensor '" + name + "' has dtype " + e.dtype()
                    + ", which bertj cannot load (supported: F32, F16, BF16, F64, I64, I32, I16, I8, U8, BOOL)");
        }
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new UnsupportedOperationException("safetensors is little-endian; this platform is not");
        }
        long n = e.elementCount();
        long[] shape = e.shape().clone();
        if (n == 0) {
            return Nd4j.create(e.dtype().loadedAs(), shape);
        }
        int size = e.dtype().size();
        long perChunk = Math.max(1, chunkBytes / size);
        if (n <= perChunk) {
            return e.dtype().decode(map(e, 0, e.byteCount()), (int) n).reshape('c', shape);
        }
        // Only tensors over chunkBytes get here: decode piece by piece into one array.
        INDArray out = Nd4j.createUninitialized(e.dtype().loadedAs(), shape, 'c');
        INDArray flat = out.reshape('c', new long[] {n});
        for (long first = 0; first < n; first += perChunk) {
            int count = (int) Math.min(perChunk, n - first);
            INDArray part = e.dtype().decode(map(e, first * size, (long) count * size), count);
            flat.get(NDArrayIndex.interval(first, first + count)).assign(part);
            part.close();
        }
        return out;
    }

    /**
     * Reads a tensor into {@code target}. When the stored bytes already are the target's type (F32
     * into FLOAT, F64 into DOUBLE, I32 into INT, I64 into LONG), the target is dense in C order (a whole array, or a
     * block of rows of one, such as a fused buffer's row-block views) and ND4J runs on the CPU, the
     * stored bytes are read from the file straight into the target's memory, one positional read
     * per {@link #chunkBytes}: no intermediate array, no mapping. Otherwise this is {@link #load}
     * and assign.
     */
    @Override
    public void loadInto(String name, INDArray target) throws IOException {
        SafetensorsHeader.Entry e = entry(name);
        TensorSource.checkFits(this, name, target);
        if (!copiesRaw(e.dtype(), target)) {
            TensorSource.super.loadInto(name, target);
            return;
        }
        long bytes = e.byteCount();
        // A view's data buffer starts at the view's first element: its address already includes offset().
        Pointer start = target.data().addressPointer();
        if (target.data().length() < target.length() || bytes != target.length() * e.dtype().size()) {
            throw new IllegalStateException("array for tensor '" + name + "' has " + target.data().length()
                    + " elements of memory for " + target.length() + " elements (" + bytes + " bytes in the file)");
        }
        // Read straight from the file into the target (pread), not through a mapping: a mapping's
        // pages count in the process's memory until it is collected, which doubled the peak of
        // loading bert-base (958 MiB against 530 for the weights and the JVM).
        long fileAt = header.dataStart + e.begin();
        for (long done = 0; done < bytes; done += chunkBytes) {
            long length = Math.min(chunkBytes, bytes - done);
            long from = start.position() + done;
            // slice(): the JavaCPP buffer may carry the pointer's position; ours must start at 0.
            ByteBuffer to = new BytePointer(start).position(from).limit(from + length).capacity(from + length)
                    .asByteBuffer().slice();
            while (to.hasRemaining()) {
                long at = fileAt + done + to.position();
                if (channel.read(to, at) < 0) {
                    throw new WeightFormatException(header.file + ": tensor '" + name + "' needs file bytes up to "
                            + (fileAt + bytes) + " but the file ends at byte " + at + " (truncated since it was opened)");
                }
            }
        }
        Reference.reachabilityFence(target);
    }

    /** Whether {@link #loadInto} may copy the stored bytes of dtype {@code d} verbatim into {@code target}. */
    private static boolean copiesRaw(SafetensorsDtype d, INDArray target) {
        DataType verbatim = switch (d) {
            case F32 -> DataType.FLOAT;
            case I32 -> DataType.INT;
            case I64 -> DataType.LONG;
            case F64 -> DataType.DOUBLE;
            default -> null;
        };
        // On CUDA the current copy may live on the device: the ND4J path keeps host and device in step.
        return verbatim == target.dataType() && target.length() > 0 && isDenseC(target)
                && ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN && Nd4j.getEnvironment().isCPU();
    }

    /** Whether consecutive C-order elements of {@code a} lie next to each other in memory. */
    static boolean isDenseC(INDArray a) {
        long[] shape = a.shape();
        long[] stride = a.stride();
        long expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && stride[i] != expected) {
                return false;
            }
            expected *= shape[i];
        }
        return true;
    }

    /**
     * The tensor as a FLOAT array over a private (copy-on-write) memory mapping of the file, or null
     * where that is not possible: not F32, empty, over 2 GiB, not 4-byte aligned in the file, not the
     * CPU backend, or the file cannot be opened for writing (Java maps privately only through a
     * read-write channel; nothing is ever written to the file). No bytes are copied: pages are read
     * from the page cache when first touched. Writes to the array (training) go to private copies of
     * the touched pages, never to the file. The mapping lives as long as the array's data buffer,
     * which holds it, and outlives {@link #close}.
     *
     * <p>The file must not be truncated or rewritten in place while such arrays live (writers that
     * replace it atomically, as bertj's and the cache's do, are fine): the arrays would then read
     * the new bytes or fault.
     *
     * @param name the tensor's name in the header
     * @return a FLOAT array of the tensor's shape, or null where mapping is not possible (the caller
     *         then loads it with {@link #load})
     * @throws WeightFormatException if the name is unknown or the file has shrunk since it was opened
     * @throws IOException           if the mapping fails
     */
    public synchronized INDArray mapCopyOnWrite(String name) throws IOException {
        SafetensorsHeader.Entry e = entry(name);
        long at = header.dataStart + e.begin();
        if (e.dtype() != SafetensorsDtype.F32 || e.elementCount() == 0 || e.byteCount() > Integer.MAX_VALUE
                || at % Float.BYTES != 0 || ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN
                || !Nd4j.getEnvironment().isCPU() || privateMapsUnavailable) {
            return null;
        }
        if (privateChannel == null) {
            try {
                privateChannel = FileChannel.open(header.file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            } catch (IOException | UnsupportedOperationException | SecurityException ex) {
                privateMapsUnavailable = true;
                return null;
            }
        }
        if (at + e.byteCount() > privateChannel.size()) {
            throw new WeightFormatException(header.file + ": tensor '" + name + "' needs file bytes " + at + ".."
                    + (at + e.byteCount()) + " but the file now has " + privateChannel.size()
                    + " bytes (changed since it was opened)");
        }
        ByteBuffer mapping = privateChannel.map(FileChannel.MapMode.PRIVATE, at, e.byteCount())
                .order(ByteOrder.LITTLE_ENDIAN);
        MappedFloats floats = new MappedFloats(mapping);
        long n = e.elementCount();
        long[] shape = e.shape().clone();
        return Nd4j.create(Nd4j.createBuffer(floats, DataType.FLOAT, n, FloatIndexer.create(floats)), shape,
                Nd4j.getStrides(shape, 'c'), 0, 'c', DataType.FLOAT);
    }

    /**
     * Floats in a mapping. ND4J's data buffer keeps this pointer (and its views share it), so the
     * mapping, which Java unmaps only once unreachable, lives exactly as long as any array using it.
     * ND4J does not free memory it was handed as a pointer.
     */
    private static final class MappedFloats extends FloatPointer {
        @SuppressWarnings({"unused", "FieldCanBeLocal"})
        private final ByteBuffer mapping;

        MappedFloats(ByteBuffer mapping) {
            super(mapping.asFloatBuffer());
            this.mapping = mapping;
        }
    }

    @Override
    public void close() throws IOException {
        try {
            channel.close();
        } finally {
            synchronized (this) {
                if (privateChannel != null) {
                    privateChannel.close();
                }
            }
        }
    }

    @Override
    public String toString() {
        return "SafetensorsFile[" + header.file + ", " + names.size() + " tensors]";
    }

    private SafetensorsHeader.Entry entry(String name) throws WeightFormatException {
        SafetensorsHeader.Entry e = byName.get(name);
        if (e == null) {
            throw new WeightFormatException(header.file + ": no tensor named '" + name + "' (the file holds "
                    + names.size() + " tensors" + (names.isEmpty() ? "" : ", e.g. '" + names.get(0) + "'") + ")");
        }
        return e;
    }

    /** Maps {@code length} bytes starting {@code offset} bytes into a tensor's data. */
    private ByteBuffer map(SafetensorsHeader.Entry e, long offset, long length) throws IOException {
        long at = header.dataStart + e.begin() + offset;
        if (!channel.isOpen()) {
            throw new WeightFormatException(header.file + ": closed; cannot read tensor '" + e.name() + "'");
        }
        try {
            if (at + length > channel.size()) {
                throw new WeightFormatException(header.file + ": tensor '" + e.name() + "' needs file bytes " + at
                        + ".." + (at + length) + " but the file now has " + channel.size()
                        + " bytes (changed since it was opened)");
            }
            return channel.map(FileChannel.MapMode.READ_ONLY, at, length).order(ByteOrder.LITTLE_ENDIAN);
        } catch (WeightFormatException ex) {
            throw ex;
        } catch (IOException ex) {
            throw new WeightFormatException(header.file + ": cannot map tensor '" + e.name() + "' (file bytes "
                    + at + ".." + (at + length) + "): " + ex.getMessage(), ex);
        }
    }
}
