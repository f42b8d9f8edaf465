package org.bertj.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.bertj.testing.Shared;
import org.bertj.weights.BertBaseUncasedCache;
import org.bertj.weights.SafetensorsFile;
import org.bertj.weights.SafetensorsWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * {@code bert forward} runs the model class the weights make and writes only what it computes:
 * an encoder-only checkpoint (golden encoder_only), an untied decoder (golden untied_decoder) and
 * the default bert-base-uncased weights, which have no next-sentence head, all without --lenient.
 */
class ForwardModelKindsTest {

    private static final Set<String> INPUTS = Set.of("input_ids", "token_type_ids", "attention_mask", "position_ids",
            "head_mask", "labels", "next_sentence_label");

    @TempDir
    Path tmp;

    private record Run(int code, String out, String err) {
    }

    private static Run main(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Every golden output except {@code skip}'s matches (atol 1e-5, rtol 1e-5); returns how many. */
    private static int compare(Path golden, Path ours, Set<String> skip) throws Exception {
        int compared = 0;
        try (SafetensorsFile want = SafetensorsFile.open(golden.resolve("expected.safetensors"));
             SafetensorsFile got = SafetensorsFile.open(ours)) {
            for (String n : want.names()) {
                if (INPUTS.contains(n) || skip.contains(n)) {
                    continue;
                }
                assertTrue(got.contains(n), "output file lacks " + n + "; it has " + got.names());
                INDArray w = want.load(n).castTo(DataType.DOUBLE);
                INDArray g = got.load(n).castTo(DataType.DOUBLE);
                assertArrayEquals(w.shape(), g.shape(), n);
                INDArray excess = Transforms.abs(w.sub(g), false).subi(Transforms.abs(w, true).muli(1e-5)).subi(1e-5);
                assertTrue(excess.maxNumber().doubleValue() <= 0 && g.isNaN().castTo(DataType.INT).sumNumber()
                        .intValue() == 0, n + " differs from HF's");
                compared++;
            }
        }
        return compared;
    }

    @Test
    void encoderOnlyCheckpointRunsAsBertModel() throws Exception {
        Path golden = Shared.golden("formats/encoder_only");
        Path out = tmp.resolve("out.safetensors");
        Run r = main("forward", "--model", golden.toString(), "--inputs", golden.resolve("expected.safetensors").toString(),
                "--out", out.toString(), "--hidden-states", "--attentions");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("loaded as BertModel"), r.out());
        assertTrue(r.out().contains("left out") && r.out().contains("prediction_logits"), r.out());
        assertEquals(7, compare(golden, out, Set.of("mean_pooled", "mean_pooled_normalized")));
        try (SafetensorsFile f = SafetensorsFile.open(out)) {
            assertFalse(f.contains("prediction_logits") || f.contains("seq_relationship_logits"), f.names().toString());
        }
    }

    @Test
    void untiedDecoderRunsWithItsOwnDecoder() throws Exception {
        Path golden = Shared.golden("formats/untied_decoder");
        Path out = tmp.resolve("out.safetensors");
        Run r = main("forward", "--model", golden.toString(), "--inputs", golden.resolve("expected.safetensors").toString(),
                "--out", out.toString(), "--hidden-states", "--attentions");
        assertEquals(0, r.code(), r.err());
        assertEquals(12, compare(golden, out, Set.of()));
    }

