package org.bertj.weights;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Chooses which of ND4J's native CPU builds this process loads, before ND4J loads one.
 *
 * <p>bertj ships two builds of the same ND4J release: the portable {@code linux-x86_64} build (any
 * x86-64; matrix products through its bundled OpenBLAS 0.3.19) and {@code linux-x86_64-onednn-avx512}
 * (compiled for AVX-512, matrix products through oneDNN's JIT kernels). On the AVX-512 machine of
 * the README the oneDNN build's products run at 1.15-1.2x OpenBLAS's best forced core type and
 * 3x what OpenBLAS picks by itself there (bench/NOTES.md, "December 1"), with no environment
 * variable. JavaCPP picks a build by the system property {@code org.bytedeco.javacpp.platform.extension}
 * and, left to itself, prefers the build with an extension whatever the CPU; ND4J then refuses an
 * AVX-512 build on a CPU without it. So the choice is made here from the CPU's flags: the oneDNN
 * AVX-512 build where the CPU has AVX-512 (F, CD, BW, DQ, VL: ND4J's "avx512" level) and that
 * build is on the class path, the portable build everywhere else. A property set by the user is
 * left as it is.
 *
 * <p>{@link NativeBuildHook} runs {@link #select()} when ND4J looks for its backends, so the
 * choice is made before the first ND4J call whichever class makes it.
 */
public final class NativeBuild {

    /** JavaCPP's system property naming the build's extension ({@code ""} = the portable build). */
    public static final String PROPERTY = "org.bytedeco.javacpp.platform.extension";
    /** The extension of the AVX-512 build with oneDNN. */
    public static final String ONEDNN_AVX512 = "-onednn-avx512";

    private static final Set<String> AVX512_FLAGS = Set.of("avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl");
    private static final String ONEDNN_AVX512_LIBRARY =
            "org/nd4j/linalg/cpu/nativecpu/bindings/linux-x86_64" + ONEDNN_AVX512 + "/libnd4jcpu.so";

    private NativeBuild() {
    }

    /**
     * Sets {@link #PROPERTY} unless it is set already; idempotent.
     *
     * @return the extension in force ({@code ""} for the portable build)
     */
    public static synchronized String select() {
        String set = System.getProperty(PROPERTY);
        if (set != null) {
            return set;
        }
        String chosen = hasAvx512() && onClassPath(ONEDNN_AVX512_LIBRARY) ? ONEDNN_AVX512 : "";
        System.setProperty(PROPERTY, chosen);
        return chosen;
    }

    /** Whether this is Linux on x86-64 with the AVX-512 subsets ND4J's AVX-512 builds use. */
    static boolean hasAvx512() {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")
                || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            return false;
        }
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/cpuinfo"));
            return lines.stream().filter(l -> l.startsWith("flags")).findFirst()
                    .map(l -> Set.of(l.substring(l.indexOf(':') + 1).trim().split("\\s+")).containsAll(AVX512_FLAGS))
                    .orElse(false);
        } catch (IOException | RuntimeException e) {
            return false; // unknown CPU: the portable build runs everywhere
        }
    }

    private static boolean onClassPath(String resource) {
        ClassLoader loader = NativeBuild.class.getClassLoader();
        return loader != null && loader.getResource(resource) != null;
    }
}
