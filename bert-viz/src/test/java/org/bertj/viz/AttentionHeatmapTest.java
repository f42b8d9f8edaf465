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

class AttentionHeatmapTest {
    @TempDir
    Path dir;

    @Test
    void oneHeadHasItsBrightestCellWhereTheLargestProbabilityIsAndEveryTokenLabelled() throws Exception {
        List<String> tokens = Samples.TOKENS;
        int s = tokens.size();
        float[][] p = Samples.attention(s, 7, 5, 3);
        AttentionHeatmap.Rendered r = AttentionHeatmap.head(tokens, p, "layer 3, head 7");
        BufferedImage img = Pixels.roundTrip(r.image(), dir.resolve("head.png"));

        assertEquals(r.image().getWidth(), img.getWidth());
        assertEquals(r.image().getHeight(), img.getHeight());
        Rectangle grid = r.panels().get(0);
        assertEquals(s * r.cell(), grid.width);
        assertTrue(grid.x + grid.width < img.getWidth() && grid.y + grid.height < img.getHeight());
        assertEquals(1, r.labelStep(), "24 tokens fit a label each");

        // The brightest pixel of the whole grid lies in the cell of the largest probability.
        int bi = 0, bj = 0;
        for (int i = 0; i < s; i++) {
            for (int j = 0; j < s; j++) {
                if (p[i][j] > p[bi][bj]) {
                    bi = i;
                    bj = j;
                }
            }
        }
        int[] px = Pixels.brightest(img, grid);
        assertTrue(r.cellBounds(0, bi, bj).contains(px[0], px[1]),
                "brightest pixel " + px[0] + "," + px[1] + " not in cell " + bi + "," + bj);
        // And in each row, the brightest cell is that row's largest probability.
        for (int i = 0; i < s; i++) {
            int[] rp = Pixels.brightest(img, new Rectangle(grid.x, grid.y + i * r.cell(), grid.width, r.cell()));
            assertEquals(Samples.argmax(p[i]), (rp[0] - grid.x) / r.cell(), "row " + i);
        }
        // Each query label is beside its row, each key label under its column.
        for (int i = 0; i < s; i++) {
            Rectangle left = new Rectangle(grid.x - 24, grid.y + i * r.cell(), 22, r.cell());
            assertTrue(Pixels.ink(img, left) > 1, "no label for query " + i + " (" + tokens.get(i) + ")");
            Rectangle below = new Rectangle(grid.x + i * r.cell(), grid.y + grid.height + 2, r.cell(), 22);
            assertTrue(Pixels.ink(img, below) > 1, "no label for key " + i + " (" + tokens.get(i) + ")");
        }
        // Between two labels' rows there is white: they do not run into each other.
        Rectangle gap = new Rectangle(grid.x - 24, grid.y + r.cell() - 1, 22, 2);
        assertTrue(Pixels.ink(img, gap) < 8, "labels of rows 0 and 1 touch");
        // The colour bar right of the grid runs from bright (1, top) to dark (0, bottom).
        int barX = grid.x + grid.width + 18 + 7;
        double top = Pixels.luminance(img.getRGB(barX, grid.y + 1));
        double bottom = Pixels.luminance(img.getRGB(barX, grid.y + Math.max(grid.height, 120) - 2));
        assertTrue(top > 180 && bottom < 60, "colour bar top " + top + ", bottom " + bottom);
    }

    @Test
    void aLayerGridDrawsEveryHeadWithItsOwnBrightestCell() throws Exception {
        List<String> tokens = Samples.TOKENS.subList(0, 10);
        int heads = 12;
        float[][][] p = new float[heads][][];
        for (int h = 0; h < heads; h++) {
            p[h] = Samples.attention(tokens.size(), 100 + h, 1, h);
        }
        AttentionHeatmap.Rendered r = AttentionHeatmap.layer(tokens, p, "layer 0");
        BufferedImage img = Pixels.roundTrip(r.image(), dir.resolve("layer.png"));
        assertEquals(heads, r.panels().size());
        for (int h = 0; h < heads; h++) {
            Rectangle panel = r.panels().get(h);
            for (int a = 0; a < h; a++) {
                assertTrue(!panel.intersects(r.panels().get(a)), "panels " + a + " and " + h + " overlap");
            }
            for (int i = 0; i < tokens.size(); i++) {
                int[] rp = Pixels.brightest(img, new Rectangle(panel.x, panel.y + i * r.cell(), panel.width, r.cell()));
                assertEquals(Samples.argmax(p[h][i]), (rp[0] - panel.x) / r.cell(), "head " + h + " row " + i);
            }
            // "head h" is written above the panel.
            assertTrue(Pixels.ink(img, new Rectangle(panel.x, panel.y - 16, 50, 14)) > 10, "no title over head " + h);
        }
        // 12 heads: 4 columns, 3 rows; query labels left of column 0, key labels under row 2.
        Rectangle first = r.panels().get(0), last = r.panels().get(heads - 1);
        assertEquals(first.y, r.panels().get(3).y);
        assertTrue(Pixels.ink(img, new Rectangle(first.x - 24, first.y, 22, first.height)) > 50);
        assertTrue(Pixels.ink(img, new Rectangle(last.x, last.y + last.height + 2, last.width, 22)) > 50);
    }

    @Test
    void longSentencesLabelEveryFewTokensRatherThanOverprint() throws Exception {
        int s = 128;
        List<String> tokens = new java.util.ArrayList<>();
        for (int i = 0; i < s; i++) {
            tokens.add("tok" + i);
        }
        AttentionHeatmap.Rendered r = AttentionHeatmap.head(tokens, Samples.attention(s, 3, 1, 0), "");
        BufferedImage img = Pixels.roundTrip(r.image(), dir.resolve("long.png"));
        assertTrue(r.labelStep() >= 1 && r.cell() * r.labelStep() >= 9, "labels closer than 9 px");
        assertTrue(img.getWidth() < 2200, "width " + img.getWidth());
    }

    @Test
    void badShapesAndValuesAreRefusedByName() {
        List<String> tokens = List.of("a", "b", "c");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AttentionHeatmap.head(tokens, new float[2][3], "x"));
        assertTrue(e.getMessage().contains("2 rows for 3 tokens"), e.getMessage());
        float[][] nan = new float[3][3];
        nan[1][2] = Float.NaN;
        e = assertThrows(IllegalArgumentException.class, () -> AttentionHeatmap.head(tokens, nan, "x"));
        assertTrue(e.getMessage().contains("[1][2] = NaN"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> AttentionHeatmap.layer(tokens, new float[][][] {new float[3][3], new float[3][2]}, "x"));
        assertTrue(e.getMessage().contains("head 1 row 0 has 2 columns"), e.getMessage());
    }
}
