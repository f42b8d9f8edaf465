package org.bertj.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.bertj.weights.SafetensorsFile;
import org.bertj.weights.SafetensorsWriter;
import org.bertj.weights.WeightFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Model kinds as Hugging Face has them: an encoder-only checkpoint loads strictly as
 * {@link BertModel}, an untied decoder stays untied, weights without the next-sentence head load
 * as {@link BertForMaskedLM} with nothing invented, and strict failures say what they found.
 */
class GoldenModelKindsTest {

    @TempDir
    Path tmp;

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void encoderOnlyCheckpointLoadsStrictlyAsBertModel(DataType type) throws Exception {
        Golden g = new Golden("formats/encoder_only");
        WeightLoader.AutoLoaded a = WeightLoader.loadAuto(g.dir, type, WeightLoader.Mode.STRICT);
        BertModel m = assertInstanceOf(BertModel.class, a.model());
        assertTrue(a.report().isClean(), a.report().describe());
        assertTrue(m.hasPooler());
        assertEquals(m.parameters().names().size(), a.report().loaded().size());
        assertEquals(7, compareEncoder(g, m, type).size()); // last, pooled, 3 hidden states, 2 attentions
    }

    @Test
    void encoderOnlyCheckpointWithTheBertPrefixLoadsTheSame() throws Exception {
        Golden g = new Golden("formats/encoder_only");
        Path dir = copy(g.dir, n -> true, n -> "bert." + n);
        WeightLoader.AutoLoaded a = WeightLoader.loadAuto(dir, DataType.FLOAT, WeightLoader.Mode.STRICT);
        BertModel m = assertInstanceOf(BertModel.class, a.model());
        assertTrue(a.report().isClean(), a.report().describe());
        compareEncoder(g, m, DataType.FLOAT);
    }

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void untiedDecoderKeepsItsOwnWeight(DataType type) throws Exception {
        Golden g = new Golden("formats/untied_decoder");
        WeightLoader.AutoLoaded a = WeightLoader.loadAuto(g.dir, type, WeightLoader.Mode.STRICT);
        BertForPreTraining m = assertInstanceOf(BertForPreTraining.class, a.model());
        assertTrue(a.report().isClean(), a.report().describe());
        assertFalse(m.config().tieWordEmbeddings());
        assertTrue(m.parameters().contains("cls.predictions.decoder.weight"));
        assertNotEquals(m.parameters().get("cls.predictions.decoder.weight"),
                m.parameters().get("bert.embeddings.word_embeddings.weight"));
        assertEquals(12, g.compareEveryOutput(m, type).size());
        // and through the BertForPreTraining loader
        BertForPreTraining direct = WeightLoader.loadDirectory(g.dir, type, WeightLoader.Mode.STRICT).model();
        assertEquals(12, g.compareEveryOutput(direct, type).size());
    }

    @Test
    void untiedDecoderGradientsAgreeWithFiniteDifferencesInDouble() throws Exception {
        Golden g = new Golden("formats/untied_decoder");
        BertForPreTraining m = WeightLoader.loadDirectory(g.dir, DataType.DOUBLE, WeightLoader.Mode.STRICT).model();
        try (SafetensorsFile e = g.expected()) {
            GradientCheck.check(m, Golden.inputs(e), e.load("labels"), e.load("next_sentence_label"),
                    Pass::deterministicTraining, 1, 1e-5, 1e-10, 5);
        }
    }

    @Test
    void weightsWithoutTheNspHeadLoadAsMaskedLmWithNothingInvented() throws Exception {
        Golden g = new Golden("formats/masks/float_mask");
        Path dir = copy(g.dir, n -> !n.startsWith("cls.seq_relationship."), n -> n);
        WeightLoader.AutoLoaded a = WeightLoader.loadAuto(dir, DataType.FLOAT, WeightLoader.Mode.STRICT);
        BertForMaskedLM m = assertInstanceOf(BertForMaskedLM.class, a.model());
        assertTrue(a.report().isClean(), a.report().describe());
        assertTrue(a.report().initialized().isEmpty());
        assertFalse(m.parameters().contains("cls.seq_relationship.weight"));
        assertTrue(a.report().describe().contains("loaded as BertForMaskedLM"), a.report().describe());
        assertTrue(a.report().describe().contains("architectures names BertForPreTraining"), a.report().describe());
        try (SafetensorsFile e = g.expected()) {
            BertForMaskedLMOutput o = m.forward(Golden.inputs(e), OutputOptions.ALL);
            Map<String, INDArray> named = o.named();
            assertFalse(named.containsKey("seq_relationship_logits"));
            for (String n : named.keySet()) {
                if (!n.equals("pooler_output")) {
                    Golden.assertClose(n, e.load(n), named.get(n), g.hint(n));
                }
            }
            // the masked-LM logits at chosen positions are those rows of the full logits
            INDArray rows = m.predictionLogitsAt(Golden.inputs(e), 0, 3);
            assertEquals(o.logits().reshape(-1, m.config().vocabSize()).getRow(3), rows.getRow(1));
        }
        // The pooler stays when the file has it; HF's BertForMaskedLM has none and neither does ours then.
        Path noPooler = copy(dir, n -> !n.startsWith("bert.pooler."), n -> n);
        BertForMaskedLM bare = assertInstanceOf(BertForMaskedLM.class,
                WeightLoader.loadAuto(noPooler, DataType.FLOAT, WeightLoader.Mode.STRICT).model());
        assertFalse(bare.bert().hasPooler());
        try (SafetensorsFile e = g.expected()) {
            assertNull(bare.forward(Golden.inputs(e), OutputOptions.NONE).pooledOutput());
        }
    }

