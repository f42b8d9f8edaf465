package org.bertj.weights.torch;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.bertj.testing.Shared;
import org.bertj.weights.WeightFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile pytorch_model.bin files: pickles that try to call other functions or build other
 * objects, impossible sizes, deep nesting, and thousands of random mutations and truncations of
 * the golden files. Every one must give a {@link WeightFormatException} naming the file (and for
 * pickles the entry and byte offset) or, for a mutation that still makes a valid file, load; never
 * any other exception, an error, a hang or an allocation the file's size does not justify.
 */
class PytorchBinHostileTest {

    private static final String NAME = "evil.bin";

    /** A zip checkpoint whose data.pkl is {@code pickle} (CRC correct, so the pickle itself is tested). */
    private static byte[] zipWith(byte[] pickle) {
        return TorchZip.torch("archive", pickle, Map.of("0", PytorchBinCraftedTest.floats(1, 2, 3, 4))).bytes();
    }

    private static String refused(byte[] file) {
        WeightFormatException e = assertThrows(WeightFormatException.class, () -> PytorchBinFile.read(file, NAME));
        assertTrue(e.getMessage().startsWith(NAME + ": "), e.getMessage());
        return e.getMessage();
    }

    private static String refusedPickle(Consumer<Pickle> body) {
        Pickle p = Pickle.start();
        body.accept(p);
        String m = refused(zipWith(p.bytes()));
        assertTrue(m.contains("entry 'archive/data.pkl'"), m);
        return m;
    }

    @ParameterizedTest
    @ValueSource(strings = {"os system", "posix system", "builtins eval", "builtins exec", "__builtin__ eval",
            "builtins getattr", "builtins __import__", "subprocess Popen", "subprocess check_output",
            "torch load", "torch.serialization load", "torch._utils _rebuild_qtensor", "torch Tensor",
            "torch.nn.modules.linear Linear", "numpy.core.multiarray _reconstruct", "runpy _run_code",
            "org.bertj.weights.torch Canary", "java.lang Runtime", "collections defaultdict", "torch._C _nn"})
    void otherGlobalsAreRefusedWhereTheyAreNamed(String global) {
        String[] g = global.split(" ");
        String m = refusedPickle(p -> p.global(g[0], g[1]).str("touch /tmp/pwned").op(0x85, 'R').stop());
        assertTrue(m.contains("byte 2: global '" + g[0] + "." + g[1] + "' is not allowed"), m);
        // The same through STACK_GLOBAL (protocol 4).
        m = refusedPickle(p -> p.str(g[0]).str(g[1]).op(0x93).str("x").op(0x85, 'R').stop());
        assertTrue(m.contains("global '" + g[0] + "." + g[1] + "' is not allowed"), m);
        assertFalse(CanaryFlag.loaded, "a pickle's global was looked up as a class");
    }

    @Test
    void allowedGlobalsCannotBeCalledOrBuiltOtherwise() {
        assertTrue(refusedPickle(p -> p.global("torch", "FloatStorage").ints(4).op('R').stop())
                .contains("REDUCE of torch.FloatStorage is not allowed"));
        assertTrue(refusedPickle(p -> p.global("collections", "OrderedDict").str("x").op(0x85, 'R').stop())
                .contains("OrderedDict called with 1 arguments"));
        assertTrue(refusedPickle(p -> p.str("x").op(')', 'R').stop()).contains("REDUCE of the string 'x'"));
        assertTrue(refusedPickle(p -> p.op('}').op('}', 'b').stop()).contains("BUILD of a dict"));
        assertTrue(refusedPickle(p -> p.global("collections", "OrderedDict").op(')', 'R').str("x").op('b').stop())
                .contains("BUILD of an OrderedDict of 0 with the string 'x'"));
        assertTrue(refusedPickle(p -> p.global("torch._utils", "_rebuild_tensor_v2").ints(1, 2).op('R').stop())
                .contains("_rebuild_tensor_v2 called with 2 arguments"));
        // A storage persistent id of another kind, or of a type that is not a storage.
        assertTrue(refusedPickle(p -> p.mark().str("module").str("os").tuple().op('Q').stop())
                .contains("is not ('storage', type, key, location, size)"));
        assertTrue(refusedPickle(p -> p.mark().str("storage").global("collections", "OrderedDict").str("0")
                .str("cpu").integer(4).tuple().op('Q').stop()).contains("names storage type collections.OrderedDict"));
    }

