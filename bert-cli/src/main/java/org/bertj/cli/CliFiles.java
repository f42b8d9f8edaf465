package org.bertj.cli;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * Checks of the paths a command is given, before any work: they throw the JDK's own exceptions,
 * which {@link Failures} words as {@code no such file: PATH} and {@code not a directory: PATH}.
 */
final class CliFiles {

    private CliFiles() {
    }

    /** @throws NoSuchFileException if {@code p} does not exist or is a directory */
    static Path requireFile(Path p) throws NoSuchFileException {
        if (!Files.exists(p)) {
            throw new NoSuchFileException(p.toString());
        }
        if (Files.isDirectory(p)) {
            throw new NoSuchFileException(p.toString(), null, "a directory, not a file");
        }
        return p;
    }

    /** @throws NoSuchFileException if {@code p} does not exist; NotDirectoryException if it is not a directory */
    static Path requireDirectory(Path p) throws NoSuchFileException, NotDirectoryException {
        if (!Files.exists(p)) {
            throw new NoSuchFileException(p.toString());
        }
        if (!Files.isDirectory(p)) {
            throw new NotDirectoryException(p.toString());
        }
        return p;
    }
}