    /**
     * {@code bert convert} keeps what makes the kind: an untied decoder stays its own tensor (HF
     * keeps it under {@code tie_word_embeddings: false}), an encoder-only checkpoint stays headless,
     * relative-position models keep every layer's distance embedding.
     */
    @Test
    void convertKeepsUntiedDecodersEncoderOnlyAndRelativePositions() throws Exception {
        for (String name : new String[] {"untied_decoder", "encoder_only", "relative_key", "relative_key_query"}) {
            Path golden = Shared.golden("formats/" + name);
            java.util.List<String> vocab = new java.util.ArrayList<>(java.util.List.of("[PAD]", "[UNK]", "[CLS]",
                    "[SEP]", "[MASK]"));
            int vocabSize = com.google.gson.JsonParser.parseString(java.nio.file.Files.readString(
                    golden.resolve("config.json"))).getAsJsonObject().get("vocab_size").getAsInt();
            while (vocab.size() < vocabSize) {
                vocab.add("tok" + vocab.size());
            }
            Path vocabFile = java.nio.file.Files.write(tmp.resolve(name + "-vocab.txt"), vocab);
            Path converted = tmp.resolve(name + "-converted");
            Run c = main("convert", "--from", golden.toString(), "--out", converted.toString(), "--vocab",
                    vocabFile.toString());
            assertEquals(0, c.code(), c.err());
            try (SafetensorsFile f = SafetensorsFile.open(converted.resolve("model.safetensors"))) {
                assertEquals(name.equals("untied_decoder"), f.contains("cls.predictions.decoder.weight"), f.names().toString());
                assertEquals(!name.equals("encoder_only"), f.contains("cls.predictions.bias"), f.names().toString());
                assertEquals(name.startsWith("relative_key"),
                        f.contains("bert.encoder.layer.1.attention.self.distance_embedding.weight"), f.names().toString());
            }
            Path out = tmp.resolve(name + "-out.safetensors");
            Run r = main("forward", "--model", converted.toString(), "--inputs",
                    golden.resolve("expected.safetensors").toString(), "--out", out.toString(), "--hidden-states",
                    "--attentions");
            assertEquals(0, r.code(), r.err());
            int compared = compare(golden, out, Set.of("mean_pooled", "mean_pooled_normalized"));
            assertTrue(compared >= 7, name + ": only " + compared + " outputs compared");
        }
    }

