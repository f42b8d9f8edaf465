package org.bertj.weights;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parsed and validated header of a safetensors file: an 8-byte little-endian length N, N bytes
 * of UTF-8 JSON, then the data bytes. Validation follows the reference Rust implementation
 * (huggingface/safetensors {@code SafeTensors::read_metadata} and {@code Metadata::validate}): the
 * tensors' data_offsets, sorted, must tile the data section exactly, and every tensor's byte count
 * must equal its element count times its dtype size. Unlike serde, duplicate keys are an error
 * rather than "last one wins". The JSON is parsed by {@link StrictJson}: RFC 8259 exactly (the
 * reference's serde_json refuses {@code \\'}, comments and the rest as well), errors at file byte offsets.
 */
final class SafetensorsHeader {

    /** The reference implementation's limit (100 MB), against header bombs. */
    static final long MAX_HEADER_SIZE = 100_000_000L;

    /** One tensor as the header describes it; offsets are relative to the data section. */
    record Entry(String name, SafetensorsDtype dtype, long[] shape, long begin, long end) {
        long byteCount() {
            return end - begin;
        }

        /** Exact: {@link #read} refuses a header whose element counts overflow. */
        long elementCount() {
            return elementCountExact(shape);
        }
    }

    final Path file;
    /** Absolute file offset of the first data byte (8 + header length). */
    final long dataStart;
    /** Entries sorted by data offset, which is the order their bytes lie in the file. */
    final List<Entry> entries;
    final Map<String, String> metadata;

    private SafetensorsHeader(Path file, long dataStart, List<Entry> entries, Map<String, String> metadata) {
        this.file = file;
        this.dataStart = dataStart;
        this.entries = entries;
        this.metadata = metadata;
    }

    /** Reads and validates the header of {@code file}, open as {@code channel}. */
    static SafetensorsHeader read(Path file, FileChannel channel) throws IOException {
        long fileSize = channel.size();
        if (fileSize < 8) {
            throw error(file, "file is " + fileSize + " bytes, too short for the 8-byte header length");
        }
        ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(channel, lengthBytes, 0);
        long n = lengthBytes.getLong(0);
        if (Long.compareUnsigned(n, MAX_HEADER_SIZE) > 0) {
            throw error(file, "header length " + Long.toUnsignedString(n) + " (bytes 0..7) exceeds the limit of "
                    + MAX_HEADER_SIZE + " bytes (HeaderTooLarge)");
        }
        if (8 + n > fileSize) {
            throw error(file, "header length " + n + " (bytes 0..7) runs past the end of the file: expected at least "
                    + (8 + n) + " bytes, found " + fileSize + " (file truncated?)");
        }
        byte[] headerBytes = new byte[(int) n];
        readFully(channel, ByteBuffer.wrap(headerBytes), 8);
        if (n == 0 || headerBytes[0] != '{') {
            throw error(file, "header at byte 8 must start with '{', found "
                    + (n == 0 ? "an empty header" : headerBytes[0] >= 0x20 && headerBytes[0] < 0x7F
                            ? "'" + (char) headerBytes[0] + "'" : String.format("byte 0x%02X", headerBytes[0] & 0xFF)));
        }
        List<Entry> entries = new ArrayList<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        StrictJson.Document doc;
        try {
            doc = StrictJson.parse(headerBytes, 0, headerBytes.length, file + " header", 8);
            parseHeader(file, doc, entries, metadata);
        } catch (JsonFormatException e) {
            throw new WeightFormatException(e.getMessage());
        }
        long dataStart = 8 + n;
        validateOffsets(file, entries, dataStart, fileSize - dataStart);
        return new SafetensorsHeader(file, dataStart, Collections.unmodifiableList(entries),
                Collections.unmodifiableMap(metadata));
    }

    /** Walks the parsed header; duplicate keys were already refused by the parser. */
    private static void parseHeader(Path file, StrictJson.Document doc, List<Entry> entries,
            Map<String, String> metadata) throws WeightFormatException {
        for (Map.Entry<String, JsonElement> kv : doc.rootObject().entrySet()) {
            String key = kv.getKey();
            JsonElement v = kv.getValue();
            if (key.equals("__metadata__")) {
                readMetadata(doc, v, metadata);
            } else {
                entries.add(readEntry(file, doc, key, v));
            }
        }
    }

    private static void readMetadata(StrictJson.Document doc, JsonElement v, Map<String, String> metadata) {
        if (v.isJsonNull()) {
            return;
        }
        if (!v.isJsonObject()) {
            throw doc.error("__metadata__", v, "expected an object of strings, found " + StrictJson.describe(v));
        }
        for (Map.Entry<String, JsonElement> kv : v.getAsJsonObject().entrySet()) {
            JsonElement s = kv.getValue();
            if (!s.isJsonPrimitive() || !s.getAsJsonPrimitive().isString()) {
                throw doc.error("__metadata__." + kv.getKey(), s, "expected a string, found " + StrictJson.describe(s));
            }
            metadata.put(kv.getKey(), s.getAsString());
        }
    }

