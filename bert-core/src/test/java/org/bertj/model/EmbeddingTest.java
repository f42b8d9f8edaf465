package org.bertj.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class EmbeddingTest {

    @Test
    void lookupAndBackwardAccumulateRepeatedIds() {
        Parameters p = new Parameters(DataType.DOUBLE);
        Embedding e = new Embedding(p, "emb", 6, 3);
        p.get("emb.weight").assign(Nd4j.arange(18).reshape(6, 3));
        int[] ids = {4, 1, 4, 4, 0};
        Pass pass = Pass.deterministicTraining();
        INDArray out = e.forward(ids, pass);
        assertEquals(p.get("emb.weight").getRow(4), out.getRow(2));
        INDArray dy = Nd4j.rand(DataType.DOUBLE, 5, 3);
        Parameters g = p.zerosLike();
        g.get("emb.weight").assign(1.0); // gradients accumulate onto what is there
        e.backward(pass, dy, g);
        INDArray want = Nd4j.ones(DataType.DOUBLE, 6, 3);
        for (int i = 0; i < ids.length; i++) {
            want.getRow(ids[i]).addi(dy.getRow(i));
        }
        assertEquals(want, g.get("emb.weight"));
    }
}
