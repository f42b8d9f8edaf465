package org.bertj.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** {@link CpuAttentionKernels} against the ND4J permutes they replace. */
class CpuAttentionKernelsTest {

    @Test
    void splitAndMergeHeadsAgreeWithNd4jPermute() {
        agree(3, 5, 4, 8);
        // one long sequence, big enough for the heads to be shared between threads (1.2M elements)
        agree(1, 512, 12, 64);
        // and a batch of them, cut between threads in the middle of a sequence's heads
        agree(3, 300, 5, 64);
    }

    private static void agree(int b, int s, int heads, int d) {
        INDArray qkv = Nd4j.randn(DataType.FLOAT, b * s, 3 * heads * d);
        INDArray bias = Nd4j.randn(DataType.FLOAT, 3 * heads * d);
        INDArray q = Nd4j.create(DataType.FLOAT, b, heads, s, d);
        INDArray k = Nd4j.create(DataType.FLOAT, b, heads, s, d);
        INDArray v = Nd4j.create(DataType.FLOAT, b, heads, s, d);
        CpuAttentionKernels.splitHeads(qkv, bias, b, s, q, k, v);
        INDArray fused = qkv.addRowVector(bias).reshape(b, s, 3, heads, d);
        INDArray[] want = new INDArray[3];
        for (int i = 0; i < 3; i++) {
            want[i] = fused.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(i), NDArrayIndex.all(),
                    NDArrayIndex.all()).permute(0, 2, 1, 3).dup('c');
        }
        assertEquals(want[0], q, "query");
        assertEquals(want[1], k, "key");
        assertEquals(want[2], v, "value");
        INDArray out = Nd4j.create(DataType.FLOAT, b * s, heads * d);
        CpuAttentionKernels.mergeHeads(v, out);
        assertEquals(v.permute(0, 2, 1, 3).dup('c').reshape(b * s, heads * d), out);
        assertThrows(IllegalArgumentException.class, () -> CpuAttentionKernels.mergeHeads(q, Nd4j.create(DataType.FLOAT, 15, 31)));
        assertThrows(IllegalArgumentException.class, () -> CpuAttentionKernels.splitHeads(qkv, bias, b, s + 1, q, k, v));
    }
}
