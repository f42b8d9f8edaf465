package org.bertj.weights.tf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bertj.weights.WeightFormatException;

/**
 * Reads every key/value pair of an immutable LevelDB-format table (an SSTable), the format of a
 * TensorBundle's {@code .index} file. See LevelDB's {@code doc/table_format.md}; TensorFlow's
 * {@code core/lib/io/format.cc} writes the same bytes.
 *
 * <pre>
 * [data block][trailer] ... [metaindex block][trailer] [index block][trailer] [footer: 48 bytes]
 * trailer = compression type (1 byte, 0 = none) + masked crc32c of block and type byte (4 bytes)
 * footer  = metaindex handle, index handle (varint64 offset + varint64 size each), zero padding
 *           to 40 bytes, magic 0xdb4775248b80fb57 (fixed64, little-endian)
 * block   = entries (varint32 shared, varint32 non_shared, varint32 value_len, key delta, value),
 *           restart offsets (fixed32 each), number of restarts (fixed32)
 * </pre>
 *
 * <p>Index files are small (8.5 KB for bert-base's 204 tensors), so the whole file is read into memory
 * and every block's checksum is verified.
 */
final class LevelDbTable {

    /** The table magic number, as LevelDB defines it. */
    static final long MAGIC = 0xdb4775248b80fb57L;
    /** Footer length: two handles of at most 20 bytes each, padded, plus the 8-byte magic. */
    static final int FOOTER_LENGTH = 48;
    /** Compression type byte + crc32c after every block. */
    static final int TRAILER_LENGTH = 5;

    /** One key/value pair; {@code valueOffset} is where the value starts in the file. */
    record Entry(byte[] key, byte[] value, long valueOffset) {
        String keyString() {
            return new String(key, StandardCharsets.UTF_8);
        }
    }

    private final Path file;
    private final byte[] bytes;

    private LevelDbTable(Path file, byte[] bytes) {
        this.file = file;
        this.bytes = bytes;
    }

    /**
     * Reads all entries in key order.
     *
     * @throws WeightFormatException naming the file and byte offset if anything is malformed
     */
    static List<Entry> readAll(Path file) throws IOException {
        long size = Files.size(file);
        if (size > Integer.MAX_VALUE - 16) {
            throw new WeightFormatException(file + ": index file of " + size + " bytes is too large");
        }
        return new LevelDbTable(file, Files.readAllBytes(file)).entries();
    }

    private List<Entry> entries() throws WeightFormatException {
        if (bytes.length < FOOTER_LENGTH) {
            throw error(0, "file of " + bytes.length + " bytes is too short for a table footer (" + FOOTER_LENGTH
                    + " bytes); the index is truncated or not a TensorBundle index");
        }
        int footer = bytes.length - FOOTER_LENGTH;
        long magic = new ProtoReader(bytes, bytes.length - 8, 8).readFixed64();
        if (magic != MAGIC) {
            throw error(bytes.length - 8, String.format("bad table magic 0x%016x (expected 0x%016x); the index is"
                    + " truncated or not a TensorBundle index", magic, MAGIC));
        }
        long[] metaIndex;
        long[] index;
        try {
            ProtoReader r = new ProtoReader(bytes, footer, FOOTER_LENGTH - 8);
            metaIndex = new long[] {r.readVarint64(), r.readVarint64()};
            index = new long[] {r.readVarint64(), r.readVarint64()};
        } catch (IllegalArgumentException e) {
            throw error(footer, "malformed footer: " + e.getMessage());
        }
        checkHandle(metaIndex, footer, "metaindex block handle in the footer");
        List<Entry> indexEntries = readBlock(index, footer, "index block handle in the footer");
        List<Entry> all = new ArrayList<>();
        for (Entry ie : indexEntries) {
            long[] handle;
            try {
                ProtoReader r = new ProtoReader(ie.value());
                handle = new long[] {r.readVarint64(), r.readVarint64()};
            } catch (IllegalArgumentException e) {
                throw error(ie.valueOffset(), "malformed block handle in the index block: " + e.getMessage());
            }
            all.addAll(readBlock(handle, footer, "data block handle at offset " + ie.valueOffset()));
        }
        for (int i = 1; i < all.size(); i++) {
            if (compare(all.get(i - 1).key(), all.get(i).key()) >= 0) {
                throw error(all.get(i).valueOffset(), "keys out of order: '" + all.get(i).keyString()
                        + "' follows '" + all.get(i - 1).keyString() + "'");
            }
        }
        return all;
    }

