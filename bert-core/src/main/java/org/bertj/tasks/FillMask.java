package org.bertj.tasks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import org.bertj.model.BertInputs;
import org.bertj.tokenizer.BertTokenizer;
import org.bertj.tokenizer.Encoding;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The most probable tokens at every {@code [MASK]} of a text, as Hugging Face's
 * {@code pipeline("fill-mask")} computes them: one forward pass per batch, the softmax over the
 * whole vocabulary at each mask, the top k (optionally among {@code targets} only). The MLM head
 * runs only at the masks. Obtain one from {@link Bert#fillMask()}; thread-safe.
 *
 * <pre>{@code
 * for (FillMask.Candidate c : bert.fillMask().predict("Paris is the [MASK] of France.").get(0).candidates()) {
 *     System.out.println(c.token() + " " + c.score());
 * }
 * }</pre>
 */
public final class FillMask {

    /** HF's default {@code top_k}. */
    public static final int DEFAULT_TOP_K = 5;

    /**
     * One proposed token, as an element of HF's fill-mask result.
     *
     * @param token    the token ({@code token_str})
     * @param tokenId  its vocabulary id ({@code token})
     * @param score    its softmax probability over the whole vocabulary ({@code score})
     * @param sequence the input with this token at the mask ({@code sequence}: decoded without special
     *                 tokens when the text has one mask, with them when it has several, as HF)
     */
    public record Candidate(String token, int tokenId, double score, String sequence) {
    }

    /**
     * The candidates at one mask, most probable first.
     *
     * @param position   the mask's token position ({@code [CLS]} is 0)
     * @param candidates at most k candidates, by falling score
     */
    public record Prediction(int position, List<Candidate> candidates) {
        /**
         * The best candidate's token.
         *
         * @return {@code candidates().get(0).token()}
         */
        public String best() {
            return candidates.get(0).token();
        }
    }

    private final Bert bert;
    private final int maskId;

    FillMask(Bert bert) {
        this.bert = bert;
        this.maskId = bert.tokenizer().vocabulary().id(BertTokenizer.MASK);
    }

    /**
     * The top {@value #DEFAULT_TOP_K} at every mask of {@code text}.
     *
     * @param text a text with at least one {@code [MASK]}
     * @return one {@link Prediction} per mask, in text order
     * @throws IllegalArgumentException if the text has no [MASK] or is too long for the model
     */
    public List<Prediction> predict(String text) {
        return predict(text, DEFAULT_TOP_K);
    }

    /**
     * The top {@code topK} at every mask of {@code text}.
     *
     * @param text a text with at least one {@code [MASK]}
     * @param topK how many candidates per mask, at least 1 (fewer if the vocabulary is smaller)
     * @return one {@link Prediction} per mask, in text order
     * @throws IllegalArgumentException if the text has no [MASK], is too long, or topK is below 1
     */
    public List<Prediction> predict(String text, int topK) {
        return predict(List.of(text), topK, null).get(0);
    }

    /**
     * The top {@code topK} at every mask of each text, the texts run as one padded batch.
     *
     * @param texts   the texts, each with at least one {@code [MASK]}; may be empty
     * @param topK    how many candidates per mask, at least 1
     * @param targets null for the whole vocabulary, else the only tokens to rank (HF's {@code targets}:
     *                a word not in the vocabulary stands for the first token it tokenizes to); their
     *                scores stay probabilities over the whole vocabulary, and k is at most their number
     * @return one list per text, one {@link Prediction} per mask in text order
     * @throws IllegalArgumentException if a text has no [MASK], is too long, or topK is below 1
     */
    public List<List<Prediction>> predict(List<String> texts, int topK, Collection<String> targets) {
        return predictPairs(texts, null, topK, targets);
    }

    /**
     * As {@link #predict(List, int, Collection)} on text pairs {@code [CLS] text [SEP] pair [SEP]},
     * the masks in either part.
     *
     * @param texts   the first texts; each pair needs at least one {@code [MASK]} in either part
     * @param pairs   null for single texts, else one second text per text
     * @param topK    how many candidates per mask, at least 1
     * @param targets null for the whole vocabulary, else the only tokens to rank, as in
     *                {@link #predict(List, int, Collection)}
     * @return one list per pair, one {@link Prediction} per mask in token order
     * @throws IllegalArgumentException if a pair has no [MASK], is too long, or topK is below 1
     */
    public List<List<Prediction>> predictPairs(List<String> texts, List<String> pairs, int topK,
            Collection<String> targets) {
        if (topK < 1) {
            throw new IllegalArgumentException("topK must be at least 1, got " + topK);
        }
        int[] targetIds = targets == null ? null : targetIds(targets);
        List<Encoding> batch = bert.encode(texts, pairs);
        int s = batch.isEmpty() ? 0 : batch.get(0).length();
        List<int[]> masks = new ArrayList<>();
        int count = 0;
        for (int b = 0; b < batch.size(); b++) {
            int[] ids = batch.get(b).inputIds();
            int[] m = positions(ids);
            if (m.length == 0) {
                throw new IllegalArgumentException("text " + b + " has no " + BertTokenizer.MASK
                        + " token: write [MASK] where a word should be predicted");
            }
            masks.add(m);
            count += m.length;
        }
        if (batch.isEmpty()) {
            return List.of();
        }
        int[] flat = new int[count];
        int k = 0;
        for (int b = 0; b < batch.size(); b++) {
            for (int p : masks.get(b)) {
                flat[k++] = b * s + p;
            }
        }
        BertInputs inputs = Bert.inputs(batch);
        INDArray logits = bert.mlmLogitsAt(inputs, flat).castTo(DataType.DOUBLE);
        List<List<Prediction>> out = new ArrayList<>(batch.size());
        int row = 0;
        for (int b = 0; b < batch.size(); b++) {
            int[] ids = batch.get(b).inputIds();
            List<Prediction> perText = new ArrayList<>();
            for (int p : masks.get(b)) {
                double[] probs = softmax(logits.getRow(row++).toDoubleVector());
                perText.add(new Prediction(p, top(probs, topK, targetIds, ids, p, masks.get(b).length == 1)));
            }
            out.add(Collections.unmodifiableList(perText));
        }
        return Collections.unmodifiableList(out);
    }

    private List<Candidate> top(double[] probs, int topK, int[] targetIds, int[] ids, int position, boolean single) {
        Integer[] order;
        if (targetIds == null) {
            order = new Integer[probs.length];
            for (int i = 0; i < probs.length; i++) {
                order[i] = i;
            }
        } else {
            order = Arrays.stream(targetIds).boxed().toArray(Integer[]::new);
        }
        // by falling probability, ties to the lower id (torch.topk's order on CPU for these sizes)
        Arrays.sort(order, (x, y) -> probs[y] != probs[x] ? Double.compare(probs[y], probs[x]) : Integer.compare(x, y));
        int n = Math.min(topK, order.length);
        List<Candidate> c = new ArrayList<>(n);
        int pad = bert.tokenizer().padId();
        for (int i = 0; i < n; i++) {
            int id = order[i];
            int[] filled = ids.clone();
            filled[position] = id;
            // HF drops every pad id before decoding (tokens[np.where(tokens != pad_token_id)])
            int[] unpadded = Arrays.stream(filled).filter(t -> t != pad).toArray();
            c.add(new Candidate(bert.tokenizer().decode(new int[] {id}), id, probs[id],
                    bert.tokenizer().decode(unpadded, single, true)));
        }
        return Collections.unmodifiableList(c);
    }

    private int[] targetIds(Collection<String> targets) {
        List<Integer> ids = new ArrayList<>();
        for (String t : targets) {
            int id = bert.tokenizer().vocabulary().id(t);
            if (id < 0) {
                int[] pieces = bert.tokenizer().tokenIds(t);
                if (pieces.length == 0) {
                    throw new IllegalArgumentException("target '" + t + "' tokenizes to nothing");
                }
                id = pieces[0]; // HF uses the first token (with a warning)
            }
            if (!ids.contains(id)) {
                ids.add(id);
            }
        }
        if (ids.isEmpty()) {
            throw new IllegalArgumentException("targets is empty");
        }
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    private int[] positions(int[] ids) {
        return java.util.stream.IntStream.range(0, ids.length).filter(i -> ids[i] == maskId).toArray();
    }

    /** softmax in double, the max subtracted first as torch does. */
    static double[] softmax(double[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (double x : logits) {
            max = Math.max(max, x);
        }
        double sum = 0;
        double[] p = new double[logits.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.exp(logits[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }
}
