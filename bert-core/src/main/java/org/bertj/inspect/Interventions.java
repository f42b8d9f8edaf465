package org.bertj.inspect;

import java.util.Arrays;
import org.bertj.model.hooks.HookContext;
import org.bertj.model.hooks.Hooks;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Ready-made forward hooks for {@code BertForPreTraining.runWithHooks}: ablating a head or an MLP
 * (zero or mean), patching activations from another run's cache at chosen positions or heads, and
 * adding a steering vector. Each returns {@link Hooks} (combine with {@link Hooks#and}); each hook
 * returns a new array, never touching the one it was given.
 *
 * <p>"Positions" index the sequence axis S: axis 1 of {@code [B, S, X]} points, axis 2 of the
 * head-shaped {@code [B, heads, S, X]} ones ({@code ...attention.self.query/key/value/context},
 * and the query axis of {@code scores/probs}).
 */
public final class Interventions {

    private Interventions() {
    }

    /**
     * {@code bert.encoder.layer.{layer}.attention.self.context}: the heads' outputs
     * {@code [B, heads, S, head_size]} before they are merged.
     *
     * @param layer encoder layer index, from 0; not checked here
     * @return the hook-point name, as in {@code BertForPreTraining} and {@code BertForMaskedLM}
     */
    public static String context(int layer) {
        return "bert.encoder.layer." + layer + ".attention.self.context";
    }

    /**
     * {@code bert.encoder.layer.{layer}.intermediate}: the MLP's hidden activation (after the activation function).
     *
     * @param layer encoder layer index, from 0; not checked here
     * @return the hook-point name, of shape {@code [B, S, intermediate_size]}
     */
    public static String mlp(int layer) {
        return "bert.encoder.layer." + layer + ".intermediate";
    }

    /**
     * {@code bert.encoder.layer.{layer}.output}: the residual stream after layer {@code layer}.
     *
     * @param layer encoder layer index, from 0; not checked here
     * @return the hook-point name, of shape {@code [B, S, H]}
     */
    public static String residual(int layer) {
        return "bert.encoder.layer." + layer + ".output";
    }

    /**
     * Head {@code head} of layer {@code layer} zeroed in the context before the heads are merged;
     * the same as HF's {@code head_mask[layer, head] = 0} in eval mode.
     *
     * @param layer encoder layer index, from 0
     * @param head  head index in that layer, from 0
     * @return the hook; it throws IllegalArgumentException during the forward if the head does not exist
     */
    public static Hooks zeroAblateHead(int layer, int head) {
        return Hooks.at(context(layer), (x, c) -> {
            checkHead(c, head);
            INDArray y = x.dup('c');
            y.get(NDArrayIndex.all(), NDArrayIndex.point(head)).assign(0);
            return y;
        });
    }

    /**
     * Head {@code head} of layer {@code layer}: its context at every position replaced by its mean
     * over the row's attended positions (attention_mask 1), per batch row.
     *
     * @param layer encoder layer index, from 0
     * @param head  head index in that layer, from 0
     * @return the hook; it throws IllegalArgumentException during the forward if the head does not exist
     */
    public static Hooks meanAblateHead(int layer, int head) {
        return Hooks.at(context(layer), (x, c) -> {
            checkHead(c, head);
            INDArray y = x.dup('c');
            for (int b = 0; b < c.batch(); b++) {
                INDArray rows = y.get(NDArrayIndex.point(b), NDArrayIndex.point(head)); // [S, D]
                replaceByMaskedMean(rows, c.attentionMask().getRow(b));
            }
            return y;
        });
    }

    /**
     * The MLP of layer {@code layer} zeroed: its hidden activation ({@link #mlp}) set to 0, so it
     * adds only its output bias.
     *
     * @param layer encoder layer index, from 0
     * @return the hook
     */
    public static Hooks zeroAblateMlp(int layer) {
        return Hooks.at(mlp(layer), (x, c) -> x.mul(0));
    }

    /**
     * The MLP of layer {@code layer} mean-ablated: its hidden activation at every position, padded
     * ones included, replaced by {@code m[b] = Σ_s mask[b,s]·x[b,s,:] / Σ_s mask[b,s]}.
     *
     * @param layer encoder layer index, from 0
     * @return the hook
     */
    public static Hooks meanAblateMlp(int layer) {
        return Hooks.at(mlp(layer), (x, c) -> {
            INDArray y = x.dup('c');
            for (int b = 0; b < c.batch(); b++) {
                replaceByMaskedMean(y.get(NDArrayIndex.point(b)), c.attentionMask().getRow(b));
            }
            return y;
        });
    }

    /** {@code rows [S, X]} := the mean of its rows where {@code mask [S]} is 1, in every row. */
    private static void replaceByMaskedMean(INDArray rows, INDArray mask) {
        INDArray w = mask.reshape(1, mask.length()).castTo(rows.dataType());
        INDArray mean = w.mmul(rows).divi(w.sumNumber().doubleValue()); // [1, X]
        rows.muli(0).addiRowVector(mean);
    }

    /**
     * Activation patching: at {@code point}, the given sequence positions (all if none given) take
     * {@code source}'s values, e.g. {@code cleanRun.cache().get(point)}; batch row b gets source row b.
     *
     * @param point     the hook-point name
     * @param source    the activation to copy from, exactly the point's shape in the hooked run
     *                  (same B and S); read, not changed
     * @param positions sequence positions in {@code [0, S)} to patch; none given patches all
     * @return the hook; it throws IllegalArgumentException during the forward on a shape mismatch or a
     *         position outside the sequence
     */
    public static Hooks patch(String point, INDArray source, int... positions) {
        return Hooks.at(point, (x, c) -> {
            checkSource(c, x, source);
            INDArray y = x.dup('c');
            if (positions.length == 0) {
                return y.assign(source);
            }
            int axis = x.rank() == 4 ? 2 : 1;
            for (int p : positions) {
                if (p < 0 || p >= c.seq()) {
                    throw new IllegalArgumentException("patch position " + p + " is outside the sequence (S = "
                            + c.seq() + ")");
                }
                INDArrayIndex[] at = at(x.rank(), axis, p);
                y.get(at).assign(source.get(at));
            }
            return y;
        });
    }

    /**
     * Activation patching of whole heads: at a head-shaped {@code point} ({@code [B, heads, S, *]},
     * e.g. {@link #context}), heads {@code heads} take {@code source}'s values at the given
     * positions (all if none given).
     *
     * @param point     the name of a head-shaped hook point
     * @param source    the activation to copy from, exactly the point's shape in the hooked run
     * @param heads     head indices to patch, each in {@code [0, heads)}
     * @param positions sequence positions to patch; none given patches all
     * @return the hook; it throws IllegalArgumentException during the forward if the point is not
     *         head-shaped, the shapes differ or a head does not exist
     */
    public static Hooks patchHeads(String point, INDArray source, int[] heads, int... positions) {
        return Hooks.at(point, (x, c) -> {
            checkSource(c, x, source);
            if (x.rank() != 4) {
                throw new IllegalArgumentException(point + " is not head-shaped [B, heads, S, *]");
            }
            INDArray y = x.dup('c');
            for (int h : heads) {
                checkHead(c, h);
                if (positions.length == 0) {
                    INDArrayIndex[] at = at(4, 1, h);
                    y.get(at).assign(source.get(at));
                }
                for (int p : positions) {
                    INDArrayIndex[] at = {NDArrayIndex.all(), NDArrayIndex.point(h), NDArrayIndex.point(p),
                        NDArrayIndex.all()};
                    y.get(at).assign(source.get(at));
                }
            }
            return y;
        });
    }

    /**
     * Steering: {@code scale · vector} added to {@code point}'s activation at every batch row and
     * position (padded ones included).
     *
     * @param point  the hook-point name
     * @param vector {@code [X]}, X the point's last dimension (any shape of X elements); read only
     * @param scale  factor on {@code vector}; negative steers away
     * @return the hook; it throws IllegalArgumentException during the forward if the vector's length
     *         is not X
     */
    public static Hooks steer(String point, INDArray vector, double scale) {
        return Hooks.at(point, (x, c) -> {
            long width = x.size(x.rank() - 1);
            if (vector.length() != width) {
                throw new IllegalArgumentException("steering vector has " + vector.length() + " elements, "
                        + point + " has " + width + " per position");
            }
            INDArray y = x.dup('c');
            INDArray v = vector.reshape(1, width).castTo(x.dataType()).mul(scale);
            y.reshape('c', y.length() / width, width).addiRowVector(v);
            return y;
        });
    }

    private static INDArrayIndex[] at(int rank, int axis, int i) {
        INDArrayIndex[] idx = new INDArrayIndex[rank];
        Arrays.fill(idx, NDArrayIndex.all());
        idx[axis] = NDArrayIndex.point(i);
        return idx;
    }

    private static void checkHead(HookContext c, int head) {
        if (head < 0 || head >= c.heads()) {
            throw new IllegalArgumentException("head " + head + " does not exist at " + c.name() + " ("
                    + c.heads() + " heads)");
        }
    }

    private static void checkSource(HookContext c, INDArray x, INDArray source) {
        if (!Arrays.equals(x.shape(), source.shape())) {
            throw new IllegalArgumentException("patch source for " + c.name() + " has shape "
                    + Arrays.toString(source.shape()) + ", the activation " + Arrays.toString(x.shape())
                    + " (same batch and sequence length needed)");
        }
    }
}
