package org.bertj.train.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Cuts a corpus into sentence pairs the way Google's create_pretraining_data.py does
 * ({@code create_instances_from_document} and {@code truncate_seq_pair}), with a seeded
 * {@link SplittableRandom} in place of Python's {@code random} (so the same algorithm, not the same
 * numbers):
 * <ul>
 * <li>each document is read in chunks of whole sentences until the chunk reaches a target length:
 *   {@code max_seq_length - 3}, or with probability {@code short_seq_prob} (0.1) a random length in
 *   {@code [2, max_seq_length - 3]}, so the model also sees short sequences;</li>
 * <li>a random number of the chunk's leading sentences form A; B is the rest (IsNext) or, half the
 *   time and always when the chunk is a single sentence, text from a random other document starting
 *   at a random sentence (NotNext), in which case the unused sentences go back to be read again;</li>
 * <li>the longer of A and B loses a token from its front or back (at random) until
 *   {@code [CLS] A [SEP] B [SEP]} fits {@code max_seq_length}.</li>
 * </ul>
 * The finished pairs are shuffled. Because a one-sentence chunk (often the tail of a document) can
 * only be paired with a random segment, somewhat more than half the pairs are NotNext: about 55% on
 * documents of ~40 sentences, approaching 50% as documents get longer.
 */
public final class SentencePairSampler {

    private final int maxSeqLength;
    private final double shortSeqProb;

    /**
     * @param maxSeqLength longest {@code [CLS] A [SEP] B [SEP]}, at least 5
     * @param shortSeqProb probability of a shorter target length per document (Google: 0.1)
     */
    public SentencePairSampler(int maxSeqLength, double shortSeqProb) {
        if (maxSeqLength < 5) {
            throw new IllegalArgumentException("max_seq_length must be at least 5 ([CLS] a [SEP] b [SEP]), got "
                    + maxSeqLength);
        }
        if (!(shortSeqProb >= 0 && shortSeqProb <= 1)) {
            throw new IllegalArgumentException("short_seq_prob must be in [0, 1], got " + shortSeqProb);
        }
        this.maxSeqLength = maxSeqLength;
        this.shortSeqProb = shortSeqProb;
    }

    /**
     * With Google's short_seq_prob of 0.1.
     *
     * @param maxSeqLength the longest {@code [CLS] A [SEP] B [SEP]} in tokens, at least 5
     * @throws IllegalArgumentException if {@code maxSeqLength} is below 5
     */
    public SentencePairSampler(int maxSeqLength) {
        this(maxSeqLength, 0.1);
    }

    /** {@return the longest sequence produced, in tokens with {@code [CLS]} and both {@code [SEP]}} */
    public int maxSeqLength() {
        return maxSeqLength;
    }

    /**
     * All pairs of one pass over the corpus, shuffled; the same seed gives the same pairs.
     *
     * @param corpus the documents to cut; it needs at least two (a random next comes from another)
     * @param seed   the seed of the target lengths, the IsNext/NotNext choices and the shuffle
     * @return the pairs, each at most {@link #maxSeqLength()} long with its special tokens
     */
    public List<SentencePair> sample(PretrainingCorpus corpus, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<List<int[]>> docs = corpus.documents();
        List<SentencePair> pairs = new ArrayList<>();
        for (int d = 0; d < docs.size(); d++) {
            fromDocument(docs, d, rng, pairs);
        }
        for (int i = pairs.size() - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            SentencePair t = pairs.get(i);
            pairs.set(i, pairs.get(j));
            pairs.set(j, t);
        }
        return pairs;
    }

    private void fromDocument(List<List<int[]>> docs, int docIndex, SplittableRandom rng, List<SentencePair> out) {
        List<int[]> doc = docs.get(docIndex);
        int maxNumTokens = maxSeqLength - 3;
        int target = maxNumTokens;
        if (rng.nextDouble() < shortSeqProb) {
            target = 2 + rng.nextInt(maxNumTokens - 1); // randint(2, maxNumTokens), inclusive
        }
        List<int[]> chunk = new ArrayList<>();
        int chunkLength = 0;
        for (int i = 0; i < doc.size(); i++) {
            chunk.add(doc.get(i));
            chunkLength += doc.get(i).length;
            if (i != doc.size() - 1 && chunkLength < target) {
                continue;
            }
            int aEnd = chunk.size() >= 2 ? 1 + rng.nextInt(chunk.size() - 1) : 1;
            Tokens a = new Tokens();
            for (int j = 0; j < aEnd; j++) {
                a.addAll(chunk.get(j));
            }
            Tokens b = new Tokens();
            boolean randomNext = chunk.size() == 1 || rng.nextDouble() < 0.5;
            if (randomNext) {
                int targetB = target - a.length();
                int other = docIndex;
                for (int tries = 0; tries < 10 && other == docIndex; tries++) {
                    other = rng.nextInt(docs.size());
                }
                List<int[]> otherDoc = docs.get(other);
                for (int j = rng.nextInt(otherDoc.size()); j < otherDoc.size(); j++) {
                    b.addAll(otherDoc.get(j));
                    if (b.size >= targetB) {
                        break;
                    }
                }
                i -= chunk.size() - aEnd; // the sentences of the chunk not used go back
            } else {
                for (int j = aEnd; j < chunk.size(); j++) {
                    b.addAll(chunk.get(j));
                }
            }
            truncatePair(a, b, maxNumTokens, rng);
            out.add(new SentencePair(a.toArray(), b.toArray(), randomNext));
            chunk.clear();
            chunkLength = 0;
        }
    }

    /** Google's truncate_seq_pair: trim the longer segment (B on a tie) at a random end. */
    private static void truncatePair(Tokens a, Tokens b, int maxNumTokens, SplittableRandom rng) {
        while (a.length() + b.length() > maxNumTokens) {
            Tokens longer = a.length() > b.length() ? a : b;
            if (rng.nextDouble() < 0.5) {
                longer.start++;
            } else {
                longer.size--;
            }
        }
    }

    /** A growable int list whose front can be trimmed without copying. */
    private static final class Tokens {
        int[] ids = new int[64];
        int start;
        int size;

        void addAll(int[] more) {
            if (size + more.length > ids.length) {
                ids = Arrays.copyOf(ids, Math.max(ids.length * 2, size + more.length));
            }
            System.arraycopy(more, 0, ids, size, more.length);
            size += more.length;
        }

        int length() {
            return size - start;
        }

        int[] toArray() {
            return Arrays.copyOfRange(ids, start, size);
        }
    }
}
