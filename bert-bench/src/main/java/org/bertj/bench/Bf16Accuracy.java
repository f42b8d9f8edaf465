package org.bertj.bench;

import org.bertj.cli.SeedNotebooks;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.bertj.loss.PreTrainingLoss;
import org.bertj.model.BertForPreTraining;
import org.bertj.model.BertForPreTrainingOutput;
import org.bertj.model.BertInputs;
import org.bertj.model.MatmulPrecision;
import org.bertj.model.OutputOptions;
import org.bertj.model.Pass;
import org.bertj.model.WeightLoader;
import org.bertj.tokenizer.BertTokenizer;
import org.bertj.tokenizer.Encoding;
import org.bertj.weights.BertBaseUncasedCache;
import org.bertj.weights.SafetensorsFile;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The accuracy of {@link MatmulPrecision#BF16} against float32, the rows the README's speed table
 * shows beside bf16's time: bert-base-uncased on the seed notebooks' texts and the golden cases'
 * tiny models on their stored inputs. For each: the largest |logit difference| bf16 vs our float32
 * (and vs Hugging Face's float32 where the case stores HF's logits), top-1 agreement with float32
 * over every position, and the MLM loss in both precisions (notebook texts: labels are the
 * unmasked text's ids at every position, as notebook 000 sets them; golden cases: their labels).
 *
 * <pre>
 * Bf16Accuracy OUT.json     (run from the checkout: golden cases under ../shared, or -Dbertj.shared=DIR)
 * </pre>
 * Writes the rows as JSON, which {@code BenchReport --accuracy} renders, and prints that table.
 */
public final class Bf16Accuracy {

    /** Notebook 001, In[6]: one text with two [MASK]s. */
    static final String TEXT = SeedNotebooks.TEXT;
    /** Notebooks 000 and 001 In[28]: the pair's first sentence. */
    static final String TEXT_A = SeedNotebooks.TEXT_A;
    /** The pair's second sentence. */
    static final String TEXT_B = SeedNotebooks.TEXT_B;
    /** The golden cases with MLM labels (HF float32 logits and losses stored). */
    static final String[] GOLDEN = {"tiny_h32_l2_v99", "padded_h64_l3_b3", "realvocab_h48_l2"};

    private Bf16Accuracy() {
    }

    /** @param args the output JSON file */
    public static void main(String[] args) throws Exception {
        JsonObject out = new JsonObject();
        out.addProperty("what", "MatmulPrecision.BF16 against float32");
        JsonArray rows = new JsonArray();
        out.add("rows", rows);
        if (!MatmulPrecision.BF16.isAvailable()) {
            // Written anyway, so that scripts/bench's report says why the table is missing.
            out.addProperty("unavailable", "MatmulPrecision.BF16 is not available here (not ND4J's oneDNN CPU build)");
            Files.writeString(Path.of(args[0]), new GsonBuilder().setPrettyPrinting().create().toJson(out));
            System.out.print(BenchReport.accuracyTable(out));
            return;
        }
        Path dir = BertBaseUncasedCache.ensure();
        BertForPreTraining base = WeightLoader.loadDirectory(dir, DataType.FLOAT, WeightLoader.Mode.LENIENT).model();
        BertTokenizer tok = BertTokenizer.fromDirectory(dir);
        rows.add(notebook(base, "bert-base, notebook 001 text", tok.encode(TEXT), tok.encode(unmask(TEXT))));
        rows.add(notebook(base, "bert-base, notebook 000 pair", tok.encode(TEXT_A, TEXT_B),
                tok.encode(unmask(TEXT_A), unmask(TEXT_B))));
        for (String g : GOLDEN) {
            rows.add(golden(g));
        }
        Files.writeString(Path.of(args[0]), new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create().toJson(out));
        System.out.print(BenchReport.accuracyTable(out));
    }

    /** The notebook's words for its two [MASK]s (notebook 000 unmasks them so). */
    private static String unmask(String s) {
        return s.replaceFirst("presidential \\[MASK\\]", "presidential election")
                .replaceFirst("forces \\[MASK\\]", "forces attacked");
    }

    private static JsonObject notebook(BertForPreTraining model, String name, Encoding masked, Encoding unmasked) {
        if (masked.length() != unmasked.length()) {
            throw new IllegalStateException(name + ": the unmasked text tokenizes to another length");
        }
        BertInputs in = BertInputs.of(new int[][] {masked.inputIds()}, new int[][] {masked.tokenTypeIds()}, null);
        long[][] labels = new long[1][masked.length()];
        for (int i = 0; i < labels[0].length; i++) {
            labels[0][i] = unmasked.inputIds()[i];
        }
        return compare(name, model, in, Nd4j.createFromArray(labels), Nd4j.createFromArray(0L), null, Double.NaN);
    }

    private static JsonObject golden(String name) throws IOException {
        String p = System.getProperty("bertj.shared");
        Path dir = Paths.get(p == null || p.isBlank() ? "../shared" : p).toAbsolutePath().normalize()
                .resolve("golden").resolve(name);
        BertForPreTraining model = WeightLoader.loadDirectory(dir, DataType.FLOAT, WeightLoader.Mode.STRICT).model();
        try (SafetensorsFile e = SafetensorsFile.open(dir.resolve("expected.safetensors"))) {
            BertInputs in = BertInputs.of(e.load("input_ids"), opt(e, "token_type_ids"), opt(e, "attention_mask"),
                    opt(e, "position_ids"), opt(e, "head_mask"));
            return compare("golden " + name, model, in, e.load("labels"), e.load("next_sentence_label"),
                    e.load("prediction_logits"), e.load("mlm_loss").getDouble(0));
        }
    }

    private static INDArray opt(SafetensorsFile f, String name) throws IOException {
        return f.contains(name) ? f.load(name) : null;
    }

    private static JsonObject compare(String name, BertForPreTraining model, BertInputs in, INDArray labels,
            INDArray nspLabel, INDArray hfLogits, double hfMlm) {
        BertForPreTrainingOutput f32 = model.forward(in, OutputOptions.NONE);
        BertForPreTrainingOutput b16 = model.forward(in, OutputOptions.NONE,
                Pass.inference().withMatmulPrecision(MatmulPrecision.BF16));
        INDArray lf = f32.predictionLogits();
        INDArray lb = b16.predictionLogits();
        long positions = lf.size(0) * lf.size(1);
        INDArray af = lf.reshape('c', positions, lf.size(2)).argMax(1);
        INDArray ab = lb.reshape('c', positions, lb.size(2)).argMax(1);
        long agree = 0;
        for (long i = 0; i < positions; i++) {
            agree += af.getLong(i) == ab.getLong(i) ? 1 : 0;
        }
        JsonObject r = new JsonObject();
        r.addProperty("case", name);
        r.addProperty("tokens", lf.size(0) + "x" + lf.size(1));
        r.addProperty("maxAbsLogitVsFloat32", maxAbs(lb, lf));
        r.addProperty("maxAbsLogitVsHf", hfLogits == null ? Double.NaN : maxAbs(lb, hfLogits));
        r.addProperty("top1Agree", agree);
        r.addProperty("positions", positions);
        r.addProperty("mlmLossHf", hfMlm);
        r.addProperty("mlmLossFloat32", PreTrainingLoss.compute(lf, labels, f32.seqRelationshipLogits(), nspLabel,
                false).mlmLoss());
        r.addProperty("mlmLossBf16", PreTrainingLoss.compute(lb, labels, b16.seqRelationshipLogits(), nspLabel,
                false).mlmLoss());
        return r;
    }

    private static double maxAbs(INDArray a, INDArray b) {
        return a.castTo(DataType.DOUBLE).sub(b.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
    }
}
