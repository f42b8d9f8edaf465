package org.bertj.weights.tf;

import java.nio.charset.StandardCharsets;

/**
 * The few pieces of the protocol buffers wire format a TensorBundle index needs: varints,
 * length-delimited fields and fixed32/fixed64, read from a byte array. Hand-written so bertj does
 * not depend on protobuf for three small messages.
 *
 * <p>Every read checks the bounds and throws {@link IllegalArgumentException} with the offset; the
 * bundle reader turns that into a {@link org.bertj.weights.WeightFormatException} naming the file.
 */
final class ProtoReader {

    /** Wire type of a varint field. */
    static final int VARINT = 0;
    /** Wire type of a fixed64 field. */
    static final int FIXED64 = 1;
    /** Wire type of a length-delimited field (bytes, strings, sub-messages, packed arrays). */
    static final int LENGTH_DELIMITED = 2;
    /** Wire type of a fixed32 field. */
    static final int FIXED32 = 5;

    private final byte[] buf;
    private final int start;
    private int pos;
    private final int end;

    ProtoReader(byte[] buf, int offset, int length) {
        if (offset < 0 || length < 0 || length > buf.length - offset) { // no int overflow
            throw new IllegalArgumentException("range " + offset + "+" + length + " outside " + buf.length + " bytes");
        }
        this.buf = buf;
        this.start = offset;
        this.pos = offset;
        this.end = offset + length;
    }

    ProtoReader(byte[] buf) {
        this(buf, 0, buf.length);
    }

    boolean atEnd() {
        return pos >= end;
    }

    int position() {
        return pos;
    }

    /** Moves to an absolute offset within this reader's range. */
    void seek(int offset) {
        if (offset < start || offset > end) {
            throw new IllegalArgumentException("offset " + offset + " outside the field (" + start + ".." + end + ")");
        }
        pos = offset;
    }

    /** Reads a field key; returns {@code fieldNumber << 3 | wireType}. */
    int readTag() {
        long tag = readVarint64();
        if (tag <= 0 || tag > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("bad field tag " + tag + " at offset " + (pos - 1));
        }
        return (int) tag;
    }

    long readVarint64() {
        long result = 0;
        int at = pos;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos >= end) {
                throw new IllegalArgumentException("varint at offset " + at + " runs past the end (" + end + ")");
            }
            byte b = buf[pos++];
            result |= (long) (b & 0x7f) << shift;
            if (b >= 0) {
                return result;
            }
        }
        throw new IllegalArgumentException("varint at offset " + at + " is longer than 10 bytes");
    }

    /** A varint that must fit a non-negative int (lengths, counts). */
    int readVarint32() {
        int at = pos;
        long v = readVarint64();
        if (v < 0 || v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("varint " + v + " at offset " + at + " out of range for a length");
        }
        return (int) v;
    }

    int readFixed32() {
        need(4);
        int v = (buf[pos] & 0xff) | (buf[pos + 1] & 0xff) << 8 | (buf[pos + 2] & 0xff) << 16
                | (buf[pos + 3] & 0xff) << 24;
        pos += 4;
        return v;
    }

    long readFixed64() {
        long lo = readFixed32() & 0xffffffffL;
        long hi = readFixed32() & 0xffffffffL;
        return lo | hi << 32;
    }

    /** Reads a length-delimited field and returns a reader over its contents. */
    ProtoReader readMessage() {
        int len = readVarint32();
        need(len);
        ProtoReader sub = new ProtoReader(buf, pos, len);
        pos += len;
        return sub;
    }

    String readString() {
        int len = readVarint32();
        need(len);
        String s = new String(buf, pos, len, StandardCharsets.UTF_8);
        pos += len;
        return s;
    }

    /** Skips one field's value of the given wire type. */
    void skip(int wireType) {
        switch (wireType) {
            case VARINT -> readVarint64();
            case FIXED64 -> {
                need(8);
                pos += 8;
            }
            case LENGTH_DELIMITED -> {
                int len = readVarint32();
                need(len);
                pos += len;
            }
            case FIXED32 -> {
                need(4);
                pos += 4;
            }
            default -> throw new IllegalArgumentException("unsupported wire type " + wireType + " at offset " + pos);
        }
    }

    private void need(int n) {
        if (n > end - pos) {
            throw new IllegalArgumentException(n + " bytes needed at offset " + pos + " but the field ends at " + end);
        }
    }
}