    @ParameterizedTest
    @ValueSource(ints = {'i', 'o', 0x81, 0x92, 0x82, 0x83, 0x84, 'P', 'S', 'T', 'U', 'V', 'I', 'L', 'F', 'G',
            'B', 'C', 0x8e, 0x96, 0x97, 0x98, 'd', 'l', '2', '0', '1', 'g', 'p', 0x8b, 0x90, 0x91, 0xff, 0})
    void exoticOpcodesAreRefusedByName(int op) {
        String m = refusedPickle(p -> p.op(op, 0, 0, 0, 0, 0, 0, 0, 0).stop());
        assertTrue(m.contains(String.format("byte 2: opcode 0x%02x", op)) && m.contains("is not allowed"), m);
    }

    @Test
    void impossibleSizesAreRefusedBeforeAllocating() {
        Runtime rt = Runtime.getRuntime();
        long before = rt.totalMemory() - rt.freeMemory();
        assertTrue(refusedPickle(p -> p.op('X').u32(0xFFFFFFFFL).stop()).contains("length 4294967295 runs past"));
        assertTrue(refusedPickle(p -> p.op(0x8d).u64(Long.MAX_VALUE).stop()).contains("runs past"));
        assertTrue(refusedPickle(p -> p.op(0x8d).u64(-1).stop()).contains("length 18446744073709551615 runs past"));
        assertTrue(refusedPickle(p -> p.op(0x95).u64(1L << 40).stop()).contains("frame of"));
        assertTrue(refusedPickle(p -> p.op(0x8a, 200).stop()).contains("integer of 200 bytes"));
        assertTrue(refusedPickle(p -> p.op('j').u32(0xFFFFFFF0L).stop()).contains("memo entry 4294967280 read before"));
        long[] huge = {1L << 40, 1L << 40};
        assertTrue(refusedPickle(p -> p.op('}').str("w").tensor("FloatStorage", "0", 4, 0, huge, new long[] {1L << 40, 1})
                .op('s').stop()).contains("overflows 64 bits"));
        assertTrue(refusedPickle(p -> p.op('}').str("w").tensor("FloatStorage", "0", 4, 1, new long[] {2, 2},
                new long[] {2, 1}).op('s').stop()).contains("reads element 4 of storage '0', which has 4 elements"));
        assertTrue(refusedPickle(p -> p.op('}').str("w").tensor("FloatStorage", "0", 4, 0, new long[] {-1},
                new long[] {1}).op('s').stop()).contains("negative"));
        assertTrue(refusedPickle(p -> p.op('}').str("w").tensor("FloatStorage", "0", 4, 0, new long[33],
                new long[33]).op('s').stop()).contains("33 dimensions"));
        // A storage claiming 2^50 elements over a 16-byte record, and one whose byte size overflows.
        String m = refused(zipWith(Pickle.start().op('}').str("w").tensor("FloatStorage", "0", 1L << 50, 0,
                new long[] {4}, new long[] {1}).op('s').stop().bytes()));
        assertTrue(m.contains("entry 'archive/data/0' has 16 bytes but its storage is 1125899906842624 F32"), m);
        assertTrue(refusedPickle(p -> p.op('}').str("w").tensor("FloatStorage", "0", 1L << 61, 0, new long[] {4},
                new long[] {1}).op('s').stop()).contains("byte 101: storage '0' has 2305843009213693952 elements"));
        assertTrue(rt.totalMemory() - rt.freeMemory() - before < 256L << 20, "no large allocation");
    }

