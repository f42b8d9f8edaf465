package org.bertj.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The tokenizer on every code point 0..0x10FFFF, five settings, against the Python reference's
 * per-block digests ({@code scripts/unicode_tables.py}); then the same check forked on every other
 * JDK (17 or later) under {@code /usr/lib/jvm} (or the list in {@code -Dbertj.jdks=DIR,DIR}), whose
 * digests must equal this JVM's line for line. On a mismatch, {@code python3 scripts/unicode_tables.py
 * --show CP} prints what the reference gives for one code point of the block.
 */
class UnicodeCoverageTest {

    private static Map<String, String> expected;
    private static List<String> here;

    @BeforeAll
    static void run() throws IOException {
        expected = UnicodeCoverage.expected();
        here = UnicodeCoverage.actual(expected);
    }

    @Test
    void everyCodePointAsThePythonReference() {
        assertEquals(5 * 0x110, expected.size(), "five settings x 272 blocks");
        List<String> bad = UnicodeCoverage.mismatches(expected, here);
        assertTrue(bad.isEmpty(), bad.size() + " blocks differ from the Python reference on "
                + System.getProperty("java.version") + ":\n" + String.join("\n", bad.subList(0, Math.min(20, bad.size()))));
    }

    @Test
    void sameOnEveryJdkOfTheMachine() throws Exception {
        List<Path> jdks = otherJdks();
        System.out.println("UnicodeCoverageTest: this JVM " + System.getProperty("java.version") + "; also forking "
                + (jdks.isEmpty() ? "none found" : jdks));
        String cp = System.getProperty("java.class.path");
        for (Path jdk : jdks) {
            Path log = Files.createTempFile("bertj-unicode-", ".txt");
            try {
                Process p = new ProcessBuilder(jdk.resolve("bin/java").toString(), "-cp", cp,
                        UnicodeCoverage.class.getName()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
                if (!p.waitFor(10, TimeUnit.MINUTES)) {
                    p.destroyForcibly();
                    throw new AssertionError(jdk + " did not finish in 10 minutes");
                }
                List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
                String tail = String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
                assertEquals(0, p.exitValue(), jdk + " reports mismatches:\n" + tail);
                assertEquals(here, lines.subList(0, Math.min(here.size(), lines.size())),
                        jdk + " gives other digests than " + System.getProperty("java.version"));
                assertEquals("mismatches 0", lines.get(here.size()));
            } finally {
                Files.deleteIfExists(log);
            }
        }
    }

    /** JDK homes other than this one: -Dbertj.jdks, else every /usr/lib/jvm/* with a Java 17+ bin/java. */
    static List<Path> otherJdks() throws IOException {
        Set<Path> homes = new LinkedHashSet<>();
        String listed = System.getProperty("bertj.jdks");
        if (listed != null && !listed.isBlank()) {
            for (String s : listed.split(",")) {
                homes.add(Paths.get(s.trim()));
            }
        } else if (Files.isDirectory(Paths.get("/usr/lib/jvm"))) {
            try (Stream<Path> s = Files.list(Paths.get("/usr/lib/jvm"))) {
                s.filter(h -> Files.isExecutable(h.resolve("bin/java"))).sorted().forEach(homes::add);
            }
        }
        Path self = Paths.get(System.getProperty("java.home")).toRealPath();
        Set<Path> seen = new LinkedHashSet<>();
        seen.add(self);
        List<Path> out = new ArrayList<>();
        for (Path h : homes) {
            Path real = h.resolve("bin/java").toRealPath().getParent().getParent();
            if (seen.add(real) && majorVersion(real) >= 17) {
                out.add(real);
            }
        }
        return out;
    }

    private static int majorVersion(Path home) throws IOException {
        Path release = home.resolve("release");
        if (!Files.isRegularFile(release)) {
            return -1;
        }
        for (String line : Files.readAllLines(release, StandardCharsets.UTF_8)) {
            if (line.startsWith("JAVA_VERSION=")) {
                String v = line.substring("JAVA_VERSION=".length()).replace("\"", "");
                String major = v.startsWith("1.") ? v.substring(2) : v;
                int end = 0;
                while (end < major.length() && Character.isDigit(major.charAt(end))) {
                    end++;
                }
                return end == 0 ? -1 : Integer.parseInt(major.substring(0, end));
            }
        }
        return -1;
    }
}
