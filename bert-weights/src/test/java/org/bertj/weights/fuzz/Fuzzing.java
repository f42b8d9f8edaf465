package org.bertj.weights.fuzz;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What every fuzz target shares. A target may end in the documented exception of its parser, with
 * a message a user can read; anything else (another exception, an Error, a hang, running out of
 * memory) is a finding. Jazzer stores findings in the target's Inputs directory under
 * src/test/resources, where {@code mvn verify} replays them from then on.
 */
public final class Fuzzing {

    private Fuzzing() {
    }

    /** One scratch directory per JVM: targets overwrite their file on every input. */
    private static Path scratch;

    /** A scratch file of that name, rewritten with {@code bytes}. */
    public static synchronized Path file(String name, byte[] bytes) {
        try {
            if (scratch == null) {
                scratch = Files.createTempDirectory("bertj-fuzz");
                scratch.toFile().deleteOnExit();
            }
            Path p = scratch.resolve(name);
            Files.write(p, bytes);
            p.toFile().deleteOnExit();
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The refusal must say something, never advise Gson's lenient mode, never print a negative size
     * from an overflow. Messages quote the input (keys, names), so a phrase the input itself holds
     * is no finding: the fuzzer learns the phrases from these very checks and writes them in.
     */
    public static void readable(Exception e, byte[] input) {
        assertNotNull(e.getMessage(), () -> e.getClass().getName() + " without a message");
        String in = new String(input, java.nio.charset.StandardCharsets.ISO_8859_1);
        for (String bad : new String[] {"setLenient", "= -"}) {
            if (!in.contains(bad)) {
                assertFalse(e.getMessage().contains(bad), e.getMessage());
            }
        }
    }

    /** {@link #readable(Exception, byte[])} for a text input. */
    public static void readable(Exception e, String input) {
        readable(e, input.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
