package org.bertj.weights.tf;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * CRC-32C as LevelDB and TensorFlow store it: "masked", so that a CRC computed over data that
 * itself contains CRCs does not degenerate ({@code rotate right 15, add 0xa282ead8}).
 */
public final class MaskedCrc32c {

    private static final int MASK_DELTA = 0xa282ead8;

    private MaskedCrc32c() {
    }

    /**
     * Masks a plain CRC-32C value.
     *
     * @param crc a CRC-32C as {@link #of} computes it
     * @return the masked value, as stored in LevelDB blocks and TensorFlow index entries
     */
    public static int mask(int crc) {
        return ((crc >>> 15) | (crc << 17)) + MASK_DELTA;
    }

    /**
     * Inverse of {@link #mask}.
     *
     * @param masked a masked CRC as read from a file
     * @return the plain CRC-32C, comparable with {@link #of}
     */
    public static int unmask(int masked) {
        int rot = masked - MASK_DELTA;
        return (rot >>> 17) | (rot << 15);
    }

    /**
     * Plain CRC-32C of the buffer's remaining bytes (the buffer's position is left unchanged).
     *
     * @param data the bytes from its position to its limit are checksummed
     * @return the CRC's 32 bits as an int (negative when the top bit is set)
     */
    public static int of(ByteBuffer data) {
        CRC32C crc = new CRC32C();
        crc.update(data.duplicate());
        return (int) crc.getValue();
    }

    /**
     * Plain CRC-32C of a byte range.
     *
     * @param data   holds the range
     * @param offset index of its first byte
     * @param length number of bytes
     * @return the CRC's 32 bits as an int (negative when the top bit is set)
     */
    public static int of(byte[] data, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(data, offset, length);
        return (int) crc.getValue();
    }
}
