package org.bertj.model;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Query, key, value and context {@code [B, heads, S, D]} of the fused CPU attention
 * ({@link BertSelfAttention}) where ND4J multiplies (where {@link DnnlProducts} does, {@link
 * DnnlAttention} needs none), with a 2-D view of each (batch, head) pair, made once per forward
 * call and shared by all its layers: each layer overwrites them, and nothing reads them after its
 * layer (this path runs only with no hook inside the attention and no backward). Why: the
 * attention's products go one pair at a time, and ND4J charges 7-30 µs for every view it makes
 * (a 128x64x128 product itself takes 46-80 µs). One pair's score view is all a layer still
 * makes: the forward took 164.5 ms median at 1x128 and 943 at 8x128 against 169.8 and 993 with
 * the same views made in every layer, alternating in one process (bench/NOTES.md, "December 2,
 * night").
 *
 * <p>Per-call state, in the call's {@link Pass}: inside a forward call's pass workspace the arrays
 * live in that workspace (borrowed from within the layer's), so they last exactly as long as the
 * call. Outside one (a layer run on its own) every call makes its own.
 */
record AttentionBuffers(INDArray q, INDArray k, INDArray v, INDArray context,
        INDArray[] qs, INDArray[] ks, INDArray[] vs, INDArray[] contexts) {

    /** What the buffers fit: a model's heads and a call's tokens. */
    private record Key(DataType type, int batch, int heads, int seq, int headSize) {
    }

    /**
     * This call's buffers for {@code batch x seq} tokens of {@code heads} heads of {@code
     * headSize}.
     */
    static AttentionBuffers of(Pass pass, DataType type, int batch, int heads, int seq, int headSize) {
        Key key = new Key(type, batch, heads, seq, headSize);
        if (!Nd4j.getWorkspaceManager().checkIfWorkspaceExistsAndActive(ForwardWorkspace.PASS)) {
            return make(key);
        }
        return pass.perCall(key, () -> {
            MemoryWorkspace call = Nd4j.getWorkspaceManager().getWorkspaceForCurrentThread(ForwardWorkspace.PASS);
            try (MemoryWorkspace borrowed = call.notifyScopeBorrowed()) {
                return make(key);
            }
        });
    }

    private static AttentionBuffers make(Key key) {
        int batch = key.batch();
        int seq = key.seq();
        int headSize = key.headSize();
        long[] shape = {batch, key.heads(), seq, headSize};
        INDArray[] arrays = new INDArray[4];
        INDArray[][] views = new INDArray[4][batch * key.heads()];
        for (int a = 0; a < arrays.length; a++) {
            arrays[a] = Nd4j.createUninitialized(key.type(), shape, 'c');
            INDArray byPair = arrays[a].reshape('c', (long) batch * key.heads(), seq, headSize);
            for (int i = 0; i < views[a].length; i++) {
                views[a][i] = pair(byPair, i);
            }
        }
        return new AttentionBuffers(arrays[0], arrays[1], arrays[2], arrays[3], views[0], views[1], views[2], views[3]);
    }

    /** Pair {@code i} of a C-order rank-3 array {@code [pairs, S, D]}: a contiguous 2-D view. */
    static INDArray pair(INDArray a, long i) {
        return a.get(NDArrayIndex.point(i), NDArrayIndex.all(), NDArrayIndex.all());
    }
}