    @Test
    void aStrictFailureSaysNothingWasLoadedAndHowMuchFits() throws Exception {
        Golden g = new Golden("formats/masks/float_mask");
        Path dir = copy(g.dir, n -> !n.startsWith("cls.seq_relationship."), n -> n);
        String msg = assertThrows(WeightFormatException.class,
                () -> WeightLoader.loadDirectory(dir, DataType.FLOAT, WeightLoader.Mode.STRICT)).getMessage();
        assertFalse(msg.contains("loaded 0 tensors"), msg);
        int all = new BertForPreTraining(BertConfig.fromJson(dir.resolve("config.json")), DataType.FLOAT)
                .parameters().names().size();
        assertTrue(msg.contains("nothing was loaded") && msg.contains((all - 2) + " of the model's " + all), msg);
        assertTrue(msg.contains("cls.seq_relationship.weight") && msg.contains("cls.seq_relationship.bias"), msg);
        // Lenient BertForPreTraining says what it initialised instead.
        LoadReport r = WeightLoader.loadDirectory(dir, DataType.FLOAT, WeightLoader.Mode.LENIENT).report();
        assertEquals(Set.of("cls.seq_relationship.weight", "cls.seq_relationship.bias"), Set.copyOf(r.initialized()));
    }

    @Test
    void aTiedConfigWithADifferentDecoderInTheFileIsNeverReTiedSilently() throws Exception {
        Golden g = new Golden("formats/untied_decoder");
        Path dir = copy(g.dir, n -> true, n -> n);
        String cfg = Files.readString(dir.resolve("config.json")).replace("\"tie_word_embeddings\": false",
                "\"tie_word_embeddings\": true");
        Files.writeString(dir.resolve("config.json"), cfg);
        String msg = assertThrows(WeightFormatException.class,
                () -> WeightLoader.loadAuto(dir, DataType.FLOAT, WeightLoader.Mode.STRICT)).getMessage();
        assertTrue(msg.contains("cls.predictions.decoder.weight differs"), msg);
        LoadReport r = WeightLoader.loadAuto(dir, DataType.FLOAT, WeightLoader.Mode.LENIENT).report();
        assertTrue(r.describe().contains("is NOT used"), r.describe());
    }

    /** Compares a BertModel's outputs with an encoder-only case's; mean pooling is the Embeddings task's. */
    private static Set<String> compareEncoder(Golden g, BertModel m, DataType type) throws IOException {
        try (SafetensorsFile e = g.expected()) {
            Map<String, INDArray> ours = m.forward(Golden.inputs(e), OutputOptions.ALL).named();
            Set<String> compared = new TreeSet<>();
            for (String n : e.names()) {
                if (Golden.INPUTS.contains(n) || n.startsWith("mean_pooled")) {
                    continue;
                }
                assertTrue(ours.containsKey(n), "we produce no output named " + n);
                Golden.assertClose(g.name + " " + type + " " + n, e.load(n), ours.get(n), g.hint(n));
                compared.add(n);
            }
            return compared;
        }
    }

    /** A copy of a case directory whose weights keep the tensors {@code keep} accepts, renamed. */
    private Path copy(Path from, Predicate<String> keep, UnaryOperator<String> rename) throws IOException {
        Path dir = Files.createTempDirectory(tmp, "case");
        Files.copy(from.resolve("config.json"), dir.resolve("config.json"));
        Map<String, INDArray> t = new LinkedHashMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(from.resolve("model.safetensors"))) {
            for (String n : f.names()) {
                if (keep.test(n)) {
                    t.put(rename.apply(n), f.load(n));
                }
            }
        }
        SafetensorsWriter.write(dir.resolve("model.safetensors"), t, Map.of("format", "pt"));
        return dir;
    }
}
