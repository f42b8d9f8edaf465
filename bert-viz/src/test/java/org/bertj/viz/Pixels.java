package org.bertj.viz;

import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** Looking at decoded pictures as a person would: where is it bright, is there ink. */
final class Pixels {
    private Pixels() {
    }

    /** Writes the picture through {@link PictureFiles} and decodes the file again with ImageIO. */
    static BufferedImage roundTrip(BufferedImage image, Path file) throws IOException {
        PictureFiles.writePng(image, file);
        BufferedImage read = ImageIO.read(file.toFile());
        if (read == null) {
            throw new AssertionError(file + " is not a PNG ImageIO can decode");
        }
        // Kept for a person to look at: target/viz/<name>.png
        Path keep = Path.of("target", "viz");
        Files.createDirectories(keep);
        Files.copy(file, keep.resolve(file.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return read;
    }

    static double luminance(int rgb) {
        return 0.2126 * (rgb >> 16 & 0xff) + 0.7152 * (rgb >> 8 & 0xff) + 0.0722 * (rgb & 0xff);
    }

    /** Number of pixels in r darker than light grey: text drawn there. */
    static int ink(BufferedImage img, Rectangle r) {
        int n = 0;
        for (int y = Math.max(0, r.y); y < Math.min(img.getHeight(), r.y + r.height); y++) {
            for (int x = Math.max(0, r.x); x < Math.min(img.getWidth(), r.x + r.width); x++) {
                if (luminance(img.getRGB(x, y)) < 170) {
                    n++;
                }
            }
        }
        return n;
    }

    /** The brightest pixel of r, as {x, y}. */
    static int[] brightest(BufferedImage img, Rectangle r) {
        int[] best = {r.x, r.y};
        double bl = -1;
        for (int y = r.y; y < r.y + r.height; y++) {
            for (int x = r.x; x < r.x + r.width; x++) {
                double l = luminance(img.getRGB(x, y));
                if (l > bl) {
                    bl = l;
                    best = new int[] {x, y};
                }
            }
        }
        return best;
    }

    static int red(int rgb) {
        return rgb >> 16 & 0xff;
    }

    static int green(int rgb) {
        return rgb >> 8 & 0xff;
    }

    static int blue(int rgb) {
        return rgb & 0xff;
    }
}
