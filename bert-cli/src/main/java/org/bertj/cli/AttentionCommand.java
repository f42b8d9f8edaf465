package org.bertj.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.bertj.model.BertForPreTrainingOutput;
import org.bertj.model.OutputOptions;
import org.bertj.viz.AttentionHeatmap;
import org.bertj.viz.AttentionView;
import org.bertj.viz.PictureFiles;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code bert attention}: the attention probabilities of one forward pass as a picture. {@code .png}
 * draws one layer: every head in a grid, or one head with {@code --head}; {@code .html} writes the
 * interactive head view with every layer and head. Padding (attention_mask 0) is left out.
 */
final class AttentionCommand implements Command {

    @Override
    public String name() {
        return "attention";
    }

    @Override
    public String usage() {
        return "attention (--text T [--pair P] | --inputs FILE [--row B]) --out FILE.png|FILE.html"
                + " [--layer L [--head H]] [--model DIR]   attention heatmap (PNG: --layer needed) or HTML head view";
    }

    @Override
    public int run(List<String> argv, PrintStream out) throws Exception {
        Set<String> valued = new HashSet<>(Subject.OPTIONS);
        valued.addAll(Set.of("out", "layer", "head", "row"));
        Args args = new Args(argv, valued, Set.of());
        if (!args.positionals().isEmpty()) {
            throw new UsageException("unexpected argument '" + args.positionals().get(0) + "'");
        }
        Path file = args.requirePath("out");
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean html = name.endsWith(".html") || name.endsWith(".htm");
        if (!html && !name.endsWith(".png")) {
            throw new UsageException("--out " + file + ": the name must end in .png or .html");
        }
        if (html && (args.get("layer") != null || args.get("head") != null)) {
            throw new UsageException("--layer and --head choose what a PNG shows; the HTML view holds every"
                    + " layer and head (open it at one with FILE.html#layer=L&head=H)");
        }
        if (!html && args.get("layer") == null) {
            throw new UsageException("a PNG shows one layer: give --layer L (0-based)");
        }
        Subject subject = Subject.from(args);
        int layers = subject.model().config().numHiddenLayers();
        int heads = subject.model().config().numAttentionHeads();
        int layer = args.getInt("layer", 0);
        if (layer < 0 || layer >= layers) {
            throw new UsageException("--layer " + layer + " is outside 0.." + (layers - 1));
        }
        Integer head = args.get("head") == null ? null : args.getInt("head", 0);
        if (head != null && (head < 0 || head >= heads)) {
            throw new UsageException("--head " + head + " is outside 0.." + (heads - 1));
        }
        int row = subject.row(args);
        out.println(subject.source());
        BertForPreTrainingOutput o = subject.model().forward(subject.inputs(), new OutputOptions(false, true));
        List<String> tokens = subject.tokens(row);
        int[] kept = subject.kept()[row];
        if (html) {
            float[][][][] all = new float[layers][][][];
            for (int l = 0; l < layers; l++) {
                all[l] = probabilities(o.attentions().get(l), row, kept);
            }
            PictureFiles.writeText(AttentionView.html(title(subject, tokens), tokens, all), file);
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

    private static String title(Subject s, List<String> tokens) {
        String joined = String.join(" ", tokens);
        return "Attention: " + (joined.length() > 120 ? joined.substring(0, 119) + "\u2026" : joined);
    }
}
