package org.bertj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.bertj.testing.Shared;
import org.bertj.viz.AttentionHeatmap;
import org.bertj.weights.SafetensorsFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** {@code bert attention} draws transformers' own attention probabilities (golden realvocab and padded cases). */
class AttentionCommandTest {
    @TempDir
    static Path tmp;
    static Path model;
    static List<String> tokens;

    @BeforeAll
    static void setUp() throws Exception {
        model = CliRun.realVocabModel(tmp);
        tokens = ModelChoice.load(model, false).tokenizer().encode(CliRun.TEXT_A, CliRun.TEXT_B).tokens();
    }

    private static float[][][] golden(String caseName, int layer, int row, int[] kept) throws Exception {
        try (SafetensorsFile f = SafetensorsFile.open(Shared.golden(caseName).resolve("expected.safetensors"))) {
            INDArray a = f.load("attentions." + layer).castTo(DataType.FLOAT);
            return AttentionCommand.probabilities(a, row, kept);
        }
    }

    private static int[] range(int n) {
        return java.util.stream.IntStream.range(0, n).toArray();
    }

    /** The page's embedded data: everything between "const DATA = " and the end of that line. */
    private static JsonObject data(Path html) throws Exception {
        String page = Files.readString(html, StandardCharsets.UTF_8);
        int at = page.indexOf("const DATA = ");
        assertTrue(at > 0, "no DATA in the page");
        String json = page.substring(at + 13, page.indexOf(";\n", at));
        assertTrue(!page.contains("src=\"http") && !page.contains("href=\"http"), "the page loads something from outside");
        return JsonParser.parseString(json).getAsJsonObject();
    }

