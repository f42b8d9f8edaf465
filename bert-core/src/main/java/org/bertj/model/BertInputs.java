package org.bertj.model;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One batch of padded sequences: {@code input_ids [B, S]} (or, as Hugging Face accepts instead,
 * {@code inputs_embeds [B, S, H]}: the word vectors themselves, to which the model still adds the
 * position and token-type embeddings) and the optional {@code token_type_ids},
 * {@code attention_mask}, {@code position_ids} (all {@code [B, S]}) and {@code head_mask}
 * ({@code [layers, heads]} or {@code [heads]}). Defaults as in Hugging Face: token types 0, mask 1,
 * positions {@code 0..S-1}, no head mask.
 *
 * <p>The attention mask may be integer or floating point (HF casts it to the model's type), with
 * values 0 and 1, and either {@code [B, S]} (per key) or {@code [B, S, S]} (per query and key, as
 * HF's {@code get_extended_attention_mask} takes it; broadcast over heads).
 *
 * <p>Shapes are checked here; values against a config by {@link #validate(BertConfig)}. Every
 * message names the tensor, the position, the value and the limit.
 */
public final class BertInputs {

    static {
        org.bertj.weights.QuietNd4j.apply(); // before ND4J starts: no banner in the user's output
    }


    private final int batch;
    private final int seq;
    private final long[] inputIds;
    private final long[] tokenTypeIds;
    /** {@code [B, S]} or {@code [B, S, S]} flattened in row-major order; see {@link #maskRank}. */
    private final double[] attentionMask;
    private final int maskRank;
    private final long[] positionIds;
    private final INDArray headMask;
    private final INDArray inputsEmbeds;

    private BertInputs(int batch, int seq, long[] inputIds, long[] tokenTypeIds, double[] attentionMask,
            int maskRank, long[] positionIds, INDArray headMask, INDArray inputsEmbeds) {
        this.inputsEmbeds = inputsEmbeds;
        this.batch = batch;
        this.seq = seq;
        this.inputIds = inputIds;
        this.tokenTypeIds = tokenTypeIds;
        this.attentionMask = attentionMask;
        this.maskRank = maskRank;
        this.positionIds = positionIds;
        this.headMask = headMask;
    }

    /**
     * Inputs with only {@code input_ids [B, S]} (INT or LONG); other tensors take their defaults.
     *
     * @param inputIds token ids {@code [B, S]}, an integer tensor with B, S &gt; 0; copied
     * @return inputs with every token attended, token type 0 and positions {@code 0..S-1}
     * @throws IllegalArgumentException if {@code inputIds} is null, not rank 2 or not integer
     */
    public static BertInputs of(INDArray inputIds) {
        return of(inputIds, null, null, null, null);
    }

    /**
     * Inputs from Java arrays; {@code tokenTypeIds} and {@code attentionMask} may be null.
     *
     * @param inputIds      token ids, {@code inputIds[b][s]}: B rows of equal length S
     * @param tokenTypeIds  segment ids shaped as {@code inputIds}, or null for all 0
     * @param attentionMask 1 = attend, 0 = padding, shaped as {@code inputIds}, or null for all 1
     * @return the inputs, copied from the arrays; positions {@code 0..S-1}, no head mask
     * @throws IllegalArgumentException if a shape does not fit {@code inputIds} or a mask value is not 0 or 1
     */
    public static BertInputs of(int[][] inputIds, int[][] tokenTypeIds, int[][] attentionMask) {
        return of(Nd4j.createFromArray(inputIds),
                tokenTypeIds == null ? null : Nd4j.createFromArray(tokenTypeIds),
                attentionMask == null ? null : Nd4j.createFromArray(attentionMask), null, null);
    }

    /**
     * Inputs from tensors; any but {@code inputIds} may be null. The ids and the mask are copied;
     * {@code headMask} is kept as given.
     *
     * @param inputIds      token ids {@code [B, S]}, an integer tensor with B, S &gt; 0
     * @param tokenTypeIds  segment ids {@code [B, S]} (integer), or null for all 0
     * @param attentionMask 1 = attend, 0 = padding: {@code [B, S]} per key or {@code [B, S, S]} per
     *                      query and key, integer or floating point; or null for all 1
     * @param positionIds   position of each token {@code [B, S]} (integer), or null for {@code 0..S-1}
     * @param headMask      factor on each head's attention probabilities (HF's {@code head_mask}: 0
     *                      silences a head, 1 keeps it), {@code [layers, heads]} or {@code [heads]}
     *                      for every layer; or null for none
     * @return the inputs; their values are checked against a model by {@link #validate}
     * @throws IllegalArgumentException if a shape does not fit {@code input_ids [B, S]}
     */
    public static BertInputs of(INDArray inputIds, INDArray tokenTypeIds, INDArray attentionMask,
            INDArray positionIds, INDArray headMask) {
        if (inputIds == null) {
            throw new IllegalArgumentException("input_ids is required");
        }
        if (inputIds.rank() != 2 || inputIds.size(0) < 1 || inputIds.size(1) < 1) {
            throw new IllegalArgumentException("input_ids must have shape [batch, sequence] with both > 0, got "
                    + Arrays.toString(inputIds.shape()));
        }
        long[] shape = inputIds.shape();
        return build(shape, integers("input_ids", inputIds, shape), tokenTypeIds, attentionMask, positionIds,
                headMask, null);
    }

    /**
     * Inputs given as {@code inputs_embeds [B, S, H]} (floating point, any H here; checked against
     * the model by {@link #validate}) instead of ids; the other tensors as in
     * {@link #of(INDArray, INDArray, INDArray, INDArray, INDArray)}. The array is copied.
     *
     * @param inputsEmbeds  word vectors {@code [B, S, H]}, floating point, B, S &gt; 0
     * @param tokenTypeIds  segment ids {@code [B, S]}, or null for all 0
     * @param attentionMask {@code [B, S]} or {@code [B, S, S]} of 0 and 1, or null for all 1
     * @param positionIds   {@code [B, S]}, or null for {@code 0..S-1}
     * @param headMask      {@code [layers, heads]} or {@code [heads]}, or null for none
     * @return inputs that carry {@code inputs_embeds} and no ids
     * @throws IllegalArgumentException if a shape does not fit
     */
    public static BertInputs ofEmbeds(INDArray inputsEmbeds, INDArray tokenTypeIds, INDArray attentionMask,
            INDArray positionIds, INDArray headMask) {
        if (inputsEmbeds == null) {
            throw new IllegalArgumentException("inputs_embeds is required");
        }
        if (inputsEmbeds.rank() != 3 || inputsEmbeds.size(0) < 1 || inputsEmbeds.size(1) < 1
                || !inputsEmbeds.dataType().isFPType()) {
            throw new IllegalArgumentException("inputs_embeds must be a floating-point [batch, sequence, hidden]"
                    + " tensor with batch, sequence > 0, got " + inputsEmbeds.dataType() + " "
                    + Arrays.toString(inputsEmbeds.shape()));
        }
        long[] shape = {inputsEmbeds.size(0), inputsEmbeds.size(1)};
        return build(shape, null, tokenTypeIds, attentionMask, positionIds, headMask, inputsEmbeds.dup('c'));
    }

    /**
     * These inputs with {@code inputs_embeds [B, S, H]} in place of the ids (token types, mask,
     * positions and head mask kept), e.g. the scaled embeddings of integrated gradients.
     *
     * @param embeds word vectors {@code [B, S, H]} with these inputs' B and S, floating point; copied
     * @return new inputs; these are unchanged
     * @throws IllegalArgumentException if the shape is not {@code [B, S, *]} of these inputs
     */
    public BertInputs withInputsEmbeds(INDArray embeds) {
        if (embeds == null || embeds.rank() != 3 || embeds.size(0) != batch || embeds.size(1) != seq
                || !embeds.dataType().isFPType()) {
            throw new IllegalArgumentException("inputs_embeds must be floating-point [" + batch + ", " + seq
                    + ", hidden], got " + (embeds == null ? "null" : embeds.dataType() + " "
                    + Arrays.toString(embeds.shape())));
        }
        return new BertInputs(batch, seq, null, tokenTypeIds, attentionMask, maskRank, positionIds, headMask,
                embeds.dup('c'));
    }

    /**
     * {@code copies} of these inputs stacked along the batch axis, with {@code embeds} as their
     * {@code inputs_embeds}: row {@code c·B + b} of the result has row {@code b}'s token types,
     * attention mask (per key or per query and key, as given) and position ids. The head mask
     * applies to every row, so it is kept as it is. Used to run several integrated-gradients steps
     * in one pass.
     *
     * @param copies how many times the batch is repeated, ≥ 1
     * @param embeds {@code [copies·B, S, H]}, floating point; copied
     * @return new inputs of batch {@code copies·B}; these stay unchanged
     * @throws IllegalArgumentException if {@code copies < 1} or {@code embeds} is not that shape
     */
    public BertInputs repeatedWithInputsEmbeds(int copies, INDArray embeds) {
        if (copies < 1) {
            throw new IllegalArgumentException("copies must be >= 1, got " + copies);
        }
        long rows = (long) copies * batch;
        if (embeds == null || embeds.rank() != 3 || embeds.size(0) != rows || embeds.size(1) != seq
                || !embeds.dataType().isFPType() || rows > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("inputs_embeds for " + copies + " copies must be floating-point ["
                    + rows + ", " + seq + ", hidden], got " + (embeds == null ? "null" : embeds.dataType() + " "
                    + Arrays.toString(embeds.shape())));
        }
        return new BertInputs((int) rows, seq, null, tile(tokenTypeIds, copies), tile(attentionMask, copies),
                maskRank, tile(positionIds, copies), headMask, embeds.dup('c'));
    }

    private static long[] tile(long[] v, int copies) {
        long[] r = new long[v.length * copies];
        for (int c = 0; c < copies; c++) {
            System.arraycopy(v, 0, r, c * v.length, v.length);
        }
        return r;
    }

    private static double[] tile(double[] v, int copies) {
        double[] r = new double[v.length * copies];
        for (int c = 0; c < copies; c++) {
            System.arraycopy(v, 0, r, c * v.length, v.length);
        }
        return r;
    }

    private static BertInputs build(long[] shape, long[] ids, INDArray tokenTypeIds, INDArray attentionMask,
            INDArray positionIds, INDArray headMask, INDArray embeds) {
        int b = (int) shape[0];
        int s = (int) shape[1];
        long[] types = tokenTypeIds == null ? new long[b * s] : integers("token_type_ids", tokenTypeIds, shape);
        double[] mask;
        int maskRank = 2;
        if (attentionMask == null) {
            mask = new double[b * s];
            Arrays.fill(mask, 1.0);
        } else {
            maskRank = attentionMask.rank();
            if (maskRank == 3) {
                if (!Arrays.equals(attentionMask.shape(), new long[] {b, s, s})) {
                    throw new IllegalArgumentException("attention_mask has shape "
                            + Arrays.toString(attentionMask.shape()) + " but input_ids " + Arrays.toString(shape)
                            + " needs [" + b + ", " + s + "] or [" + b + ", " + s + ", " + s + "]");
                }
            } else {
                checkShape("attention_mask", attentionMask, shape);
            }
            mask = attentionMask.castTo(DataType.DOUBLE).dup('c').reshape(-1).toDoubleVector();
            for (int i = 0; i < mask.length; i++) {
                if (mask[i] != 0 && mask[i] != 1) {
                    String where = maskRank == 3 ? "[" + i / (s * s) + "][" + i / s % s + "][" + i % s + "]"
                            : at(i, s);
                    throw new IllegalArgumentException("attention_mask" + where + " = " + mask[i]
                            + " must be 0 or 1");
                }
            }
        }
        long[] positions;
        if (positionIds == null) {
            positions = new long[b * s];
            for (int i = 0; i < positions.length; i++) {
                positions[i] = i % s;
            }
        } else {
            positions = integers("position_ids", positionIds, shape);
        }
        if (headMask != null && headMask.rank() != 1 && headMask.rank() != 2) {
            throw new IllegalArgumentException("head_mask must have shape [layers, heads] or [heads], got "
                    + Arrays.toString(headMask.shape()));
        }
        return new BertInputs(b, s, ids, types, mask, maskRank, positions, headMask, embeds);
    }

    private static void checkShape(String name, INDArray a, long[] shape) {
        if (!Arrays.equals(a.shape(), shape)) {
            throw new IllegalArgumentException(name + " has shape " + Arrays.toString(a.shape())
                    + " but input_ids has " + Arrays.toString(shape));
        }
    }

    private static long[] integers(String name, INDArray a, long[] shape) {
        checkShape(name, a, shape);
        if (!a.dataType().isIntType()) {
            throw new IllegalArgumentException(name + " must be an integer tensor, got " + a.dataType());
        }
        return a.castTo(DataType.LONG).dup('c').reshape(-1).toLongVector();
    }

    private static String at(int flat, int seq) {
        return "[" + flat / seq + "][" + flat % seq + "]";
    }

    /**
     * Checks every value against the model: ids inside the vocabulary, token types inside
     * type_vocab_size, positions inside max_position_embeddings, head mask shape.
     *
     * @param c the config of the model these inputs are for
     * @throws IllegalArgumentException naming the tensor, position, value and limit
     */
    public void validate(BertConfig c) {
        if (seq > c.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("sequence length " + seq + " exceeds max_position_embeddings "
                    + c.maxPositionEmbeddings());
        }
        if (inputIds != null) {
            range("input_ids", inputIds, c.vocabSize(), "outside the vocabulary (vocab_size " + c.vocabSize() + ")");
        } else if (inputsEmbeds.size(2) != c.hiddenSize()) {
            throw new IllegalArgumentException("inputs_embeds has hidden size " + inputsEmbeds.size(2)
                    + " but the model's hidden_size is " + c.hiddenSize());
        }
        range("token_type_ids", tokenTypeIds, c.typeVocabSize(), "outside type_vocab_size " + c.typeVocabSize());
        range("position_ids", positionIds, c.maxPositionEmbeddings(),
                "outside max_position_embeddings " + c.maxPositionEmbeddings());
        if (headMask != null) {
            int layers = c.numHiddenLayers();
            int heads = c.numAttentionHeads();
            boolean ok = headMask.rank() == 1 ? headMask.size(0) == heads
                    : headMask.size(0) == layers && headMask.size(1) == heads;
            if (!ok) {
                throw new IllegalArgumentException("head_mask has shape " + Arrays.toString(headMask.shape())
                        + ", expected [" + layers + ", " + heads + "] or [" + heads + "]");
            }
        }
    }

    private void range(String name, long[] v, int limit, String what) {
        for (int i = 0; i < v.length; i++) {
            if (v[i] < 0 || v[i] >= limit) {
                throw new IllegalArgumentException(name + at(i, seq) + " = " + v[i] + " is " + what
                        + ": must be in [0, " + limit + ")");
            }
        }
    }

    /** {@return B, the number of sequences} */
    public int batchSize() {
        return batch;
    }

    /** {@return S, the (padded) length of every sequence} */
    public int sequenceLength() {
        return seq;
    }

    int[] flatInputIds() {
        if (inputIds == null) {
            throw new IllegalStateException("these inputs carry inputs_embeds, not input_ids");
        }
        return toInt(inputIds);
    }

    /** {@return whether the inputs carry {@code inputs_embeds} instead of ids} */
    public boolean hasInputsEmbeds() {
        return inputsEmbeds != null;
    }

    /** {@return a new {@code input_ids [B, S]} as LONG, or null if the inputs carry {@code inputs_embeds}} */
    public INDArray inputIds() {
        return inputIds == null ? null : Nd4j.createFromArray(inputIds).reshape(batch, seq);
    }

    /** {@return a new {@code token_type_ids [B, S]} as LONG (zeros when not given)} */
    public INDArray tokenTypeIds() {
        return Nd4j.createFromArray(tokenTypeIds).reshape(batch, seq);
    }

    /** {@return a copy of {@code inputs_embeds [B, S, H]}, or null if the inputs carry ids} */
    public INDArray inputsEmbeds() {
        return inputsEmbeds == null ? null : inputsEmbeds.dup('c');
    }

    /** {@code inputs_embeds} as a fresh {@code [B·S, H]} array in {@code type}. */
    INDArray flatInputsEmbeds(DataType type) {
        INDArray e = inputsEmbeds.castTo(type).dup('c');
        return e.reshape('c', (long) batch * seq, inputsEmbeds.size(2));
    }

    int[] flatTokenTypeIds() {
        return toInt(tokenTypeIds);
    }

    int[] flatPositionIds() {
        return toInt(positionIds);
    }

    private static int[] toInt(long[] v) {
        int[] r = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            r[i] = (int) v[i];
        }
        return r;
    }

    /**
     * The attention mask (1 = attend, 0 = not): {@code [B, S]}, or {@code [B, S, S]} (query × key)
     * if it was given so; see {@link #maskRank()}.
     *
     * @param type the element type wanted, e.g. the model's
     * @return a new array of 0 and 1 (all 1 when no mask was given)
     */
    public INDArray attentionMask(DataType type) {
        INDArray m = Nd4j.createFromArray(attentionMask);
        return (maskRank == 3 ? m.reshape(batch, seq, seq) : m.reshape(batch, seq)).castTo(type);
    }

    /** {@return 2 for a per-key mask {@code [B, S]}, 3 for a per-query-and-key mask {@code [B, S, S]}} */
    public int maskRank() {
        return maskRank;
    }

    /** Whether every position is attended (then no mask bias is needed). */
    boolean fullyAttended() {
        for (double m : attentionMask) {
            if (m != 1) {
                return false;
            }
        }
        return true;
    }

    /** The head mask as {@code [layers, heads]} in {@code type}, or null. */
    INDArray headMask(BertConfig c, DataType type) {
        if (headMask == null) {
            return null;
        }
        INDArray h = headMask.castTo(type);
        if (h.rank() == 1) {
            h = h.reshape(1, c.numAttentionHeads()).repeat(0, c.numHiddenLayers());
        }
        return h;
    }
}
