package org.bertj.viz;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.charset.StandardCharsets;
import javax.imageio.ImageIO;

/** Writes pictures and pages whole or not at all: to a temporary file beside the target, then renamed. */
public final class PictureFiles {
    private PictureFiles() {
    }

    /**
     * Writes {@code image} as PNG to {@code file}, replacing it atomically.
     *
     * @param image the picture to write
     * @param file  the target; its directory must exist
     * @throws IOException if the directory does not exist, the runtime has no PNG writer or the file
     *                     cannot be written; an existing file is then unchanged
     */
    public static void writePng(BufferedImage image, Path file) throws IOException {
        Path tmp = temporary(file);
        try {
            if (!ImageIO.write(image, "png", tmp.toFile())) {
                throw new IOException("no PNG writer in this Java runtime");
            }
            move(tmp, file);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Writes {@code text} (UTF-8) to {@code file}, replacing it atomically.
     *
     * @param text the whole content, e.g. an HTML page
     * @param file the target; its directory must exist
     * @throws IOException if the directory does not exist or the file cannot be written; an existing
     *                     file is then unchanged
     */
    public static void writeText(String text, Path file) throws IOException {
        Path tmp = temporary(file);
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
            move(tmp, file);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static Path temporary(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new IOException("cannot write " + file + ": directory " + dir + " does not exist");
        }
        return Files.createTempFile(dir, "." + file.getFileName(), ".part");
    }

    private static void move(Path tmp, Path file) throws IOException {
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (java.nio.file.AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

}
