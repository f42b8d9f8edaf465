package org.bertj.model;

import org.bertj.model.hooks.HookPoint;

/**
 * A hook point as a module holds it: its name (built once, in the module's constructor, so no
 * string work per call), its layer, and its shape in Hugging Face's layout.
 */
final class Point {

    /** HF's shape of the activation, and how ours relates to it. */
    enum Kind {
        /** HF {@code [B, S, width]}; ours {@code [B·S, width]} (a reshape view). */
        TOKENS,
        /** {@code [B, heads, S, width]}, ours alike. */
        HEADS,
        /** {@code [B, heads, S, S]}, ours alike. */
        SCORES,
        /** {@code [B, width]}, ours alike. */
        ROWS
    }

    final String name;
    final int layer;
    final Kind kind;
    final int width;
    final int heads;

    Point(String name, int layer, Kind kind, int width, int heads) {
        this.name = name;
        this.layer = layer;
        this.kind = kind;
        this.width = width;
        this.heads = heads;
    }

    static Point tokens(String name, int layer, int width) {
        return new Point(name, layer, Kind.TOKENS, width, 0);
    }

    static Point rows(String name, int width) {
        return new Point(name, -1, Kind.ROWS, width, 0);
    }

    /** The public description for batch {@code b} and sequence length {@code s}. */
    HookPoint describe(int b, int s) {
        long[] shape = switch (kind) {
            case TOKENS -> new long[] {b, s, width};
            case HEADS -> new long[] {b, heads, s, width};
            case SCORES -> new long[] {b, heads, s, s};
            case ROWS -> new long[] {b, width};
        };
        return new HookPoint(name, layer, shape);
    }

    @Override
    public String toString() {
        return name;
    }
}
