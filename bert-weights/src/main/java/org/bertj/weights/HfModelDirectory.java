package org.bertj.weights;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Writes a Hugging Face model directory ({@code config.json}, {@code vocab.txt},
 * {@code model.safetensors}) that {@code BertForPreTraining.from_pretrained(dir)} loads.
 *
 * <p>Everything is written into a hidden temporary directory beside the target and renamed into
 * place at the end, so an interrupted write never leaves a directory that looks complete.
 */
public final class HfModelDirectory {

    /** Hugging Face's file names. */
    public static final String CONFIG = "config.json";
    /** The WordPiece vocabulary, one token per line. */
    public static final String VOCAB = "vocab.txt";
    /** The weights, under Hugging Face names. */
    public static final String WEIGHTS = "model.safetensors";

    private HfModelDirectory() {
    }

    /**
     * Writes the directory.
     *
     * @param out        the directory to create
     * @param config     Hugging Face's config.json contents
     * @param vocab      the vocab.txt to copy
     * @param weights    Hugging Face-named tensors; all of them are written, in its order
     * @param metadata   safetensors header metadata ({@code format: pt} is added: transformers
     *                   refuses safetensors files without it)
     * @param extraFiles further small text files to write (name to contents), e.g. a provenance note
     * @param replace    whether a non-empty {@code out} may be replaced
     * @throws FileAlreadyExistsException if {@code out} is a non-empty directory (or a file) and
     *                                    {@code replace} is false
     */
    public static void write(Path out, JsonObject config, Path vocab, TensorSource weights,
                             Map<String, String> metadata, Map<String, String> extraFiles, boolean replace)
            throws IOException {
        Path target = out.toAbsolutePath().normalize();
        Path parent = target.getParent();
        Files.createDirectories(parent);
        checkWritable(target, replace);
        if (!Files.isRegularFile(vocab)) {
            throw new java.nio.file.NoSuchFileException(vocab.toString(), null, "vocabulary file not found");
        }
        // Not Files.createTempDirectory: its owner-only permissions would stick to the finished directory.
        Path tmp = Files.createDirectory(sibling(target, ".part-"));
        try {
            HfBertConfig.write(tmp.resolve(CONFIG), config);
            Files.copy(vocab, tmp.resolve(VOCAB));
            writeWeights(tmp.resolve(WEIGHTS), weights, metadata);
            for (Map.Entry<String, String> f : extraFiles.entrySet()) {
                Files.writeString(tmp.resolve(f.getKey()), f.getValue(), StandardCharsets.UTF_8);
            }
            moveIntoPlace(tmp, target, replace);
        } catch (IOException | RuntimeException | Error e) {
            try {
                deleteRecursively(tmp);
            } catch (IOException | UncheckedIOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /**
     * Fails early, before any work, if {@link #write} would refuse {@code out}.
     *
     * @param out     the model directory to be written; it need not exist
     * @param replace whether an existing non-empty directory may be replaced (the CLI's
     *                {@code --force})
     * @throws FileAlreadyExistsException if {@code out} is a file, or a non-empty directory and
     *                                    {@code replace} is false
     * @throws IOException                if {@code out} cannot be listed
     */
    public static void checkWritable(Path out, boolean replace) throws IOException {
        Path target = out.toAbsolutePath().normalize();
        if (!Files.exists(target) || replace && Files.isDirectory(target)) {
            return;
        }
        if (!Files.isDirectory(target)) {
            throw new FileAlreadyExistsException(target.toString(), null, "exists and is not a directory");
        }
        try (Stream<Path> s = Files.list(target)) {
            if (s.findAny().isPresent()) {
                throw new FileAlreadyExistsException(target.toString(), null,
                        "directory exists and is not empty (use --force to replace it)");
            }
        }
    }

    private static void writeWeights(Path file, TensorSource weights, Map<String, String> metadata)
            throws IOException {
        Map<String, INDArray> tensors = new LinkedHashMap<>();
        try {
            for (String name : weights.names()) {
                tensors.put(name, weights.load(name));
            }
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("format", "pt");
            if (metadata != null) {
                meta.putAll(metadata);
            }
            SafetensorsWriter.write(file, tensors, meta);
        } finally {
            // The arrays are off-heap; free them now rather than whenever the collector runs.
            tensors.values().forEach(INDArray::close);
        }
    }

    private static void moveIntoPlace(Path tmp, Path target, boolean replace) throws IOException {
        if (Files.exists(target)) {
            checkWritable(target, replace);
            Path old = sibling(target, ".old-");
            Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            deleteRecursively(old);
        } else {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    /** A fresh hidden name beside {@code target}, on the same file system so renames are atomic. */
    private static Path sibling(Path target, String kind) {
        return target.resolveSibling("." + target.getFileName() + kind + ProcessHandle.current().pid() + "-"
                + System.nanoTime());
    }

    /**
     * Deletes a file or directory tree; nothing if it does not exist.
     *
     * @param path the file or directory to delete, with everything below it
     * @throws IOException if something cannot be deleted (what was deleted before stays deleted)
     */
    public static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> s = Files.walk(path)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
