package org.bertj.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Kills a real process (SIGKILL) while it saves checkpoints, then resumes from what it left. */
class CheckpointKillTest {

    @TempDir
    Path runDir;

    /** Saves checkpoint after checkpoint; at step s every parameter and moment holds the value s. */
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        Map<String, INDArray> params = new LinkedHashMap<>();
        params.put("bert.embeddings.word_embeddings.weight", Nd4j.zeros(DataType.FLOAT, 1000, 768));
        params.put("cls.predictions.bias", Nd4j.zeros(DataType.FLOAT, 1000));
        AdamW adam = AdamW.builder().build();
        for (int step = 1; ; step++) {
            Map<String, INDArray> grads = new LinkedHashMap<>();
            params.forEach((k, v) -> grads.put(k, Nd4j.zerosLike(v)));
            adam.step(params, grads);
            for (INDArray a : params.values()) {
                a.assign(step);
            }
            for (INDArray a : adam.state().values()) {
                a.assign(step);
            }
            Checkpoint.save(dir, params, adam, new TrainerState(step, 0, step, 1, step, "{}"));
            System.out.println("saved " + step);
            System.out.flush();
        }
    }

    private boolean saveInProgress() throws IOException {
        try (var files = Files.list(runDir)) {
            return files.anyMatch(p -> p.getFileName().toString().startsWith(".tmp-"));
        }
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aKilledRunLeavesTheLatestCheckpointCompleteAndConsistent() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                CheckpointKillTest.class.getName(), runDir.toString())
                .redirectErrorStream(true).start();
        int lastReported = 0;
        try (BufferedReader out = new BufferedReader(
                new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            // Let it complete a few saves first.
            for (String line; lastReported < 3 && (line = out.readLine()) != null; ) {
                if (line.startsWith("saved ")) {
                    lastReported = Integer.parseInt(line.substring(6));
                }
            }
            // Kill as soon as the next save has begun writing its temporary directory.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!saveInProgress() && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            child.destroyForcibly(); // SIGKILL: no shutdown hooks, no finally blocks
            assertTrue(child.waitFor(60, TimeUnit.SECONDS));
        } finally {
            child.destroyForcibly();
        }
        assertTrue(lastReported >= 3, "the saver never got going");

        try (var files = Files.list(runDir)) {
            System.out.println("killed after save " + lastReported + "; left: "
                    + files.map(p -> p.getFileName().toString()).sorted().toList());
        }
        Checkpoint.Loaded latest = Checkpoint.loadLatest(runDir).orElseThrow();
        long step = latest.trainerState().step();
        assertTrue(step >= lastReported, "latest went back to " + step + " after " + lastReported + " was saved");
        assertEquals(step, latest.optimizerStep());
        for (Map.Entry<String, INDArray> e : latest.params().entrySet()) {
            assertEquals(step, e.getValue().minNumber().longValue(), e.getKey());
            assertEquals(step, e.getValue().maxNumber().longValue(), e.getKey());
        }
        for (Map.Entry<String, INDArray> e : latest.optimizerState().entrySet()) {
            assertEquals(step, e.getValue().minNumber().longValue(), e.getKey());
            assertEquals(step, e.getValue().maxNumber().longValue(), e.getKey());
        }
        AdamW resumed = AdamW.builder().build();
        latest.restore(resumed);
        Map<String, INDArray> grads = new LinkedHashMap<>();
        latest.params().forEach((k, v) -> grads.put(k, Nd4j.zerosLike(v)));
        resumed.step(latest.params(), grads);
        Checkpoint.save(runDir, latest.params(), resumed, new TrainerState(step + 1, 0, step + 1, 1, 0, "{}"));
        assertEquals(step + 1, Checkpoint.loadLatest(runDir).orElseThrow().trainerState().step());
        try (var files = Files.list(runDir)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().startsWith(".")),
                    "the next save removes what the killed one left behind");
        }
    }
}