    private void checkHandle(long[] handle, int limit, String what) throws WeightFormatException {
        long offset = handle[0];
        long size = handle[1];
        // Subtractions, not sums: offset + size of two hostile varints may wrap past 2^63.
        if (offset < 0 || size < 0 || offset > limit || size > limit - offset - TRAILER_LENGTH) {
            throw error(offset, what + " (offset " + offset + ", size " + size + ") points past the end of the"
                    + " blocks (" + limit + " bytes before the footer); the index is truncated or corrupt");
        }
    }

    private List<Entry> readBlock(long[] handle, int limit, String what) throws WeightFormatException {
        checkHandle(handle, limit, what);
        int offset = (int) handle[0];
        int size = (int) handle[1];
        int type = bytes[offset + size] & 0xff;
        int stored = new ProtoReader(bytes, offset + size + 1, 4).readFixed32();
        int actual = MaskedCrc32c.mask(MaskedCrc32c.of(bytes, offset, size + 1));
        if (stored != actual) {
            throw error(offset, String.format("checksum mismatch in the block of %d bytes at offset %d (stored"
                    + " crc32c 0x%08x, computed 0x%08x); the index is corrupt", size, offset, stored, actual));
        }
        if (type != 0) {
            throw error(offset + size, "block at offset " + offset + " is compressed (type " + type
                    + (type == 1 ? ", snappy" : "") + "); only uncompressed TensorBundle indexes are supported");
        }
        return parseBlock(offset, size);
    }

    private List<Entry> parseBlock(int offset, int size) throws WeightFormatException {
        if (size < 4) {
            throw error(offset, "block of " + size + " bytes is too short for its restart count");
        }
        int end = offset + size;
        long numRestarts = new ProtoReader(bytes, end - 4, 4).readFixed32() & 0xffffffffL;
        long restartsStart = end - 4 - 4 * numRestarts;
        if (restartsStart < offset) {
            throw error(end - 4, "block claims " + numRestarts + " restart points, more than its " + size
                    + " bytes hold");
        }
        List<Entry> out = new ArrayList<>();
        byte[] prev = new byte[0];
        ProtoReader r = new ProtoReader(bytes, offset, (int) restartsStart - offset);
        while (!r.atEnd()) {
            int at = r.position();
            try {
                int shared = r.readVarint32();
                int nonShared = r.readVarint32();
                int valueLength = r.readVarint32();
                if (shared > prev.length) {
                    throw new IllegalArgumentException("entry shares " + shared + " key bytes with a previous key"
                            + " of " + prev.length);
                }
                int keyStart = r.position();
                if ((long) keyStart + nonShared + valueLength > restartsStart) {
                    throw new IllegalArgumentException("entry of " + nonShared + "+" + valueLength
                            + " bytes runs past the block's entries (" + restartsStart + ")");
                }
                byte[] key = new byte[shared + nonShared];
                System.arraycopy(prev, 0, key, 0, shared);
                System.arraycopy(bytes, keyStart, key, shared, nonShared);
                int valueStart = keyStart + nonShared;
                byte[] value = new byte[valueLength];
                System.arraycopy(bytes, valueStart, value, 0, valueLength);
                r.seek(valueStart + valueLength);
                out.add(new Entry(key, value, valueStart));
                prev = key;
            } catch (IllegalArgumentException e) {
                throw error(at, "malformed block entry: " + e.getMessage());
            }
        }
        return out;
    }

    private static int compare(byte[] a, byte[] b) {
        return java.util.Arrays.compareUnsigned(a, b);
    }

    private WeightFormatException error(long offset, String message) {
        return new WeightFormatException(file + ": byte offset " + offset + ": " + message);
    }
}
