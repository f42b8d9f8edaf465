package org.bertj.weights;

import static org.bertj.weights.Crafted.entry;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import org.bertj.testing.Shared;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every validation rule of the reference implementation, each broken by a crafted file; the error
 * must come from open() and name the file, the tensor and the offending offsets.
 */
class SafetensorsHostileFileTest {

    @TempDir
    Path dir;

    private int files;

    private Path crafted(String header, byte[] data) throws IOException {
        return Crafted.write(dir.resolve("f" + files++ + ".safetensors"), header, data);
    }

    /** open() must fail with a message containing the file name and every one of {@code parts}. */
    private static String rejects(Path file, String... parts) {
        WeightFormatException e = assertThrows(WeightFormatException.class, () -> SafetensorsFile.open(file).close());
        String m = e.getMessage();
        assertTrue(m.contains(file.toString()), m);
        for (String part : parts) {
            assertTrue(m.contains(part), "expected '" + part + "' in: " + m);
        }
        return m;
    }

    @Test
    void fileShorterThanTheLengthField() throws IOException {
        Path f = Files.write(dir.resolve("tiny.safetensors"), new byte[] {2, 0, 0});
        rejects(f, "3 bytes", "8-byte header length");
    }

    @Test
    void headerLargerThanTheLimit() throws IOException {
        Path f = Files.write(dir.resolve("big.safetensors"), Crafted.le64(100_000_001L));
        rejects(f, "100000001", "HeaderTooLarge");
        Path g = Files.write(dir.resolve("huge.safetensors"), Crafted.le64(-1L));
        rejects(g, "18446744073709551615", "HeaderTooLarge");
    }

    @Test
    void headerLengthPastTheEndOfTheFile() throws IOException {
        byte[] bytes = Arrays.copyOf(Crafted.le64(64), 8 + 10);
        Path f = Files.write(dir.resolve("short.safetensors"), bytes);
        rejects(f, "header length 64", "expected at least 72 bytes, found 18");
    }

    @Test
    void headerThatIsNotUtf8() throws IOException {
        byte[] header = "{\"a\":{}}".getBytes(StandardCharsets.UTF_8);
        header[3] = (byte) 0xC3; // a lead byte followed by an ASCII byte
        rejects(Crafted.write(dir.resolve("latin1.safetensors"), header, new byte[0]), "UTF-8", "at byte 11");
    }

    @Test
    void headerThatDoesNotStartWithABrace() throws IOException {
        rejects(crafted(" {}", new byte[0]), "start with '{'", "found ' '");
        rejects(crafted("[]", new byte[0]), "start with '{'", "found '['");
        rejects(crafted("", new byte[0]), "start with '{'", "empty header");
    }

    @Test
    void headerThatIsNotJson() throws IOException {
        rejects(crafted("{\"a\":", new byte[0]), "unexpected end of input", "at byte 13", "$.a");
        rejects(crafted("{\"a\":{\"dtype\":F32}}", new byte[0]), "unexpected 'F'", "at byte 22", "$.a.dtype");
        rejects(crafted("{}{}", new byte[0]), "after the JSON value", "at byte 10");
        rejects(crafted("{}\0\0\0\0", new byte[0]), "after the JSON value", "at byte 10");
    }

