package org.bertj.inspect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.bertj.model.BertForPreTraining;
import org.bertj.model.BertInputs;
import org.bertj.model.hooks.CachedRun;
import org.bertj.model.hooks.HookPoint;
import org.bertj.weights.SafetensorsFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Every hook point's activation, through runWithCache, against Hugging Face's (golden/internals). */
class ActivationsGoldenTest {

    static Stream<Arguments> files() {
        return Stream.of(Arguments.of("tiny_h32_l2_v99", "activations.safetensors", DataType.FLOAT),
                Arguments.of("tiny_h32_l2_v99", "activations_f64.safetensors", DataType.DOUBLE),
                Arguments.of("padded_h64_l3_b3", "activations.safetensors", DataType.FLOAT));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("files")
    void everyHookPointMatchesHuggingFace(String caseName, String file, DataType type) throws Exception {
        BertForPreTraining model = InternalsGolden.model(caseName, type);
        JsonObject hints = InternalsGolden.json(caseName, "activations.json")
                .getAsJsonObject("max_abs_diff_float32_vs_float64");
        try (SafetensorsFile f = SafetensorsFile.open(InternalsGolden.dir(caseName).resolve(file))) {
            BertInputs in = InternalsGolden.inputs(f, "");
            CachedRun run = model.runWithCache(in, n -> true);
            List<String> stored = new ArrayList<>(f.names());
            stored.removeAll(InternalsGolden.INPUTS);
            // hookPoints lists exactly the stored names (plus inputs_embeds, a point of the gradients file)
            List<HookPoint> points = model.hookPoints(in.batchSize(), in.sequenceLength());
            List<String> ours = new ArrayList<>(points.stream().map(HookPoint::name).toList());
            assertEquals("inputs_embeds", ours.remove(0));
            assertEquals(stored.stream().sorted().toList(), ours.stream().sorted().toList());
            INDArray mask = f.load("attention_mask");
            for (HookPoint p : points) {
                if (p.name().equals("inputs_embeds")) {
                    continue;
                }
                INDArray want = InternalsGolden.load(f, p.name());
                INDArray got = run.cache().get(p.name());
                assertArrayEquals(want.shape(), p.shape(), p.name() + ": hookPoints shape");
                assertEquals(type, got.dataType());
                double hint = type == DataType.DOUBLE ? -1 : hints.get(p.name()).getAsDouble();
                InternalsGolden.assertClose(caseName + " " + type + " " + p.name(), want, got, hint);
                if (p.name().endsWith(".scores")) {
                    assertMaskedExactlyMin(p.name(), got, mask, type);
                }
            }
            assertEquals(stored.size(), run.cache().names().size() - 1);
        }
    }

    /** At key positions with attention_mask 0, scores are exactly finfo(dtype).min, as HF's. */
    static void assertMaskedExactlyMin(String name, INDArray scores, INDArray mask, DataType type) {
        double min = type == DataType.DOUBLE ? -Double.MAX_VALUE : -Float.MAX_VALUE;
        int masked = 0;
        long[] s = scores.shape();
        for (int b = 0; b < s[0]; b++) {
            for (int k = 0; k < s[3]; k++) {
                if (mask.getLong(b, k) != 0) {
                    continue;
                }
                for (int h = 0; h < s[1]; h++) {
                    for (int q = 0; q < s[2]; q++) {
                        assertEquals(min, scores.getDouble(b, h, q, k), 0.0, name + "[" + b + "," + h + "," + q + "," + k + "]");
                        masked++;
                    }
                }
            }
        }
        assertTrue(masked > 0, name + ": the golden inputs have padded keys");
    }

    @Test
    void cacheSavesAsSafetensorsUnderHookNames(@TempDir Path dir) throws Exception {
        BertForPreTraining model = InternalsGolden.model("tiny_h32_l2_v99", DataType.FLOAT);
        Path golden = InternalsGolden.dir("tiny_h32_l2_v99").resolve("activations.safetensors");
        try (SafetensorsFile f = SafetensorsFile.open(golden)) {
            CachedRun run = model.runWithCache(InternalsGolden.inputs(f, ""), n -> n.contains("layer.1.attention"));
            Path out = dir.resolve("cache.safetensors");
            run.cache().save(out, DataType.FLOAT);
            try (SafetensorsFile saved = SafetensorsFile.open(out)) {
                assertEquals(java.util.Set.copyOf(run.cache().names()), java.util.Set.copyOf(saved.names()));
                assertEquals(8, saved.names().size()); // self.{query,key,value,scores,probs,context}, output.dense, output
                for (String n : saved.names()) {
                    assertTrue(n.contains("layer.1.attention"), n);
                    assertEquals(DataType.FLOAT, saved.load(n).dataType());
                    InternalsGolden.assertClose("saved " + n, f.load(n), saved.load(n), 1e-7);
                }
            }
        }
    }
}
