package org.bertj.weights.torch;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bertj.weights.SafetensorsDtype;
import org.bertj.weights.WeightFormatException;

/**
 * A restricted unpickler: exactly what {@code torch.save(state_dict)} writes, nothing else. It
 * knows the opcodes of pickle protocols 2 to 4 that build dicts, lists, tuples, strings, integers
 * and booleans, and names only these globals: {@code collections.OrderedDict}, torch's
 * tensor-rebuild functions ({@code torch._utils._rebuild_tensor_v2}, {@code _rebuild_tensor},
 * {@code _rebuild_parameter}) and torch's storage types ({@code torch.FloatStorage}, ...), which
 * may appear only inside a storage's persistent id. Nothing is ever looked up by name, called or
 * instantiated: a "call" ({@code REDUCE}) of an allowed function builds one of the records below.
 * Any other global, any other call, {@code BUILD} of anything but an OrderedDict, and every other
 * opcode is refused with a {@link WeightFormatException} naming the file, the pickle and the byte
 * offset of the opcode.
 *
 * <p>Nothing here recurses, every length is checked against the bytes left before anything is
 * allocated, and each opcode consumes at least one byte, so a hostile pickle costs time and memory
 * proportional to its size, at most.
 */
final class TorchPickle {

    /** Python's None. */
    enum None { NONE }

    /** A Python tuple. */
    record Tuple(List<Object> items) {
        int size() {
            return items.size();
        }

        Object get(int i) {
            return items.get(i);
        }
    }

    /** A Python dict or collections.OrderedDict (keys: strings, integers, booleans, None). */
    static final class Dict {
        final Map<Object, Object> map = new LinkedHashMap<>();
        final boolean ordered;

        Dict(boolean ordered) {
            this.ordered = ordered;
        }
    }

    /** One of the allowed globals. */
    record Global(String module, String name) {
        @Override
        public String toString() {
            return module + "." + name;
        }
    }

    /** A storage named by a persistent id: {@code numel} elements of {@code dtype}, keyed {@code key}. */
    record Storage(String key, SafetensorsDtype dtype, String location, long numel) {
    }

    /** A tensor over a storage: element offset, sizes and strides in elements, checked against the storage. */
    record Tensor(Storage storage, long offset, long[] size, long[] stride) {
        long elementCount() {
            long n = 1;
            for (long s : size) {
                n *= s;
            }
            return n;
        }
    }

    /** What one pickle held, and the offset just after its STOP opcode. */
    record Result(Object value, long end) {
    }

    /** The largest pickle read (torch's are about 120 bytes per tensor: bert-large's is 60 KB). */
    static final long MAX_PICKLE_BYTES = 32L << 20;
    /**
     * The most values (strings, containers, tensors) one pickle may build, so that memory stays
     * a small multiple of this (a state_dict needs about 15 per tensor).
     */
    static final long MAX_VALUES = 2_000_000;
    /** More dimensions than any torch tensor may have (torch's limit is 64; ND4J's is 32). */
    static final int MAX_DIMS = 32;

    private static final Global ORDERED_DICT = new Global("collections", "OrderedDict");
    private static final Global REBUILD_V2 = new Global("torch._utils", "_rebuild_tensor_v2");
    private static final Global REBUILD = new Global("torch._utils", "_rebuild_tensor");
    private static final Global REBUILD_PARAMETER = new Global("torch._utils", "_rebuild_parameter");
    private static final Map<String, SafetensorsDtype> STORAGE_TYPES = Map.of(
            "FloatStorage", SafetensorsDtype.F32, "DoubleStorage", SafetensorsDtype.F64,
            "HalfStorage", SafetensorsDtype.F16, "BFloat16Storage", SafetensorsDtype.BF16,
            "LongStorage", SafetensorsDtype.I64, "IntStorage", SafetensorsDtype.I32,
            "ShortStorage", SafetensorsDtype.I16, "CharStorage", SafetensorsDtype.I8,
            "ByteStorage", SafetensorsDtype.U8, "BoolStorage", SafetensorsDtype.BOOL);

    private final ByteSource source;
    private final String where;
    private final long start;
    private final long limit;
    private final Map<String, Storage> storages;
    private final List<Object> stack = new ArrayList<>();
    private final List<Integer> marks = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();
    private long pos;
    private long opAt;
    private long values;
    private final byte[] buf = new byte[1 << 16];
    private long bufAt = -1;
    private int bufLen;

