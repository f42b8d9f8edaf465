package org.bertj.weights.tf;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Test-only writer of TensorBundle checkpoints as TensorFlow writes them (one data shard, an
 * uncompressed LevelDB table, masked CRC-32Cs), so that tests can make valid bundles and then
 * damage them on purpose. Knobs let a test spoil one thing at a time.
 */
public final class TensorBundleWriter {

    private record Tensor(int dtype, long[] shape, byte[] data, int slices, Long sizeOverride, byte[] rawProto) {
    }

    private final Map<String, Tensor> tensors = new TreeMap<>((a, b) -> Arrays.compareUnsigned(
            a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8)));
    private int entriesPerBlock = Integer.MAX_VALUE;
    private int dataBlockType = 0;

    /** Adds a tensor with raw little-endian bytes and a TF dtype number. */
    public TensorBundleWriter add(String name, int dtype, long[] shape, byte[] data) {
        tensors.put(name, new Tensor(dtype, shape, data, 0, null, null));
        return this;
    }

    /** Adds a DT_FLOAT tensor. */
    public TensorBundleWriter addFloat(String name, float[] values, long... shape) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return add(name, 1, shape, b.array());
    }

    /** Adds a DT_FLOAT tensor whose values are {@code start, start+1, ...}. */
    public TensorBundleWriter addRange(String name, float start, long... shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        float[] v = new float[(int) n];
        for (int i = 0; i < v.length; i++) {
            v[i] = start + i;
        }
        return addFloat(name, v, shape);
    }

    /** Adds an entry whose proto claims {@code size} bytes whatever the data is. */
    public TensorBundleWriter addWithSize(String name, int dtype, long[] shape, byte[] data, long size) {
        tensors.put(name, new Tensor(dtype, shape, data, 0, size, null));
        return this;
    }

    /** Adds an entry marked as a partitioned variable (one slice record, no bytes). */
    public TensorBundleWriter addPartitioned(String name, long... shape) {
        tensors.put(name, new Tensor(1, shape, new byte[0], 1, null, null));
        return this;
    }

    /** Adds an index entry whose value is these bytes instead of a BundleEntryProto (no data). */
    public TensorBundleWriter addRawEntry(String name, byte[] value) {
        tensors.put(name, new Tensor(0, new long[0], new byte[0], 0, null, value));
        return this;
    }

    /** Splits the entries over several data blocks of at most {@code n} entries each. */
    public TensorBundleWriter entriesPerBlock(int n) {
        this.entriesPerBlock = n;
        return this;
    }

    /** Writes this compression type byte after every data block (0 = none; TF knows 1 = snappy). */
    public TensorBundleWriter dataBlockType(int type) {
        this.dataBlockType = type;
        return this;
    }

    /** Writes {@code prefix.index} and {@code prefix.data-00000-of-00001}. */
    public void write(Path prefix) throws IOException {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        List<byte[][]> entries = new ArrayList<>();
        entries.add(new byte[][] {new byte[0], header()});
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Tensor t = e.getValue();
            long offset = data.size();
            data.write(t.data());
            entries.add(new byte[][] {e.getKey().getBytes(StandardCharsets.UTF_8), entry(t, offset)});
        }
        Files.createDirectories(prefix.toAbsolutePath().getParent());
        Files.write(TensorBundleReader.dataFile(prefix, 0, 1), data.toByteArray());
        Files.write(TensorBundleReader.indexOf(prefix), table(entries));
    }

    private static byte[] header() {
        Proto p = new Proto();
        p.varint(1, 1); // num_shards
        Proto version = new Proto();
        version.varint(1, 1); // producer
        p.bytes(3, version.toBytes());
        return p.toBytes();
    }

    private static byte[] entry(Tensor t, long offset) {
        if (t.rawProto() != null) {
            return t.rawProto();
        }
        Proto p = new Proto();
        p.varint(1, t.dtype());
        Proto shape = new Proto();
        for (long d : t.shape()) {
            Proto dim = new Proto();
            dim.varint(1, d);
            shape.bytes(2, dim.toBytes());
        }
        p.bytes(2, shape.toBytes());
        if (t.slices() == 0) {
            p.varint(4, offset);
            p.varint(5, t.sizeOverride() != null ? t.sizeOverride() : t.data().length);
            p.fixed32(6, MaskedCrc32c.mask(MaskedCrc32c.of(t.data(), 0, t.data().length)));
        } else {
            p.bytes(7, new byte[0]);
        }
        return p.toBytes();
    }

    private byte[] table(List<byte[][]> entries) {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        List<byte[][]> index = new ArrayList<>();
        for (int from = 0; from < entries.size(); from += entriesPerBlock) {
            List<byte[][]> chunk = entries.subList(from, (int) Math.min(entries.size(), (long) from + entriesPerBlock));
            long offset = file.size();
            int size = writeBlock(file, chunk, dataBlockType);
            // LevelDB's index keys are separators >= the block's last key; the last key itself is one.
            index.add(new byte[][] {chunk.get(chunk.size() - 1)[0], handle(offset, size)});
        }
        long metaOffset = file.size();
        int metaSize = writeBlock(file, List.of(), 0);
        long indexOffset = file.size();
        int indexSize = writeBlock(file, index, 0);
        ByteArrayOutputStream footer = new ByteArrayOutputStream();
        footer.writeBytes(handle(metaOffset, metaSize));
        footer.writeBytes(handle(indexOffset, indexSize));
        while (footer.size() < 40) {
            footer.write(0);
        }
        ByteBuffer magic = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(LevelDbTable.MAGIC);
        footer.writeBytes(magic.array());
        file.writeBytes(footer.toByteArray());
        return file.toByteArray();
    }

    /** Writes a block with prefix-compressed keys and one restart point; returns its size without trailer. */
    private static int writeBlock(ByteArrayOutputStream out, List<byte[][]> entries, int type) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        byte[] prev = new byte[0];
        for (byte[][] kv : entries) {
            byte[] key = kv[0];
            int shared = 0;
            while (shared < Math.min(prev.length, key.length) && prev[shared] == key[shared]) {
                shared++;
            }
            writeVarint(b, shared);
            writeVarint(b, key.length - shared);
            writeVarint(b, kv[1].length);
            b.write(key, shared, key.length - shared);
            b.writeBytes(kv[1]);
            prev = key;
        }
        ByteBuffer restarts = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(0).putInt(1);
        b.writeBytes(restarts.array());
        byte[] block = b.toByteArray();
        byte[] withType = Arrays.copyOf(block, block.length + 1);
        withType[block.length] = (byte) type;
        int crc = MaskedCrc32c.mask(MaskedCrc32c.of(withType, 0, withType.length));
        out.writeBytes(withType);
        out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(crc).array());
        return block.length;
    }

    private static byte[] handle(long offset, long size) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        writeVarint(b, offset);
        writeVarint(b, size);
        return b.toByteArray();
    }

    static void writeVarint(ByteArrayOutputStream out, long v) {
        while ((v & ~0x7fL) != 0) {
            out.write((int) ((v & 0x7f) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }

    /** Minimal protobuf message builder. */
    private static final class Proto {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        void varint(int field, long v) {
            writeVarint(out, (long) field << 3);
            writeVarint(out, v);
        }

        void bytes(int field, byte[] v) {
            writeVarint(out, (long) field << 3 | 2);
            writeVarint(out, v.length);
            out.writeBytes(v);
        }

        void fixed32(int field, int v) {
            writeVarint(out, (long) field << 3 | 5);
            out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
        }

        byte[] toBytes() {
            return out.toByteArray();
        }
    }
}
