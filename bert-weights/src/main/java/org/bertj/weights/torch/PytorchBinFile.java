package org.bertj.weights.torch;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bertj.weights.SafetensorsDtype;
import org.bertj.weights.TensorInfo;
import org.bertj.weights.TensorSource;
import org.bertj.weights.WeightFormatException;
import org.bertj.weights.torch.TorchPickle.Storage;
import org.bertj.weights.torch.TorchPickle.Tensor;
import org.bytedeco.javacpp.BytePointer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A PyTorch state_dict file ({@code pytorch_model.bin}, what {@code torch.save(model.state_dict())}
 * writes), read without Python and without running anything it says. Both layouts are read:
 *
 * <ul>
 * <li><b>zip</b> (torch 1.6 and later): {@code <archive>/data.pkl} is the pickled state_dict whose
 *     storages are persistent ids naming records {@code <archive>/data/<key>} of raw
 *     little-endian bytes ({@link ZipArchive});</li>
 * <li><b>legacy</b> (before 1.6, {@code _use_new_zipfile_serialization=False}): five pickles (magic
 *     number, protocol version, system info, the state_dict, the list of storage keys) followed by
 *     each storage, in that list's order, as an int64 element count and its raw bytes.</li>
 * </ul>
 *
 * <p>The pickles go through {@link TorchPickle}, which accepts only what a state_dict needs. {@link #open}
 * checks everything but the tensor bytes: every storage is present with the size its persistent id
 * gives, and every tensor's offset, sizes and strides stay inside its storage. So {@link #load} fails
 * only if the file changes underneath or (deflated records) its compressed bytes are corrupt.
 * Tensors that share a storage (the tied {@code cls.predictions.decoder.weight} and
 * {@code bert.embeddings.word_embeddings.weight}) are listed under both names and read from the
 * one storage. Every failure is a {@link WeightFormatException} naming the file, the entry (or
 * pickle) and the byte offset; no other exception escapes {@link #read} and {@link #open} for any
 * input, which is what fuzzers of this class check.
 */
public final class PytorchBinFile implements TensorSource {

    /** The legacy format's first pickle: torch.serialization's MAGIC_NUMBER. */
    private static final BigInteger LEGACY_MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);
    private static final long LEGACY_PROTOCOL = 1001;

    private final ByteSource source;
    private final String format;
    private final ZipArchive zip;
    private final Map<String, Tensor> tensors;
    /** Zip: each storage's record. */
    private final Map<String, ZipArchive.Entry> records = new LinkedHashMap<>();
    /** Legacy: each storage's absolute data offset. */
    private final Map<String, Long> offsets = new LinkedHashMap<>();
    private final List<String> names;

    private PytorchBinFile(ByteSource source) throws IOException {
        this.source = source;
        if (ZipArchive.looksLikeZip(source)) {
            format = "zip";
            zip = ZipArchive.open(source);
            tensors = readZip();
        } else if (source.size() >= 2 && (source.bytes(0, 1, "the first byte")[0] & 0xFF) == 0x80) {
            format = "legacy";
            zip = null;
            tensors = readLegacy();
        } else {
            throw new WeightFormatException(source.name + ": neither a zip-format nor a legacy PyTorch checkpoint"
                    + " (it starts with neither 'PK\\x03\\x04' nor a pickle's 0x80)");
        }
        names = List.copyOf(tensors.keySet());
    }

    /**
     * Opens and checks a {@code pytorch_model.bin}.
     *
     * @param file a PyTorch checkpoint, zip format or legacy
     * @return the open file, its tensors listed and checked; it holds the file open until
     *         {@link #close}
     * @throws WeightFormatException if it is not a state_dict of tensors torch could have written,
     *                               or its pickle asks for anything else (naming entry and offset)
     * @throws IOException           if it cannot be read
     */
    public static PytorchBinFile open(Path file) throws IOException {
        ByteSource s = ByteSource.open(file);
        try {
            return new PytorchBinFile(s);
        } catch (IOException | RuntimeException | Error e) {
            s.close();
            throw e;
        }
    }

    /**
     * The same from bytes in memory (tests and fuzzers).
     *
     * @param bytes the whole checkpoint; not copied, so not to be changed while this is in use
     * @param name  what to call the bytes in messages
     * @return the parsed checkpoint
     * @throws WeightFormatException as {@link #open} does, also for what would be a read error
     */
    public static PytorchBinFile read(byte[] bytes, String name) throws WeightFormatException {
        try {
            return new PytorchBinFile(ByteSource.of(bytes, name));
        } catch (WeightFormatException e) {
            throw e;
        } catch (IOException e) {
            throw new WeightFormatException(name + ": " + e.getMessage(), e);
        }
    }

    /**
     * {@return {@code "zip"} (torch 1.6 and later) or {@code "legacy"} (the older pickle stream),
     * the container the checkpoint turned out to be}
     */
    public String format() {
        return format;
    }

    private Map<String, Tensor> readZip() throws IOException {
        List<ZipArchive.Entry> all = zip.entries();
        if (all.isEmpty()) {
            throw new WeightFormatException(source.name + ": the zip archive is empty");
        }
        // As torch: the archive's name is the first entry's top directory.
        String first = all.get(0).name();
        int slash = first.indexOf('/');
        if (slash <= 0) {
            throw new WeightFormatException(source.name + ": first zip entry '" + TorchPickle.printable(first)
                    + "' is not inside an archive directory (torch writes <archive>/data.pkl)");
        }
        String archive = first.substring(0, slash);
        String pklName = archive + "/data.pkl";
        ZipArchive.Entry pkl = zip.find(pklName);
        if (pkl == null) {
            throw new WeightFormatException(source.name + ": zip archive has no entry '"
                    + TorchPickle.printable(pklName) + "' (not a torch.save file?)");
        }
        ZipArchive.Entry order = zip.find(archive + "/byteorder");
        if (order != null) {
            String bo = new String(zip.readAll(order, 16), StandardCharsets.US_ASCII).trim();
            if (!bo.equals("little")) {
                throw new WeightFormatException(source.name + ": entry '" + archive + "/byteorder' says '"
                        + TorchPickle.printable(bo) + "'; only little-endian checkpoints are read");
            }
        }
        byte[] pickle = zip.readAll(pkl, (int) TorchPickle.MAX_PICKLE_BYTES);
        Map<String, Storage> storages = new LinkedHashMap<>();
        String where = "entry '" + pklName + "'";
        Object value = TorchPickle.load(ByteSource.of(pickle, source.name), where, 0, storages).value();
        Map<String, Tensor> result = stateDict(value, where);
        for (Storage s : storages.values()) {
            String record = archive + "/data/" + s.key();
            ZipArchive.Entry e = zip.find(record);
            if (e == null) {
                throw new WeightFormatException(source.name + ": storage '" + TorchPickle.printable(s.key())
                        + "' has no entry '" + TorchPickle.printable(record) + "'");
            }
            long bytes = s.numel() * s.dtype().size();
            if (e.size() != bytes) {
                throw new WeightFormatException(source.name + ": entry '" + TorchPickle.printable(record) + "' has "
                        + e.size() + " bytes but its storage is " + s.numel() + " " + s.dtype() + " elements ("
                        + bytes + " bytes)");
            }
            records.put(s.key(), e);
        }
        return result;
    }

    private Map<String, Tensor> readLegacy() throws IOException {
        Map<String, Storage> storages = new LinkedHashMap<>();
        TorchPickle.Result magic = TorchPickle.load(source, "pickle 1 (magic number)", 0, storages);
        if (!LEGACY_MAGIC.equals(magic.value())) {
            throw new WeightFormatException(source.name + ": starts with a pickle but not torch's magic number"
                    + " (not a legacy PyTorch checkpoint)");
        }
        TorchPickle.Result protocol = TorchPickle.load(source, "pickle 2 (protocol version)", magic.end(), storages);
        if (!Long.valueOf(LEGACY_PROTOCOL).equals(protocol.value())) {
            throw new WeightFormatException(source.name + ": legacy protocol version "
                    + TorchPickle.kind(protocol.value()) + " at byte " + magic.end() + " (expected 1001)");
        }
        TorchPickle.Result sysInfo = TorchPickle.load(source, "pickle 3 (sys_info)", protocol.end(), storages);
        if (!(sysInfo.value() instanceof TorchPickle.Dict info) || !Boolean.TRUE.equals(info.map.get("little_endian"))) {
            throw new WeightFormatException(source.name + ": sys_info at byte " + protocol.end()
                    + " does not say little_endian: True; only little-endian checkpoints are read");
        }
        String where = "pickle 4 (the state_dict, at byte " + sysInfo.end() + ")";
        TorchPickle.Result dict = TorchPickle.load(source, where, sysInfo.end(), storages);
        Map<String, Tensor> result = stateDict(dict.value(), where);
        TorchPickle.Result keys = TorchPickle.load(source, "pickle 5 (storage keys, at byte " + dict.end() + ")",
                dict.end(), new LinkedHashMap<>());
        if (!(keys.value() instanceof ArrayList<?> list)) {
            throw new WeightFormatException(source.name + ": pickle 5 at byte " + dict.end()
                    + " should list the storage keys, found " + TorchPickle.kind(keys.value()));
        }
        Set<Object> seen = new HashSet<>();
        for (Object k : list) {
            if (!(k instanceof String key) || !storages.containsKey(key) || !seen.add(key)) {
                throw new WeightFormatException(source.name + ": pickle 5 lists storage " + TorchPickle.kind(k)
                        + ", which the state_dict " + (seen.contains(k) ? "lists twice" : "does not use"));
            }
        }
        if (seen.size() != storages.size()) {
            Set<String> missing = new HashSet<>(storages.keySet());
            missing.removeAll(seen);
            throw new WeightFormatException(source.name + ": pickle 5 does not list storage '"
                    + TorchPickle.printable(missing.iterator().next()) + "', which the state_dict uses");
        }
        long at = keys.end();
        for (Object k : list) {
            Storage s = storages.get((String) k);
            byte[] count = source.bytes(at, 8, "storage '" + TorchPickle.printable(s.key()) + "' element count");
            long n = ZipArchive.le(count, 0, 8);
            if (n != s.numel()) {
                throw new WeightFormatException(source.name + ": storage '" + TorchPickle.printable(s.key())
                        + "' at byte " + at + " has " + Long.toUnsignedString(n) + " elements but its persistent id says "
                        + s.numel());
            }
            long bytes = s.numel() * s.dtype().size();
            source.checkRange(at + 8, bytes, "storage '" + TorchPickle.printable(s.key()) + "' (" + s.numel() + " "
                    + s.dtype() + " elements, at byte " + (at + 8) + ")");
            offsets.put(s.key(), at + 8);
            at += 8 + bytes;
        }
        return result;
    }

    /** The top-level value must be a dict (or OrderedDict) of name to tensor. */
    private Map<String, Tensor> stateDict(Object value, String where) throws WeightFormatException {
        if (!(value instanceof TorchPickle.Dict d)) {
            throw new WeightFormatException(source.name + ": " + where + " holds " + TorchPickle.kind(value)
                    + ", not a state_dict (a dict of name to tensor)");
        }
        Map<String, Tensor> result = new LinkedHashMap<>();
        for (Map.Entry<Object, Object> e : d.map.entrySet()) {
            if (!(e.getKey() instanceof String name) || !(e.getValue() instanceof Tensor t)) {
                throw new WeightFormatException(source.name + ": " + where + ": state_dict entry "
                        + TorchPickle.kind(e.getKey()) + " maps to " + TorchPickle.kind(e.getValue())
                        + " (expected tensor names mapping to tensors)");
            }
            result.put(name, t);
        }
        return result;
    }

    @Override
    public List<String> names() {
        return names;
    }

    @Override
    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    @Override
    public TensorInfo info(String name) {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException(source.name + ": no tensor named '" + name + "'");
        }
        return new TensorInfo(name, t.storage().dtype().name(), t.size().clone());
    }

    /**
     * The key of the storage a tensor lies in (tensors that share one are tied).
     *
     * @param name the tensor's state_dict key
     * @return the storage's key in the checkpoint (its file name under {@code data/} in the zip
     *         format); equal keys mean shared memory
     * @throws WeightFormatException if there is no tensor of that name
     */
    public String storageKey(String name) throws WeightFormatException {
        return tensor(name).storage().key();
    }

    @Override
    public INDArray load(String name) throws IOException {
        Tensor t = tensor(name);
        SafetensorsDtype dtype = t.storage().dtype();
        long n = t.elementCount();
        long[] shape = t.size().clone();
        if (n == 0) {
            return Nd4j.create(dtype.loadedAs(), shape);
        }
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new UnsupportedOperationException("torch checkpoints are little-endian; this platform is not");
        }
        // Elements from the first one read to the last one read, inclusive.
        long span = 1;
        for (int i = 0; i < shape.length; i++) {
            span += (shape[i] - 1) * t.stride()[i];
        }
        int size = dtype.size();
        if (span > Integer.MAX_VALUE / size) {
            throw new WeightFormatException(source.name + ": tensor '" + name + "' spans " + span + " " + dtype
                    + " elements, more than one read may hold (2 GiB)");
        }
        BytePointer memory = new BytePointer(span * size);
        INDArray flat;
        try {
            ByteBuffer bytes = memory.asByteBuffer();
            readStorage(t.storage(), t.offset() * size, bytes, name);
            bytes.position(0);
            flat = dtype.decode(bytes, (int) span);
        } finally {
            memory.close();
        }
        if (isContiguous(shape, t.stride())) {
            return flat.reshape('c', shape);
        }
        // A strided view (a transposed or expanded tensor): gather it into a dense C-order copy.
        INDArray view = Nd4j.create(flat.data(), shape, t.stride().clone(), 0, 'c', flat.dataType());
        INDArray dense = view.dup('c');
        flat.close();
        return dense;
    }

    private void readStorage(Storage s, long byteOffset, ByteBuffer dst, String tensor) throws IOException {
        try {
            if (zip != null) {
                zip.read(records.get(s.key()), byteOffset, dst);
            } else {
                source.read(offsets.get(s.key()) + byteOffset, dst);
            }
        } catch (WeightFormatException e) {
            throw new WeightFormatException("tensor '" + tensor + "': " + e.getMessage(), e);
        }
    }

    /** Whether the strides are C order for the shape (size-1 dimensions may have any stride). */
    private static boolean isContiguous(long[] shape, long[] stride) {
        long expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && stride[i] != expected) {
                return false;
            }
            expected *= shape[i];
        }
        return true;
    }

    private Tensor tensor(String name) throws WeightFormatException {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new WeightFormatException(source.name + ": no tensor named '" + name + "' (the file holds "
                    + names.size() + " tensors)");
        }
        return t;
    }

    @Override
    public void close() throws IOException {
        source.close();
    }

    @Override
    public String toString() {
        return "PytorchBinFile[" + source.name + ", " + format + ", " + names.size() + " tensors]";
    }
}
