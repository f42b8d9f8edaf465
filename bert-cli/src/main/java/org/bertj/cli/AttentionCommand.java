package org.bertj.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.bertj.model.BertForPreTrainingOutput;
import org.bertj.model.OutputOptions;
import org.bertj.viz.AttentionHeatmap;
import org.bertj.viz.AttentionView;
import org.bertj.viz.PictureFiles;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bert attention}: the attention probabilities of one forward pass as a picture. {@code .png}
 * draws one layer: every head in a grid, or one head with {@code --head}; {@code .html} writes the
 * interactive head view with every layer and head. Padding (attention_mask 0) is left out.
 */
@Command(name = "attention", description = "The attention probabilities of one forward pass as a picture:"
        + " FILE.png draws one layer (every head in a grid, or one head with --head), FILE.html the interactive"
        + " head view of every layer and head. Padding is left out.")
final class AttentionCommand extends BertCommand {

    @Mixin
    SubjectOptions input;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "the picture to write: FILE.png or FILE.html")
    Path file;

    @Option(names = "--layer", paramLabel = "L", description = "the layer a PNG shows, 0-based (default: none; needed for a PNG)")
    Integer layer;

    @Option(names = "--head", paramLabel = "H", description = "one head of that layer (default: every head in a grid)")
    Integer head;

    @Override
    protected int run() throws Exception {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean html = name.endsWith(".html") || name.endsWith(".htm");
        if (!html && !name.endsWith(".png")) {
            throw new UsageException("--out " + file + ": the name must end in .png or .html");
        }
        if (html && (layer != null || head != null)) {
            throw new UsageException("--layer and --head choose what a PNG shows; the HTML view holds every"
                    + " layer and head (open it at one with FILE.html#layer=L&head=H)");
        }
        if (!html && layer == null) {
            throw new UsageException("a PNG shows one layer: give --layer L (0-based)");
        }
        if (head != null && layer == null) {
            throw new UsageException("--head goes with --layer");
        }
        Subject subject = Subject.from(input);
        int layers = subject.model().config().numHiddenLayers();
        int heads = subject.model().config().numAttentionHeads();
        if (layer != null && (layer < 0 || layer >= layers)) {
            throw new UsageException("--layer " + layer + " is outside 0.." + (layers - 1));
        }
        if (head != null && (head < 0 || head >= heads)) {
            throw new UsageException("--head " + head + " is outside 0.." + (heads - 1));
        }
        int row = subject.row(input.row);
        out.println(subject.source());
        BertForPreTrainingOutput o = subject.model().forward(subject.inputs(), new OutputOptions(false, true));
        List<String> tokens = subject.tokens(row);
        int[] kept = subject.kept()[row];
        if (html) {
            float[][][][] all = new float[layers][][][];
            for (int l = 0; l < layers; l++) {
                all[l] = probabilities(o.attentions().get(l), row, kept);
            }
            PictureFiles.writeText(AttentionView.html(title(tokens), tokens, all), file);
            out.printf("wrote %s: attention of %d layers x %d heads over %d tokens (open it in a browser)%n",
                    file, layers, heads, tokens.size());
            return 0;
        }
        float[][][] p = probabilities(o.attentions().get(layer), row, kept);
        AttentionHeatmap.Rendered r = head == null
                ? AttentionHeatmap.layer(tokens, p, "layer " + layer + " (every head)")
                : AttentionHeatmap.head(tokens, p[head], "layer " + layer + ", head " + head);
        PictureFiles.writePng(r.image(), file);
        out.printf("wrote %s: layer %d, %s, %d tokens, %dx%d pixels%n", file, layer,
                head == null ? heads + " heads" : "head " + head, tokens.size(), r.image().getWidth(),
                r.image().getHeight());
        return 0;
    }

    /** Row {@code row} of one layer's {@code [B, heads, S, S]} probabilities at the kept positions, {@code [heads][n][n]}. */
    static float[][][] probabilities(INDArray attention, int row, int[] kept) {
        INDArray a = attention.castTo(DataType.FLOAT);
        int heads = (int) a.size(1);
        float[][][] p = new float[heads][kept.length][kept.length];
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < kept.length; i++) {
                for (int j = 0; j < kept.length; j++) {
                    p[h][i][j] = a.getFloat(row, h, kept[i], kept[j]);
                }
            }
        }
        return p;
    }

    private static String title(List<String> tokens) {
        String joined = String.join(" ", tokens);
        return "Attention: " + (joined.length() > 120 ? joined.substring(0, 119) + "\u2026" : joined);
    }
}
