package org.bertj.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills (SIGKILL) a process that is pretraining and checkpointing every step, then checks that the
 * latest checkpoint is complete and resumes to the losses an uninterrupted run has.
 */
class PretrainerKillTest {

    /** Long enough never to finish before the kill; the schedule depends on it, so both sides use it. */
    private static final long TOTAL = 100_000;

    @TempDir
    Path tmp;
    Path runDir;

    static PretrainOptions options() {
        return TinyPretraining.options().totalSteps(TOTAL).saveEvery(1).keepLast(2).build();
    }

    /** Trains into {@code args[0]}, printing each completed step. */
    public static void main(String[] args) throws IOException {
        Pretrainer t = TinyPretraining.trainer(TinyPretraining.model(8), options());
        t.train(Path.of(args[0]), m -> {
            System.out.println("step " + m.step());
            System.out.flush();
        });
    }

    private boolean saveInProgress() throws IOException {
        try (var files = Files.list(runDir)) {
            return files.anyMatch(p -> p.getFileName().toString().startsWith(".tmp-"));
        }
    }

    /** Trains to {@code last} steps, stopping the endless run with an exception; returns the losses. */
    private static double[] trainUntil(Pretrainer t, Path dir, long last) {
        double[] losses = new double[(int) last + 1];
        RuntimeException stop = assertThrows(RuntimeException.class, () -> t.train(dir, m -> {
            if (m.step() > last) {
                throw new RuntimeException("stop");
            }
            losses[(int) m.step()] = m.loss();
        }));
        assertEquals("stop", stop.getMessage());
        return losses;
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aKilledRunLeavesACompleteCheckpointThatResumesExactly() throws Exception {
        runDir = Files.createDirectory(tmp.resolve("run"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-Xmx1g", "-cp", System.getProperty("java.class.path"),
                PretrainerKillTest.class.getName(), runDir.toString()).redirectErrorStream(true).start();
        long reported = 0;
        try (BufferedReader out = new BufferedReader(
                new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; reported < 3 && (line = out.readLine()) != null; ) {
                if (line.startsWith("step ")) {
                    reported = Long.parseLong(line.substring(5));
                }
            }
            // Kill as soon as a checkpoint is being written, when a torn one could be left.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!saveInProgress() && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            child.destroyForcibly();
            assertTrue(child.waitFor(60, TimeUnit.SECONDS));
        } finally {
            child.destroyForcibly();
        }
        assertTrue(reported >= 3, "the child never got going");

        Checkpoint.Loaded latest = Checkpoint.loadLatest(runDir).orElseThrow();
        long step = latest.trainerState().step();
        assertTrue(step >= reported - 1, "latest is step " + step + " though step " + reported + " had finished");

        Pretrainer resumed = TinyPretraining.trainer(TinyPretraining.model(1), options());
        assertTrue(resumed.resume(runDir));
        assertEquals(step, resumed.step());
        double[] afterResume = trainUntil(resumed, runDir, step + 2);
        double[] uninterrupted = trainUntil(TinyPretraining.trainer(TinyPretraining.model(8), options()),
                tmp.resolve("reference"), step + 2);
        for (long s = step + 1; s <= step + 2; s++) {
            assertEquals(uninterrupted[(int) s], afterResume[(int) s], 1e-6, "loss at step " + s);
        }
        assertEquals(step + 2, Checkpoint.loadLatest(runDir).orElseThrow().trainerState().step());
        try (var files = Files.list(runDir)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().startsWith(".")),
                    "the next save removes what the killed one left behind");
        }
    }
}