    private TorchPickle(ByteSource source, String where, long start, Map<String, Storage> storages) {
        this.source = source;
        this.where = where;
        this.start = start;
        this.limit = start + Math.min(MAX_PICKLE_BYTES, source.size() - start);
        this.storages = storages;
        this.pos = start;
    }

    /**
     * Runs one pickle.
     *
     * @param source   the bytes
     * @param where    what the pickle is, for messages ("entry 'archive/data.pkl'")
     * @param start    where it starts in {@code source}; offsets in messages are relative to it
     * @param storages storages met so far, by key; every persistent id is added or checked against it
     */
    static Result load(ByteSource source, String where, long start, Map<String, Storage> storages)
            throws IOException {
        return new TorchPickle(source, where, start, storages).run();
    }

    private Result run() throws IOException {
        while (true) {
            opAt = pos;
            int op = u8();
            switch (op) {
                case 0x80 -> { // PROTO
                    int v = u8();
                    if (v < 2 || v > 5) {
                        throw error("pickle protocol " + v + " (torch writes 2; 2 to 5 are read)");
                    }
                }
                case 0x95 -> { // FRAME: a length hint only
                    long n = u64();
                    if (n < 0 || n > limit - pos) {
                        throw error("frame of " + Long.toUnsignedString(n) + " bytes runs past the pickle's end");
                    }
                }
                case '.' -> { // STOP
                    if (stack.size() != 1 || !marks.isEmpty()) {
                        throw error("STOP with " + stack.size() + " values and " + marks.size()
                                + " marks on the stack (expected exactly one value)");
                    }
                    return new Result(stack.get(0), pos);
                }
                case '(' -> marks.add(stack.size()); // MARK
                case '}' -> push(new Dict(false)); // EMPTY_DICT
                case ']' -> push(new ArrayList<>()); // EMPTY_LIST
                case ')' -> push(new Tuple(List.of())); // EMPTY_TUPLE
                case 't' -> push(new Tuple(popMark())); // TUPLE
                case 0x85, 0x86, 0x87 -> { // TUPLE1..3
                    int n = op - 0x84;
                    need(n);
                    List<Object> items = new ArrayList<>(stack.subList(stack.size() - n, stack.size()));
                    truncate(stack.size() - n);
                    push(new Tuple(items));
                }
                case 'a' -> { // APPEND
                    need(2);
                    Object v = pop();
                    list(peek()).add(v);
                }
                case 'e' -> { // APPENDS
                    List<Object> items = popMark();
                    need(1);
                    list(peek()).addAll(items);
                }
                case 's' -> { // SETITEM
                    need(3);
                    Object v = pop();
                    Object k = pop();
                    put(dict(peek()), k, v);
                }
                case 'u' -> { // SETITEMS
                    List<Object> items = popMark();
                    need(1);
                    if (items.size() % 2 != 0) {
                        throw error("SETITEMS with an odd number (" + items.size() + ") of keys and values");
                    }
                    Dict d = dict(peek());
                    for (int i = 0; i < items.size(); i += 2) {
                        put(d, items.get(i), items.get(i + 1));
                    }
                }
                case 'q' -> memoize(u8()); // BINPUT
                case 'r' -> memoize(u32()); // LONG_BINPUT
                case 0x94 -> memoize(memo.size()); // MEMOIZE
                case 'h' -> recall(u8()); // BINGET
                case 'j' -> recall(u32()); // LONG_BINGET
                case 'J' -> push((long) (int) u32()); // BININT
                case 'K' -> push((long) u8()); // BININT1
                case 'M' -> push((long) (u8() | u8() << 8)); // BININT2
                case 0x8a -> push(long1()); // LONG1
                case 'N' -> stack.add(None.NONE);
                case 0x88 -> stack.add(Boolean.TRUE); // NEWTRUE
                case 0x89 -> stack.add(Boolean.FALSE); // NEWFALSE
                case 'X' -> push(string(u32())); // BINUNICODE
                case 0x8c -> push(string(u8())); // SHORT_BINUNICODE
                case 0x8d -> push(string(u64())); // BINUNICODE8
                case 'c' -> push(global(line(), line())); // GLOBAL
                case 0x93 -> { // STACK_GLOBAL
                    need(2);
                    Object name = pop();
                    Object module = pop();
                    if (!(module instanceof String m) || !(name instanceof String n)) {
                        throw error("STACK_GLOBAL needs two strings, found " + kind(module) + " and " + kind(name));
                    }
                    push(global(m, n));
                }
                case 'R' -> { // REDUCE
                    need(2);
                    Object args = pop();
                    Object f = pop();
                    push(call(f, args));
                }
                case 'b' -> { // BUILD: only OrderedDict's state ({'_metadata': ...}), which is dropped
                    need(2);
                    Object state = pop();
                    if (!(peek() instanceof Dict d && d.ordered) || !(state instanceof Dict)) {
                        throw error("BUILD of " + kind(peek()) + " with " + kind(state)
                                + " (only an OrderedDict's attribute dict is accepted)");
                    }
                }
                case 'Q' -> { // BINPERSID
                    need(1);
                    push(storage(pop()));
                }
                default -> throw error(String.format("opcode 0x%02x%s is not allowed in a torch checkpoint", op,
                        op >= 0x20 && op < 0x7f ? " ('" + (char) op + "')" : ""));
            }
        }
    }

