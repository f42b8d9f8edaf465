package org.bertj.weights;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.bertj.weights.torch.PytorchBinFile;

/**
 * The weights of a Hugging Face model directory, in whichever of the formats
 * {@code from_pretrained} reads that the directory has, looked for in transformers 4.29's order:
 * {@code model.safetensors}, {@code model.safetensors.index.json} (shards), {@code pytorch_model.bin}
 * (zip or legacy format), {@code pytorch_model.bin.index.json} (shards). Every format opens as a
 * {@link TensorSource} with the file's own names, dtypes and shapes, so loaders need not know which
 * it was.
 */
public final class HfWeightFiles {

    /** The file names looked for, in order. */
    public static final List<String> NAMES = List.of(HfModelDirectory.WEIGHTS, "model.safetensors.index.json",
            "pytorch_model.bin", "pytorch_model.bin.index.json");

    private HfWeightFiles() {
    }

    /**
     * The weights file of {@code dir} that {@link #open(Path)} would read.
     *
     * @param dir a model directory
     * @return the first of {@link #NAMES} that is a regular file there, or null if it has none
     */
    public static Path find(Path dir) {
        for (String n : NAMES) {
            Path p = dir.resolve(n);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }

    /**
     * Opens the weights of a model directory.
     *
     * @param dir a model directory
     * @return the weights under the file's own names; the caller closes it
     * @throws NoSuchFileException   if it has none of {@link #NAMES}
     * @throws WeightFormatException if the file is malformed
     */
    public static TensorSource open(Path dir) throws IOException {
        Path p = find(dir);
        if (p == null) {
            throw new NoSuchFileException(dir.toString(), null, "no weights: expected one of " + String.join(", ", NAMES));
        }
        return openFile(p);
    }

    /**
     * Whether {@link #openFile} reads a file of this name.
     *
     * @param file any path with a file name; only the name is looked at, the file need not exist
     * @return true for names ending in {@code .safetensors}, {@code .bin} or {@code .index.json}
     */
    public static boolean isWeightsFile(Path file) {
        String n = file.getFileName().toString();
        return n.endsWith(".safetensors") || n.endsWith(".bin") || n.endsWith(".index.json");
    }

    /**
     * Opens one weights file by its name: {@code *.safetensors}, {@code *.bin} (PyTorch), or a
     * shard index {@code *.index.json}, whose shards are opened by their own names.
     *
     * @param file a weights file or shard index
     * @return the weights under the file's own names; the caller closes it (which closes all shards)
     * @throws WeightFormatException if the name is none of those or the file is malformed
     * @throws IOException           if a file cannot be read
     */
    public static TensorSource openFile(Path file) throws IOException {
        String n = file.getFileName().toString();
        if (n.endsWith(".index.json")) {
            return ShardedSource.open(file, HfWeightFiles::openShard);
        }
        return openShard(file);
    }

    private static TensorSource openShard(Path file) throws IOException {
        String n = file.getFileName().toString();
        if (n.endsWith(".safetensors")) {
            return SafetensorsFile.open(file);
        }
        if (n.endsWith(".bin")) {
            return PytorchBinFile.open(file);
        }
        throw new WeightFormatException(file + ": not a weights file bertj reads (expected *.safetensors, *.bin"
                + " or a shard index *.index.json)");
    }
}
