package org.bertj.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.bertj.model.BertForPreTraining;
import org.bertj.model.BertInputs;
import org.bertj.model.OutputOptions;
import org.bertj.model.hooks.CachedRun;
import org.bertj.weights.SafetensorsFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** The four interventions of golden/internals/interventions.safetensors, through Interventions and runWithHooks. */
class InterventionsGoldenTest {

    static final String CASE = "tiny_h32_l2_v99";
    static BertForPreTraining model;
    static SafetensorsFile golden;
    static BertInputs a;

    @BeforeAll
    static void load() throws Exception {
        model = InternalsGolden.model(CASE, DataType.FLOAT);
        golden = SafetensorsFile.open(InternalsGolden.dir(CASE).resolve("interventions.safetensors"));
        a = InternalsGolden.inputs(golden, "");
    }

    @AfterAll
    static void close() throws Exception {
        golden.close();
    }

    static void close(String what, INDArray got) throws Exception {
        InternalsGolden.assertClose(what, golden.load(what), got, 1e-7);
    }

    @Test
    void ablateHeadMatchesAndEqualsHfHeadMask() throws Exception {
        CachedRun run = model.runWithCache(a, n -> n.equals("bert.encoder.layer.1.output"),
                Interventions.zeroAblateHead(1, 2));
        close("ablate_head.cls.predictions", run.output().predictionLogits());
        close("ablate_head.bert.encoder.layer.1.output", run.cache().get("bert.encoder.layer.1.output"));
        // HF's cross-check: head_mask[1, 2] = 0 gives the same logits
        INDArray headMask = Nd4j.ones(DataType.FLOAT, 2, 4);
        headMask.putScalar(1, 2, 0);
        BertInputs masked = BertInputs.of(golden.load("input_ids"), golden.load("token_type_ids"),
                golden.load("attention_mask"), null, headMask);
        InternalsGolden.assertClose("head_mask vs ablate_head", run.output().predictionLogits(),
                model.forward(masked, OutputOptions.NONE).predictionLogits(), 1e-7);
    }

    @Test
    void patchResidualFromAnotherRunsCache() throws Exception {
        String point = Interventions.residual(0);
        CachedRun clean = model.runWithCache(a, point::equals);
        close("patch_residual.A_value", clean.cache().get(point).get(NDArrayIndex.all(), NDArrayIndex.point(3),
                NDArrayIndex.all()));
        BertInputs b = InternalsGolden.inputs(golden, "patch_residual.B.");
        CachedRun cleanB = model.runWithCache(b, "bert.pooler"::equals);
        close("patch_residual.clean_B.cls.predictions", cleanB.output().predictionLogits());
        close("patch_residual.clean_B.bert.pooler", cleanB.cache().get("bert.pooler"));
        CachedRun patched = model.runWithCache(b, "bert.pooler"::equals,
                Interventions.patch(point, clean.cache().get(point), 3));
        close("patch_residual.cls.predictions", patched.output().predictionLogits());
        close("patch_residual.bert.pooler", patched.cache().get("bert.pooler"));
    }

    @Test
    void steerAddsTheVectorEverywhere() throws Exception {
        CachedRun run = model.runWithCache(a, "bert.encoder.layer.0.output"::equals,
                Interventions.steer("bert.encoder.layer.0.attention.output", golden.load("steer.vector"), 1.0));
        close("steer.cls.predictions", run.output().predictionLogits());
        close("steer.bert.encoder.layer.0.output", run.cache().get("bert.encoder.layer.0.output"));
    }

    @Test
    void meanAblateMlpOverTheRowsAttendedPositions() throws Exception {
        String point = Interventions.mlp(1);
        CachedRun run = model.runWithCache(a, point::equals, Interventions.meanAblateMlp(1));
        close("mean_ablate_mlp.cls.predictions", run.output().predictionLogits());
        INDArray seen = run.cache().get(point); // recorded after the hook: every position holds the mean
        for (int s = 0; s < 8; s++) {
            close("mean_ablate_mlp.mean", seen.get(NDArrayIndex.all(), NDArrayIndex.point(s), NDArrayIndex.all()));
        }
    }

    @Test
    void patchingSweepCellIsThePatchedRun() throws Exception {
        BertInputs b = InternalsGolden.inputs(golden, "patch_residual.B.");
        Scalar metric = Scalar.logitDifference(0, 3, 42, 17);
        PatchingSweep.Grid grid = PatchingSweep.residual(model, a, b, metric);
        assertEquals(3, grid.points().size());
        assertEquals(8, grid.values()[1].length);
        INDArray want = golden.load("patch_residual.cls.predictions");
        assertEquals(want.getDouble(0, 3, 42) - want.getDouble(0, 3, 17), grid.values()[1][3], 2e-5);
        INDArray cleanB = golden.load("patch_residual.clean_B.cls.predictions");
        assertEquals(cleanB.getDouble(0, 3, 42) - cleanB.getDouble(0, 3, 17), grid.corruptedValue(), 2e-5);
        try (SafetensorsFile clean = SafetensorsFile.open(InternalsGolden.dir(CASE).resolve("activations.safetensors"))) {
            INDArray cleanA = clean.load("cls.predictions");
            assertEquals(cleanA.getDouble(0, 3, 42) - cleanA.getDouble(0, 3, 17), grid.cleanValue(), 2e-5);
        }
        // the MLM head is per position: the last layer's output patched at position 3 restores all of it
        assertEquals(1.0, grid.restored(2, 3), 1e-4);
    }
}
