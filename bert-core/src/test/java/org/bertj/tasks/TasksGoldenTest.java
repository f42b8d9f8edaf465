package org.bertj.tasks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.bertj.model.BertForMaskedLM;
import org.bertj.model.BertForPreTraining;
import org.bertj.model.BertInputs;
import org.bertj.model.BertModel;
import org.bertj.testing.Shared;
import org.bertj.weights.SafetensorsFile;
import org.bertj.weights.SafetensorsWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The task API against what Hugging Face computed: golden case {@code realvocab_h48_l2} (a small
 * BertForPreTraining with bert-base-uncased's vocabulary, HF's outputs for the pair
 * "The capital of France is [MASK]." / "Paris is known for the Eiffel Tower.") and
 * {@code formats/encoder_only} (a BertModel checkpoint with sentence-transformers' mean pooling).
 */
class TasksGoldenTest {

    private static final String A = "The capital of France is [MASK].";
    private static final String B = "Paris is known for the Eiffel Tower.";

    @TempDir
    static Path tmp;
    private static Path golden;
    private static Bert bert;

    @BeforeAll
    static void load() throws IOException {
        golden = Shared.golden("realvocab_h48_l2");
        bert = Bert.load(directory("realvocab", golden.resolve("model.safetensors"), golden.resolve("config.json"),
                Shared.bertBaseVocab()));
    }

    private static Path directory(String name, Path weights, Path config, Path vocab) throws IOException {
        Path d = Files.createDirectories(tmp.resolve(name));
        Files.copy(config, d.resolve("config.json"));
        Files.copy(weights, d.resolve("model.safetensors"));
        Files.copy(vocab, d.resolve("vocab.txt"));
        return d;
    }

    private static INDArray expected(Path dir, String name) throws IOException {
        try (SafetensorsFile st = SafetensorsFile.open(dir.resolve("expected.safetensors"))) {
            return st.load(name).castTo(DataType.DOUBLE);
        }
    }

    @Test
    void fillMaskGivesTheSoftmaxOfTransformersLogitsAtTheMask() throws IOException {
        assertArrayEquals(expected(golden, "input_ids").toIntVector(), bert.tokenizer().encode(A, B).inputIds());
        double[] row = expected(golden, "prediction_logits").slice(0).getRow(6).toDoubleVector();
        double[] p = FillMask.softmax(row);
        int[] top = IntStream.range(0, p.length).boxed().sorted(Comparator.comparingDouble((Integer i) -> -p[i]))
                .limit(5).mapToInt(i -> i).toArray();

        List<FillMask.Prediction> r = bert.fillMask().predictPairs(List.of(A), List.of(B), 5, null).get(0);
        assertEquals(1, r.size());
        assertEquals(6, r.get(0).position());
        List<FillMask.Candidate> c = r.get(0).candidates();
        assertEquals(5, c.size());
        for (int i = 0; i < 5; i++) {
            assertEquals(top[i], c.get(i).tokenId(), "rank " + i);
            assertEquals(p[top[i]], c.get(i).score(), 1e-5, "rank " + i);
            assertEquals(bert.tokenizer().vocabulary().token(top[i]), c.get(i).token());
        }
        // one mask: the sequence is decoded without special tokens, the candidate in the mask's place
        String word = c.get(0).token();
        assertEquals(("the capital of france is " + word + ". paris is known for the eiffel tower."),
                c.get(0).sequence());
    }

    @Test
    void targetsRestrictTheCandidatesButNotTheProbabilities() throws IOException {
        double[] p = FillMask.softmax(expected(golden, "prediction_logits").slice(0).getRow(6).toDoubleVector());
        List<String> targets = List.of("paris", "london", "berlin");
        List<FillMask.Candidate> c = bert.fillMask().predictPairs(List.of(A), List.of(B), 10, targets).get(0).get(0)
                .candidates();
        assertEquals(3, c.size(), "k is at most the number of targets");
        for (int i = 0; i < 3; i++) {
            assertTrue(targets.contains(c.get(i).token()), c.get(i).token());
            assertEquals(p[c.get(i).tokenId()], c.get(i).score(), 1e-5);
            assertTrue(i == 0 || c.get(i).score() <= c.get(i - 1).score());
        }
    }

    @Test
    void nextSentenceGivesTransformersLogits() throws IOException {
        double[] hf = expected(golden, "seq_relationship_logits").toDoubleVector();
        NextSentence.Prediction r = bert.nextSentence().predict(A, B);
        assertEquals(hf[0], r.isNextLogit(), 1e-5);
        assertEquals(hf[1], r.notNextLogit(), 1e-5);
        assertEquals(1 / (1 + Math.exp(hf[1] - hf[0])), r.isNextProbability(), 1e-6);
        assertEquals(1, r.isNextProbability() + r.notNextProbability(), 1e-12);
        assertEquals(hf[0] >= hf[1], r.isNext());
    }

    @Test
    void clsAndPoolerEmbeddingsAreTransformersTensors() throws IOException {
        INDArray hidden = expected(golden, "hidden_states.2"); // = last_hidden_state (2 layers)
        INDArray pooled = expected(golden, "pooled_output");
        BertInputs inputs = BertInputs.of(expected(golden, "input_ids").castTo(DataType.LONG),
                expected(golden, "token_type_ids").castTo(DataType.LONG), null, null, null);
        float[] cls = bert.embeddings(Embeddings.Pooling.CLS, false).embed(inputs)[0];
        float[] pool = bert.embeddings(Embeddings.Pooling.POOLER, false).embed(inputs)[0];
        assertClose(hidden.slice(0).getRow(0).toDoubleVector(), cls, 1e-5);
        assertClose(pooled.getRow(0).toDoubleVector(), pool, 1e-5);
    }

    /** HF's BertModel on the encoder-only checkpoint, then sentence-transformers' Pooling(mean) and Normalize. */
    @Test
    void meanPoolingIsSentenceTransformersOnAPaddedBatch() throws IOException {
        Path enc = Shared.golden("formats").resolve("encoder_only");
        Path vocab = tmp.resolve("vocab90.txt");
        List<String> tokens = new ArrayList<>(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"));
        for (int i = tokens.size(); i < 90; i++) {
            tokens.add("tok" + i);
        }
        Files.write(vocab, tokens);
        Bert encoderOnly = Bert.load(directory("encoder_only", enc.resolve("model.safetensors"),
                enc.resolve("config.json"), vocab));
        BertInputs inputs = BertInputs.of(expected(enc, "input_ids").castTo(DataType.LONG),
                expected(enc, "token_type_ids").castTo(DataType.LONG), expected(enc, "attention_mask"), null, null);
        float[][] mean = encoderOnly.embeddings(Embeddings.Pooling.MEAN, false).embed(inputs);
        float[][] unit = encoderOnly.embeddings(Embeddings.Pooling.MEAN, true).embed(inputs);
        INDArray want = expected(enc, "mean_pooled");
        INDArray wantUnit = expected(enc, "mean_pooled_normalized");
        assertEquals(3, mean.length);
        for (int b = 0; b < 3; b++) {
            assertClose(want.getRow(b).toDoubleVector(), mean[b], 1e-5);
            assertClose(wantUnit.getRow(b).toDoubleVector(), unit[b], 1e-5);
        }
        assertThrows(MissingHeadException.class, encoderOnly::nextSentence);
        assertThrows(MissingHeadException.class, encoderOnly::fillMask);
        assertInstanceOf(BertModel.class, encoderOnly.model(), "no cls.* in the file: no head in the model");
        assertEquals(encoderOnly.model().bert().hasPooler(), encoderOnly.hasPooler());
    }

    @Test
    void aBatchGivesWhatEachTextGivesAlone() {
        List<String> texts = List.of(A, "a [MASK] b [MASK] c", "[MASK] is a word of a rather longer sentence than the others.");
        FillMask fm = bert.fillMask();
        List<List<FillMask.Prediction>> batch = fm.predict(texts, 3, null);
        for (int i = 0; i < texts.size(); i++) {
            List<FillMask.Prediction> alone = fm.predict(texts.get(i), 3);
            assertEquals(alone.size(), batch.get(i).size());
            for (int m = 0; m < alone.size(); m++) {
                for (int k = 0; k < 3; k++) {
                    FillMask.Candidate x = alone.get(m).candidates().get(k);
                    FillMask.Candidate y = batch.get(i).get(m).candidates().get(k);
                    assertEquals(x.tokenId(), y.tokenId());
                    assertEquals(x.score(), y.score(), 1e-5);
                    assertEquals(x.sequence(), y.sequence());
                }
            }
        }
        assertEquals(2, batch.get(1).size(), "two masks, two predictions");
        assertTrue(batch.get(1).get(0).candidates().get(0).sequence().startsWith("[CLS] a "),
                "several masks: special tokens kept, as HF");
        Embeddings e = bert.embeddings(Embeddings.Pooling.MEAN, true);
        float[][] vectors = e.embed(List.of(A, B));
        assertArrayEquals(e.embed(B), vectors[1], 1e-5f);
        assertEquals(1.0, Embeddings.cosine(vectors[0], vectors[0]), 1e-6);
        NextSentence ns = bert.nextSentence();
        List<NextSentence.Prediction> pairs = ns.predict(List.of(A, "Short."), List.of(B, "Pair."));
        assertEquals(ns.predict("Short.", "Pair.").isNextLogit(), pairs.get(1).isNextLogit(), 1e-5);
    }

    @Test
    void oneInstanceServesManyThreads() throws Exception {
        FillMask fm = bert.fillMask();
        List<String> texts = List.of(A, "the [MASK] of paris", "a [MASK] [MASK] tower", "[MASK] is known for it");
        Map<String, List<FillMask.Prediction>> alone = new LinkedHashMap<>();
        for (String t : texts) {
            alone.put(t, fm.predict(t, 5));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                String t = texts.get(i % texts.size());
                results.add(pool.submit(() -> fm.predict(t, 5).equals(alone.get(t))));
            }
            for (Future<Boolean> f : results) {
                assertTrue(f.get(), "a concurrent call differs from a lone one");
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void weightsWithoutTheNspHeadRefuseNextSentenceWithATypedError() throws IOException {
        Map<String, INDArray> kept = new LinkedHashMap<>();
        try (SafetensorsFile st = SafetensorsFile.open(golden.resolve("model.safetensors"))) {
            for (String n : st.names()) {
                if (!n.startsWith("cls.seq_relationship.")) {
                    kept.put(n, st.load(n));
                }
            }
        }
        Path w = tmp.resolve("no-nsp.safetensors");
        SafetensorsWriter.write(w, kept, Map.of("format", "pt"));
        Bert noNsp = Bert.load(directory("no-nsp", w, golden.resolve("config.json"), Shared.bertBaseVocab()));
        MissingHeadException e = assertThrows(MissingHeadException.class, noNsp::nextSentence);
        assertEquals("cls.seq_relationship", e.head());
        assertTrue(e.getMessage().contains("no NSP head"), e.getMessage());
        assertEquals(bert.fillMask().predict(A, 3), noNsp.fillMask().predict(A, 3), "the rest works as before");
        assertInstanceOf(BertForMaskedLM.class, noNsp.model(), "no NSP head is invented");
        assertFalse(noNsp.hasNspHead());
        assertTrue(noNsp.hasMlmHead() && noNsp.hasPooler());
        assertInstanceOf(BertForPreTraining.class, bert.model());
        assertTrue(bert.hasNspHead() && bert.hasMlmHead() && bert.hasPooler());
    }

    @Test
    void ofTakesTheHeadsFromTheModelsClass() throws IOException {
        Bert same = Bert.of(bert.model(), bert.tokenizer());
        assertEquals(bert.fillMask().predict(A, 3), same.fillMask().predict(A, 3));
        assertEquals(bert.nextSentence().predict(A, B), same.nextSentence().predict(A, B));
        Bert encoder = Bert.of(bert.model().bert(), bert.tokenizer());
        assertInstanceOf(BertModel.class, encoder.model());
        assertThrows(MissingHeadException.class, encoder::fillMask);
        assertThrows(MissingHeadException.class, encoder::nextSentence);
        assertArrayEquals(bert.embeddings(Embeddings.Pooling.POOLER, false).embed(A),
                encoder.embeddings(Embeddings.Pooling.POOLER, false).embed(A), 0f);
    }

    @Test
    void badRequestsAreClearErrors() {
        FillMask fm = bert.fillMask();
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> fm.predict("no mask"));
        assertTrue(none.getMessage().contains("no [MASK]"), none.getMessage());
        IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
                () -> fm.predict("word ".repeat(bert.config().maxPositionEmbeddings()) + "[MASK]"));
        assertTrue(tooLong.getMessage().contains("max_position_embeddings"), tooLong.getMessage());
        assertThrows(IllegalArgumentException.class, () -> fm.predict(A, 0));
        assertThrows(java.nio.file.NoSuchFileException.class, () -> Bert.load(tmp.resolve("absent").toString()));
    }

    private static void assertClose(double[] want, float[] got, double tol) {
        assertEquals(want.length, got.length);
        double worst = 0;
        for (int i = 0; i < want.length; i++) {
            worst = Math.max(worst, Math.abs(want[i] - got[i]) - tol * Math.abs(want[i]));
        }
        assertTrue(worst <= tol, "max |diff| beyond tolerance: " + worst + " in " + Arrays.toString(got));
    }

    /**
     * {@link Bert#withMatmulPrecision}: every task of the returned view runs bf16 products (its
     * numbers move) and stays close to float32's (bounds ~10x the golden case's measured bf16 logit
     * error of 0.023); the original instance stays float32.
     */
    @Test
    void tasksWithBf16ProductsMoveLittleAndTheOriginalStaysFloat32() {
        Bert half = bert.withMatmulPrecision(org.bertj.model.MatmulPrecision.BF16);
        assertEquals(org.bertj.model.MatmulPrecision.FLOAT32, bert.matmulPrecision());
        assertEquals(org.bertj.model.MatmulPrecision.BF16, half.matmulPrecision());
        List<FillMask.Candidate> full = bert.fillMask().predict(A).get(0).candidates();
        List<FillMask.Candidate> bf = half.fillMask().predict(A).get(0).candidates();
        double moved = 0;
        for (int i = 0; i < full.size(); i++) {
            FillMask.Candidate c = full.get(i);
            double other = bf.stream().filter(x -> x.tokenId() == c.tokenId()).mapToDouble(FillMask.Candidate::score)
                    .findFirst().orElse(Double.NaN);
            if (!Double.isNaN(other)) {
                moved = Math.max(moved, Math.abs(other - c.score()));
            }
        }
        assertTrue(moved > 1e-7 && moved < 0.05, "fill-mask scores moved by " + moved);
        double nsp = Math.abs(bert.nextSentence().predict(A, B).isNextProbability()
                - half.nextSentence().predict(A, B).isNextProbability());
        assertTrue(nsp > 1e-9 && nsp < 0.05, "P(IsNext) moved by " + nsp);
        double cos = Embeddings.cosine(bert.embeddings(Embeddings.Pooling.MEAN, false).embed(A),
                half.embeddings(Embeddings.Pooling.MEAN, false).embed(A));
        assertTrue(cos < 1 - 1e-9 && cos > 0.999, "cosine of the mean-pooled embeddings " + cos);
        // and the float32 instance still gives float32's numbers
        assertEquals(full, bert.fillMask().predict(A).get(0).candidates());
    }
}
