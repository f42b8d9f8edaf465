package org.bertj.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Inference results never point into the forward's recycled workspaces. */
class ForwardWorkspaceTest {

    private static BertForPreTraining model() {
        BertConfig c = BertConfig.builder().numHiddenLayers(2).hiddenSize(32).numAttentionHeads(2)
                .intermediateSize(64).vocabSize(99).build();
        BertForPreTraining m = new BertForPreTraining(c, DataType.FLOAT);
        ParameterInit.initializeAll(m.parameters(), c, 1);
        return m;
    }

    @Test
    void resultsAreDetachedAndSurviveTheNextCall() {
        BertForPreTraining m = model();
        BertInputs in = BertInputs.of(Nd4j.createFromArray(new int[][] {{2, 5, 7, 9, 3}}));
        BertForPreTrainingOutput first = m.forward(in, OutputOptions.ALL);
        INDArray logits = first.predictionLogits().dup();
        for (INDArray a : first.named().values()) {
            assertFalse(a.isAttached());
        }
        m.forward(BertInputs.of(Nd4j.createFromArray(new int[][] {{4, 4, 4, 4, 4, 4, 4}})), OutputOptions.ALL);
        assertEquals(logits, first.predictionLogits(), "a later call must not overwrite an earlier result");
        assertFalse(Nd4j.getWorkspaceManager().anyWorkspaceActiveForCurrentThread());
    }

    @Test
    void insideACallersWorkspaceResultsLandInIt() {
        BertForPreTraining m = model();
        BertInputs in = BertInputs.of(Nd4j.createFromArray(new int[][] {{2, 5, 7, 9, 3}}));
        INDArray plain = m.forward(in, OutputOptions.NONE).predictionLogits();
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(
                WorkspaceConfiguration.builder().build(), "caller")) {
            INDArray logits = m.forward(in, OutputOptions.NONE).predictionLogits();
            assertTrue(logits.isAttached());
            assertEquals("caller", logits.data().getParentWorkspace().getId());
            assertEquals(plain, logits);
        }
    }
}
