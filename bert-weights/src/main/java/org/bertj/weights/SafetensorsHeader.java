package org.bertj.weights;

import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
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
 * rather than "last one wins".
 */
final class SafetensorsHeader {

    /** The reference implementation's limit (100 MB), against header bombs. */
    static final long MAX_HEADER_SIZE = 100_000_000L;

    /** One tensor as the header describes it; offsets are relative to the data section. */
    record Entry(String name, SafetensorsDtype dtype, long[] shape, long begin, long end) {
        long byteCount() {
            return end - begin;
        }

        long elementCount() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
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
        ByteBuffer headerBytes = ByteBuffer.allocate((int) n);
        readFully(channel, headerBytes, 8);
        String json = decodeUtf8(file, headerBytes.flip());
        if (!json.startsWith("{")) {
            throw error(file, "header at byte 8 must start with '{', found "
                    + (json.isEmpty() ? "an empty header" : "'" + json.charAt(0) + "'"));
        }
        List<Entry> entries = new ArrayList<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        try {
            parseJson(file, json, entries, metadata);
        } catch (WeightFormatException e) {
            throw e;
        } catch (IOException | IllegalStateException | NumberFormatException e) {
            throw new WeightFormatException(file + ": header (bytes 8.." + (8 + n) + ") is not valid safetensors JSON: "
                    + e.getMessage(), e);
        }
        long dataStart = 8 + n;
        validateOffsets(file, entries, dataStart, fileSize - dataStart);
        return new SafetensorsHeader(file, dataStart, Collections.unmodifiableList(entries),
                Collections.unmodifiableMap(metadata));
    }

    private static void parseJson(Path file, String json, List<Entry> entries, Map<String, String> metadata)
            throws IOException {
        JsonReader in = new JsonReader(new StringReader(json));
        in.beginObject();
        java.util.Set<String> seen = new java.util.HashSet<>();
        while (in.hasNext()) {
            String key = in.nextName();
            if (!seen.add(key)) {
                throw error(file, "header names '" + key + "' twice (duplicate key)");
            }
            if (key.equals("__metadata__")) {
                readMetadata(file, in, metadata);
            } else {
                entries.add(readEntry(file, key, in));
            }
        }
        in.endObject();
        boolean ended;
        try {
            ended = in.peek() == JsonToken.END_DOCUMENT;
        } catch (IOException e) { // strict Gson refuses a second top-level value outright
            ended = false;
        }
        if (!ended) {
            throw error(file, "header has content after its JSON object (only space padding may follow)");
        }
    }

    private static void readMetadata(Path file, JsonReader in, Map<String, String> metadata) throws IOException {
        if (in.peek() == JsonToken.NULL) {
            in.nextNull();
            return;
        }
        if (in.peek() != JsonToken.BEGIN_OBJECT) {
            throw error(file, "__metadata__ must be an object of strings, found " + in.peek());
        }
        in.beginObject();
        while (in.hasNext()) {
            String k = in.nextName();
            if (in.peek() != JsonToken.STRING) {
                throw error(file, "__metadata__ value of '" + k + "' must be a string, found " + in.peek());
            }
            if (metadata.put(k, in.nextString()) != null) {
                throw error(file, "__metadata__ names '" + k + "' twice (duplicate key)");
            }
        }
        in.endObject();
    }

    private static Entry readEntry(Path file, String name, JsonReader in) throws IOException {
        if (in.peek() != JsonToken.BEGIN_OBJECT) {
            throw error(file, "tensor '" + name + "': expected an object {dtype, shape, data_offsets}, found "
                    + in.peek());
        }
        String dtypeName = null;
        long[] shape = null;
        long[] offsets = null;
        in.beginObject();
        while (in.hasNext()) {
            String field = in.nextName();
            switch (field) {
                case "dtype" -> {
                    if (dtypeName != null || in.peek() != JsonToken.STRING) {
                        throw error(file, "tensor '" + name + "': dtype must be given once, as a string");
                    }
                    dtypeName = in.nextString();
                }
                case "shape" -> {
                    if (shape != null) {
                        throw error(file, "tensor '" + name + "': shape given twice");
                    }
                    shape = readNumbers(file, name, "shape", in);
                }
                case "data_offsets" -> {
                    if (offsets != null) {
                        throw error(file, "tensor '" + name + "': data_offsets given twice");
                    }
                    offsets = readNumbers(file, name, "data_offsets", in);
                }
                default -> in.skipValue(); // serde ignores unknown fields too
            }
        }
        in.endObject();
        if (dtypeName == null || shape == null || offsets == null) {
            throw error(file, "tensor '" + name + "' lacks " + (dtypeName == null ? "dtype"
                    : shape == null ? "shape" : "data_offsets"));
        }
        SafetensorsDtype dtype = SafetensorsDtype.parse(dtypeName);
        if (dtype == null) {
            throw error(file, "tensor '" + name + "' has unknown dtype '" + dtypeName + "' (expected one of "
                    + Arrays.toString(SafetensorsDtype.values()) + ")");
        }
        if (offsets.length != 2) {
            throw error(file, "tensor '" + name + "': data_offsets must be [begin, end], found "
                    + Arrays.toString(offsets));
        }
        return new Entry(name, dtype, shape, offsets[0], offsets[1]);
    }

    /** An array of non-negative integers that fit a long (usize in the reference). */
    private static long[] readNumbers(Path file, String tensor, String field, JsonReader in) throws IOException {
        if (in.peek() != JsonToken.BEGIN_ARRAY) {
            throw error(file, "tensor '" + tensor + "': " + field + " must be an array of integers, found "
                    + in.peek());
        }
        List<Long> values = new ArrayList<>();
        in.beginArray();
        while (in.hasNext()) {
            String s = in.peek() == JsonToken.NUMBER ? in.nextString() : null;
            if (s == null || !s.matches("-?[0-9]+")) {
                throw error(file, "tensor '" + tensor + "': " + field + " must hold integers, found "
                        + (s == null ? in.peek() : s) + " at " + in.getPath());
            }
            BigInteger v = new BigInteger(s);
            if (v.signum() < 0) {
                throw error(file, "tensor '" + tensor + "': " + field + " holds negative value " + s);
            }
            if (v.bitLength() > 63) {
                throw error(file, "tensor '" + tensor + "': " + field + " value " + s + " overflows 64 bits");
            }
            values.add(v.longValue());
        }
        in.endArray();
        return values.stream().mapToLong(Long::longValue).toArray();
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

    private static String decodeUtf8(Path file, ByteBuffer bytes) throws WeightFormatException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        CharBuffer chars = CharBuffer.allocate(bytes.remaining());
        CoderResult r = decoder.decode(bytes, chars, true);
        if (r.isError()) {
            throw error(file, "header is not valid UTF-8: bad byte at file offset " + (8 + bytes.position()));
        }
        try {
            r = decoder.flush(chars);
            if (r.isError()) {
                r.throwException();
            }
        } catch (CharacterCodingException e) {
            throw error(file, "header is not valid UTF-8: it ends inside a character");
        }
        return chars.flip().toString();
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
