package org.bertj.weights.torch;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Writes pickles opcode by opcode, for crafted (and hostile) checkpoints in tests. */
final class Pickle {

    private final ByteArrayOutputStream b = new ByteArrayOutputStream();

    /** PROTO 2, as torch.save writes it. */
    static Pickle start() {
        return new Pickle().op(0x80, 2);
    }

    Pickle op(int... bytes) {
        for (int x : bytes) {
            b.write(x);
        }
        return this;
    }

    Pickle raw(byte[] bytes) {
        b.writeBytes(bytes);
        return this;
    }

    Pickle u32(long v) {
        return op((int) v & 0xFF, (int) (v >> 8) & 0xFF, (int) (v >> 16) & 0xFF, (int) (v >> 24) & 0xFF);
    }

    Pickle u64(long v) {
        return u32(v).u32(v >>> 32);
    }

    /** BINUNICODE. */
    Pickle str(String s) {
        byte[] u = s.getBytes(StandardCharsets.UTF_8);
        return op('X').u32(u.length).raw(u);
    }

    /** The shortest integer opcode, as pickle writes it. */
    Pickle integer(long v) {
        if (v >= 0 && v < 256) {
            return op('K', (int) v);
        }
        if (v >= 0 && v < 65536) {
            return op('M', (int) v & 0xFF, (int) (v >> 8));
        }
        if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            return op('J').u32(v);
        }
        return op(0x8a, 8).u64(v);
    }

    Pickle global(String module, String name) {
        return op('c').raw((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    Pickle mark() {
        return op('(');
    }

    Pickle tuple() {
        return op('t');
    }

    Pickle ints(long... v) {
        mark();
        for (long x : v) {
            integer(x);
        }
        return tuple();
    }

    /** {@code torch._utils._rebuild_tensor_v2(storage pid, offset, size, stride, False, OrderedDict())}. */
    Pickle tensor(String storageType, String key, long numel, long offset, long[] size, long[] stride) {
        global("torch._utils", "_rebuild_tensor_v2").mark();
        mark().str("storage").global("torch", storageType).str(key).str("cpu").integer(numel).tuple().op('Q');
        integer(offset).ints(size).ints(stride).op(0x89);
        global("collections", "OrderedDict").op(')', 'R');
        return tuple().op('R');
    }

    Pickle stop() {
        return op('.');
    }

    byte[] bytes() {
        return b.toByteArray();
    }
}
