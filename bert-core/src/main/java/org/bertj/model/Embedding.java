package org.bertj.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.segment.UnsortedSegmentSum;
import org.nd4j.linalg.factory.Nd4j;

/** A lookup table {@code [rows, dim]}: row {@code i} is the vector of id {@code i}. */
final class Embedding {

    private final String name;
    private final INDArray weight;
    private int[] ids;

    /** Creates {@code prefix.weight [rows, dim]}. */
    Embedding(Parameters params, String prefix, int rows, int dim) {
        this.name = prefix + ".weight";
        this.weight = params.create(name, rows, dim);
    }

    INDArray weight() {
        return weight;
    }

    /** The rows of {@code ids} (already validated), as a new {@code [ids.length, dim]} array. */
    INDArray forward(int[] ids, Pass pass) {
        this.ids = pass.caches() ? ids : null;
        return Nd4j.pullRows(weight, 1, ids);
    }

    /** Adds each row of {@code dy} into the gradient row of the id that produced it. */
    void backward(INDArray dy, Parameters grads) {
        if (ids == null) {
            throw new IllegalStateException("backward without a caching forward pass");
        }
        // Repeated ids must accumulate: a segment sum adds every row of dy into the row of its id.
        INDArray summed = Nd4j.exec(new UnsortedSegmentSum(dy, Nd4j.createFromArray(ids), (int) weight.size(0)))[0];
        grads.get(name).addi(summed);
        ids = null;
    }
}
