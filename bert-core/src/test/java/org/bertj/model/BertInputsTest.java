package org.bertj.model;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class BertInputsTest {

    private static final BertConfig CONFIG = BertConfig.builder().vocabSize(50).hiddenSize(16).numHiddenLayers(2)
            .numAttentionHeads(4).intermediateSize(20).maxPositionEmbeddings(8).typeVocabSize(2).build();

    private static BertForPreTraining model() {
        BertForPreTraining m = new BertForPreTraining(CONFIG, DataType.FLOAT);
        ParameterInit.initializeAll(m.parameters(), CONFIG, 7);
        return m;
    }

    private static String rejected(BertInputs in) {
        BertForPreTraining m = model();
        return assertThrows(IllegalArgumentException.class, () -> m.forward(in, OutputOptions.NONE)).getMessage();
    }

    @Test
    void validInputsPass() {
        BertInputs in = BertInputs.of(new int[][] {{1, 2, 3}, {4, 5, 0}}, new int[][] {{0, 1, 1}, {0, 0, 0}},
                new int[][] {{1, 1, 1}, {1, 1, 0}});
        assertDoesNotThrow(() -> model().forward(in, OutputOptions.NONE));
    }

    @Test
    void idOutsideVocabularyNamesPositionValueAndLimit() {
        String m = rejected(BertInputs.of(new int[][] {{1, 2, 3}, {4, 50, 0}}, null, null));
        assertTrue(m.contains("input_ids[1][1]") && m.contains("50") && m.contains("vocab_size 50"), m);
        m = rejected(BertInputs.of(new int[][] {{-1, 2}}, null, null));
        assertTrue(m.contains("input_ids[0][0]") && m.contains("-1"), m);
    }

    @Test
    void tokenTypeOutsideTypeVocabulary() {
        String m = rejected(BertInputs.of(new int[][] {{1, 2, 3}}, new int[][] {{0, 2, 1}}, null));
        assertTrue(m.contains("token_type_ids[0][1]") && m.contains("= 2") && m.contains("type_vocab_size 2"), m);
    }

    @Test
    void sequenceLongerThanMaxPositions() {
        String m = rejected(BertInputs.of(new int[][] {{1, 2, 3, 4, 5, 6, 7, 8, 9}}, null, null));
        assertTrue(m.contains("sequence length 9") && m.contains("max_position_embeddings 8"), m);
    }

    @Test
    void positionIdsOutsideRange() {
        BertInputs in = BertInputs.of(Nd4j.createFromArray(new int[][] {{1, 2}}), null, null,
                Nd4j.createFromArray(new int[][] {{0, 8}}), null);
        String m = rejected(in);
        assertTrue(m.contains("position_ids[0][1]") && m.contains("8"), m);
    }

    @Test
    void masksOfTheWrongShape() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BertInputs.of(new int[][] {{1, 2, 3}}, null, new int[][] {{1, 1}}));
        assertTrue(e.getMessage().contains("attention_mask") && e.getMessage().contains("[1, 2]")
                && e.getMessage().contains("[1, 3]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> BertInputs.of(new int[][] {{1, 2, 3}}, new int[][] {{0, 0, 0}, {0, 0, 0}}, null));
        assertTrue(e.getMessage().contains("token_type_ids"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> BertInputs.of(new int[][] {{1, 2, 3}}, null, new int[][] {{1, 2, 1}}));
        assertTrue(e.getMessage().contains("attention_mask[0][1]") && e.getMessage().contains("0 or 1"),
                e.getMessage());
        BertInputs wrongHeads = BertInputs.of(Nd4j.createFromArray(new int[][] {{1, 2}}), null, null, null,
                Nd4j.ones(DataType.FLOAT, 2, 3));
        String m = rejected(wrongHeads);
        assertTrue(m.contains("head_mask") && m.contains("[2, 3]") && m.contains("[2, 4]"), m);
    }

    @Test
    void threeDimensionalAndFloatMasks() {
        int[][][] m3 = {{{1, 0}, {1, 1}}};
        BertInputs in = BertInputs.of(Nd4j.createFromArray(new int[][] {{1, 2}}), null, Nd4j.createFromArray(m3),
                null, null);
        assertEquals(3, in.maskRank());
        assertEquals(Nd4j.createFromArray(m3).castTo(DataType.FLOAT), in.attentionMask(DataType.FLOAT));
        BertInputs f = BertInputs.of(Nd4j.createFromArray(new int[][] {{1, 2}}), null,
                Nd4j.createFromArray(new float[][] {{1f, 0f}}), null, null);
        assertEquals(2, f.maskRank());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BertInputs.of(Nd4j.createFromArray(new int[][] {{1, 2}}), null,
                        Nd4j.createFromArray(new int[][][] {{{1, 0, 1}, {1, 1, 1}}}), null, null));
        assertTrue(e.getMessage().contains("[1, 2, 3]") && e.getMessage().contains("[1, 2, 2]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> BertInputs.of(Nd4j.createFromArray(new int[][] {{1, 2}}), null,
                        Nd4j.createFromArray(new float[][][] {{{1f, 0f}, {1f, 0.5f}}}), null, null));
        assertTrue(e.getMessage().contains("attention_mask[0][1][1] = 0.5"), e.getMessage());
    }

    @Test
    void floatIdsAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BertInputs.of(Nd4j.createFromArray(new float[][] {{1f, 2f}})));
        assertTrue(e.getMessage().contains("input_ids") && e.getMessage().contains("integer"), e.getMessage());
    }

    @Test
    void repeatedWithInputsEmbedsRepeatsEveryRowTensorAndKeepsTheHeadMask() {
        int[][][] m3 = {{{1, 0, 0}, {1, 1, 0}, {1, 1, 1}}, {{1, 1, 0}, {1, 1, 0}, {1, 1, 0}}};
        BertInputs in = BertInputs.of(Nd4j.createFromArray(new int[][] {{1, 2, 3}, {4, 5, 0}}),
                Nd4j.createFromArray(new int[][] {{0, 1, 1}, {0, 0, 1}}), Nd4j.createFromArray(m3),
                Nd4j.createFromArray(new int[][] {{3, 4, 5}, {2, 1, 0}}),
                Nd4j.createFromArray(new float[] {1, 0, 1, 0}));
        BertInputs r = in.repeatedWithInputsEmbeds(3, Nd4j.rand(DataType.FLOAT, 6, 3, 16));
        assertEquals(6, r.batchSize());
        assertTrue(r.hasInputsEmbeds());
        assertEquals(3, r.maskRank());
        INDArray types = in.tokenTypeIds();
        INDArray mask = in.attentionMask(DataType.DOUBLE);
        assertEquals(Nd4j.concat(0, types, types, types), r.tokenTypeIds());
        assertEquals(Nd4j.concat(0, mask, mask, mask), r.attentionMask(DataType.DOUBLE));
        assertEquals(Arrays.toString(new int[] {3, 4, 5, 2, 1, 0, 3, 4, 5, 2, 1, 0, 3, 4, 5, 2, 1, 0}),
                Arrays.toString(r.flatPositionIds()));
        assertEquals(in.headMask(CONFIG, DataType.FLOAT), r.headMask(CONFIG, DataType.FLOAT));
        assertDoesNotThrow(() -> r.validate(CONFIG));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> in.repeatedWithInputsEmbeds(3, Nd4j.rand(DataType.FLOAT, 4, 3, 16)));
        assertTrue(e.getMessage().contains("[6, 3, hidden]") && e.getMessage().contains("[4, 3, 16]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> in.repeatedWithInputsEmbeds(0, Nd4j.rand(DataType.FLOAT, 2, 3, 16)));
        assertTrue(e.getMessage().contains("copies must be >= 1"), e.getMessage());
    }
}
