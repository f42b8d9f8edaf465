package org.bertj.train.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class PretrainingDatasetTest {

    static final SyntheticCorpus CORPUS = new SyntheticCorpus(60, 31);
    static final SpecialTokens SP = SyntheticCorpus.SPECIAL;
    static final int MAX_SEQ = 48;

    static PretrainingDataset dataset(long seed) {
        return new PretrainingDataset(CORPUS.corpus(), new SentencePairSampler(MAX_SEQ),
                MaskedLmMasker.bert(SP, 7), SP, 16, seed, false);
    }

    static List<PretrainingBatch> all(Iterator<PretrainingBatch> it) {
        List<PretrainingBatch> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    @Test
    void batchesArePaddedLongTensorsThatAgreeWithEachOther() {
        PretrainingDataset d = dataset(1);
        List<PretrainingBatch> batches = all(d.epoch(0));
        assertEquals(d.batchesPerEpoch(0), batches.size());
        int rows = 0;
        int randomNext = 0;
        for (PretrainingBatch b : batches) {
            assertEquals(DataType.LONG, b.inputIds().dataType());
            assertEquals(MAX_SEQ, b.seqLength());
            assertEquals(b.batchSize(), b.nextSentenceLabel().length());
            long[] shape = b.inputIds().shape();
            for (INDArray t : List.of(b.tokenTypeIds(), b.attentionMask(), b.labels())) {
                assertTrue(java.util.Arrays.equals(shape, t.shape()));
            }
            for (int r = 0; r < b.batchSize(); r++) {
                rows++;
                randomNext += b.nextSentenceLabel().getInt(r);
                boolean padding = false;
                int seps = 0;
                for (int s = 0; s < MAX_SEQ; s++) {
                    int mask = b.attentionMask().getInt(r, s);
                    int id = b.inputIds().getInt(r, s);
                    if (mask == 0) {
                        padding = true;
                        assertEquals(SP.pad(), id);
                        assertEquals(-100, b.labels().getInt(r, s));
                        assertEquals(0, b.tokenTypeIds().getInt(r, s));
                    } else {
                        assertFalse(padding, "a real token after padding");
                        seps += id == SP.sep() && b.labels().getInt(r, s) == -100 ? 1 : 0;
                    }
                }
                assertEquals(SP.cls(), b.inputIds().getInt(r, 0));
                assertTrue(seps >= 2, "each row has its two [SEP]s");
            }
        }
        assertEquals(d.pairs(0).size(), rows);
        assertTrue(randomNext > rows * 0.4 && randomNext < rows * 0.7, randomNext + " of " + rows);
    }

    @Test
    void deterministicForASeedRemaskedEachEpochAndResumable() {
        List<PretrainingBatch> a0 = all(dataset(1).epoch(0));
        List<PretrainingBatch> b0 = all(dataset(1).epoch(0));
        List<PretrainingBatch> a1 = all(dataset(1).epoch(1));
        List<PretrainingBatch> other = all(dataset(2).epoch(0));
        assertEquals(a0.size(), b0.size());
        for (int i = 0; i < a0.size(); i++) {
            assertEquals(a0.get(i), b0.get(i), "batch " + i + " differs for the same seed");
        }
        assertNotEquals(a0.get(0).inputIds(), a1.get(0).inputIds());
        assertNotEquals(a0.get(0).inputIds(), other.get(0).inputIds());

        // Epoch 1 shows the same pairs (same set of unmasked texts) with different masks.
        assertEquals(texts(a0), texts(a1));
        assertNotEquals(labelPositions(a0), labelPositions(a1));

        // Resuming at batch 3 of epoch 1 gives exactly batches 3.. of an uninterrupted epoch 1.
        List<PretrainingBatch> resumed = all(dataset(1).epoch(1, 3));
        assertEquals(a1.size() - 3, resumed.size());
        for (int i = 0; i < resumed.size(); i++) {
            assertEquals(a1.get(i + 3), resumed.get(i));
        }
    }

    @Test
    void resamplingPairsEachEpochChangesThePairs() {
        PretrainingDataset d = new PretrainingDataset(CORPUS.corpus(), new SentencePairSampler(MAX_SEQ),
                MaskedLmMasker.bert(SP, 7), SP, 16, 1, true);
        assertNotEquals(texts(all(d.epoch(0))), texts(all(d.epoch(1))));
    }

    /** Each row's original (unmasked) ids as a string, as a set over the epoch. */
    static Set<String> texts(List<PretrainingBatch> batches) {
        Set<String> out = new HashSet<>();
        for (PretrainingBatch b : batches) {
            for (int r = 0; r < b.batchSize(); r++) {
                StringBuilder sb = new StringBuilder();
                for (int s = 0; s < b.seqLength(); s++) {
                    int label = b.labels().getInt(r, s);
                    sb.append(label != -100 ? label : b.inputIds().getInt(r, s)).append(' ');
                }
                out.add(sb.toString());
            }
        }
        return out;
    }

    static Set<String> labelPositions(List<PretrainingBatch> batches) {
        Set<String> out = new HashSet<>();
        for (PretrainingBatch b : batches) {
            for (int r = 0; r < b.batchSize(); r++) {
                StringBuilder sb = new StringBuilder();
                for (int s = 0; s < b.seqLength(); s++) {
                    int label = b.labels().getInt(r, s);
                    if (label != -100) {
                        sb.append(label).append(' ');
                    }
                }
                out.add(sb.toString());
            }
        }
        return out;
    }
}