    /** What the reference (serde_json) refuses and Gson's lenient defaults let through. */
    @Test
    void headerThatIsNotStrictJson() throws IOException {
        String ok = entry("w", "F32", "[1]", 0, 4);
        rejects(crafted("{\"w\\'\":" + ok.substring(ok.indexOf(':') + 1) + "}", new byte[4]),
                "invalid escape \\'", "at byte 11");
        rejects(crafted("{/* c */" + ok + "}", new byte[4]), "JSON has no comments", "at byte 9");
        rejects(crafted("{'w':1}", new byte[0]), "expected a key in double quotes", "at byte 9");
        rejects(crafted("{" + ok + ",}", new byte[4]), "no trailing comma", "at byte 62");
        rejects(crafted("{\"w\":{\"dtype\":\"F32\",\"shape\":[01],\"data_offsets\":[0,4]}}", new byte[4]),
                "leading zero");
        rejects(crafted("{\"w\":{\"dtype\":\"F32\",\"shape\":[NaN],\"data_offsets\":[0,4]}}", new byte[4]),
                "unexpected 'N'", "$.w.shape[0]");
        rejects(crafted("[".repeat(100_000), new byte[0]), "start with '{'");
        rejects(crafted("{\"a\":" + "[".repeat(100_000), new byte[0]), "nesting deeper than the limit of 64");
        for (String bad : new String[] {"{\"a\":", "{'a':1}", "{\"a\":1,}", "{\"a\"}", "{\"\\x\":1}"}) {
            WeightFormatException e = assertThrows(WeightFormatException.class,
                    () -> SafetensorsFile.open(crafted(bad, new byte[0])).close());
            assertFalse(e.getMessage().toLowerCase().contains("lenient"), e.getMessage());
        }
    }

