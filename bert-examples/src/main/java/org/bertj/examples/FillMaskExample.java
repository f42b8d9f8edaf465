package org.bertj.examples;

import org.bertj.tasks.Bert;
import org.bertj.tasks.FillMask;

/** The README's fill-mask example: the five most probable words at the mask, with their probabilities. */
public final class FillMaskExample {

    private FillMaskExample() {
    }

    /** @param args optional model directory or name (default bert-base-uncased) */
    public static void main(String[] args) throws Exception {
        // README fill-mask begin
        Bert bert = Bert.load(args.length > 0 ? args[0] : "bert-base-uncased");
        for (FillMask.Prediction mask : bert.fillMask().predict("Paris is the [MASK] of France.")) {
            for (FillMask.Candidate c : mask.candidates()) {
                System.out.printf("%-10s %.4f  %s%n", c.token(), c.score(), c.sequence());
            }
        }
        // README end
    }
}
