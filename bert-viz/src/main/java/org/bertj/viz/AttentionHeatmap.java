package org.bertj.viz;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * Attention probabilities as heatmaps: one head ({@link #head}) or every head of a layer in a grid
 * ({@link #layer}). Rows are queries (the token attending), columns are keys (the token attended
 * to), so row i is HF's {@code attentions[layer][b, head, i, :]} and sums to 1. Colour is
 * {@link Colormap#VIRIDIS} on the fixed range [0, 1], so pictures of different heads compare
 * directly; a colour bar says so. Tokens label both axes (keys turned upright under the grid); when
 * cells are smaller than the text, every k-th token is labelled.
 */
public final class AttentionHeatmap {
    private static final int MARGIN = 16;
    private static final int AXIS_TITLE = 20;
    private static final int BAR_WIDTH = 14;

    private AttentionHeatmap() {
    }

    /**
     * A drawn heatmap: the image, where each head's grid of cells lies in it (one rectangle per
     * head, in head order), the side of one cell in pixels and which labels were drawn (every
     * {@code labelStep}-th token, starting at 0).
     *
     * @param image     the picture, RGB without alpha
     * @param panels    each head's grid of S x S cells, in image pixels, in head order; one for
     *                  {@link #head}
     * @param cell      the side of one cell in pixels
     * @param labelStep every {@code labelStep}-th token (0, k, 2k, ...) is labelled on the axes; 1
     *                  when all are
     */
    public record Rendered(BufferedImage image, List<Rectangle> panels, int cell, int labelStep) {
        /**
         * Where one cell lies in the image (tests and callers that mark cells use it).
         *
         * @param panel the head's index in {@link #panels}
         * @param row   the query token's index
         * @param col   the key token's index
         * @return the cell's square, in image pixels
         * @throws IndexOutOfBoundsException if {@code panel} is not a panel's index (row and column
         *                                   are not checked)
         */
        public Rectangle cellBounds(int panel, int row, int col) {
            Rectangle p = panels.get(panel);
            return new Rectangle(p.x + col * cell, p.y + row * cell, cell, cell);
        }
    }

    /**
     * One head: {@code probs[i][j]} is how much token i attends to token j, S x S for the S
     * {@code tokens}.
     *
     * @param tokens the S tokens labelling both axes, none null, at least one
     * @param probs  {@code [S][S]} attention probabilities, rows queries and columns keys, each in
     *               [0, 1]
     * @param title  drawn above the grid; null or empty for none
     * @return the picture and where its cells lie; a cell is 720 / S pixels, kept within 4 to 36
     * @throws IllegalArgumentException if the shape does not match the tokens or a value is not a
     *     probability (NaN included)
     */
    public static Rendered head(List<String> tokens, float[][] probs, String title) {
        Drawing.checkTokens(tokens);
        Drawing.checkSquare("attention probabilities", probs, tokens.size());
        int s = tokens.size();
        int cell = clamp(Math.round(720f / s), 4, 36);
        return draw(tokens, new float[][][] {probs}, List.of(), title, cell, 1);
    }

    /**
     * Every head of one layer: {@code probs[h][i][j]} for head h, drawn in a grid of
     * ceil(sqrt(heads)) columns, each panel titled with its head's index (0-based, as in HF).
     * Query labels are drawn beside the first column, key labels under the lowest panel of each
     * column.
     *
     * @param tokens the S tokens labelling the axes, none null, at least one
     * @param probs  {@code [heads][S][S]} attention probabilities of one layer, at least one head,
     *               each value in [0, 1]
     * @param title  drawn above the grid; null or empty for none
     * @return the picture and each head's panel in it; a cell is 300 / S pixels, kept within 3 to 24
     * @throws IllegalArgumentException if there are no heads, a head's shape does not match the
     *                                  tokens, a value is not a probability, or the picture would
     *                                  exceed 100 million pixels
     */
    public static Rendered layer(List<String> tokens, float[][][] probs, String title) {
        Drawing.checkTokens(tokens);
        if (probs == null || probs.length == 0) {
            throw new IllegalArgumentException("no attention heads to draw");
        }
        List<String> names = new ArrayList<>();
        for (int h = 0; h < probs.length; h++) {
            Drawing.checkSquare("attention probabilities of head " + h, probs[h], tokens.size());
            names.add("head " + h);
        }
        int cols = (int) Math.ceil(Math.sqrt(probs.length));
        int cell = clamp(Math.round(300f / tokens.size()), 3, 24);
        return draw(tokens, probs, names, title, cell, cols);
    }

    private static Rendered draw(List<String> tokens, float[][][] heads, List<String> panelTitles,
                                 String title, int cell, int cols) {
        int s = tokens.size();
        int n = heads.length;
        int rows = (n + cols - 1) / cols;
        int fontSize = clamp(cell - 2, 8, 13);
        int step = Drawing.labelStep(cell, fontSize);
        Font labelFont = Drawing.font(fontSize, false);
        Font titleFont = Drawing.font(15, true);
        Font panelFont = Drawing.font(12, true);
        Font tickFont = Drawing.font(11, false);
        FontMetrics lfm = Drawing.metrics(labelFont);
        int labelW = Drawing.widest(tokens, lfm) + 6;
        int tickW = Drawing.metrics(tickFont).stringWidth("0.75") + 6;
        boolean hasTitle = title != null && !title.isEmpty();

        int side = s * cell;
        int panelTitleH = panelTitles.isEmpty() ? 0 : 18;
        int gap = panelTitles.isEmpty() ? 0 : 18;
        // Key labels sit under the lowest panel of each column only, so rows above need no room for them.
        int gridX = MARGIN + AXIS_TITLE + labelW;
        int gridY = MARGIN + (hasTitle ? 26 : 0);
        int panelsW = cols * side + (cols - 1) * gap;
        int rowPitch = panelTitleH + side + gap;
        int panelsH = rows * rowPitch - gap;
        int barX = gridX + panelsW + 18;
        int width = barX + BAR_WIDTH + 6 + tickW + MARGIN;
        int height = gridY + panelsH + labelW + AXIS_TITLE + MARGIN;

        BufferedImage image = Drawing.canvas(width, height);
        Graphics2D g = Drawing.graphics(image);
        try {
            if (hasTitle) {
                g.setFont(titleFont);
                g.setColor(Drawing.INK);
                g.drawString(title, MARGIN, MARGIN + g.getFontMetrics().getAscent());
            }
            List<Rectangle> panels = new ArrayList<>();
            for (int h = 0; h < n; h++) {
                int r = h / cols, c = h % cols;
                int px = gridX + c * (side + gap);
                int py = gridY + r * rowPitch + panelTitleH;
                Rectangle panel = new Rectangle(px, py, side, side);
                panels.add(panel);
                if (!panelTitles.isEmpty()) {
                    g.setFont(panelFont);
                    g.setColor(Drawing.INK);
                    g.drawString(panelTitles.get(h), px, py - 5);
                }
                cells(g, heads[h], panel, cell);
                g.setFont(labelFont);
                g.setColor(Drawing.INK);
                if (c == 0) {
                    for (int i = 0; i < s; i += step) {
                        Drawing.rightAligned(g, Drawing.label(tokens.get(i)), px - 4, py + i * cell + cell / 2);
                    }
                }
                boolean lowestInColumn = h + cols >= n;
                if (lowestInColumn) {
                    for (int j = 0; j < s; j += step) {
                        Drawing.upward(g, Drawing.label(tokens.get(j)), px + j * cell + cell / 2, py + side + 4);
                    }
                }
            }
            g.setFont(Drawing.font(12, false));
            g.setColor(Drawing.MUTED);
            Drawing.upwardCentred(g, "query (attending)", MARGIN + 8, gridY + panelsH / 2);
            Drawing.centred(g, "key (attended to)", gridX + panelsW / 2, height - MARGIN - AXIS_TITLE / 2 + 2);
            colourBar(g, tickFont, barX, gridY + panelTitleH, Math.max(side, 120));
            return new Rendered(image, List.copyOf(panels), cell, step);
        } finally {
            g.dispose();
        }
    }

    private static void cells(Graphics2D g, float[][] p, Rectangle panel, int cell) {
        for (int i = 0; i < p.length; i++) {
            for (int j = 0; j < p.length; j++) {
                g.setColor(Colormap.VIRIDIS.at(p[i][j]));
                g.fillRect(panel.x + j * cell, panel.y + i * cell, cell, cell);
            }
        }
        g.setColor(new Color(0xbbbbbb));
        g.drawRect(panel.x - 1, panel.y - 1, panel.width + 1, panel.height + 1);
    }

    /** Vertical bar, 1 at the top, with ticks at 0, 0.25, …, 1. */
    private static void colourBar(Graphics2D g, Font tickFont, int x, int y, int h) {
        for (int r = 0; r < h; r++) {
            g.setColor(Colormap.VIRIDIS.at(1 - r / (double) (h - 1)));
            g.fillRect(x, y + r, BAR_WIDTH, 1);
        }
        g.setColor(new Color(0xbbbbbb));
        g.drawRect(x - 1, y - 1, BAR_WIDTH + 1, h + 1);
        g.setFont(tickFont);
        g.setColor(Drawing.INK);
        for (int k = 0; k <= 4; k++) {
            double v = k / 4.0;
            int ty = y + (int) Math.round((1 - v) * (h - 1));
            g.drawLine(x + BAR_WIDTH, ty, x + BAR_WIDTH + 3, ty);
            FontMetrics fm = g.getFontMetrics();
            g.drawString(Drawing.tick(v), x + BAR_WIDTH + 6, ty + (fm.getAscent() - fm.getDescent()) / 2);
        }
    }

    private static int clamp(int v, int lo, int hi) {
        return Math.max(lo, Math.min(hi, v));
    }
}