    /**
     * Every activation case and every mask case of the golden formats set (a 3-D mask, a float
     * mask, a row with no attended key) through {@code bert forward}: all HF's outputs, losses too.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"activations/gelu_10", "activations/gelu_accurate",
        "activations/gelu_fast", "activations/linear", "activations/mish", "activations/quick_gelu",
        "activations/relu6", "activations/sigmoid", "masks/all_zero_row", "masks/float_mask", "masks/mask_3d"})
    void everyActivationAndMaskCaseThroughTheCommand(String name) throws Exception {
        Path golden = Shared.golden("formats/" + name);
        Path out = tmp.resolve("out.safetensors");
        Run r = main("forward", "--model", golden.toString(), "--inputs", golden.resolve("expected.safetensors").toString(),
                "--out", out.toString(), "--hidden-states", "--attentions");
        assertEquals(0, r.code(), r.err());
        int compared = compare(golden, out, Set.of());
        assertTrue(compared >= 5, name + ": only " + compared + " outputs compared");
    }

    @Test
    void lenientOutputsThatDependOnRandomInitAreFlagged() throws Exception {
        Path golden = Shared.golden("formats/untied_decoder");
        Path dir = tmp.resolve("m");
        java.nio.file.Files.createDirectories(dir);
        java.nio.file.Files.copy(golden.resolve("config.json"), dir.resolve("config.json"));
        Map<String, INDArray> t = new java.util.LinkedHashMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(golden.resolve("model.safetensors"))) {
            for (String n : f.names()) {
                if (!n.equals("bert.encoder.layer.1.output.LayerNorm.bias")) {
                    t.put(n, f.load(n));
                }
            }
        }
        SafetensorsWriter.write(dir.resolve("model.safetensors"), t, Map.of("format", "pt"));
        Path out = tmp.resolve("out.safetensors");
        String[] args = {"forward", "--model", dir.toString(), "--inputs",
            golden.resolve("expected.safetensors").toString(), "--out", out.toString()};
        Run strict = main(args);
        assertEquals(1, strict.code());
        assertTrue(strict.err().contains("nothing was loaded") && strict.err().contains("LayerNorm.bias"), strict.err());
        String[] lenient = java.util.Arrays.copyOf(args, args.length + 1);
        lenient[args.length] = "--lenient";
        Run r = main(lenient);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("WARNING") && r.out().contains("bert.encoder.layer.1.output.LayerNorm.bias"), r.out());
        try (SafetensorsFile f = SafetensorsFile.open(out)) {
            assertEquals("bert.encoder.layer.1.output.LayerNorm.bias", f.metadata().get("randomly_initialized"));
        }
    }

    @Test
    void defaultWeightsRunWithoutLenientAndSayWhatIsLeftOut() throws Exception {
        Path dir = BertBaseUncasedCache.ensure();
        Path inputs = tmp.resolve("in.safetensors");
        // [CLS] the man went to the [MASK] . [SEP]
        INDArray ids = Nd4j.createFromArray(new long[][] {{101, 1996, 2158, 2253, 2000, 1996, 103, 1012, 102}});
        INDArray labels = Nd4j.createFromArray(new long[][] {{-100, -100, -100, -100, -100, -100, 3573, -100, -100}});
        SafetensorsWriter.write(inputs, Map.of("input_ids", ids, "labels", labels,
                "next_sentence_label", Nd4j.createFromArray(0L)), Map.of("format", "pt"));
        Path out = tmp.resolve("out.safetensors");
        Run r = main("forward", "--model", dir.toString(), "--inputs", inputs.toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("loaded as BertForMaskedLM"), r.out());
        assertTrue(r.out().contains("left out") && r.out().contains("seq_relationship_logits")
                && r.out().contains("nsp_loss"), r.out());
        assertFalse(r.out().contains("newly initialised"), r.out());
        try (SafetensorsFile f = SafetensorsFile.open(out)) {
            assertTrue(f.contains("prediction_logits") && f.contains("mlm_loss") && f.contains("pooled_output"),
                    f.names().toString());
            assertFalse(f.contains("seq_relationship_logits") || f.contains("nsp_loss") || f.contains("loss"),
                    f.names().toString());
            // "store" (3573) is among bert-base's top answers here; a random head would not find it.
            INDArray row = f.load("prediction_logits").get(org.nd4j.linalg.indexing.NDArrayIndex.point(0),
                    org.nd4j.linalg.indexing.NDArrayIndex.point(6));
            assertTrue(row.getDouble(3573) > row.meanNumber().doubleValue() + 5, "logit of 'store'");
        }
    }

    /**
     * {@code --bf16}: the outputs move by bf16's rounding (more than float32's 1e-5, less than the
     * golden case's measured bf16 logit error times ten) and {@code --bf16 --double} is bad usage.
     */
    @Test
    void bf16ProductsMoveTheOutputsLittleAndExcludeDouble() throws Exception {
        Path golden = Shared.golden("realvocab_h48_l2");
        Path out = tmp.resolve("bf16.safetensors");
        Run r = main("forward", "--model", golden.toString(), "--inputs", golden.resolve("expected.safetensors").toString(),
                "--out", out.toString(), "--bf16");
        assertEquals(0, r.code(), r.err());
        try (SafetensorsFile want = SafetensorsFile.open(golden.resolve("expected.safetensors"));
             SafetensorsFile got = SafetensorsFile.open(out)) {
            double diff = want.load("prediction_logits").castTo(DataType.DOUBLE)
                    .sub(got.load("prediction_logits").castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
            assertTrue(diff > 1e-4 && diff < 0.25, "bf16 prediction_logits differ from HF's float32 by " + diff);
        }
        Run both = main("forward", "--model", golden.toString(), "--inputs",
                golden.resolve("expected.safetensors").toString(), "--out", out.toString(), "--bf16", "--double");
        assertEquals(2, both.code(), both.err());
        assertTrue(both.err().contains("--bf16 and --double"), both.err());
    }
}
