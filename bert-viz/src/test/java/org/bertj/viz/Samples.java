package org.bertj.viz;

import java.util.List;
import java.util.Random;

/** Test inputs: real-looking tokens and attention rows with a known largest entry. */
final class Samples {
    static final List<String> TOKENS = List.of("[CLS]", "after", "abraham", "lincoln", "won", "the",
            "november", "1860", "presidential", "[MASK]", "on", "an", "anti", "-", "slavery",
            "platform", ",", "an", "initial", "seven", "slave", "states", "declared", "[SEP]");

    private Samples() {
    }

    /**
     * A softmax of random scores per row, with row i's largest entry forced to column
     * {@code (i * shift + offset) % s}, well above the rest.
     */
    static float[][] attention(int s, long seed, int shift, int offset) {
        Random r = new Random(seed);
        float[][] p = new float[s][s];
        for (int i = 0; i < s; i++) {
            double[] e = new double[s];
            double sum = 0;
            for (int j = 0; j < s; j++) {
                e[j] = Math.exp(r.nextGaussian());
                sum += e[j];
            }
            int top = (i * shift + offset) % s;
            e[top] = 0;
            e[top] = sum * (0.5 + r.nextDouble());
            sum += e[top];
            for (int j = 0; j < s; j++) {
                p[i][j] = (float) (e[j] / sum);
            }
        }
        return p;
    }

    static int argmax(float[] row) {
        int k = 0;
        for (int j = 1; j < row.length; j++) {
            if (row[j] > row[k]) {
                k = j;
            }
        }
        return k;
    }
}
