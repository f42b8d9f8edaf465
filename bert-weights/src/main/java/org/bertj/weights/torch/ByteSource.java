package org.bertj.weights.torch;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.bertj.weights.WeightFormatException;

/**
 * Random-access bytes of known size: a file read with positional reads, or an array in memory
 * (what a fuzzer hands in). Every read is checked against {@link #size()} first, so a length read
 * from the file can never make a reader allocate or seek past the end.
 */
abstract class ByteSource implements Closeable {

    /** The name used in messages (the file's path). */
    final String name;

    ByteSource(String name) {
        this.name = name;
    }

    /** Total number of bytes. */
    abstract long size();

    /** Fills {@code dst} from its position to its limit with the bytes starting at {@code at}. */
    abstract void read(long at, ByteBuffer dst) throws IOException;

    /**
     * Checks that {@code [at, at + length)} lies inside the source.
     *
     * @param what what is being read, for the message
     */
    final void checkRange(long at, long length, String what) throws WeightFormatException {
        if (at < 0 || length < 0 || at > size() || length > size() - at) {
            throw new WeightFormatException(name + ": " + what + " needs bytes " + at + ".."
                    + (length < 0 ? "?" : Long.toString(at + length)) + " but the file has " + size() + " bytes");
        }
    }

    /** {@code length} bytes at {@code at} into a new heap array (only for small, bounded reads). */
    final byte[] bytes(long at, int length, String what) throws IOException {
        checkRange(at, length, what);
        byte[] b = new byte[length];
        read(at, ByteBuffer.wrap(b));
        return b;
    }

    /** A file, opened read-only. */
    static ByteSource open(Path file) throws IOException {
        return new FileSource(file.toString(), FileChannel.open(file, StandardOpenOption.READ));
    }

    /** Bytes in memory; {@code name} is used in messages. */
    static ByteSource of(byte[] bytes, String name) {
        return new ArraySource(name, bytes);
    }

    private static final class FileSource extends ByteSource {
        private final FileChannel channel;
        private final long size;

        FileSource(String name, FileChannel channel) throws IOException {
            super(name);
            this.channel = channel;
            this.size = channel.size();
        }

        @Override
        long size() {
            return size;
        }

        @Override
        void read(long at, ByteBuffer dst) throws IOException {
            checkRange(at, dst.remaining(), "a read");
            while (dst.hasRemaining()) {
                long pos = at;
                int n = channel.read(dst, pos);
                if (n < 0) {
                    throw new WeightFormatException(name + ": file ends at byte " + pos + " (truncated since it was opened)");
                }
                at += n;
            }
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    private static final class ArraySource extends ByteSource {
        private final byte[] bytes;

        ArraySource(String name, byte[] bytes) {
            super(name);
            this.bytes = bytes;
        }

        @Override
        long size() {
            return bytes.length;
        }

        @Override
        void read(long at, ByteBuffer dst) throws IOException {
            checkRange(at, dst.remaining(), "a read");
            dst.put(bytes, (int) at, dst.remaining());
        }

        @Override
        public void close() {
        }
    }
}
