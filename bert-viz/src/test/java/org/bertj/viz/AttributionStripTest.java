package org.bertj.viz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AttributionStripTest {
    @TempDir
    Path dir;

    @Test
    void tokensAreRedWhenPositiveBlueWhenNegativeAndWhiteAtZero() throws Exception {
        List<String> tokens = Samples.TOKENS;
        float[] scores = new float[tokens.size()];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = (float) Math.sin(i * 1.7) * (i % 5 == 0 ? 0 : 1) * (1 + i / 10f);
        }
        scores[8] = 3.5f;     // 'presidential': the strongest, positive
        scores[3] = -2.0f;    // 'lincoln': negative
        AttributionStrip.Rendered r = AttributionStrip.render(tokens, scores, "integrated gradients, [MASK] -> election");
        BufferedImage img = Pixels.roundTrip(r.image(), dir.resolve("strip.png"));
        assertEquals(3.5, r.maxAbs(), 1e-6);
        assertEquals(tokens.size(), r.boxes().size());
        for (int i = 0; i < tokens.size(); i++) {
            Rectangle b = r.boxes().get(i);
            assertTrue(b.x + b.width <= img.getWidth() && b.y + b.height <= img.getHeight(), "box " + i + " outside");
            // Sample the box's fill where no text is: its lower right corner, inside the rounding.
            int rgb = img.getRGB(b.x + b.width - 3, b.y + b.height - 3);
            int red = Pixels.red(rgb), blue = Pixels.blue(rgb);
            String what = "token " + i + " (" + tokens.get(i) + ", " + scores[i] + "): rgb "
                    + red + "," + Pixels.green(rgb) + "," + blue;
            if (scores[i] == 0) {
                assertTrue(Math.abs(red - blue) < 4 && Pixels.luminance(rgb) > 240, what + " not white");
            } else {
                // Faint scores are faintly tinted, strong ones clearly.
                int margin = Math.abs(scores[i]) / r.maxAbs() > 0.15 ? 10 : 0;
                assertTrue(scores[i] > 0 ? red > blue + margin : blue > red + margin, what + " wrong sign colour");
            }
            // Every token's text is drawn in its box.
            assertTrue(Pixels.ink(img, new Rectangle(b.x + 3, b.y + 2, b.width - 6, b.height / 2)) > 1
                    || Pixels.luminance(img.getRGB(b.x + b.width - 3, b.y + b.height - 3)) < 170, "no text in box " + i);
        }
        // The strongest token is fully saturated red: ColorBrewer's darkest red, 0xb2182b.
        Rectangle strongest = r.boxes().get(8);
        int rgb = img.getRGB(strongest.x + strongest.width - 3, strongest.y + strongest.height - 3);
        assertEquals(0xb2, Pixels.red(rgb), 2);
        assertEquals(0x2b, Pixels.blue(rgb), 2);
        // A long strip wraps instead of growing wider than MAX_WIDTH.
        assertTrue(img.getWidth() <= AttributionStrip.MAX_WIDTH, "width " + img.getWidth());
        assertTrue(r.boxes().get(tokens.size() - 1).y > r.boxes().get(0).y, "24 tokens fit on one line?");
    }

    @Test
    void mismatchedOrNonFiniteScoresAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AttributionStrip.render(List.of("a", "b"), new float[3], "t"));
        assertTrue(e.getMessage().contains("3 scores for 2 tokens"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> AttributionStrip.render(List.of("a", "b"), new float[] {1, Float.POSITIVE_INFINITY}, "t"));
        assertTrue(e.getMessage().contains("token 1 ('b')"), e.getMessage());
    }

    @Test
    void allZeroScoresDrawWhiteNotNaN() throws Exception {
        AttributionStrip.Rendered r = AttributionStrip.render(List.of("[CLS]", "x", "[SEP]"), new float[3], "");
        BufferedImage img = Pixels.roundTrip(r.image(), dir.resolve("zeros.png"));
        Rectangle b = r.boxes().get(1);
        assertTrue(Pixels.luminance(img.getRGB(b.x + b.width - 3, b.y + b.height - 3)) > 240);
    }
}
