package org.bertj.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.function.Supplier;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Central-difference check of a DOUBLE model's analytic gradients on sampled parameter entries. */
final class GradientCheck {

    private GradientCheck() {
    }

    /**
     * For {@code perTensor} random entries of every parameter, compares the analytic gradient with
     * {@code (L(θ+h) - L(θ-h)) / 2h}; fails naming the worst entry if the relative error exceeds
     * {@code maxRelError} (absolute differences below {@code absFloor} always pass).
     *
     * @return the largest relative error seen
     */
    static double check(BertForPreTraining model, BertInputs inputs, INDArray labels, INDArray nsp,
            Supplier<Pass> pass, int perTensor, double maxRelError, double absFloor, long seed) {
        return check(model, inputs, labels, nsp, pass, perTensor, maxRelError, absFloor, seed, n -> true);
    }

    /** As above, on the parameters {@code which} accepts only. */
    static double check(BertForPreTraining model, BertInputs inputs, INDArray labels, INDArray nsp,
            Supplier<Pass> pass, int perTensor, double maxRelError, double absFloor, long seed,
            java.util.function.Predicate<String> which) {
        if (model.dataType() != DataType.DOUBLE) {
            throw new IllegalArgumentException("finite differences need a DOUBLE model");
        }
        Gradients grads = new Gradients(model.parameters());
        TrainingStepResult step = model.trainingStep(inputs, labels, nsp, grads, pass.get());
        assertTrue(Double.isFinite(step.loss()), "loss " + step.loss());
        Random rnd = new Random(seed);
        double h = 1e-5;
        double worst = 0;
        String worstAt = "";
        int checked = 0;
        for (String name : model.parameters().names()) {
            if (!which.test(name)) {
                continue;
            }
            INDArray p = model.parameters().get(name);
            INDArray g = grads.get(name);
            for (int k = 0; k < perTensor; k++) {
                long flat = (long) (rnd.nextDouble() * p.length());
                long[] idx = index(p.shape(), flat);
                double v = p.getDouble(idx);
                p.putScalar(idx, v + h);
                double up = loss(model, inputs, labels, nsp, pass.get());
                p.putScalar(idx, v - h);
                double down = loss(model, inputs, labels, nsp, pass.get());
                p.putScalar(idx, v);
                double numeric = (up - down) / (2 * h);
                double analytic = g.getDouble(idx);
                assertTrue(Double.isFinite(numeric) && Double.isFinite(analytic),
                        name + " analytic " + analytic + " numeric " + numeric);
                double diff = Math.abs(numeric - analytic);
                double rel = diff < absFloor ? 0 : diff / Math.max(Math.abs(numeric), Math.abs(analytic));
                checked++;
                if (rel > worst) {
                    worst = rel;
                    worstAt = name + java.util.Arrays.toString(idx) + " analytic " + analytic + " numeric " + numeric;
                }
            }
        }
        System.out.printf("gradient check: %d entries, worst relative error %.3g at %s%n", checked, worst, worstAt);
        assertTrue(worst <= maxRelError, "relative error " + worst + " at " + worstAt);
        return worst;
    }

    private static double loss(BertForPreTraining m, BertInputs in, INDArray labels, INDArray nsp, Pass pass) {
        BertForPreTrainingOutput o = m.forward(in, OutputOptions.NONE, pass);
        return org.bertj.loss.PreTrainingLoss.compute(o.predictionLogits(), labels, o.seqRelationshipLogits(), nsp,
                false).total();
    }

    private static long[] index(long[] shape, long flat) {
        long[] idx = new long[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = flat % shape[d];
            flat /= shape[d];
        }
        return idx;
    }
}
