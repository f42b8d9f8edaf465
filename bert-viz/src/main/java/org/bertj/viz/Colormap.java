package org.bertj.viz;

import java.awt.Color;

/**
 * The two colour scales of the pictures: {@link #VIRIDIS} for probabilities (dark purple at 0 to
 * bright yellow at 1; brightness rises monotonically, so the brightest cell is the largest value and
 * it reads the same in grey) and {@link #RED_BLUE} for signed scores (blue negative, near-white zero,
 * red positive; ColorBrewer's RdBu, reversed).
 */
public enum Colormap {
    /** matplotlib's viridis at 0, 0.1, …, 1, interpolated linearly in sRGB between the stops. */
    VIRIDIS(0x440154, 0x482475, 0x414487, 0x355f8d, 0x2a788e, 0x21918c, 0x22a884, 0x44bf70,
            0x7ad151, 0xbddf26, 0xfde725),
    /** ColorBrewer RdBu (5 classes), reversed so that negative is blue; the middle stop is 0. */
    RED_BLUE(0x2166ac, 0x92c5de, 0xf7f7f7, 0xf4a582, 0xb2182b);

    private final int[] stops;

    Colormap(int... stops) {
        this.stops = stops;
    }

    /**
     * The colour at {@code t} in [0, 1] (values outside are clamped, NaN is an error). For
     * {@link #RED_BLUE} a signed score s in [-m, m] maps to {@code t = (s / m + 1) / 2}.
     *
     * @param t the position on the scale, 0 for the first stop and 1 for the last
     * @return the colour, opaque, interpolated linearly between the two nearest stops
     * @throws IllegalArgumentException if {@code t} is NaN
     */
    public Color at(double t) {
        if (Double.isNaN(t)) {
            throw new IllegalArgumentException("colour scale position is NaN");
        }
        double x = Math.max(0, Math.min(1, t)) * (stops.length - 1);
        int i = Math.min((int) x, stops.length - 2);
        double f = x - i;
        int a = stops[i], b = stops[i + 1];
        return new Color(mix(a >> 16, b >> 16, f), mix(a >> 8, b >> 8, f), mix(a, b, f));
    }

    /**
     * The colour of signed {@code score} on a symmetric scale of half-width {@code maxAbs} (&gt; 0).
     *
     * @param score  the value to colour; beyond {@code ±maxAbs} it gets the end colour
     * @param maxAbs the half-width of the scale; must be positive
     * @return the colour: the middle stop for 0, the first stop for {@code -maxAbs}, the last for
     *         {@code maxAbs}
     * @throws IllegalArgumentException if {@code score / maxAbs} is NaN (a score of 0 with
     *                                  {@code maxAbs} 0, or a NaN argument)
     */
    public Color signed(double score, double maxAbs) {
        return at((score / maxAbs + 1) / 2);
    }

    private static int mix(int a, int b, double f) {
        a &= 0xff;
        b &= 0xff;
        return (int) Math.round(a + (b - a) * f);
    }

    /** Relative luminance in [0, 1] (sRGB weights, no gamma: good enough to pick black or white text). */
    static double luminance(Color c) {
        return (0.2126 * c.getRed() + 0.7152 * c.getGreen() + 0.0722 * c.getBlue()) / 255.0;
    }
}
