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
 * Tokens coloured by a signed score (an attribution such as integrated gradients per token): red
 * for positive, blue for negative, near-white for zero, on a scale symmetric about 0 whose
 * half-width is the largest |score| (so the strongest token is fully saturated whatever its sign).
 * Each token's box shows the token and, under it, its score. Tokens flow left to right and wrap
 * into lines of at most {@link #MAX_WIDTH} pixels; a colour bar under them gives the scale.
 */
public final class AttributionStrip {
    /** Widest picture before tokens wrap to a new line. */
    public static final int MAX_WIDTH = 1000;
    private static final int MARGIN = 16;
    private static final int GAP = 4;
    private static final int PAD = 6;

    private AttributionStrip() {
    }

    /**
     * A drawn strip: the image and each token's box in it (in token order) and the scale's half-width.
     *
     * @param image  the picture, RGB without alpha
     * @param boxes  each token's box in image pixels, in token order
     * @param maxAbs the largest |score|, the half-width of the colour scale; 0 when every score is 0
     *               (then all are drawn white)
     */
    public record Rendered(BufferedImage image, List<Rectangle> boxes, double maxAbs) {
    }

    /**
     * Draws {@code scores[i]} for {@code tokens[i]}.
     *
     * @param tokens the tokens, none null, at least one
     * @param scores one signed score per token, any unit (the scale adapts to the largest |score|)
     * @param title  drawn above the tokens; null or empty for none
     * @return the picture, at most {@link #MAX_WIDTH} pixels wide, and where each token lies in it
     * @throws IllegalArgumentException if the lengths differ or a score is not finite
     */
    public static Rendered render(List<String> tokens, float[] scores, String title) {
        Drawing.checkTokens(tokens);
        if (scores == null || scores.length != tokens.size()) {
            throw new IllegalArgumentException((scores == null ? "no" : String.valueOf(scores.length))
                    + " scores for " + tokens.size() + " tokens");
        }
        double maxAbs = 0;
        for (int i = 0; i < scores.length; i++) {
            if (!Float.isFinite(scores[i])) {
                throw new IllegalArgumentException("score of token " + i + " ('" + tokens.get(i)
                        + "') is " + scores[i]);
            }
            maxAbs = Math.max(maxAbs, Math.abs(scores[i]));
        }
        // All zero: draw them white rather than divide by zero.
        double scale = maxAbs > 0 ? maxAbs : 1;

        Font tokenFont = Drawing.font(14, false);
        Font scoreFont = Drawing.font(10, false);
        Font titleFont = Drawing.font(15, true);
        FontMetrics tfm = Drawing.metrics(tokenFont);
        FontMetrics sfm = Drawing.metrics(scoreFont);
        int boxH = PAD + tfm.getHeight() + sfm.getHeight() + PAD - 2;
        boolean hasTitle = title != null && !title.isEmpty();
        int y0 = MARGIN + (hasTitle ? 26 : 0);

        // Lay the boxes out first: the picture's size depends on where the lines wrap.
        List<Rectangle> boxes = new ArrayList<>();
        int x = MARGIN, y = y0, right = 0;
        for (int i = 0; i < tokens.size(); i++) {
            String t = Drawing.label(tokens.get(i));
            int w = Math.max(tfm.stringWidth(t), sfm.stringWidth(score(scores[i]))) + 2 * PAD;
            if (x > MARGIN && x + w > MAX_WIDTH - MARGIN) {
                x = MARGIN;
                y += boxH + GAP;
            }
            boxes.add(new Rectangle(x, y, w, boxH));
            x += w + GAP;
            right = Math.max(right, x);
        }
        int barY = y + boxH + 18;
        int barW = 240, barH = 12;
        int width = Math.max(right - GAP + MARGIN, MARGIN + barW + 2 * MARGIN + 60);
        int height = barY + barH + 18 + MARGIN;

        BufferedImage image = Drawing.canvas(width, height);
        Graphics2D g = Drawing.graphics(image);
        try {
            if (hasTitle) {
                g.setFont(titleFont);
                g.setColor(Drawing.INK);
                g.drawString(title, MARGIN, MARGIN + g.getFontMetrics().getAscent());
            }
            for (int i = 0; i < tokens.size(); i++) {
                Rectangle b = boxes.get(i);
                Color fill = Colormap.RED_BLUE.signed(scores[i], scale);
                g.setColor(fill);
                g.fillRoundRect(b.x, b.y, b.width, b.height, 6, 6);
                boolean dark = Colormap.luminance(fill) < 0.62;
                g.setColor(dark ? Color.WHITE : Drawing.INK);
                g.setFont(tokenFont);
                g.drawString(Drawing.label(tokens.get(i)), b.x + PAD, b.y + PAD - 2 + tfm.getAscent());
                g.setColor(dark ? new Color(0xeeeeee) : Drawing.MUTED);
                g.setFont(scoreFont);
                g.drawString(score(scores[i]), b.x + PAD, b.y + PAD - 2 + tfm.getHeight() + sfm.getAscent());
            }
            int barX = MARGIN + 40;
            for (int c = 0; c < barW; c++) {
                g.setColor(Colormap.RED_BLUE.at(c / (double) (barW - 1)));
                g.fillRect(barX + c, barY, 1, barH);
            }
            g.setColor(new Color(0xbbbbbb));
            g.drawRect(barX - 1, barY - 1, barW + 1, barH + 1);
            g.setFont(Drawing.font(11, false));
            g.setColor(Drawing.INK);
            int ty = barY + barH + 12;
            Drawing.centred(g, Drawing.tick(-maxAbs), barX, ty);
            Drawing.centred(g, "0", barX + barW / 2, ty);
            Drawing.centred(g, Drawing.tick(maxAbs), barX + barW, ty);
            g.setColor(Drawing.MUTED);
            g.drawString("score", barX + barW + 28, barY + barH - 1);
            return new Rendered(image, List.copyOf(boxes), maxAbs);
        } finally {
            g.dispose();
        }
    }

    private static String score(float s) {
        return String.format(java.util.Locale.ROOT, "%+.3g", s);
    }
}
