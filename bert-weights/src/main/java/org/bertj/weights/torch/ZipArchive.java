package org.bertj.weights.torch;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.bertj.weights.WeightFormatException;

/**
 * The central directory of a zip archive (what {@code torch.save} writes since 1.6), read and
 * checked before anything is extracted: every size and offset is checked against the file, entries
 * may not overlap (the zip-bomb trick of many entries over one compressed stream), only stored and
 * deflated entries are accepted, and a deflated entry may not claim more output than deflate can
 * produce from its input. ZIP64 sizes and offsets are understood. Extraction never trusts the
 * declared size: output beyond it, or short of it, is an error.
 *
 * <p>Written by hand rather than with {@code java.util.zip.ZipFile}, which reads from a path only,
 * trusts the directory's sizes, and answers malformed archives with unchecked exceptions.
 */
final class ZipArchive {

    /** One entry, with the absolute offset of its data (after its local header). */
    record Entry(String name, int method, long compressedSize, long size, int crc, long dataStart) {
        static final int STORED = 0;
        static final int DEFLATED = 8;
    }

    private static final int EOCD_SIG = 0x06054b50;
    private static final int ZIP64_LOCATOR_SIG = 0x07064b50;
    private static final int ZIP64_EOCD_SIG = 0x06064b50;
    private static final int CENTRAL_SIG = 0x02014b50;
    private static final int LOCAL_SIG = 0x04034b50;
    private static final int EOCD_SIZE = 22;
    private static final int CENTRAL_SIZE = 46;
    private static final int LOCAL_SIZE = 30;
    /** Deflate's best case is 258 output bytes per 2 input bits (about 1032:1); allow a little more. */
    private static final long MAX_DEFLATE_RATIO = 1100;
    /** Far more than any checkpoint's directory (a million entries), so it is never a large allocation. */
    static final long MAX_DIRECTORY_BYTES = 128L << 20;

    private final ByteSource source;
    private final Map<String, Entry> entries = new LinkedHashMap<>();

    private ZipArchive(ByteSource source) {
        this.source = source;
    }

    /** Whether the source starts like a zip archive (a local file header). */
    static boolean looksLikeZip(ByteSource source) throws IOException {
        return source.size() >= 4 && le(source.bytes(0, 4, "the magic number"), 0, 4) == LOCAL_SIG;
    }

    /** Reads and checks the central directory. */
    static ZipArchive open(ByteSource source) throws IOException {
        ZipArchive zip = new ZipArchive(source);
        zip.readDirectory();
        return zip;
    }

    /** The entries, in central-directory order. */
    List<Entry> entries() {
        return List.copyOf(entries.values());
    }

    /** The entry of that name, or null. */
    Entry find(String name) {
        return entries.get(name);
    }

    private void readDirectory() throws IOException {
        long size = source.size();
        if (size < EOCD_SIZE) {
            throw error("file is " + size + " bytes, too short for a zip archive's end record (22 bytes)");
        }
        // The end record is followed only by its comment (at most 65535 bytes): search backwards.
        int tail = (int) Math.min(size, EOCD_SIZE + 0xFFFF);
        byte[] end = source.bytes(size - tail, tail, "the end of the zip archive");
        int at = -1;
        for (int i = tail - EOCD_SIZE; i >= 0; i--) {
            if (le(end, i, 4) == EOCD_SIG && i + EOCD_SIZE + (int) le(end, i + 20, 2) == tail) {
                at = i;
                break;
            }
        }
        if (at < 0) {
            throw error("no zip end-of-central-directory record (not a zip archive, or truncated)");
        }
        long eocd = size - tail + at;
        long count = le(end, at + 10, 2);
        long dirSize = le(end, at + 12, 4);
        long dirOffset = le(end, at + 16, 4);
        if (le(end, at + 4, 2) != 0 && le(end, at + 4, 2) != 0xFFFF) {
            throw error("multi-disk zip archives are not supported (end record at byte " + eocd + ")");
        }
        long dirEnd = eocd;
        if (count == 0xFFFF || dirSize == 0xFFFFFFFFL || dirOffset == 0xFFFFFFFFL) {
            if (eocd < 20) {
                throw error("ZIP64 sizes announced at byte " + eocd + " but there is no room for a ZIP64 locator");
            }
            byte[] loc = source.bytes(eocd - 20, 20, "the ZIP64 end locator");
            if (le(loc, 0, 4) != ZIP64_LOCATOR_SIG) {
                throw error("ZIP64 sizes announced but no ZIP64 end locator at byte " + (eocd - 20));
            }
            long recAt = le(loc, 8, 8);
            if (recAt < 0 || recAt > eocd - 20 - 56) {
                throw error("ZIP64 end record offset " + recAt + " (locator at byte " + (eocd - 20)
                        + ") is outside the file");
            }
            byte[] rec = source.bytes(recAt, 56, "the ZIP64 end record");
            if (le(rec, 0, 4) != ZIP64_EOCD_SIG) {
                throw error("no ZIP64 end record at byte " + recAt);
            }
            count = le(rec, 32, 8);
            dirSize = le(rec, 40, 8);
            dirOffset = le(rec, 48, 8);
            dirEnd = recAt;
        }
        if (dirOffset < 0 || dirSize < 0 || dirOffset > dirEnd || dirSize > dirEnd - dirOffset) {
            throw error("central directory (bytes " + dirOffset + ".." + (dirOffset + dirSize)
                    + ") does not lie before the end record at byte " + dirEnd);
        }
        if (count < 0 || count > dirSize / CENTRAL_SIZE) {
            throw error("end record claims " + count + " entries but the central directory has only "
                    + dirSize + " bytes");
        }
        if (dirSize > MAX_DIRECTORY_BYTES) {
            throw error("central directory of " + dirSize + " bytes is larger than the limit of "
                    + MAX_DIRECTORY_BYTES + " (a torch checkpoint's has about 100 bytes per tensor)");
        }
        byte[] dir = source.bytes(dirOffset, (int) dirSize, "the central directory");
        int p = 0;
        for (long i = 0; i < count; i++) {
            p = readCentral(dir, p, dirOffset);
        }
        checkNoOverlap(dirOffset);
    }