    private Global global(String module, String name) throws WeightFormatException {
        Global g = new Global(module, name);
        if (g.equals(ORDERED_DICT) || g.equals(REBUILD_V2) || g.equals(REBUILD) || g.equals(REBUILD_PARAMETER)
                || module.equals("torch") && STORAGE_TYPES.containsKey(name)) {
            return g;
        }
        throw error("global '" + printable(module) + "." + printable(name) + "' is not allowed: a checkpoint may"
                + " name only torch's tensor-rebuild functions, its storage types and collections.OrderedDict"
                + " (nothing is ever called)");
    }

    /** What REDUCE builds for the few allowed functions. */
    private Object call(Object f, Object argsObj) throws WeightFormatException {
        if (!(argsObj instanceof Tuple args)) {
            throw error("REDUCE with arguments " + kind(argsObj) + " (expected a tuple)");
        }
        if (ORDERED_DICT.equals(f)) {
            if (args.size() != 0) {
                throw error("collections.OrderedDict called with " + args.size() + " arguments (torch passes none)");
            }
            return new Dict(true);
        }
        if (REBUILD_V2.equals(f) || REBUILD.equals(f)) {
            boolean v2 = REBUILD_V2.equals(f);
            if (v2 ? args.size() != 6 && args.size() != 7 : args.size() != 4) {
                throw error(f + " called with " + args.size() + " arguments (expected " + (v2 ? "6 or 7" : "4") + ")");
            }
            if (v2 && (!(args.get(4) instanceof Boolean) || !(args.get(5) instanceof Dict))) {
                throw error(f + ": requires_grad and backward_hooks must be a bool and an OrderedDict, found "
                        + kind(args.get(4)) + " and " + kind(args.get(5)));
            }
            if (v2 && args.size() == 7 && !(args.get(6) instanceof Dict) && args.get(6) != None.NONE) {
                throw error(f + ": metadata must be a dict or None, found " + kind(args.get(6)));
            }
            return tensor(args.get(0), args.get(1), args.get(2), args.get(3));
        }
        if (REBUILD_PARAMETER.equals(f)) {
            if (args.size() != 3 || !(args.get(0) instanceof Tensor t) || !(args.get(1) instanceof Boolean)
                    || !(args.get(2) instanceof Dict)) {
                throw error(f + " needs (tensor, bool, OrderedDict)");
            }
            return t;
        }
        throw error("REDUCE of " + kind(f) + " is not allowed (only collections.OrderedDict and torch's"
                + " tensor-rebuild functions are, and nothing is ever called)");
    }

    private Tensor tensor(Object storageObj, Object offsetObj, Object sizeObj, Object strideObj)
            throws WeightFormatException {
        if (!(storageObj instanceof Storage s)) {
            throw error("tensor rebuilt from " + kind(storageObj) + " (expected a storage persistent id)");
        }
        long[] size = longs(sizeObj, "size");
        long[] stride = longs(strideObj, "stride");
        if (!(offsetObj instanceof Long offset) || offset < 0) {
            throw error("tensor storage offset must be a non-negative integer, found " + kind(offsetObj));
        }
        if (size.length != stride.length) {
            throw error("tensor has " + size.length + " sizes but " + stride.length + " strides");
        }
        // The last element read is offset + sum((size_i - 1) * stride_i); it must lie in the storage.
        long count = 1;
        long last = offset;
        try {
            for (int i = 0; i < size.length; i++) {
                if (size[i] < 0 || stride[i] < 0) {
                    throw error("tensor size " + java.util.Arrays.toString(size) + " / stride "
                            + java.util.Arrays.toString(stride) + " has a negative value");
                }
                count = Math.multiplyExact(count, size[i]);
                if (size[i] > 0) {
                    last = Math.addExact(last, Math.multiplyExact(size[i] - 1, stride[i]));
                }
            }
        } catch (ArithmeticException e) {
            throw error("tensor size " + java.util.Arrays.toString(size) + " / stride "
                    + java.util.Arrays.toString(stride) + " overflows 64 bits");
        }
        if (count > 0 && last >= s.numel()) {
            throw error("tensor of size " + java.util.Arrays.toString(size) + ", stride "
                    + java.util.Arrays.toString(stride) + " at offset " + offset + " reads element " + last
                    + " of storage '" + printable(s.key()) + "', which has " + s.numel() + " elements");
        }
        return new Tensor(s, offset, size, stride);
    }

