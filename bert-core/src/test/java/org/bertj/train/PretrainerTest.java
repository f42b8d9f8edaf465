package org.bertj.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bertj.model.BertForPreTraining;
import org.bertj.model.BertForPreTrainingOutput;
import org.bertj.model.BertInputs;
import org.bertj.model.LoadReport;
import org.bertj.model.OutputOptions;
import org.bertj.model.WeightLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class PretrainerTest {

    @TempDir
    Path tmp;

    /** Records every step's metrics. */
    static final class Recorder implements TrainingListener {
        final List<StepMetrics> steps = new ArrayList<>();
        final List<Long> checkpoints = new ArrayList<>();

        @Override
        public void onStep(StepMetrics m) {
            steps.add(m);
        }

        @Override
        public void onCheckpoint(long step, Path dir) {
            checkpoints.add(step);
        }

        double meanLoss(int from, int to) {
            double s = 0;
            for (int i = from; i < to; i++) {
                s += steps.get(i).loss();
            }
            return s / (to - from);
        }
    }

    @Test
    void twoHundredStepsLowerTheLossByAClearMargin() throws Exception {
        int total = 200;
        Pretrainer t = TinyPretraining.trainer(TinyPretraining.model(1),
                TinyPretraining.options().totalSteps(total).learningRate(1e-2).dropout(false).build());
        Recorder r = new Recorder();
        t.train(tmp.resolve("run"), r);
        assertEquals(total, r.steps.size());
        double first = r.meanLoss(0, 20);
        double last = r.meanLoss(total - 20, total);
        double mlmAccLast = 0;
        for (int i = total - 20; i < total; i++) {
            mlmAccLast += r.steps.get(i).mlmAccuracy() / 20;
        }
        StepMetrics end = r.steps.get(total - 1);
        System.out.printf("tiny pretraining: mean loss first 20 steps %.4f, last 20 %.4f, MLM acc last 20 %.3f,"
                + " %.0f tokens/s, %.1f s%n", first, last, mlmAccLast, end.tokensPerSecond(), end.elapsedSeconds());
        // Uniform guessing gives ln(59) + ln(2) = 4.77; the templated corpus is mostly predictable.
        assertTrue(first > 4.0, "initial loss " + first);
        assertTrue(last < first - 1.2 && last < 3.0, "loss went from " + first + " to " + last);
        assertTrue(mlmAccLast > 0.25, "MLM accuracy " + mlmAccLast + " (chance: 1/59)");
        // Linear decay after 10 warmup steps: the last step runs at 1/(total - 10) of the peak.
        assertEquals(1e-2 / (total - 10), end.learningRate(), 1e-12);
        assertEquals(List.of(Checkpoint.PREFIX + total), Checkpoint.list(tmp.resolve("run")).stream()
                .map(p -> p.getFileName().toString()).toList());
    }

    @Test
    void aResumedRunRepeatsTheUninterruptedOneAndACrashKeepsTheLastCheckpoint() throws Exception {
        int k = 6;
        PretrainOptions options = TinyPretraining.options().totalSteps(2 * k).accumulate(2).batchSize(4)
                .saveEvery(k).build();
        assertTrue(TinyPretraining.trainer(TinyPretraining.model(3), options).batchesPerEpoch() < 2L * 2 * k,
                "the run should cross an epoch boundary");

        Pretrainer whole = TinyPretraining.trainer(TinyPretraining.model(3), options);
        Recorder all = new Recorder();
        whole.train(tmp.resolve("a"), all);

        // The same run, dying with an exception two steps after its checkpoint at step k.
        Path runB = tmp.resolve("b");
        Pretrainer crashing = TinyPretraining.trainer(TinyPretraining.model(3), options);
        RuntimeException boom = assertThrows(RuntimeException.class, () -> crashing.train(runB, m -> {
            if (m.step() == k + 2) {
                throw new RuntimeException("simulated crash");
            }
        }));
        assertEquals("simulated crash", boom.getMessage());
        assertEquals(Checkpoint.PREFIX + k, Files.readString(runB.resolve(Checkpoint.LATEST)).strip());

        Pretrainer resumed = TinyPretraining.trainer(TinyPretraining.model(99), options);
        assertTrue(resumed.resume(runB));
        assertEquals(k, resumed.step());
        Recorder rest = new Recorder();
        resumed.train(runB, rest);
        assertEquals(k, rest.steps.size());
        for (int i = 0; i < k; i++) {
            StepMetrics a = all.steps.get(k + i);
            StepMetrics b = rest.steps.get(i);
            assertEquals(a.step(), b.step());
            assertEquals(a.loss(), b.loss(), 1e-6, "loss at step " + a.step());
            assertEquals(a.mlmAccuracy(), b.mlmAccuracy(), 0.0, "MLM accuracy at step " + a.step());
            assertEquals(a.tokens(), b.tokens(), "tokens at step " + a.step());
        }
        for (String name : whole.model().parameters().names()) {
            INDArray a = whole.model().parameters().get(name);
            INDArray b = resumed.model().parameters().get(name);
            assertTrue(a.equalsWithEps(b, 1e-6), name + " differs after resuming");
        }
        assertEquals(whole.state().epoch(), resumed.state().epoch());
        assertEquals(whole.state().batchInEpoch(), resumed.state().batchInEpoch());
    }

    @Test
    void theCheckpointLoadsByHuggingFaceNamesAndGivesTheSameOutput() throws Exception {
        Pretrainer t = TinyPretraining.trainer(TinyPretraining.model(5),
                TinyPretraining.options().totalSteps(4).warmupSteps(0).build());
        Path run = tmp.resolve("run");
        t.train(run, TrainingListener.NONE);
        Path dir = run.resolve(Checkpoint.PREFIX + 4);
        WeightLoader.Loaded loaded = WeightLoader.loadDirectory(dir, DataType.FLOAT, WeightLoader.Mode.STRICT);
        LoadReport report = loaded.report();
        assertTrue(report.missing().isEmpty() && report.unexpected().isEmpty() && report.mismatched().isEmpty(),
                report.describe());
        assertEquals(t.model().parameters().names().size(), report.loaded().size());
        BertInputs in = BertInputs.of(new int[][] {{2, 5, 7, 9, 4, 3, 6, 8, 3}}, new int[][] {{0, 0, 0, 0, 0, 0, 1, 1, 1}},
                null);
        BertForPreTrainingOutput a = t.model().forward(in, OutputOptions.NONE);
        BertForPreTrainingOutput b = loaded.model().forward(in, OutputOptions.NONE);
        assertArrayEquals(a.predictionLogits().ravel().toFloatVector(), b.predictionLogits().ravel().toFloatVector(), 0f);
        assertArrayEquals(a.seqRelationshipLogits().toFloatVector(), b.seqRelationshipLogits().toFloatVector(), 0f);
    }

    @Test
    void resumingWithoutACheckpointChangesNothingAndAForeignCheckpointIsRefused() throws Exception {
        PretrainOptions options = TinyPretraining.options().totalSteps(2).warmupSteps(0).build();
        Pretrainer t = TinyPretraining.trainer(TinyPretraining.model(1), options);
        assertFalse(t.resume(tmp.resolve("empty")));
        assertEquals(0, t.step());
        t.train(tmp.resolve("run"), TrainingListener.NONE);
        Pretrainer otherSeed = TinyPretraining.trainer(TinyPretraining.model(1),
                TinyPretraining.options().totalSteps(2).warmupSteps(0).seed(12).build());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> otherSeed.resume(tmp.resolve("run")));
        assertTrue(e.getMessage().contains("seed 11"), e.getMessage());
    }

    @Test
    void optionsThatDoNotFitTheModelAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TinyPretraining.trainer(
                TinyPretraining.model(1), TinyPretraining.options().maxSeqLength(65).build()));
        assertTrue(e.getMessage().contains("max_position_embeddings 64"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PretrainOptions.builder().totalSteps(10)
                .warmupSteps(11).build());
        assertTrue(e.getMessage().contains("warmup"), e.getMessage());
    }
}
