package org.bertj.inspect;

import java.util.ArrayList;
import java.util.List;
import org.bertj.model.BertForPreTraining;
import org.bertj.model.BertInputs;
import org.bertj.model.OutputOptions;
import org.bertj.model.hooks.ActivationCache;

/**
 * A patching sweep as TransformerLens's patching module offers
 * ({@code get_act_patch_resid_pre}-style): run the corrupted inputs once per (residual point,
 * position), with that one activation patched in from the clean run, and record a metric of the
 * outputs. The grid shows where (layer × position) the information the metric needs is carried.
 */
public final class PatchingSweep {

    private PatchingSweep() {
    }

    /**
     * The grid.
     *
     * @param points          the patched points, one per row: {@code bert.embeddings.output}, then
     *                        {@code bert.encoder.layer.{i}.output} for i = 0..L−1
     * @param values          {@code values[row][position]}: the metric with that one patch
     * @param cleanValue      the metric on the clean inputs
     * @param corruptedValue  the metric on the corrupted inputs, unpatched
     */
    public record Grid(List<String> points, double[][] values, double cleanValue, double corruptedValue) {

        /**
         * The patched metric normalised to 0 at the corrupted and 1 at the clean value (how much of
         * the clean behaviour one patch restores).
         *
         * @param row      index into {@link #points()}
         * @param position sequence position
         * @return 0 where the patch changes nothing, 1 where it restores the clean value fully;
         *         infinite or NaN if the clean and corrupted values are equal
         */
        public double restored(int row, int position) {
            return (values[row][position] - corruptedValue) / (cleanValue - corruptedValue);
        }
    }

    /**
     * Patches the residual stream (embedding output and every layer output) at every position.
     *
     * @param model     the model
     * @param clean     the inputs whose activations are patched in
     * @param corrupted inputs of the same batch size and sequence length
     * @param metric    e.g. {@link Scalar#logitDifference}
     * @return the metric for every (point, position), L+1 rows of S values; costs (L+1)·S forwards
     * @throws IllegalArgumentException if the two inputs differ in shape
     */
    public static Grid residual(BertForPreTraining model, BertInputs clean, BertInputs corrupted, Scalar metric) {
        if (clean.batchSize() != corrupted.batchSize() || clean.sequenceLength() != corrupted.sequenceLength()) {
            throw new IllegalArgumentException("clean inputs are " + clean.batchSize() + "x" + clean.sequenceLength()
                    + ", corrupted " + corrupted.batchSize() + "x" + corrupted.sequenceLength() + ": they must match");
        }
        List<String> points = new ArrayList<>();
        points.add("bert.embeddings.output");
        for (int i = 0; i < model.config().numHiddenLayers(); i++) {
            points.add(Interventions.residual(i));
        }
        var cleanRun = model.runWithCache(clean, points::contains);
        ActivationCache cache = cleanRun.cache();
        double cleanValue = metric.value(cleanRun.output());
        double corruptedValue = metric.value(model.forward(corrupted, OutputOptions.NONE));
        int s = clean.sequenceLength();
        double[][] values = new double[points.size()][s];
        for (int r = 0; r < points.size(); r++) {
            String p = points.get(r);
            for (int pos = 0; pos < s; pos++) {
                values[r][pos] = metric.value(model.runWithHooks(corrupted,
                        Interventions.patch(p, cache.get(p), pos)));
            }
        }
        return new Grid(List.copyOf(points), values, cleanValue, corruptedValue);
    }
}
