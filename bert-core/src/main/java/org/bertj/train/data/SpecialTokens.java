package org.bertj.train.data;

import java.util.BitSet;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * The vocabulary facts the data pipeline needs: the ids of BERT's special tokens and the
 * vocabulary size (random replacements are drawn from {@code [0, vocabSize)}, as Google does).
 *
 * @param pad       [PAD], used for padding (0 in BERT's vocabularies)
 * @param cls       [CLS], first token of every sequence
 * @param sep       [SEP], after each segment
 * @param mask      [MASK], what a masked token becomes 80% of the time
 * @param vocabSize number of ids
 */
public record SpecialTokens(int pad, int cls, int sep, int mask, int vocabSize) {

    /**
     * Checks that every id lies in the vocabulary and that the four are distinct.
     *
     * @param pad       in {@code [0, vocabSize)}
     * @param cls       in {@code [0, vocabSize)}
     * @param sep       in {@code [0, vocabSize)}
     * @param mask      in {@code [0, vocabSize)}
     * @param vocabSize above each id
     * @throws IllegalArgumentException naming an id outside the vocabulary or two equal ones
     */
    public SpecialTokens {
        int[] ids = {pad, cls, sep, mask};
        String[] names = {"[PAD]", "[CLS]", "[SEP]", "[MASK]"};
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= vocabSize) {
                throw new IllegalArgumentException(names[i] + " id " + ids[i]
                        + " is outside the vocabulary [0, " + vocabSize + ")");
            }
            for (int j = 0; j < i; j++) {
                if (ids[i] == ids[j]) {
                    throw new IllegalArgumentException(names[i] + " and " + names[j] + " have the same id " + ids[i]);
                }
            }
        }
    }

    /**
     * Looks the four tokens up in a vocabulary (vocab.txt's lines, id = line index).
     *
     * @param vocabulary the tokens in id order
     * @return their ids and the vocabulary's size
     * @throws IllegalArgumentException naming the first token the vocabulary lacks
     */
    public static SpecialTokens fromVocabulary(List<String> vocabulary) {
        String[] names = {"[PAD]", "[CLS]", "[SEP]", "[MASK]"};
        int[] ids = new int[names.length];
        for (int i = 0; i < names.length; i++) {
            ids[i] = vocabulary.indexOf(names[i]);
            if (ids[i] < 0) {
                throw new IllegalArgumentException("the vocabulary (" + vocabulary.size()
                        + " tokens) has no " + names[i]);
            }
        }
        return new SpecialTokens(ids[0], ids[1], ids[2], ids[3], vocabulary.size());
    }

    /**
     * Which ids are WordPiece continuation pieces (tokens starting with "##"), for whole-word
     * masking.
     *
     * @param vocabulary the tokens in id order
     * @return true for the id of a token starting with "##"; false for any other id, out-of-range ones included
     */
    public static IntPredicate continuationPieces(List<String> vocabulary) {
        BitSet pieces = new BitSet(vocabulary.size());
        for (int i = 0; i < vocabulary.size(); i++) {
            if (vocabulary.get(i).startsWith("##")) {
                pieces.set(i);
            }
        }
        return id -> id >= 0 && pieces.get(id);
    }

    /** {@return the ids of bert-base-uncased's vocab.txt: [PAD]=0, [CLS]=101, [SEP]=102, [MASK]=103, 30522 ids} */
    public static SpecialTokens bertUncased() {
        return new SpecialTokens(0, 101, 102, 103, 30522);
    }

    /**
     * Whether an id is one of the four special tokens (never chosen for prediction).
     *
     * @param id a token id
     * @return true for pad, cls, sep or mask
     */
    public boolean isSpecial(int id) {
        return id == pad || id == cls || id == sep || id == mask;
    }
}