    @Test
    void htmlViewHoldsEveryLayerAndHeadAsTransformersComputedThem() throws Exception {
        Path out = tmp.resolve("view.html");
        CliRun r = CliRun.of("attention", "--model", model.toString(), "--text", CliRun.TEXT_A, "--pair", CliRun.TEXT_B,
                "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("2 layers x 4 heads over " + tokens.size() + " tokens"), r.out());
        JsonObject d = data(out);
        JsonArray t = d.getAsJsonArray("tokens");
        List<String> shown = new ArrayList<>();
        t.forEach(e -> shown.add(e.getAsString()));
        assertEquals(tokens, shown);
        JsonArray layers = d.getAsJsonArray("attention");
        assertEquals(2, layers.size());
        double worst = 0;
        for (int l = 0; l < 2; l++) {
            float[][][] want = golden("realvocab_h48_l2", l, 0, range(tokens.size()));
            JsonArray heads = layers.get(l).getAsJsonArray();
            assertEquals(4, heads.size());
            for (int h = 0; h < 4; h++) {
                for (int i = 0; i < tokens.size(); i++) {
                    JsonArray rowJ = heads.get(h).getAsJsonArray().get(i).getAsJsonArray();
                    for (int j = 0; j < tokens.size(); j++) {
                        worst = Math.max(worst, Math.abs(rowJ.get(j).getAsDouble() - want[h][i][j]));
                    }
                }
            }
        }
        // Probabilities are stored to 4 decimals: rounding (5e-5) plus float32 noise.
        assertTrue(worst <= 5.2e-5, "max |page - transformers| = " + worst);
    }

    @Test
    void pngOfALayerHasEachHeadsBrightestCellWhereTransformersPutTheMostAttention() throws Exception {
        Path out = tmp.resolve("layer1.png");
        CliRun r = CliRun.of("attention", "--model", model.toString(), "--text", CliRun.TEXT_A, "--pair", CliRun.TEXT_B,
                "--layer", "1", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        BufferedImage img = ImageIO.read(out.toFile());
        float[][][] want = golden("realvocab_h48_l2", 1, 0, range(tokens.size()));
        // The layout the command drew with, for the same tokens and number of heads.
        AttentionHeatmap.Rendered layout = AttentionHeatmap.layer(tokens, want, "layer 1 (every head)");
        assertEquals(layout.image().getWidth(), img.getWidth());
        assertEquals(layout.image().getHeight(), img.getHeight());
        int rowsChecked = checkBrightest(img, layout, want);
        assertTrue(rowsChecked >= 12, "only " + rowsChecked + " rows with a clear maximum");

        Path one = tmp.resolve("head2.png");
        r = CliRun.of("attention", "--model", model.toString(), "--text", CliRun.TEXT_A, "--pair", CliRun.TEXT_B,
                "--layer", "0", "--head", "2", "--out", one.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("layer 0, head 2, " + tokens.size() + " tokens"), r.out());
        float[][][] want0 = golden("realvocab_h48_l2", 0, 0, range(tokens.size()));
        AttentionHeatmap.Rendered l0 = AttentionHeatmap.head(tokens, want0[2], "layer 0, head 2");
        checkBrightest(ImageIO.read(one.toFile()), l0, new float[][][] {want0[2]});
    }

    /** Rows whose top two probabilities differ by over 0.02 (clearly different colours) have their brightest cell at the top one. */
    private static int checkBrightest(BufferedImage img, AttentionHeatmap.Rendered layout, float[][][] p) {
        int checked = 0;
        for (int h = 0; h < p.length; h++) {
            Rectangle panel = layout.panels().get(h);
            for (int i = 0; i < p[h].length; i++) {
                int top = 0, second = -1;
                for (int j = 1; j < p[h][i].length; j++) {
                    if (p[h][i][j] > p[h][i][top]) {
                        second = top;
                        top = j;
                    } else if (second < 0 || p[h][i][j] > p[h][i][second]) {
                        second = j;
                    }
                }
                if (p[h][i][top] - p[h][i][second] < 0.02) {
                    continue;
                }
                int y = panel.y + i * layout.cell() + layout.cell() / 2;
                int best = -1;
                double bl = -1;
                for (int j = 0; j < p[h][i].length; j++) {
                    int rgb = img.getRGB(panel.x + j * layout.cell() + layout.cell() / 2, y);
                    double l = 0.2126 * (rgb >> 16 & 0xff) + 0.7152 * (rgb >> 8 & 0xff) + 0.0722 * (rgb & 0xff);
                    if (l > bl) {
                        bl = l;
                        best = j;
                    }
                }
                assertEquals(top, best, "head " + h + " query " + i);
                checked++;
            }
        }
        return checked;
    }

    @Test
    void inputsFileRowsLeaveTheirPaddingOut() throws Exception {
        Path golden = Shared.golden("padded_h64_l3_b3");
        Path out = tmp.resolve("padded.html");
        CliRun r = CliRun.of("attention", "--model", golden.toString(), "--inputs",
                golden.resolve("expected.safetensors").toString(), "--row", "2", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        JsonObject d = data(out);
        assertEquals(5, d.getAsJsonArray("tokens").size(), "row 2 has 5 attended positions (lengths 19, 11, 5)");
        assertTrue(d.getAsJsonArray("tokens").get(0).getAsString().startsWith("#"), "no vocab: ids as labels");
        float[][][] want = golden("padded_h64_l3_b3", 2, 2, range(5));
        JsonArray head7 = d.getAsJsonArray("attention").get(2).getAsJsonArray().get(7).getAsJsonArray();
        for (int i = 0; i < 5; i++) {
            for (int j = 0; j < 5; j++) {
                assertEquals(want[7][i][j], head7.get(i).getAsJsonArray().get(j).getAsDouble(), 5.2e-5);
            }
        }
    }

    @Test
    void wrongArgumentsAreUsageErrorsBeforeAnythingIsLoaded() throws Exception {
        String m = model.toString();
        CliRun r = CliRun.of("attention", "--model", m, "--text", "x", "--out", tmp.resolve("a.png").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("give --layer"), r.err());
        r = CliRun.of("attention", "--model", m, "--text", "x", "--out", tmp.resolve("a.jpg").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("must end in .png or .html"), r.err());
        r = CliRun.of("attention", "--model", m, "--text", "x", "--layer", "2", "--out", tmp.resolve("a.png").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--layer 2 is outside 0..1"), r.err());
        r = CliRun.of("attention", "--model", m, "--out", tmp.resolve("a.html").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--text") && r.err().contains("--inputs"), r.err());
        Path golden = Shared.golden("tiny_h32_l2_v99");
        r = CliRun.of("attention", "--model", golden.toString(), "--text", "x", "--out", tmp.resolve("a.html").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("has no vocab.txt"), r.err());
        r = CliRun.of("attention", "--model", golden.toString(), "--inputs", golden.resolve("expected.safetensors").toString(),
                "--row", "2", "--out", tmp.resolve("a.html").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--row 2 is outside the batch of 2"), r.err());
        assertTrue(!Files.exists(tmp.resolve("a.html")) && !Files.exists(tmp.resolve("a.png")), "nothing written");
    }
}