    /** Parses the central header at {@code dir[p]}; returns where the next one starts. */
    private int readCentral(byte[] dir, int p, long dirOffset) throws IOException {
        long abs = dirOffset + p;
        if (p > dir.length - CENTRAL_SIZE || le(dir, p, 4) != CENTRAL_SIG) {
            throw error("no central directory header at byte " + abs);
        }
        int flags = (int) le(dir, p + 8, 2);
        int method = (int) le(dir, p + 10, 2);
        int crc = (int) le(dir, p + 16, 4);
        long csize = le(dir, p + 20, 4);
        long usize = le(dir, p + 24, 4);
        int nameLen = (int) le(dir, p + 28, 2);
        int extraLen = (int) le(dir, p + 30, 2);
        int commentLen = (int) le(dir, p + 32, 2);
        long local = le(dir, p + 42, 4);
        int next = p + CENTRAL_SIZE + nameLen + extraLen + commentLen;
        if (next > dir.length) {
            throw error("central directory header at byte " + abs + " runs past the directory's end");
        }
        String name = new String(dir, p + CENTRAL_SIZE, nameLen, StandardCharsets.UTF_8);
        // ZIP64 extra field: the 8-byte values of those fields that read 0xFFFFFFFF, in this order.
        int e = p + CENTRAL_SIZE + nameLen;
        int extraEnd = e + extraLen;
        while (e + 4 <= extraEnd) {
            int id = (int) le(dir, e, 2);
            int len = (int) le(dir, e + 2, 2);
            if (e + 4 + len > extraEnd) {
                throw error("entry '" + name + "': extra field at byte " + (dirOffset + e) + " runs past its end");
            }
            if (id == 1) {
                int q = e + 4;
                if (usize == 0xFFFFFFFFL) {
                    usize = zip64Value(dir, q, e + 4 + len, name);
                    q += 8;
                }
                if (csize == 0xFFFFFFFFL) {
                    csize = zip64Value(dir, q, e + 4 + len, name);
                    q += 8;
                }
                if (local == 0xFFFFFFFFL) {
                    local = zip64Value(dir, q, e + 4 + len, name);
                }
            }
            e += 4 + len;
        }
        if ((flags & 1) != 0) {
            throw error("entry '" + name + "' is encrypted");
        }
        if (method != Entry.STORED && method != Entry.DEFLATED) {
            throw error("entry '" + name + "' uses compression method " + method + " (only stored and deflated are read)");
        }
        if (csize < 0 || usize < 0 || local < 0) {
            throw error("entry '" + name + "' has a size or offset over 2^63");
        }
        if (method == Entry.STORED && csize != usize) {
            throw error("entry '" + name + "' is stored but its sizes differ (" + csize + " compressed, " + usize
                    + " uncompressed)");
        }
        if (method == Entry.DEFLATED && usize / MAX_DEFLATE_RATIO > csize + 1) {
            throw error("entry '" + name + "' claims " + usize + " bytes from " + csize
                    + " deflated bytes, more than deflate can produce");
        }
        if (local > dirOffset - LOCAL_SIZE) {
            throw error("entry '" + name + "': local header offset " + local + " is not before the central directory"
                    + " (byte " + dirOffset + ")");
        }
        byte[] lh = source.bytes(local, LOCAL_SIZE, "entry '" + name + "' local header");
        if (le(lh, 0, 4) != LOCAL_SIG) {
            throw error("entry '" + name + "': no local file header at byte " + local);
        }
        long dataStart = local + LOCAL_SIZE + le(lh, 26, 2) + le(lh, 28, 2);
        if (le(lh, 26, 2) != nameLen || !name.equals(new String(source.bytes(local + LOCAL_SIZE, nameLen,
                "entry '" + name + "' local name"), StandardCharsets.UTF_8))) {
            throw error("entry '" + name + "': the local header at byte " + local + " names another file");
        }
        if (dataStart > dirOffset || csize > dirOffset - dataStart) {
            throw error("entry '" + name + "': data (bytes " + dataStart + ".." + (dataStart + csize)
                    + ") runs into the central directory at byte " + dirOffset);
        }
        if (entries.put(name, new Entry(name, method, csize, usize, crc, dataStart)) != null) {
            throw error("entry '" + name + "' appears twice");
        }
        return next;
    }