    private static Entry readEntry(Path file, StrictJson.Document doc, String name, JsonElement v)
            throws WeightFormatException {
        String where = "tensor '" + name + "'";
        if (!v.isJsonObject()) {
            throw doc.error(where, v, "expected an object {dtype, shape, data_offsets}, found "
                    + StrictJson.describe(v));
        }
        JsonObject o = v.getAsJsonObject();
        // serde ignores unknown fields, and so do we.
        for (String field : new String[] {"dtype", "shape", "data_offsets"}) {
            if (!o.has(field)) {
                throw doc.error(where, v, "lacks " + field);
            }
        }
        String dtypeName = doc.string(o, "dtype", null);
        if (dtypeName == null) {
            throw doc.error(where + " dtype", o.get("dtype"), "expected a string, found null");
        }
        long[] shape = readNumbers(doc, where + " shape", o.get("shape"));
        long[] offsets = readNumbers(doc, where + " data_offsets", o.get("data_offsets"));
        SafetensorsDtype dtype = SafetensorsDtype.parse(dtypeName);
        if (dtype == null) {
            throw doc.error(where + " dtype", o.get("dtype"), "unknown dtype '" + dtypeName + "' (expected one of "
                    + Arrays.toString(SafetensorsDtype.values()) + ")");
        }
        if (offsets.length != 2) {
            throw doc.error(where + " data_offsets", o.get("data_offsets"), "must be [begin, end], found "
                    + Arrays.toString(offsets));
        }
        return new Entry(name, dtype, shape, offsets[0], offsets[1]);
    }

    /** An array of non-negative integers that fit a long (usize in the reference). */
    private static long[] readNumbers(StrictJson.Document doc, String what, JsonElement v) {
        if (!v.isJsonArray()) {
            throw doc.error(what, v, "expected an array of integers, found " + StrictJson.describe(v));
        }
        JsonArray a = v.getAsJsonArray();
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = doc.integer(what + "[" + i + "]", a.get(i), 0, Long.MAX_VALUE);
        }
        return out;
    }

    /** The reference's Metadata::validate plus its final "buffer fully covered" check. */
    private static void validateOffsets(Path file, List<Entry> entries, long dataStart, long dataLength)
            throws WeightFormatException {
        entries.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long cursor = 0;
        for (Entry e : entries) {
            String where = "tensor '" + e.name + "' data_offsets [" + e.begin + ", " + e.end + "] (file bytes "
                    + (dataStart + e.begin) + ".." + (dataStart + e.end) + ")";
            if (e.begin != cursor) {
                throw error(file, where + ": expected to begin at data offset " + cursor + " (file byte "
                        + (dataStart + cursor) + ")" + (e.begin > cursor ? ", leaving a gap" : ", overlapping"));
            }
            if (e.end < e.begin) {
                throw error(file, where + ": end is before begin");
            }
            long expected;
            try {
                expected = Math.multiplyExact(elementCountExact(e.shape), e.dtype.size());
            } catch (ArithmeticException overflow) {
                throw error(file, "tensor '" + e.name + "': shape " + Arrays.toString(e.shape) + " of " + e.dtype
                        + " overflows 64-bit byte counts");
            }
            if (e.byteCount() != expected) {
                throw error(file, where + ": shape " + Arrays.toString(e.shape) + " of " + e.dtype + " needs "
                        + expected + " bytes, the offsets span " + e.byteCount());
            }
            if (e.end > dataLength) {
                throw error(file, where + ": runs past the end of the file at byte " + (dataStart + dataLength)
                        + " (file truncated?)");
            }
            cursor = e.end;
        }
        if (cursor != dataLength) {
            throw error(file, "tensors cover data bytes 0.." + cursor + " but the data section (file bytes "
                    + dataStart + ".." + (dataStart + dataLength) + ") holds " + dataLength
                    + ": file bytes " + (dataStart + cursor) + ".." + (dataStart + dataLength)
                    + " belong to no tensor");
        }
    }

    private static long elementCountExact(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    private static void readFully(FileChannel channel, ByteBuffer into, long position) throws IOException {
        while (into.hasRemaining()) {
            int read = channel.read(into, position + into.position());
            if (read < 0) {
                throw new WeightFormatException("unexpected end of file at byte " + (position + into.position()));
            }
        }
    }

    static WeightFormatException error(Path file, String message) {
        return new WeightFormatException(file + ": " + message);
    }
}
