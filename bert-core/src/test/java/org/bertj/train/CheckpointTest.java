package org.bertj.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.bertj.weights.SafetensorsFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class CheckpointTest {

    static final String W = "bert.encoder.layer.0.output.dense.weight";
    static final String B = "bert.encoder.layer.0.output.dense.bias";
    static final String LN = "bert.encoder.layer.0.output.LayerNorm.weight";
    static final String CONFIG = "{\n  \"hidden_size\": 4,\n  \"model_type\": \"bert\"\n}\n";
    static final int TOTAL = 10;

    @TempDir
    Path runDir;

    /**
     * A toy model with BERT-named parameters, y = (x ⊙ ln) Wᵀ + b, trained on mean squared error,
     * so that a real training loop (schedule, clipping, AdamW) can be saved and resumed.
     */
    static final class Toy {
        final Map<String, INDArray> params = new LinkedHashMap<>();
        final AdamW adam = AdamW.builder().learningRate(0.05).build();
        final LinearWarmupDecay schedule = new LinearWarmupDecay(0.05, 3, TOTAL);

        Toy() {
            params.put(W, Nd4j.createFromArray(new float[][] {{.1f, .2f, -.3f, .4f}, {-.5f, .6f, .7f, -.8f},
                    {.9f, -.1f, .2f, .3f}}));
            params.put(B, Nd4j.createFromArray(new float[] {.01f, -.02f, .03f}));
            params.put(LN, Nd4j.createFromArray(new float[] {1f, 1f, 1f, 1f}));
        }

        Toy(Checkpoint.Loaded loaded) {
            params.putAll(loaded.params());
            loaded.restore(adam);
        }

        /** One optimizer step on the batch of that step; returns the loss before the update. */
        double step() {
            SplittableRandom rng = new SplittableRandom(adam.stepCount());
            float[][] xs = new float[8][4];
            float[][] ts = new float[8][3];
            for (int r = 0; r < 8; r++) {
                for (int j = 0; j < 4; j++) {
                    xs[r][j] = (float) rng.nextGaussian();
                }
                for (int j = 0; j < 3; j++) {
                    ts[r][j] = (float) rng.nextGaussian();
                }
            }
            INDArray x = Nd4j.createFromArray(xs);
            INDArray h = x.mulRowVector(params.get(LN));
            INDArray y = h.mmul(params.get(W).transpose()).addRowVector(params.get(B));
            INDArray r = y.sub(Nd4j.createFromArray(ts));
            double loss = r.mul(r).meanNumber().doubleValue();
            INDArray dy = r.mul(2.0 / r.length());
            Map<String, INDArray> grads = new LinkedHashMap<>();
            grads.put(W, dy.transpose().mmul(h));
            grads.put(B, dy.sum(0));
            grads.put(LN, dy.mmul(params.get(W)).mul(x).sum(0));
            GradientClipping.clipGlobalNorm(grads, 1.0);
            adam.setLearningRate(schedule.rate(adam.stepCount()));
            adam.step(params, grads);
            return loss;
        }

        TrainerState state(double lastLoss) {
            return new TrainerState(adam.stepCount(), 0, adam.stepCount(), 42, lastLoss, CONFIG);
        }
    }

    /** INDArray.equals allows a 1e-5 difference; checkpoints must not change a bit. */
    static void assertBitwiseEqual(Map<String, INDArray> expected, Map<String, INDArray> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        for (Map.Entry<String, INDArray> e : expected.entrySet()) {
            INDArray a = actual.get(e.getKey());
            assertEquals(e.getValue().dataType(), a.dataType(), e.getKey());
            assertTrue(e.getValue().equalsWithEps(a, 0), e.getKey() + " differs");
        }
    }

    @Test
    void roundTripKeepsEverythingUnderHuggingFaceNames() throws IOException {
        Toy toy = new Toy();
        double loss = 0;
        for (int i = 0; i < 4; i++) {
            loss = toy.step();
        }
        Path dir = Checkpoint.save(runDir, toy.params, toy.adam, toy.state(loss));
        assertEquals(runDir.resolve("checkpoint-4"), dir);
        assertEquals("checkpoint-4\n", Files.readString(runDir.resolve("latest")));
        try (SafetensorsFile model = SafetensorsFile.open(dir.resolve("model.safetensors"))) {
            assertEquals(List.of(W, B, LN), model.names());
            assertEquals("pt", model.metadata().get("format")); // from_pretrained requires it
        }
        assertEquals(CONFIG, Files.readString(dir.resolve("config.json")));

        Checkpoint.Loaded back = Checkpoint.loadLatest(runDir).orElseThrow();
        assertEquals(dir, back.dir());
        assertBitwiseEqual(toy.params, back.params());
        assertEquals(DataType.FLOAT, back.params().get(W).dataType());
        assertEquals(4, back.optimizerStep());
        assertEquals(toy.adam.state().keySet(), back.optimizerState().keySet());
        assertTrue(back.optimizerState().containsKey("exp_avg." + W));
        assertTrue(back.optimizerState().containsKey("exp_avg_sq." + LN));
        for (Map.Entry<String, INDArray> e : toy.adam.state().entrySet()) {
            assertTrue(e.getValue().equalsWithEps(back.optimizerState().get(e.getKey()), 0), e.getKey());
        }
        assertEquals(toy.state(loss), back.trainerState());
    }

    @Test
    void resumedRunReproducesTheUninterruptedRunExactly() throws IOException {
        Toy uninterrupted = new Toy();
        List<Double> losses = new ArrayList<>();
        for (int i = 0; i < TOTAL; i++) {
            double loss = uninterrupted.step();
            losses.add(loss);
            if (i == 5) {
                Checkpoint.save(runDir, uninterrupted.params, uninterrupted.adam, uninterrupted.state(loss));
            }
        }

        Checkpoint.Loaded loaded = Checkpoint.loadLatest(runDir).orElseThrow();
        assertEquals(6, loaded.trainerState().step());
        assertEquals(losses.get(5), loaded.trainerState().lastLoss());
        Toy resumed = new Toy(loaded);
        List<Double> resumedLosses = new ArrayList<>(losses.subList(0, 6));
        while (resumed.adam.stepCount() < TOTAL) {
            resumedLosses.add(resumed.step());
        }
        assertEquals(losses, resumedLosses);
        assertBitwiseEqual(uninterrupted.params, resumed.params);
        assertTrue(losses.get(TOTAL - 1) < losses.get(0), "the toy model should learn: " + losses);
    }

    @Test
    void aFailedSaveLeavesThePreviousCheckpointIntact() throws IOException {
        Toy toy = new Toy();
        double loss = toy.step();
        Checkpoint.save(runDir, toy.params, toy.adam, toy.state(loss));
        Map<String, INDArray> saved = new LinkedHashMap<>();
        toy.params.forEach((k, v) -> saved.put(k, v.dup()));
        loss = toy.step();

        // A tensor that cannot be written, after others were: the save fails midway.
        Map<String, INDArray> broken = new LinkedHashMap<>(toy.params);
        INDArray closed = Nd4j.zeros(DataType.FLOAT, 2, 2);
        closed.close();
        broken.put("cls.predictions.bias", closed);
        IOException e = assertThrows(IOException.class,
                () -> Checkpoint.save(runDir, broken, toy.adam, toy.state(0.5)));
        assertTrue(e.getMessage().contains("cls.predictions.bias"), e.getMessage());

        // A kill during a later save leaves a temporary directory with partial files.
        Path partial = Files.createDirectory(runDir.resolve(".tmp-checkpoint-3-1-1"));
        Files.write(partial.resolve("model.safetensors"), new byte[] {1, 2, 3});

        assertEquals("checkpoint-1\n", Files.readString(runDir.resolve("latest")));
        assertFalse(Files.exists(runDir.resolve("checkpoint-2")));
        Checkpoint.Loaded back = Checkpoint.loadLatest(runDir).orElseThrow();
        assertEquals(1, back.trainerState().step());
        assertBitwiseEqual(saved, back.params());

        // The next good save cleans up and moves on.
        Checkpoint.save(runDir, toy.params, toy.adam, toy.state(loss));
        assertEquals(2, Checkpoint.loadLatest(runDir).orElseThrow().trainerState().step());
        try (Stream<Path> files = Files.list(runDir)) {
            assertEquals(List.of("checkpoint-1", "checkpoint-2", "latest"),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void emptyRunHasNoLatestAndPruneKeepsTheNewest() throws IOException {
        assertTrue(Checkpoint.loadLatest(runDir).isEmpty());
        Toy toy = new Toy();
        for (int i = 0; i < 4; i++) {
            double loss = toy.step();
            Checkpoint.save(runDir, toy.params, toy.adam, toy.state(loss));
        }
        Checkpoint.prune(runDir, 2);
        assertEquals(List.of(runDir.resolve("checkpoint-3"), runDir.resolve("checkpoint-4")), Checkpoint.list(runDir));
        assertThrows(IOException.class, () -> Checkpoint.save(runDir, toy.params, toy.adam, toy.state(0)),
                "replacing the latest checkpoint must be refused");
    }
}
