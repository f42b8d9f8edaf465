package org.bertj.viz;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Real headless Chromium for the HTML tests. Found as -Dbertj.chromium=PATH, else $CHROMIUM, else
 * chromium / chromium-browser / google-chrome on the PATH (Debian's package is {@code chromium};
 * .ci/run installs it). Missing Chromium fails the test with what to do: a skipped browser test
 * would let a broken page pass.
 */
final class Chromium {
    private static final String[] NAMES = {"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"};
    private static final long TIMEOUT_S = 120;

    private Chromium() {
    }

    static Path find() {
        String given = System.getProperty("bertj.chromium", System.getenv("CHROMIUM"));
        if (given != null && !given.isBlank()) {
            Path p = Path.of(given);
            if (!Files.isExecutable(p)) {
                fail("Chromium given as " + given + " (-Dbertj.chromium or $CHROMIUM) is not an executable file");
            }
            return p;
        }
        String path = System.getenv().getOrDefault("PATH", "");
        for (String name : NAMES) {
            for (String d : path.split(File.pathSeparator)) {
                Path p = Path.of(d.isEmpty() ? "." : d, name);
                if (Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        fail("Chromium not found (looked for " + String.join(", ", NAMES) + " on PATH=" + path + "). "
                + "The HTML attention view is tested in a real browser: install Debian's package "
                + "(apt-get update && apt-get install -y chromium; .ci/run does this) or point "
                + "-Dbertj.chromium=/path/to/chrome at one.");
        throw new AssertionError("unreachable");
    }

    /** The DOM after the page's scripts ran ({@code --dump-dom}). */
    static String dumpDom(String url, Path work) throws IOException, InterruptedException {
        return run(work, "--dump-dom", url);
    }

    /** A screenshot of the page in a width x height window, as PNG in {@code png}. */
    static void screenshot(String url, Path png, int width, int height, Path work)
            throws IOException, InterruptedException {
        run(work, "--screenshot=" + png.toAbsolutePath(), "--window-size=" + width + "," + height,
                "--hide-scrollbars", url);
        if (!Files.isRegularFile(png)) {
            fail("Chromium wrote no screenshot " + png);
        }
    }

    private static String run(Path work, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(find().toString(), "--headless", "--no-sandbox",
                "--disable-gpu", "--no-first-run", "--disable-extensions", "--disable-background-networking",
                "--disable-dev-shm-usage", "--user-data-dir=" + Files.createTempDirectory(work, "profile")));
        cmd.addAll(List.of(args));
        Path out = work.resolve("chromium.out"), err = work.resolve("chromium.err");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(TIMEOUT_S, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            fail("Chromium took over " + TIMEOUT_S + " s: " + String.join(" ", cmd));
        }
        if (p.exitValue() != 0) {
            fail("Chromium exited with " + p.exitValue() + ": " + String.join(" ", cmd) + "\n"
                    + Files.readString(err, StandardCharsets.UTF_8));
        }
        return Files.readString(out, StandardCharsets.UTF_8);
    }
}
