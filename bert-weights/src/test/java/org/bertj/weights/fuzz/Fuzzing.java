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

    /** The refusal must say something, and never advise Gson's lenient mode. */
    public static void readable(Exception e) {
        assertNotNull(e.getMessage(), () -> e.getClass().getName() + " without a message");
        assertFalse(e.getMessage().contains("setLenient"), e.getMessage());
        assertFalse(e.getMessage().contains("= -"), e.getMessage()); // negative sizes from overflow
    }
}