    private long[] longs(Object o, String what) throws WeightFormatException {
        if (!(o instanceof Tuple t)) {
            throw error("tensor " + what + " must be a tuple of integers, found " + kind(o));
        }
        if (t.size() > MAX_DIMS) {
            throw error("tensor " + what + " has " + t.size() + " dimensions (at most " + MAX_DIMS + " are read)");
        }
        long[] v = new long[t.size()];
        for (int i = 0; i < v.length; i++) {
            if (!(t.get(i) instanceof Long l)) {
                throw error("tensor " + what + " must be a tuple of integers, found " + kind(t.get(i)) + " in it");
            }
            v[i] = l;
        }
        return v;
    }

    /**
     * A persistent id {@code ('storage', torch.XStorage, key, location, numel)} (legacy files add a
     * sixth item, view metadata, which must be None). The same key always names the same storage.
     */
    private Storage storage(Object pidObj) throws WeightFormatException {
        if (!(pidObj instanceof Tuple pid) || pid.size() < 5 || pid.size() > 6 || !"storage".equals(pid.get(0))) {
            throw error("persistent id " + kind(pidObj) + " is not ('storage', type, key, location, size)");
        }
        if (!(pid.get(1) instanceof Global g) || !g.module().equals("torch") || !STORAGE_TYPES.containsKey(g.name())) {
            throw error("persistent id names storage type " + kind(pid.get(1)) + " (expected torch.FloatStorage, ...)");
        }
        if (!(pid.get(2) instanceof String key) || !(pid.get(3) instanceof String location)
                || !(pid.get(4) instanceof Long numel)) {
            throw error("persistent id must be ('storage', type, key: str, location: str, size: int), found "
                    + kind(pid.get(2)) + ", " + kind(pid.get(3)) + ", " + kind(pid.get(4)));
        }
        if (pid.size() == 6 && pid.get(5) != None.NONE) {
            throw error("storage '" + printable(key) + "' is a view of another storage (view_metadata), which is"
                    + " not supported");
        }
        SafetensorsDtype dtype = STORAGE_TYPES.get(g.name());
        if (numel < 0 || numel > Long.MAX_VALUE / 8) {
            throw error("storage '" + printable(key) + "' has " + numel + " elements");
        }
        Storage s = new Storage(key, dtype, location, numel);
        Storage seen = storages.putIfAbsent(key, s);
        if (seen != null && (seen.dtype() != dtype || seen.numel() != numel)) {
            throw error("storage '" + printable(key) + "' is named twice with different types or sizes ("
                    + seen.dtype() + "[" + seen.numel() + "], " + dtype + "[" + numel + "])");
        }
        return seen != null ? seen : s;
    }

    /** Pushes a newly built value, counting it against {@link #MAX_VALUES}. */
    private void push(Object v) throws WeightFormatException {
        if (++values > MAX_VALUES) {
            throw error("more than " + MAX_VALUES + " values built (no state_dict needs so many)");
        }
        stack.add(v);
    }

    private void put(Dict d, Object k, Object v) throws WeightFormatException {
        if (!(k instanceof String || k instanceof Long || k instanceof Boolean || k == None.NONE)) {
            throw error("dict key " + kind(k) + " (only strings and integers are accepted as keys)");
        }
        d.map.put(k, v);
    }

    private void memoize(long index) throws WeightFormatException {
        need(1);
        memo.put(index, peek());
    }

    private void recall(long index) throws WeightFormatException {
        Object v = memo.get(index);
        if (v == null) {
            throw error("memo entry " + index + " read before it was written");
        }
        stack.add(v);
    }

    private List<Object> popMark() throws WeightFormatException {
        if (marks.isEmpty()) {
            throw error("no MARK to pop to");
        }
        int at = marks.remove(marks.size() - 1);
        List<Object> items = new ArrayList<>(stack.subList(at, stack.size()));
        truncate(at);
        return items;
    }

    private void truncate(int size) {
        stack.subList(size, stack.size()).clear();
    }

