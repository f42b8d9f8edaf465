package org.bertj.cli;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Prints tensors the way PyTorch's default {@code repr} does (fixed point, 4 decimals, line width
 * 80, 3 edge items when summarised), so our output can be laid next to a notebook's line by line.
 * Only the cases the notebooks print are covered: integer vectors and matrices, small float
 * matrices and the summarised corners of a {@code [B, S, V]} tensor.
 */
final class TorchFormat {

    /** PyTorch's {@code edgeitems}: summarised dimensions show this many items at each end. */
    static final int EDGE = 3;
    private static final int LINE_WIDTH = 80;
    private static final String PREFIX = "tensor(";

    private TorchFormat() {
    }

    /** {@code tensor(v)} of a scalar integer. */
    static String scalar(long v) {
        return PREFIX + v + ")";
    }

    /** {@code tensor(v)} of a scalar float: PyTorch prints 4 decimals. */
    static String scalar(double v) {
        return PREFIX + fixed(v) + ")";
    }

    /** A 1-D integer tensor, {@code tensor([a, b, ...])}, wrapped as PyTorch wraps it. */
    static String vector(int[] v) {
        return PREFIX + intRow(v, width(v), PREFIX.length()) + ")";
    }

    /** A 2-D integer tensor, {@code tensor([[a, b, ...]])}. */
    static String matrix(int[][] rows) {
        int w = 1;
        for (int[] r : rows) {
            w = Math.max(w, width(r));
        }
        List<String> parts = new ArrayList<>();
        for (int[] r : rows) {
            parts.add(intRow(r, w, PREFIX.length() + 1));
        }
        return PREFIX + "[" + String.join(",\n" + " ".repeat(PREFIX.length() + 1), parts) + "])";
    }

    /** A small 2-D float tensor, every value shown: {@code tensor([[ 6.0915, -5.6939]])}. */
    static String floats(double[][] rows) {
        int w = 0;
        for (double[] r : rows) {
            for (double x : r) {
                w = Math.max(w, fixed(x).length());
            }
        }
        List<String> parts = new ArrayList<>();
        for (double[] r : rows) {
            List<String> cells = new ArrayList<>();
            for (double x : r) {
                cells.add(pad(fixed(x), w));
            }
            parts.add("[" + String.join(", ", cells) + "]");
        }
        return PREFIX + "[" + String.join(",\n" + " ".repeat(PREFIX.length() + 1), parts) + "])";
    }

    /**
     * The corners PyTorch shows of a summarised {@code [1, S, V]} tensor: the first and last
     * {@link #EDGE} rows and columns (S and V must both exceed {@code 2·EDGE}).
     */
    static double[][] corners(INDArray t) {
        long s = t.size(1);
        long v = t.size(2);
        long[] rows = edges(s);
        long[] cols = edges(v);
        double[][] c = new double[rows.length][cols.length];
        for (int i = 0; i < rows.length; i++) {
            for (int j = 0; j < cols.length; j++) {
                c[i][j] = t.getDouble(0, rows[i], cols[j]);
            }
        }
        return c;
    }

    /** The indices PyTorch shows of a summarised dimension of size {@code n}. */
    static long[] edges(long n) {
        return new long[] {0, 1, 2, n - 3, n - 2, n - 1};
    }

    /**
     * A summarised {@code [1, S, V]} float tensor as PyTorch prints it, given its {@link #corners}.
     */
    static String summarized3d(double[][] corners) {
        int w = 0;
        for (double[] r : corners) {
            for (double x : r) {
                w = Math.max(w, fixed(x).length());
            }
        }
        int indent = PREFIX.length() + 2;
        List<String> rows = new ArrayList<>();
        for (int i = 0; i < corners.length; i++) {
            if (i == EDGE) {
                rows.add("...");
            }
            List<String> cells = new ArrayList<>();
            for (int j = 0; j < corners[i].length; j++) {
                if (j == EDGE) {
                    cells.add(" ...");
                }
                cells.add(pad(fixed(corners[i][j]), w));
            }
            rows.add("[" + String.join(", ", cells) + "]");
        }
        return PREFIX + "[[" + String.join(",\n" + " ".repeat(indent), rows) + "]])";
    }

    /**
     * {@code %.4f} of the exact binary value, ties to even, as Python's {@code format} rounds
     * (Java's {@code String.format} rounds half-up from a shortened decimal and can differ).
     */
    static String fixed(double x) {
        String s = new BigDecimal(x).setScale(4, RoundingMode.HALF_EVEN).toPlainString();
        return x < 0 && !s.startsWith("-") ? "-" + s : s;
    }

    private static String intRow(int[] v, int w, int indent) {
        int perLine = Math.max(1, (LINE_WIDTH - indent) / (w + 2));
        List<String> lines = new ArrayList<>();
        for (int start = 0; start < v.length; start += perLine) {
            List<String> cells = new ArrayList<>();
            for (int i = start; i < Math.min(v.length, start + perLine); i++) {
                cells.add(pad(Integer.toString(v[i]), w));
            }
            lines.add(String.join(", ", cells));
        }
        return "[" + String.join(",\n" + " ".repeat(indent + 1), lines) + "]";
    }

    private static int width(int[] v) {
        return Arrays.stream(v).map(x -> Integer.toString(x).length()).max().orElse(1);
    }

    private static String pad(String s, int w) {
        return s.length() >= w ? s : " ".repeat(w - s.length()) + s;
    }
}
