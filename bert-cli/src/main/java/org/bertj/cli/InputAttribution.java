package org.bertj.cli;

import java.util.List;
import org.bertj.model.BertForPreTraining;
import org.bertj.model.BertForPreTrainingOutput;
import org.bertj.model.BertInputs;
import org.bertj.model.OutputOptions;
import org.bertj.model.Pass;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Attribution of one output scalar to the input tokens through gradients with respect to
 * {@code inputs_embeds} (the word-embedding rows; HF adds position and token-type embeddings
 * after): saliency, gradient × input and integrated gradients (captum's {@code
 * IntegratedGradients} on BERT's word embeddings, midpoint rule, as
 * {@code shared/golden/internals/README.md} defines it). Eval mode: no dropout.
 */
final class InputAttribution {

    /** How scores are made from gradients. */
    enum Method {
        /** Σ_h (x − x′) ⊙ mean over the path of ∇ₓ s: signed; sums to ≈ s(x) − s(x′). */
        IG,
        /** ‖∇ₓ s‖₂ per token: how sensitive s is to the token, unsigned. */
        SALIENCY,
        /** Σ_h x ⊙ ∇ₓ s per token: signed, the first-order estimate of what removing the token's embedding does. */
        GRAD_X_INPUT
    }

    /**
     * The scalar explained: the MLM logit of {@code tokenId} at {@code position} of batch row
     * {@code row}, or (when {@code nsp}) the IsNext logit ({@code seq_relationship_logits[row, 0]}).
     */
    record Target(int row, int position, int tokenId, boolean nsp) {
    }

    /**
     * @param perToken   score per position of the target's row, {@code [S]}
     * @param embeds     the attribution per embedding component of the whole batch, {@code [B, S, H]}
     * @param fx         s(x)
     * @param fBaseline  s(x′) (IG only, else NaN)
     * @param steps      gradient evaluations made
     */
    record Result(double[] perToken, INDArray embeds, double fx, double fBaseline, int steps) {
        /** Σ attributions over the row. */
        double sum() {
            double s = 0;
            for (double v : perToken) {
                s += v;
            }
            return s;
        }

        /** Σ IG − (s(x) − s(x′)): zero for exact integration. */
        double completenessGap() {
            return sum() - (fx - fBaseline);
        }
    }

    private InputAttribution() {
    }

    /** {@code word_embeddings(input_ids)} {@code [B, S, H]}: the x that the attribution varies. */
    static INDArray wordEmbeddings(BertForPreTraining model, BertInputs inputs) {
        INDArray table = model.parameters().get("bert.embeddings.word_embeddings.weight");
        INDArray ids = inputs.inputIds();
        int b = inputs.batchSize(), s = inputs.sequenceLength();
        int[] flat = ids.reshape((long) b * s).toIntVector();
        return Nd4j.pullRows(table, 1, flat).reshape('c', b, s, table.size(1));
    }

    /** s at inputs_embeds = x, and ∇ₓ s {@code [B, S, H]} into {@code gradient}'s place. */
    static double valueAndGradient(BertForPreTraining model, BertInputs inputs, INDArray x, Target t, INDArray[] gradient) {
        Pass pass = Pass.deterministicTraining().withGradientsAt(List.of("inputs_embeds"));
        BertForPreTrainingOutput o = model.forward(inputs.withInputsEmbeds(x), OutputOptions.NONE, pass);
        double value;
        INDArray dLogits = null, dNsp = null;
        if (t.nsp()) {
            value = o.seqRelationshipLogits().getDouble(t.row(), 0);
            dNsp = Nd4j.zeros(o.seqRelationshipLogits().dataType(), o.seqRelationshipLogits().shape());
            dNsp.putScalar(new long[] {t.row(), 0}, 1.0);
        } else {
            value = o.predictionLogits().getDouble(t.row(), t.position(), t.tokenId());
            dLogits = Nd4j.zeros(o.predictionLogits().dataType(), o.predictionLogits().shape());
            dLogits.putScalar(new long[] {t.row(), t.position(), t.tokenId()}, 1.0);
        }
        model.backward(pass, dLogits, dNsp, null);
        gradient[0] = pass.gradient("inputs_embeds").dup('c');
        return value;
    }

    /**
     * Attributes {@code t} to the tokens of its row.
     *
     * @param steps IG's n (ignored by the other methods)
     */
    static Result attribute(BertForPreTraining model, BertInputs inputs, Target t, Method method, int steps) {
        INDArray x = wordEmbeddings(model, inputs);
        INDArray[] g = new INDArray[1];
        double fx = valueAndGradient(model, inputs, x, t, g);
        INDArray attr;
        double fBase = Double.NaN;
        int evaluations = 1;
        switch (method) {
            case SALIENCY -> attr = g[0];
            case GRAD_X_INPUT -> attr = x.mul(g[0]);
            default -> {
                // Baseline x' = 0, so x' + a (x - x') = a x. Gradients summed in order k = 1..n, then / n.
                INDArray sum = Nd4j.zeros(x.dataType(), x.shape());
                for (int k = 1; k <= steps; k++) {
                    double alpha = (k - 0.5) / steps;
                    valueAndGradient(model, inputs, x.mul(alpha), t, g);
                    sum.addi(g[0]);
                }
                fBase = valueAndGradient(model, inputs, x.mul(0.0), t, g);
                evaluations += steps + 1;
                attr = x.mul(sum.divi(steps));
            }
        }
        INDArray rowAttr = attr.get(NDArrayIndex.point(t.row()), NDArrayIndex.all(), NDArrayIndex.all());
        double[] perToken = method == Method.SALIENCY
                ? rowAttr.norm2(1).toDoubleVector()
                : rowAttr.sum(1).toDoubleVector();
        return new Result(perToken, attr, fx, fBase, evaluations);
    }
}