    @Test
    void spacePaddingAfterTheObjectIsFine() throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(crafted("{}      ", new byte[0]))) {
            assertTrue(f.names().isEmpty());
        }
    }

    @Test
    void entriesLackingAField() throws IOException {
        rejects(crafted("{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]), "'w'", "lacks dtype");
        rejects(crafted("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", new byte[4]), "'w'", "lacks shape");
        rejects(crafted("{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", new byte[4]), "'w'", "lacks data_offsets");
        rejects(crafted("{\"w\":[1,2]}", new byte[0]), "'w'", "expected an object");
        rejects(crafted("{" + entry("w", "F32", "[1]", 0, 4).replace("[0,4]", "[0,4,8]") + "}", new byte[4]),
                "'w'", "[begin, end]");
        rejects(crafted("{\"w\":{\"dtype\":\"F32\",\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[0,4]}}",
                new byte[4]), "'dtype' given twice", "$.w");
    }

    @Test
    void unknownDtype() throws IOException {
        rejects(crafted("{" + entry("w", "F128", "[1]", 0, 16) + "}", new byte[16]), "'w'", "unknown dtype 'F128'");
    }

    @Test
    void duplicateTensorNames() throws IOException {
        String header = "{" + entry("w", "F32", "[1]", 0, 4) + "," + entry("w", "F32", "[1]", 4, 8) + "}";
        rejects(crafted(header, new byte[8]), "'w' given twice");
        rejects(crafted("{\"__metadata__\":{\"k\":\"a\",\"k\":\"b\"}}", new byte[0]), "'k' given twice", "$.__metadata__");
    }

    @Test
    void negativeAndNonIntegralNumbers() throws IOException {
        rejects(crafted("{" + entry("w", "F32", "[2,-1]", 0, 0) + "}", new byte[0]), "'w'", "shape",
                "-1 is out of range");
        rejects(crafted("{" + entry("w", "F32", "[2.5]", 0, 4) + "}", new byte[4]), "'w'", "shape", "2.5");
        rejects(crafted("{" + entry("w", "F32", "[1]", -4, 0) + "}", new byte[0]), "'w'", "data_offsets",
                "-4 is out of range");
        rejects(crafted("{" + entry("w", "F32", "[\"1\"]", 0, 4) + "}", new byte[4]), "'w'", "found a string (\"1\")");
    }

    @Test
    void metadataThatIsNotAStringMap() throws IOException {
        rejects(crafted("{\"__metadata__\":{\"epochs\":3}}", new byte[0]), "__metadata__.epochs", "expected a string");
        rejects(crafted("{\"__metadata__\":[\"x\"]}", new byte[0]), "__metadata__", "object of strings");
    }

    @Test
    void offsetsThatDoNotStartAtZero() throws IOException {
        String header = "{" + entry("w", "F32", "[1]", 4, 8) + "}";
        rejects(crafted(header, new byte[8]), "'w'", "[4, 8]", "expected to begin at data offset 0",
                "file byte " + (8 + header.length()), "gap");
    }

    @Test
    void offsetsWithAGap() throws IOException {
        String header = "{" + entry("a", "F32", "[1]", 0, 4) + "," + entry("b", "F32", "[1]", 8, 12) + "}";
        int start = 8 + header.length();
        rejects(crafted(header, new byte[12]), "'b'", "[8, 12]", "file bytes " + (start + 8) + ".." + (start + 12),
                "begin at data offset 4", "gap");
    }

    @Test
    void overlappingOffsets() throws IOException {
        String header = "{" + entry("a", "F32", "[2]", 0, 8) + "," + entry("b", "F32", "[2]", 4, 12) + "}";
        rejects(crafted(header, new byte[12]), "'b'", "[4, 12]", "begin at data offset 8", "overlapping");
        String same = "{" + entry("a", "F32", "[2]", 0, 8) + "," + entry("b", "F32", "[2]", 0, 8) + "}";
        rejects(crafted(same, new byte[8]), "[0, 8]", "begin at data offset 8", "overlapping");
    }

    @Test
    void endBeforeBegin() throws IOException {
        String header = "{" + entry("a", "F32", "[2]", 0, 8) + "," + entry("b", "F32", "[0]", 8, 4) + "}";
        rejects(crafted(header, new byte[8]), "'b'", "[8, 4]", "end is before begin");
    }

    @Test
    void byteCountThatDoesNotMatchShapeAndDtype() throws IOException {
        rejects(crafted("{" + entry("w", "F32", "[2,2]", 0, 12) + "}", new byte[12]), "'w'", "[2, 2]", "F32",
                "needs 16 bytes, the offsets span 12");
        rejects(crafted("{" + entry("w", "BF16", "[3]", 0, 12) + "}", new byte[12]), "'w'",
                "needs 6 bytes, the offsets span 12");
    }

    @Test
    void shapeWhoseByteCountOverflows() throws IOException {
        rejects(crafted("{" + entry("w", "F32", "[4294967296,4294967296]", 0, 0) + "}", new byte[0]), "'w'",
                "overflows");
        rejects(crafted("{" + entry("w", "F64", "[3037000499,3037000499]", 0, 0) + "}", new byte[0]), "'w'",
                "overflows");
        rejects(crafted("{" + entry("w", "F32", "[18446744073709551616]", 0, 0) + "}", new byte[0]), "'w'",
                "18446744073709551616 is out of range");
    }

    @Test
    void dataPastTheEndOfTheFile() throws IOException {
        String header = "{" + entry("a", "F32", "[1]", 0, 4) + "," + entry("b", "F32", "[2]", 4, 12) + "}";
        int start = 8 + header.length();
        rejects(crafted(header, new byte[10]), "'b'", "file bytes " + (start + 4) + ".." + (start + 12),
                "past the end of the file at byte " + (start + 10));
    }

    @Test
    void bytesThatBelongToNoTensor() throws IOException {
        String header = "{" + entry("a", "F32", "[1]", 0, 4) + "}";
        int start = 8 + header.length();
        rejects(crafted(header, new byte[7]), "cover data bytes 0..4", "holds 7",
                "file bytes " + (start + 4) + ".." + (start + 7) + " belong to no tensor");
        rejects(crafted("{}", new byte[1]), "belong to no tensor");
    }

    @Test
    void emptyTensorsMayShareAnOffset() throws IOException {
        String header = "{" + entry("e1", "F32", "[0]", 0, 0) + "," + entry("a", "I32", "[1]", 0, 4) + ","
                + entry("e2", "I64", "[2,0]", 4, 4) + "}";
        try (SafetensorsFile f = SafetensorsFile.open(crafted(header, Crafted.ints(9)))) {
            assertEquals(3, f.names().size());
            assertEquals(9, f.load("a").getInt(0));
            assertArrayEquals(new long[] {2, 0}, f.load("e2").shape());
        }
    }

    @Test
    void everyTruncationOfAGoldenFileFailsAtOpen() throws IOException {
        byte[] whole = Files.readAllBytes(Shared.golden("tiny_h32_l2_v99").resolve("model.safetensors"));
        long n = java.nio.ByteBuffer.wrap(whole).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(0);
        int dataStart = (int) (8 + n);
        int[] cuts = {0, 1, 7, 8, 9, 100, dataStart / 2, dataStart - 1, dataStart, dataStart + 1, dataStart + 127,
            dataStart + 128, (dataStart + whole.length) / 2, whole.length - 4, whole.length - 1};
        for (int cut : cuts) {
            Path f = Files.write(dir.resolve("cut" + cut + ".safetensors"), Arrays.copyOf(whole, cut));
            String m = rejects(f);
            if (cut >= dataStart + 128) {
                assertTrue(m.contains("past the end of the file at byte " + cut), m);
            }
        }
        Path longer = Files.write(dir.resolve("longer.safetensors"), Arrays.copyOf(whole, whole.length + 1));
        rejects(longer, "belong to no tensor");
    }

    @Test
    void randomlyCorruptedHeadersFailCleanlyOrStillLoad() throws IOException {
        byte[] whole = Files.readAllBytes(Shared.golden("tiny_h32_l2_v99").resolve("model.safetensors"));
        int headerEnd = (int) (8 + java.nio.ByteBuffer.wrap(whole).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(0));
        Random random = new Random(42);
        Path f = dir.resolve("fuzz.safetensors");
        int opened = 0;
        for (int round = 0; round < 300; round++) {
            byte[] bytes = whole.clone();
            for (int k = 1 + random.nextInt(3); k > 0; k--) {
                bytes[random.nextInt(headerEnd)] = (byte) random.nextInt(256);
            }
            Files.write(f, bytes);
            try (SafetensorsFile s = SafetensorsFile.open(f)) {
                opened++;
                for (String name : s.names()) {
                    if (s.dtype(name).loadedAs() != null) {
                        assertEquals(s.info(name).elementCount(), s.load(name).length(), name);
                    }
                }
            } catch (WeightFormatException expected) {
                assertTrue(expected.getMessage().startsWith(f.toString()), expected.getMessage());
            } catch (RuntimeException | IOException | Error e) {
                fail("round " + round + ": open/load threw " + e, e);
            }
        }
        assertTrue(opened < 300, "some corruption must be caught");
    }

    @Test
    void fileThatShrinksAfterOpenFailsAtLoad() throws IOException {
        String header = "{" + entry("a", "F32", "[1]", 0, 4) + "," + entry("b", "F32", "[2]", 4, 12) + "}";
        Path f = crafted(header, new byte[12]);
        try (SafetensorsFile s = SafetensorsFile.open(f)) {
            try (FileChannel c = FileChannel.open(f, StandardOpenOption.WRITE)) {
                c.truncate(8 + header.length() + 6);
            }
            assertEquals(0f, s.load("a").getFloat(0));
            WeightFormatException e = assertThrows(WeightFormatException.class, () -> s.load("b"));
            assertTrue(e.getMessage().contains("'b'") && e.getMessage().contains("changed since it was opened"),
                    e.getMessage());
        }
    }

    @Test
    void unknownNamesAndClosedFiles() throws IOException {
        Path f = crafted("{" + entry("a", "F32", "[1]", 0, 4) + "}", new byte[4]);
        SafetensorsFile s = SafetensorsFile.open(f);
        WeightFormatException e = assertThrows(WeightFormatException.class, () -> s.load("nope"));
        assertTrue(e.getMessage().contains("'nope'") && e.getMessage().contains("'a'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> s.info("nope"));
        s.close();
        assertThrows(WeightFormatException.class, () -> s.load("a"));
    }
}
