package org.bertj.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Prints which of ND4J's native builds this JVM loaded (from {@code /proc/self/maps}), for the
 * machine line of the bench report: {@code ND4J 1.0.0-M2.1 nd4j-native linux-x86_64-onednn-avx512}.
 */
public final class NativeBuildInfo {

    private NativeBuildInfo() {
    }

    /**
     * Prints the build line on stdout.
     *
     * @param args none
     * @throws IOException if {@code /proc/self/maps} cannot be read (not Linux)
     */
    public static void main(String[] args) throws IOException {
        Nd4j.create(1);
        String build = Files.readAllLines(Path.of("/proc/self/maps")).stream()
                .filter(l -> l.endsWith("/libnd4jcpu.so"))
                .map(l -> Path.of(l.substring(l.lastIndexOf(' ') + 1)).getParent().getFileName().toString())
                .findFirst().orElse("unknown build");
        System.out.println("ND4J 1.0.0-M2.1 nd4j-native " + build);
    }
}
