package org.bertj.weights;

import java.io.PrintStream;

/**
 * One line on stderr with a bar, redrawn in place ({@code \r}) as a long job advances:
 * {@code bertj: converting bert-base-uncased [#########...........]  45% extracting}. Redrawn at
 * most once per percent or change of phase, so a log file gets a few hundred bytes, not megabytes.
 */
public final class ProgressBar implements AutoCloseable {

    private static final int WIDTH = 30;

    private final PrintStream out;
    private final String title;
    private int lastPercent = -1;
    private String lastPhase = "";
    private boolean drawn;

    /**
     * @param out   where to draw (stderr: stdout belongs to the program's own output)
     * @param title what is being done, e.g. {@code converting bert-base-uncased}
     */
    public ProgressBar(PrintStream out, String title) {
        this.out = out;
        this.title = title;
    }

    /**
     * Redraws the line if the whole percent or the phase changed.
     *
     * @param fraction done so far, 0 to 1 (clamped)
     * @param phase    what is happening now, e.g. {@code extracting}
     */
    public synchronized void update(double fraction, String phase) {
        double f = Math.max(0, Math.min(1, fraction));
        int percent = (int) Math.floor(f * 100);
        if (percent == lastPercent && phase.equals(lastPhase)) {
            return;
        }
        lastPercent = percent;
        lastPhase = phase;
        int filled = (int) Math.round(f * WIDTH);
        out.print("\rbertj: " + title + " [" + "#".repeat(filled) + ".".repeat(WIDTH - filled) + "] "
                + String.format("%3d%% ", percent) + phase + "   ");
        out.flush();
        drawn = true;
    }

    /**
     * Ends the line (with {@code summary} in the phase's place), if anything was drawn.
     *
     * @param summary what to show at 100 %, e.g. "done in 21.3 s: /path"; nothing is printed if the
     *                bar was never drawn
     */
    public synchronized void finish(String summary) {
        if (drawn) {
            lastPercent = -1;
            update(1, summary);
            out.println();
            drawn = false;
        }
    }

    /** Ends the line as it stands. */
    @Override
    public synchronized void close() {
        if (drawn) {
            out.println();
            drawn = false;
        }
    }
}
