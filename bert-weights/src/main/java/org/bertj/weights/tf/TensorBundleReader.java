package org.bertj.weights.tf;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.bertj.weights.TensorInfo;
import org.bertj.weights.TensorSource;
import org.bertj.weights.WeightFormatException;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A TensorFlow checkpoint in the TensorBundle (V2) format: Google's original BERT checkpoints
 * ({@code bert_model.ckpt.index} + {@code bert_model.ckpt.data-00000-of-00001}) and the
 * {@code variables/} of a SavedModel. Names are TensorFlow's ({@code bert/encoder/layer_0/...});
 * {@link TfToHuggingFace} renames them.
 *
 * <p>Opening reads and checks the whole {@code .index} table (block checksums, every entry's dtype,
 * shape and byte range against its data shard). The data shards are memory-mapped; {@link #load}
 * verifies the tensor's CRC-32C before handing its bytes to ND4J, so the only copy made is the one
 * into the array the caller gets. Floating point tensors load as FLOAT (DT_DOUBLE as DOUBLE, exactly), integers and booleans up to
 * 32 bits as INT, 64-bit integers (and UINT32) as LONG. Entries that are not numeric tensors (strings, variants,
 * resources) are listed but cannot be loaded; partitioned variables are listed but not supported.
 */
public final class TensorBundleReader implements TensorSource {

    private static final String INDEX_SUFFIX = ".index";

    private record Tensor(BundleEntry entry, TfDataType dtype, TensorInfo info) {
    }

    private final Path prefix;
    private final Path indexFile;
    private final Map<String, Tensor> tensors;
    private final List<String> names;
    private final Path[] shardFiles;
    private final FileChannel[] shards;

    private TensorBundleReader(Path prefix, Map<String, Tensor> tensors, Path[] shardFiles, FileChannel[] shards) {
        this.prefix = prefix;
        this.indexFile = indexOf(prefix);
        this.tensors = tensors;
        this.names = List.copyOf(tensors.keySet());
        this.shardFiles = shardFiles;
        this.shards = shards;
    }

    /**
     * Opens a bundle. {@code path} may be the prefix ({@code .../bert_model.ckpt}), the
     * {@code .index} file, a SavedModel directory (using {@code variables/variables}) or a
     * directory holding exactly one {@code .index} file.
     *
     * @param path where the bundle is, in any of those forms
     * @return the open bundle, holding its data shards open until {@link #close}
     * @throws WeightFormatException if the index is malformed or disagrees with the data shards
     * @throws NoSuchFileException   if no bundle is there
     */
    public static TensorBundleReader open(Path path) throws IOException {
        Path prefix = resolvePrefix(path);
        Path index = indexOf(prefix);
        Header header = null;
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (LevelDbTable.Entry e : LevelDbTable.readAll(index)) {
            if (e.key().length == 0) {
                header = parseHeader(index, e);
                continue;
            }
            if (e.key()[0] == 0) {
                continue; // slices of a partitioned variable: internal records, keyed by an encoding, not a name
            }
            String name = e.keyString();
            BundleEntry entry;
            try {
                entry = BundleEntry.parse(e.value());
            } catch (IllegalArgumentException | ArithmeticException ex) {
                throw new WeightFormatException(index + ": tensor '" + name + "': malformed BundleEntryProto at byte"
                        + " offset " + e.valueOffset() + ": " + ex.getMessage());
            }
            tensors.put(name, check(index, name, e.valueOffset(), entry));
        }
        if (header == null) {
            throw new WeightFormatException(index + ": no bundle header (the entry with the empty key); not a"
                    + " TensorBundle index");
        }
        Path[] files = new Path[header.numShards];
        FileChannel[] channels = new FileChannel[header.numShards];
        try {
            long[] shardSizes = new long[header.numShards];
            for (int i = 0; i < header.numShards; i++) {
                files[i] = dataFile(prefix, i, header.numShards);
                if (!Files.isRegularFile(files[i])) {
                    throw new NoSuchFileException(files[i].toString(), null, "data shard of " + index + " is missing");
                }
                channels[i] = FileChannel.open(files[i], StandardOpenOption.READ);
                shardSizes[i] = channels[i].size();
            }
            for (Map.Entry<String, Tensor> t : tensors.entrySet()) {
                BundleEntry entry = t.getValue().entry();
                if (entry.shardId() < 0 || entry.shardId() >= header.numShards) {
                    throw new WeightFormatException(index + ": tensor '" + t.getKey() + "' is in shard "
                            + entry.shardId() + " but the bundle has " + header.numShards);
                }
                long have = shardSizes[entry.shardId()];
                if (entry.size() > have - entry.offset()) { // both >= 0: the sum could wrap, the difference cannot
                    throw new WeightFormatException(files[entry.shardId()] + ": tensor '" + t.getKey() + "' needs bytes "
                            + entry.offset() + ".." + BigInteger.valueOf(entry.offset()).add(BigInteger.valueOf(entry.size()))
                            + " but the file ends at byte "
                            + have + "; the data shard is truncated");
                }
            }
        } catch (IOException | RuntimeException ex) {
            closeAll(channels, ex);
            throw ex;
        }
        return new TensorBundleReader(prefix, tensors, files, channels);
    }

    /** {@return the bundle's prefix: the index is {@code prefix.index}, the data {@code prefix.data-*}} */
    public Path prefix() {
        return prefix;
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
            throw new IllegalArgumentException(indexFile + ": no tensor named '" + name + "'");
        }
        return t.info();
    }

    /**
     * Whether the entry is a numeric tensor that {@link #load} can read (not a string, variant, ...).
     *
     * @param name a variable name in the bundle
     * @return true if it is present, of a numeric dtype and not stored in slices; false for an
     *         unknown name
     */
    public boolean isLoadable(String name) {
        Tensor t = tensors.get(name);
        return t != null && t.dtype().nd4j != null && t.entry().slices() == 0;
    }

    @Override
    public INDArray load(String name) throws IOException {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new WeightFormatException(indexFile + ": no tensor named '" + name + "'");
        }
        BundleEntry e = t.entry();
        Path file = shardFiles[e.shardId()];
        if (e.slices() > 0) {
            throw new WeightFormatException(indexFile + ": tensor '" + name + "' is a partitioned variable ("
                    + e.slices() + " slices); partitioned checkpoints are not supported");
        }
        if (t.dtype().nd4j == null) {
            throw new WeightFormatException(indexFile + ": tensor '" + name + "' has dtype " + t.dtype().displayName
                    + ", which is not a numeric tensor and cannot be loaded");
        }
        if (e.size() > Integer.MAX_VALUE) {
            throw new WeightFormatException(file + ": tensor '" + name + "' of " + e.size()
                    + " bytes is larger than the 2 GiB a single tensor may have here");
        }
        ByteBuffer bytes = shards[e.shardId()].map(FileChannel.MapMode.READ_ONLY, e.offset(), e.size())
                .order(ByteOrder.LITTLE_ENDIAN);
        int actual = MaskedCrc32c.of(bytes);
        int stored = MaskedCrc32c.unmask(e.maskedCrc32c());
        if (actual != stored) {
            throw new WeightFormatException(String.format("%s: tensor '%s' (bytes %d..%d): crc32c mismatch (stored"
                    + " 0x%08x, computed 0x%08x); the data file is corrupt", file, name, e.offset(),
                    e.offset() + e.size(), stored, actual));
        }
        return toArray(bytes, t.dtype(), e.shape(), (int) e.elementCount());
    }

    /** Turns little-endian bytes into an array; floating point types come back as FLOAT, DOUBLE as DOUBLE. */
    private static INDArray toArray(ByteBuffer bytes, TfDataType dtype, long[] shape, int count) {
        if (count == 0) {
            return Nd4j.create(loadedAs(dtype), shape, 'c');
        }
        if (dtype == TfDataType.BFLOAT16) {
            // ND4J's buffer factory misreads BF16 bytes; widening is exact: the 16 bits are the float's top half.
            ByteBuffer wide = ByteBuffer.allocateDirect(count * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < count; i++) {
                wide.putInt(i * 4, (bytes.getShort(i * 2) & 0xffff) << 16);
            }
            return wrap(wide, DataType.FLOAT, shape, count);
        }
        INDArray stored = wrap(bytes, dtype.nd4j, shape, count);
        DataType loaded = loadedAs(dtype);
        if (loaded == stored.dataType()) {
            return stored;
        }
        INDArray cast = stored.castTo(loaded);
        stored.close();
        return cast;
    }

    /** As {@link TensorSource#load} promises, and as safetensors files load: few types, wide enough. */
    private static DataType loadedAs(TfDataType dtype) {
        if (dtype == TfDataType.DOUBLE) {
            return DataType.DOUBLE;
        }
        if (dtype.isFloatingPoint()) {
            return DataType.FLOAT;
        }
        return switch (dtype) {
            case INT8, UINT8, INT16, UINT16, BOOL, INT32 -> DataType.INT;
            default -> DataType.LONG;
        };
    }

    private static INDArray wrap(ByteBuffer bytes, DataType type, long[] shape, int count) {
        DataBuffer buffer = Nd4j.createBuffer(bytes, type, count);
        return Nd4j.create(buffer, shape, Nd4j.getStrides(shape, 'c'), 0, 'c', type);
    }

    @Override
    public void close() throws IOException {
        closeAll(shards, null);
    }

    /**
     * Where a bundle's index lives, given its prefix.
     *
     * @param prefix the bundle prefix, e.g. {@code .../bert_model.ckpt}
     * @return {@code prefix.index}, beside the prefix; it may not exist
     */
    public static Path indexOf(Path prefix) {
        return prefix.resolveSibling(prefix.getFileName() + INDEX_SUFFIX);
    }

    /**
     * The name TensorFlow gives shard {@code i} of {@code n}: {@code prefix.data-0000i-of-0000n}.
     *
     * @param prefix    the bundle prefix
     * @param shard     the shard's index, from 0
     * @param numShards how many shards the bundle has (its index header says)
     * @return the shard's path beside the prefix; it may not exist
     */
    public static Path dataFile(Path prefix, int shard, int numShards) {
        return prefix.resolveSibling(prefix.getFileName() + String.format(".data-%05d-of-%05d", shard, numShards));
    }

    /**
     * Finds the bundle prefix for a path the user gave: a prefix, an {@code .index} file, a
     * SavedModel directory or a directory with exactly one {@code .index} file.
     *
     * @param path what the user gave
     * @return the prefix, whose {@code .index} file exists
     * @throws NoSuchFileException if none of these fits (the message lists the candidates of a
     *                             directory with several)
     * @throws IOException         if a directory cannot be listed
     */
    public static Path resolvePrefix(Path path) throws IOException {
        String fileName = path.getFileName() == null ? "" : path.getFileName().toString();
        if (fileName.endsWith(INDEX_SUFFIX) && Files.isRegularFile(path)) {
            return path.resolveSibling(fileName.substring(0, fileName.length() - INDEX_SUFFIX.length()));
        }
        if (Files.isRegularFile(indexOf(path))) {
            return path;
        }
        if (Files.isDirectory(path)) {
            Path savedModel = path.resolve("variables").resolve("variables");
            if (Files.isRegularFile(indexOf(savedModel))) {
                return savedModel;
            }
            List<Path> indexes = new ArrayList<>();
            try (Stream<Path> s = Files.list(path)) {
                s.filter(p -> p.getFileName().toString().endsWith(INDEX_SUFFIX)).forEach(indexes::add);
            }
            if (indexes.size() == 1) {
                return resolvePrefix(indexes.get(0));
            }
            Collections.sort(indexes);
            throw new NoSuchFileException(path.toString(), null, indexes.isEmpty()
                    ? "no TensorFlow checkpoint (*.index, variables/variables.index) in this directory"
                    : "several checkpoints in this directory, name one: " + indexes);
        }
        throw new NoSuchFileException(indexOf(path).toString(), null, "no TensorFlow checkpoint index");
    }

    private record Header(int numShards) {
    }

    private static Header parseHeader(Path index, LevelDbTable.Entry e) throws WeightFormatException {
        int numShards = 0;
        int endianness = 0;
        long minConsumer = 0;
        try {
            ProtoReader r = new ProtoReader(e.value());
            while (!r.atEnd()) {
                int tag = r.readTag();
                switch (tag >>> 3) {
                    case 1 -> numShards = r.readVarint32();
                    case 2 -> endianness = r.readVarint32();
                    case 3 -> {
                        ProtoReader v = r.readMessage();
                        while (!v.atEnd()) {
                            int t = v.readTag();
                            if (t >>> 3 == 2 && (t & 7) == ProtoReader.VARINT) {
                                minConsumer = v.readVarint64();
                            } else {
                                v.skip(t & 7);
                            }
                        }
                    }
                    default -> r.skip(tag & 7);
                }
            }
        } catch (IllegalArgumentException ex) {
            throw new WeightFormatException(index + ": malformed bundle header at byte offset " + e.valueOffset()
                    + ": " + ex.getMessage());
        }
        if (endianness != 0) {
            throw new WeightFormatException(index + ": the bundle is big-endian; only little-endian bundles are"
                    + " supported");
        }
        if (minConsumer > 1) {
            throw new WeightFormatException(index + ": the bundle needs a reader of version " + minConsumer
                    + " or later; this one reads version 1");
        }
        if (numShards < 0 || numShards > 99_999) {
            throw new WeightFormatException(index + ": bundle header claims " + numShards + " data shards");
        }
        return new Header(numShards);
    }

    private static Tensor check(Path index, String name, long at, BundleEntry entry) throws WeightFormatException {
        TfDataType dtype = TfDataType.forCode(entry.dtypeCode());
        String where = index + ": tensor '" + name + "' (entry at byte offset " + at + ")";
        if (dtype == null) {
            throw new WeightFormatException(where + " has unknown dtype " + entry.dtypeCode());
        }
        long count;
        long bytes;
        try {
            count = entry.elementCount();
            // Exact, or a [2^62+6] F32 would "need" 24 bytes after wrapping around.
            bytes = Math.multiplyExact(count, (long) Math.max(dtype.width, 0));
        } catch (ArithmeticException ex) {
            throw new WeightFormatException(where + ": shape " + java.util.Arrays.toString(entry.shape()) + " of "
                    + dtype.displayName + " needs more than 2^63 bytes (the entry says " + entry.size() + ")");
        }
        if (dtype.width > 0 && entry.slices() == 0 && bytes != entry.size()) {
            throw new WeightFormatException(where + ": shape " + java.util.Arrays.toString(entry.shape()) + " of "
                    + dtype.displayName + " needs " + count + " x " + dtype.width + " = " + bytes
                    + " bytes but the entry says " + entry.size());
        }
        return new Tensor(entry, dtype, new TensorInfo(name, dtype.displayName, entry.shape()));
    }

    private static void closeAll(FileChannel[] channels, Throwable primary) throws IOException {
        IOException first = null;
        for (FileChannel c : channels) {
            if (c == null) {
                continue;
            }
            try {
                c.close();
            } catch (IOException ex) {
                if (primary != null) {
                    primary.addSuppressed(ex);
                } else if (first == null) {
                    first = ex;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