    @Test
    void deepNestingIsNoProblem() {
        int depth = 200_000;
        // A list nested 200,000 deep as a state_dict value: refused by type, without recursing.
        String m = refusedPickle(p -> {
            p.op('}').str("w");
            for (int i = 0; i < depth; i++) {
                p.op(']');
            }
            for (int i = 1; i < depth; i++) {
                p.op('a');
            }
            p.op('s').stop();
        });
        assertTrue(m.contains("state_dict entry the string 'w' maps to a list of 1"), m);
        // 200,000 open marks, then tuples closing them.
        m = refusedPickle(p -> {
            for (int i = 0; i < depth; i++) {
                p.mark();
            }
            for (int i = 0; i < depth; i++) {
                p.tuple();
            }
            p.stop();
        });
        assertTrue(m.contains("holds a tuple of 1, not a state_dict"), m);
        assertTrue(refusedPickle(p -> p.op('}').mark().stop()).contains("STOP with 1 values and 1 marks"));
        // More values than any state_dict needs (each BININT1 is one): refused, not built until memory runs out.
        assertTrue(refusedPickle(p -> {
            for (int i = 0; i <= TorchPickle.MAX_VALUES; i++) {
                p.op('K', 0);
            }
        }).contains("more than 2000000 values built"));
        assertTrue(refusedPickle(p -> p.op('}')).contains("ends without STOP"));
    }

    @Test
    void zipStructureIsChecked() {
        byte[] good = zipWith(Pickle.start().op('}').stop().bytes());
        byte[] noEnd = Arrays.copyOf(good, good.length - 22);
        assertTrue(refused(noEnd).contains("no zip end-of-central-directory record"));
        // A data.pkl whose bytes were changed without fixing its CRC.
        byte[] flipped = good.clone();
        flipped[30 + "archive/data.pkl".length() + 1] ^= 0x01;
        assertTrue(refused(flipped).contains("fails its CRC-32 check"));
        // No data.pkl at all.
        byte[] other = new TorchZip().entry("archive/other", new byte[4]).bytes();
        assertTrue(refused(other).contains("no entry 'archive/data.pkl'"));
        // A storage the pickle names but the archive lacks.
        byte[] missing = new TorchZip().entry("archive/data.pkl", Pickle.start().op('}').str("w")
                .tensor("FloatStorage", "7", 1, 0, new long[] {1}, new long[] {1}).op('s').stop().bytes()).bytes();
        String m = refused(missing);
        assertTrue(m.contains("storage '7' has no entry 'archive/data/7'"), m);
        assertTrue(refused("PK\u0003\u0004 not really".getBytes(StandardCharsets.ISO_8859_1))
                .contains("too short for a zip archive's end record"));
        assertTrue(refused("hello".getBytes(StandardCharsets.US_ASCII)).contains("neither a zip-format nor a legacy"));
        assertTrue(refused(new byte[0]).contains("neither"));
    }

