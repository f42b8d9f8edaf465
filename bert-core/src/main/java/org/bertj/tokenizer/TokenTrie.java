package org.bertj.tokenizer;

import java.util.Arrays;

/**
 * Every vocabulary string in a character trie whose edges live in one open-addressing hash table,
 * so WordPiece's greedy longest match is a single walk down from the piece's first character,
 * with no substring built and no hash of a String computed.
 */
final class TokenTrie {

    static final int ROOT = 0;
    static final int NONE = -1;

    private long[] keys;
    private int[] children;
    private int mask;
    private int edges;
    private int[] tokenIds = new int[1024];
    private int nodes = 1;

    TokenTrie(int expectedChars) {
        int capacity = Integer.highestOneBit(Math.max(16, expectedChars * 2 - 1)) << 1;
        keys = new long[capacity];
        children = new int[capacity];
        Arrays.fill(keys, -1L);
        mask = capacity - 1;
        Arrays.fill(tokenIds, NONE);
    }

    /** Adds {@code token} with {@code id}; a later add of the same string replaces the id (as Python's dict). */
    void add(String token, int id) {
        int node = ROOT;
        for (int i = 0; i < token.length(); i++) {
            int next = child(node, token.charAt(i));
            if (next == NONE) {
                next = newNode();
                put(key(node, token.charAt(i)), next);
            }
            node = next;
        }
        tokenIds[node] = id;
    }

    /** The node reached from {@code node} by {@code c}, or {@link #NONE}. */
    int child(int node, char c) {
        long k = key(node, c);
        int slot = slot(k);
        while (true) {
            long found = keys[slot];
            if (found == k) {
                return children[slot];
            }
            if (found == -1L) {
                return NONE;
            }
            slot = (slot + 1) & mask;
        }
    }

    /** The node spelling {@code prefix} from the root, or {@link #NONE}. */
    int node(String prefix) {
        int node = ROOT;
        for (int i = 0; i < prefix.length() && node != NONE; i++) {
            node = child(node, prefix.charAt(i));
        }
        return node;
    }

    /** The id of the token ending at {@code node}, or {@link #NONE}. */
    int tokenId(int node) {
        return tokenIds[node];
    }

    private static long key(int node, char c) {
        return ((long) node << 16) | c;
    }

    private int slot(long k) {
        long h = k * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }

    private int newNode() {
        if (nodes == tokenIds.length) {
            int old = tokenIds.length;
            tokenIds = Arrays.copyOf(tokenIds, old * 2);
            Arrays.fill(tokenIds, old, tokenIds.length, NONE);
        }
        return nodes++;
    }

    private void put(long k, int child) {
        if ((edges + 1) * 2 > keys.length) {
            grow();
        }
        int slot = slot(k);
        while (keys[slot] != -1L) {
            slot = (slot + 1) & mask;
        }
        keys[slot] = k;
        children[slot] = child;
        edges++;
    }

    private void grow() {
        long[] oldKeys = keys;
        int[] oldChildren = children;
        keys = new long[oldKeys.length * 2];
        children = new int[oldKeys.length * 2];
        Arrays.fill(keys, -1L);
        mask = keys.length - 1;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != -1L) {
                int slot = slot(oldKeys[i]);
                while (keys[slot] != -1L) {
                    slot = (slot + 1) & mask;
                }
                keys[slot] = oldKeys[i];
                children[slot] = oldChildren[i];
            }
        }
    }
}