    /** Checks that {@code n} values lie on the stack above the innermost mark. */
    private void need(int n) throws WeightFormatException {
        int floor = marks.isEmpty() ? 0 : marks.get(marks.size() - 1);
        if (stack.size() - floor < n) {
            throw error("stack underflow (the opcode needs " + n + " values)");
        }
    }

    private Object pop() {
        return stack.remove(stack.size() - 1);
    }

    private Object peek() {
        return stack.get(stack.size() - 1);
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(Object o) throws WeightFormatException {
        if (!(o instanceof ArrayList)) {
            throw error("append to " + kind(o) + " (expected a list)");
        }
        return (List<Object>) o;
    }

    private Dict dict(Object o) throws WeightFormatException {
        if (!(o instanceof Dict d)) {
            throw error("set item on " + kind(o) + " (expected a dict)");
        }
        return d;
    }

    /** LONG1: a little-endian two's-complement integer of up to 16 bytes (torch's legacy magic is 10). */
    private Object long1() throws IOException {
        int n = u8();
        if (n > 16) {
            throw error("integer of " + n + " bytes (at most 16 are read)");
        }
        byte[] le = bytes(n);
        if (n == 0) {
            return 0L;
        }
        byte[] be = new byte[n];
        for (int i = 0; i < n; i++) {
            be[i] = le[n - 1 - i];
        }
        BigInteger v = new BigInteger(be);
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }

    private String string(long n) throws IOException {
        byte[] b = bytes(n);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw error("string of " + n + " bytes is not valid UTF-8");
        }
    }

    /** A GLOBAL operand: up to a newline, at most 256 bytes. */
    private String line() throws IOException {
        StringBuilder s = new StringBuilder();
        while (true) {
            int c = u8();
            if (c == '\n') {
                return s.toString();
            }
            if (s.length() >= 256 || c < 0x20 || c > 0x7e) {
                throw error("GLOBAL operand is not a short line of printable ASCII");
            }
            s.append((char) c);
        }
    }

    private int u8() throws IOException {
        if (pos >= limit) {
            throw error("pickle ends without STOP (truncated)");
        }
        if (bufAt < 0 || pos < bufAt || pos >= bufAt + bufLen) {
            bufAt = pos;
            bufLen = (int) Math.min(buf.length, limit - pos);
            source.read(pos, ByteBuffer.wrap(buf, 0, bufLen));
        }
        return buf[(int) (pos++ - bufAt)] & 0xFF;
    }

    private long u32() throws IOException {
        return (long) u8() | (long) u8() << 8 | (long) u8() << 16 | (long) u8() << 24;
    }

    private long u64() throws IOException {
        long lo = u32();
        return lo | u32() << 32;
    }

    /** {@code n} bytes, checked against what is left before allocating. */
    private byte[] bytes(long n) throws IOException {
        if (n < 0 || n > limit - pos) {
            throw error("length " + Long.toUnsignedString(n) + " runs past the pickle's end ("
                    + (limit - pos) + " bytes left)");
        }
        byte[] b = new byte[(int) n];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) u8();
        }
        return b;
    }

    private WeightFormatException error(String message) {
        return new WeightFormatException(source.name + ": " + where + ", byte " + (opAt - start) + ": " + message);
    }

    /** A value's type for messages; never its contents (which may be huge or deeply nested). */
    static String kind(Object o) {
        if (o instanceof Global g) {
            return g.toString();
        }
        if (o instanceof String s) {
            return "the string '" + printable(s) + "'";
        }
        if (o instanceof Long l) {
            return "the integer " + l;
        }
        if (o == null) {
            return "nothing";
        }
        if (o instanceof Tuple t) {
            return "a tuple of " + t.size();
        }
        if (o instanceof Dict d) {
            return (d.ordered ? "an OrderedDict" : "a dict") + " of " + d.map.size();
        }
        if (o instanceof ArrayList<?> l) {
            return "a list of " + l.size();
        }
        if (o instanceof BigInteger b) {
            return "a " + b.bitLength() + "-bit integer";
        }
        if (o instanceof Boolean b) {
            return "the bool " + b;
        }
        return o == None.NONE ? "None" : o instanceof Storage ? "a storage" : o instanceof Tensor ? "a tensor"
                : o.getClass().getSimpleName();
    }

    /** At most 80 characters, control characters escaped. */
    static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() < 80; i++) {
            char c = s.charAt(i);
            b.append(c < 0x20 || c == 0x7f ? String.format("\\x%02x", (int) c) : String.valueOf(c));
        }
        return s.length() > 80 ? b + "..." : b.toString();
    }
}