    /**
     * Random mutations of the golden zip (of its data.pkl with the CRC fixed, and of the raw file)
     * and legacy files: flips, overwrites with interesting values, insertions, deletions and
     * truncations. Each must open and load or fail with a WeightFormatException; bounded in time.
     */
    @ParameterizedTest
    @ValueSource(strings = {"zip-file", "zip-pickle", "legacy"})
    void randomMutationsGiveOnlyClearErrors(String what) throws Exception {
        Path golden = Shared.golden(what.equals("legacy") ? "formats/pytorch_bin_legacy" : "formats/pytorch_bin")
                .resolve("pytorch_model.bin");
        byte[] original = Files.readAllBytes(golden);
        byte[] pickle;
        List<String> storageNames = new ArrayList<>();
        try (PytorchBinFile f = PytorchBinFile.open(golden)) {
            storageNames.addAll(f.names());
        }
        java.util.Map<String, byte[]> storages = new java.util.LinkedHashMap<>();
        if (what.equals("zip-pickle")) {
            try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(golden.toFile())) {
                pickle = z.getInputStream(z.getEntry("pytorch_model/data.pkl")).readAllBytes();
                z.stream().filter(e -> e.getName().startsWith("pytorch_model/data/")).forEach(e -> {
                    try {
                        storages.put(e.getName().substring("pytorch_model/data/".length()),
                                z.getInputStream(e).readAllBytes());
                    } catch (java.io.IOException ex) {
                        throw new java.io.UncheckedIOException(ex);
                    }
                });
            }
        } else {
            pickle = null;
        }
        Random rnd = new Random(13);
        int rounds = 800;
        int refusedCount = 0;
        long start = System.nanoTime();
        java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
        long cpuStart = cpu.getCurrentThreadCpuTime();
        for (int round = 0; round < rounds; round++) {
            byte[] mutated;
            if (pickle != null) {
                mutated = TorchZip.torch("pytorch_model", mutate(pickle, rnd), storages).bytes();
            } else {
                mutated = mutate(original, rnd);
            }
            try (PytorchBinFile f = PytorchBinFile.read(mutated, NAME)) {
                // Reading the tensors (ND4J arrays) costs far more than opening: do it in every 8th round.
                for (String n : round % 8 == 0 ? f.names() : List.<String>of()) {
                    if (f.info(n).elementCount() <= 1 << 20) {
                        f.load(n).close();
                    }
                }
            } catch (WeightFormatException e) {
                refusedCount++;
                if (e.getMessage() == null || !e.getMessage().startsWith(NAME)) {
                    fail("round " + round + ": message does not name the file: " + e.getMessage());
                }
            } catch (Throwable t) {
                throw new AssertionError(what + " round " + round + ": " + t, t);
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double cpuSeconds = (cpu.getCurrentThreadCpuTime() - cpuStart) / 1e9;
        System.out.printf("%s: %d mutations, %d refused, %.2f s wall, %.2f s CPU%n", what, rounds, refusedCount,
                seconds, cpuSeconds);
        assertTrue(refusedCount > rounds / 4, "mutations should mostly break the file: " + refusedCount);
        // CPU time, not wall time: the shared build machine may be loaded many times over.
        assertTrue(cpuSeconds < 20, "took " + cpuSeconds + " s of CPU");
        assertFalse(storageNames.isEmpty());
    }

    private static final int[] INTERESTING = {0, 1, 0x7F, 0x80, 0xFF, '(', ')', 'R', 'b', 'c', 'Q', '.', 0x8a, 'X',
            'h', 'j', 'q', 'r', 't', 'u', 's', 0x93, 0x95, 0x8d};

    static byte[] mutate(byte[] in, Random rnd) {
        byte[] b = in.clone();
        int kind = rnd.nextInt(6);
        int at = rnd.nextInt(Math.max(1, b.length));
        switch (kind) {
            case 0 -> { // flip 1-8 bits
                for (int i = 0, n = 1 + rnd.nextInt(8); i < n; i++) {
                    b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8));
                }
            }
            case 1 -> { // overwrite bytes with interesting values
                for (int i = 0, n = 1 + rnd.nextInt(4); i < n; i++) {
                    b[rnd.nextInt(b.length)] = (byte) INTERESTING[rnd.nextInt(INTERESTING.length)];
                }
            }
            case 2 -> { // a huge little-endian length somewhere
                int p = rnd.nextInt(Math.max(1, b.length - 8));
                long v = rnd.nextBoolean() ? -1L : 1L << (20 + rnd.nextInt(43));
                for (int i = 0; i < 8 && p + i < b.length; i++) {
                    b[p + i] = (byte) (v >>> (8 * i));
                }
            }
            case 3 -> b = Arrays.copyOf(b, at); // truncate
            case 4 -> { // delete a run
                int n = Math.min(b.length - at, 1 + rnd.nextInt(16));
                byte[] c = new byte[b.length - n];
                System.arraycopy(b, 0, c, 0, at);
                System.arraycopy(b, at + n, c, at, b.length - at - n);
                b = c;
            }
            default -> { // insert random bytes
                int n = 1 + rnd.nextInt(16);
                byte[] c = new byte[b.length + n];
                System.arraycopy(b, 0, c, 0, at);
                for (int i = 0; i < n; i++) {
                    c[at + i] = (byte) rnd.nextInt(256);
                }
                System.arraycopy(b, at, c, at + n, b.length - at);
                b = c;
            }
        }
        return b;
    }
}
