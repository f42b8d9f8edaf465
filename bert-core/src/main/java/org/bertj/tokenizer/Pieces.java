package org.bertj.tokenizer;

import java.util.Arrays;

/** A growable list of (token id, start, end) triples: the tokens of one text, in order. */
final class Pieces {

    int[] ids;
    int[] starts;
    int[] ends;
    int size;

    Pieces(int capacity) {
        capacity = Math.max(capacity, 8);
        ids = new int[capacity];
        starts = new int[capacity];
        ends = new int[capacity];
    }

    void add(int id, int start, int end) {
        if (size == ids.length) {
            int n = size * 2;
            ids = Arrays.copyOf(ids, n);
            starts = Arrays.copyOf(starts, n);
            ends = Arrays.copyOf(ends, n);
        }
        ids[size] = id;
        starts[size] = start;
        ends[size] = end;
        size++;
    }
}
