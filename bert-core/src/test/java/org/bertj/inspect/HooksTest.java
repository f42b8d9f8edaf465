package org.bertj.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.bertj.model.BertForPreTraining;
import org.bertj.model.BertInputs;
import org.bertj.model.OutputOptions;
import org.bertj.model.Pass;
import org.bertj.model.hooks.HookContext;
import org.bertj.model.hooks.Hooks;
import org.bertj.weights.SafetensorsFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** What hooks see and may do, and the errors of misuse, through the public API. */
class HooksTest {

    static BertForPreTraining model;
    static BertInputs in;

    @BeforeAll
    static void load() throws Exception {
        model = InternalsGolden.model("tiny_h32_l2_v99", DataType.FLOAT);
        try (SafetensorsFile f = SafetensorsFile.open(InternalsGolden.dir("tiny_h32_l2_v99")
                .resolve("activations.safetensors"))) {
            in = InternalsGolden.inputs(f, "");
        }
    }

    @Test
    void hooksSeeContextInForwardOrderAndStructureNamesMatch() {
        List<HookContext> seen = new ArrayList<>();
        model.runWithHooks(in, Hooks.matching(n -> true, (x, c) -> {
            seen.add(c);
            return x;
        }));
        assertEquals(model.hookPointNames(), seen.stream().map(HookContext::name).toList());
        HookContext probs = seen.stream().filter(c -> c.name().equals("bert.encoder.layer.1.attention.self.probs"))
                .findFirst().orElseThrow();
        assertEquals(1, probs.layer());
        assertEquals(4, probs.heads());
        assertEquals(2, probs.batch());
        assertEquals(8, probs.seq());
        assertEquals(0.0, probs.attentionMask().getDouble(1, 7));
        assertEquals("bert.encoder.layer.1.attention.self", model.bert().encoder().layer(1).attention().self().name());
        assertEquals("bert.encoder.layer.0.output", model.bert().encoder().layer(0).output().name());
        assertEquals("cls.predictions.transform", model.cls().predictions().transform().name());
        assertEquals("cls.seq_relationship", model.cls().seqRelationship().name());
        assertEquals("bert.pooler", model.bert().pooler().name());
        assertEquals("bert.embeddings", model.bert().embeddings().name());
    }

    @Test
    void aReplacementFlowsOnAndTheNoHookRunIsUnchanged() {
        INDArray plain = model.forward(in, OutputOptions.NONE).predictionLogits();
        INDArray identity = model.runWithHooks(in, Hooks.matching(n -> true, (x, c) -> x)).predictionLogits();
        assertTrue(plain.equalsWithEps(identity, 1e-5)); // fused kernels vs step by step: rounding only
        String last = "bert.encoder.layer.1.output";
        INDArray zeroed = model.runWithHooks(in, Hooks.at(last, (x, c) -> Nd4j.zerosLike(x))).predictionLogits();
        // zero residual: LayerNorm'd transform of a constant -> every position gets the same logits
        assertTrue(zeroed.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0), org.nd4j.linalg.indexing.NDArrayIndex.point(0))
                .equalsWithEps(zeroed.get(org.nd4j.linalg.indexing.NDArrayIndex.point(1),
                        org.nd4j.linalg.indexing.NDArrayIndex.point(5)), 1e-6));
        assertTrue(!zeroed.equalsWithEps(plain, 1e-3));
    }

    @Test
    void misuseIsAClearError() {
        var unknown = assertThrows(IllegalArgumentException.class,
                () -> model.runWithHooks(in, Hooks.at("bert.encoder.layer.7.output", (x, c) -> x)));
        assertTrue(unknown.getMessage().contains("bert.encoder.layer.7.output"), unknown.getMessage());
        var shape = assertThrows(IllegalArgumentException.class, () -> model.runWithHooks(in,
                Hooks.at("bert.pooler", (x, c) -> Nd4j.zeros(DataType.FLOAT, 3, 32))));
        assertTrue(shape.getMessage().contains("bert.pooler") && shape.getMessage().contains("[2, 32]"),
                shape.getMessage());
        Pass inference = Pass.inference();
        model.forward(in, OutputOptions.NONE, inference);
        assertThrows(IllegalStateException.class, () -> model.backward(inference, null, Nd4j.ones(2, 2), null));
        assertThrows(IllegalStateException.class, () -> model.forward(in, OutputOptions.NONE, inference));
        Pass train = Pass.deterministicTraining();
        model.forward(in, OutputOptions.NONE, train);
        model.backward(train, null, Nd4j.ones(DataType.FLOAT, 2, 2), null);
        var twice = assertThrows(IllegalStateException.class,
                () -> model.backward(train, null, Nd4j.ones(DataType.FLOAT, 2, 2), null));
        assertTrue(twice.getMessage().contains("second backward"), twice.getMessage());
    }
}
