package org.bertj.viz;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.util.List;

/** What the PNG pictures share: fonts, colours, text placement, input checks. */
final class Drawing {
    static final Color BACKGROUND = Color.WHITE;
    static final Color INK = new Color(0x22, 0x22, 0x22);
    static final Color MUTED = new Color(0x66, 0x66, 0x66);
    /** Longest label drawn in full; longer ones end in an ellipsis so one token cannot widen the picture. */
    static final int MAX_LABEL_CHARS = 16;

    private Drawing() {
    }

    static Font font(int size, boolean bold) {
        return new Font(Font.SANS_SERIF, bold ? Font.BOLD : Font.PLAIN, size);
    }

    /** A blank RGB image (no alpha), refused beyond 100 million pixels before anything is allocated. */
    static BufferedImage canvas(int width, int height) {
        if (width <= 0 || height <= 0 || (long) width * height > 100_000_000L) {
            throw new IllegalArgumentException("picture would be " + width + "x" + height + " pixels; "
                    + "at most 100 million are drawn (use fewer tokens)");
        }
        return new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    }

    static Graphics2D graphics(BufferedImage image) {
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
        g.setColor(BACKGROUND);
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        return g;
    }

    /** A graphics context only for measuring text before the picture's size is known. */
    static FontMetrics metrics(Font font) {
        BufferedImage one = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = graphics(one);
        try {
            return g.getFontMetrics(font);
        } finally {
            g.dispose();
        }
    }

    static String label(String token) {
        String t = token.replaceAll("\\p{Cntrl}", " ");
        return t.length() <= MAX_LABEL_CHARS ? t : t.substring(0, MAX_LABEL_CHARS - 1) + "…";
    }

    static int widest(List<String> labels, FontMetrics fm) {
        int w = 0;
        for (String s : labels) {
            w = Math.max(w, fm.stringWidth(label(s)));
        }
        return w;
    }

    /** Draws {@code text} right-aligned so that it ends at x, vertically centred on y. */
    static void rightAligned(Graphics2D g, String text, int x, int y) {
        FontMetrics fm = g.getFontMetrics();
        g.drawString(text, x - fm.stringWidth(text), y + (fm.getAscent() - fm.getDescent()) / 2);
    }

    static void centred(Graphics2D g, String text, int x, int y) {
        FontMetrics fm = g.getFontMetrics();
        g.drawString(text, x - fm.stringWidth(text) / 2, y + (fm.getAscent() - fm.getDescent()) / 2);
    }

    /**
     * Draws {@code text} turned 90° anticlockwise (read bottom to top), centred on column x, its end
     * at y and its start below: how matplotlib writes rotated tick labels under an axis.
     */
    static void upward(Graphics2D g, String text, int x, int y) {
        FontMetrics fm = g.getFontMetrics();
        AffineTransform saved = g.getTransform();
        g.translate(x + (fm.getAscent() - fm.getDescent()) / 2.0, y);
        g.rotate(-Math.PI / 2);
        g.drawString(text, -fm.stringWidth(text), 0);
        g.setTransform(saved);
    }

    /** Upward text centred on (x, y): an axis title beside a vertical axis. */
    static void upwardCentred(Graphics2D g, String text, int x, int y) {
        FontMetrics fm = g.getFontMetrics();
        upward(g, text, x, y + fm.stringWidth(text) / 2);
    }

    /** Every label to show is a pitch of at least this many pixels apart, else they overlap. */
    static int labelStep(int cellPixels, int fontSize) {
        int pitch = fontSize + 1;
        return Math.max(1, (pitch + cellPixels - 1) / cellPixels);
    }

    static void checkTokens(List<String> tokens) {
        if (tokens == null || tokens.isEmpty()) {
            throw new IllegalArgumentException("no tokens to draw");
        }
        for (int i = 0; i < tokens.size(); i++) {
            if (tokens.get(i) == null) {
                throw new IllegalArgumentException("token " + i + " is null");
            }
        }
    }

    /** Checks that m is S x S probabilities (finite, in [0, 1] up to rounding) for S tokens. */
    static void checkSquare(String what, float[][] m, int tokens) {
        if (m == null || m.length != tokens) {
            throw new IllegalArgumentException(what + " has " + (m == null ? "no" : m.length)
                    + " rows for " + tokens + " tokens");
        }
        for (int i = 0; i < m.length; i++) {
            if (m[i] == null || m[i].length != tokens) {
                throw new IllegalArgumentException(what + " row " + i + " has "
                        + (m[i] == null ? "no" : m[i].length) + " columns for " + tokens + " tokens");
            }
            for (int j = 0; j < tokens; j++) {
                float p = m[i][j];
                if (!(p >= -1e-4f && p <= 1 + 1e-4f)) {
                    throw new IllegalArgumentException(what + " [" + i + "][" + j + "] = " + p
                            + " is not a probability in [0, 1]");
                }
            }
        }
    }

    static String tick(double v) {
        if (v == 0) {
            return "0";
        }
        double a = Math.abs(v);
        if (a >= 100 || a < 0.01) {
            return String.format(java.util.Locale.ROOT, "%.2g", v);
        }
        return String.format(java.util.Locale.ROOT, a >= 10 ? "%.1f" : "%.2f", v);
    }
}
