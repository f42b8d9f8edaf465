package org.bertj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.bertj.inspect.Interventions;
import org.bertj.model.hooks.Hooks;
import org.bertj.testing.Shared;
import org.bertj.weights.SafetensorsFile;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/** {@code bert ablate-heads} zeroes heads as transformers' ablate_head intervention does (golden interventions). */
class HeadAblationCommandTest {

    @Test
    void zeroingAHeadGivesTransformersAblatedLogitsAndTheGridShowsTheChange() throws Exception {
        Path model = Shared.golden("tiny_h32_l2_v99");
        Path golden = Shared.golden("internals").resolve("tiny_h32_l2_v99/interventions.safetensors");
        Subject s = CliRun.subject(model, golden);
        INDArray ablated = s.model().runWithHooks(s.inputs(), Interventions.zeroAblateHead(1, 2)).predictionLogits();
        double[] clean, abl;
        try (SafetensorsFile f = SafetensorsFile.open(golden)) {
            INDArray want = f.load("ablate_head.cls.predictions");
            double d = Transforms.abs(want.castTo(DataType.DOUBLE).sub(ablated.castTo(DataType.DOUBLE))).maxNumber().doubleValue();
            assertTrue(d < 1e-5, "ablated logits max |diff| " + d);
            abl = HeadAblationCommand.logits(new org.bertj.model.BertForPreTrainingOutput(want, null, null, null,
                    null, null), 0, 4);
        }
        clean = HeadAblationCommand.logits(s.model().runWithHooks(s.inputs(), Hooks.none()), 0, 4);
        CliRun r = CliRun.of("ablate-heads", "--model", model.toString(), "--inputs", golden.toString(), "--position", "4",
                "--target", "#7", "--top", "3");
        assertEquals(0, r.code(), r.err());
        // Row "    1" of the grid, column 2, is layer 1 head 2's change, as transformers' ablated logits give it.
        String row1 = r.out().lines().filter(l -> l.startsWith("      1")).findFirst().orElseThrow();
        String[] cells = row1.trim().split("\\s+");
        assertEquals(5, cells.length, row1);
        assertEquals(abl[7] - clean[7], Double.parseDouble(cells[3]), 6e-4, row1);
        assertTrue(r.out().contains(String.format(Locale.ROOT, "clean logit %.4f", clean[7])), r.out());
        assertEquals(3, r.out().lines().filter(l -> l.matches("\\s+layer\\s+\\d head\\s+\\d .*")).count(), r.out());
    }
}