    private long zip64Value(byte[] dir, int q, int end, String name) throws WeightFormatException {
        if (q + 8 > end) {
            throw error("entry '" + name + "': ZIP64 extra field is too short");
        }
        return le(dir, q, 8);
    }

    private void checkNoOverlap(long dirOffset) throws WeightFormatException {
        List<Entry> byStart = new ArrayList<>(entries.values());
        byStart.sort(Comparator.comparingLong(Entry::dataStart));
        long previousEnd = 0;
        String previous = null;
        for (Entry e : byStart) {
            if (e.dataStart() < previousEnd) {
                throw error("entries '" + previous + "' and '" + e.name() + "' overlap (at byte " + e.dataStart() + ")");
            }
            previousEnd = e.dataStart() + e.compressedSize();
            previous = e.name();
        }
    }

    /**
     * The whole of a small entry, CRC checked.
     *
     * @param limit the largest size accepted (checked before anything is allocated)
     */
    byte[] readAll(Entry e, int limit) throws IOException {
        if (e.size() > limit) {
            throw error("entry '" + e.name() + "' is " + e.size() + " bytes; the limit is " + limit);
        }
        byte[] out = new byte[(int) e.size()];
        read(e, 0, ByteBuffer.wrap(out));
        CRC32 crc = new CRC32();
        crc.update(out);
        if ((int) crc.getValue() != e.crc()) {
            throw error("entry '" + e.name() + "' fails its CRC-32 check (corrupt)");
        }
        return out;
    }

    /** Fills {@code dst} with the entry's uncompressed bytes starting {@code offset} bytes in. */
    void read(Entry e, long offset, ByteBuffer dst) throws IOException {
        if (offset < 0 || offset > e.size() || dst.remaining() > e.size() - offset) {
            throw error("entry '" + e.name() + "': bytes " + offset + ".." + (offset + dst.remaining())
                    + " asked for but it has " + e.size());
        }
        if (e.method() == Entry.STORED) {
            source.read(e.dataStart() + offset, dst);
        } else {
            inflate(e, offset, dst);
        }
    }

    /**
     * Inflates from the start of the entry, dropping the first {@code skip} bytes. Every round
     * consumes input or produces output, or fails, so a corrupt stream cannot loop.
     */
    private void inflate(Entry e, long skip, ByteBuffer dst) throws IOException {
        Inflater inflater = new Inflater(true);
        try {
            byte[] in = new byte[(int) Math.min(1 << 16, Math.max(1, e.compressedSize()))];
            byte[] out = new byte[1 << 16];
            long inAt = 0;
            long produced = 0;
            boolean dummyGiven = false;
            while (dst.hasRemaining()) {
                boolean fed = false;
                if (inflater.needsInput()) {
                    fed = true;
                    int n = (int) Math.min(in.length, e.compressedSize() - inAt);
                    if (n > 0) {
                        source.read(e.dataStart() + inAt, ByteBuffer.wrap(in, 0, n));
                        inAt += n;
                        inflater.setInput(in, 0, n);
                    } else if (!dummyGiven) {
                        // A raw (nowrap) inflater may need one byte past the stream to finish.
                        dummyGiven = true;
                        inflater.setInput(new byte[1], 0, 1);
                    } else {
                        throw error("entry '" + e.name() + "': deflated data ends after " + produced + " of "
                                + e.size() + " bytes (truncated or corrupt)");
                    }
                }
                int n;
                try {
                    n = inflater.inflate(out);
                } catch (DataFormatException ex) {
                    throw error("entry '" + e.name() + "': corrupt deflated data after " + produced + " bytes ("
                            + ex.getMessage() + ")");
                }
                if (n == 0 && (inflater.finished() || inflater.needsDictionary() || !fed && !inflater.needsInput())) {
                    throw error("entry '" + e.name() + "': deflated data ends after " + produced + " of "
                            + e.size() + " bytes");
                }
                if (produced + n > e.size()) {
                    throw error("entry '" + e.name() + "' inflates to more than its declared " + e.size() + " bytes");
                }
                long from = Math.max(0, skip - produced);
                if (from < n) {
                    int take = (int) Math.min(n - from, dst.remaining());
                    dst.put(out, (int) from, take);
                }
                produced += n;
            }
        } finally {
            inflater.end();
        }
    }

    private WeightFormatException error(String message) {
        return new WeightFormatException(source.name + ": " + message);
    }

    /** Unsigned little-endian integer of {@code n} bytes (n ≤ 8; 8 bytes may come back negative). */
    static long le(byte[] b, int at, int n) {
        long v = 0;
        for (int i = n - 1; i >= 0; i--) {
            v = v << 8 | (b[at + i] & 0xFF);
        }
        return v;
    }
}
