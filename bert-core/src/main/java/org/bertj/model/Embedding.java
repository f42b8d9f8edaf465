package org.bertj.model;

import java.util.HashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.transforms.segment.UnsortedSegmentSum;
import org.nd4j.linalg.factory.Nd4j;

/** A lookup table {@code [rows, dim]}: row {@code i} is the vector of id {@code i}. */
final class Embedding {

    private final String name;
    private final INDArray weight;

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
        if (pass.caches()) {
            pass.save(this, ids);
        }
        return Nd4j.pullRows(weight, 1, ids);
    }

    /** Adds each row of {@code dy} into the gradient row of the id that produced it. */
    void backward(Pass pass, INDArray dy, Parameters grads) {
        int[] ids = pass.saved(this, int[].class);
        if (grads == null) {
            return;
        }
        // Rows of repeated ids are first summed per distinct id (a segment sum over compact ids),
        // then added in place into the distinct rows of the gradient: no race between duplicates,
        // and no table-sized temporary (allocating 30522x768 costs ND4J far more than the adds).
        Map<Integer, Integer> compact = new HashMap<>();
        int[] segment = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            segment[i] = compact.computeIfAbsent(ids[i], k -> compact.size());
        }
        int[] distinct = new int[compact.size()];
        for (Map.Entry<Integer, Integer> e : compact.entrySet()) {
            distinct[e.getValue()] = e.getKey();
        }
        INDArray summed = Nd4j.exec(new UnsortedSegmentSum(dy, Nd4j.createFromArray(segment), distinct.length))[0];
        INDArray g = grads.get(name);
        Nd4j.exec(DynamicCustomOp.builder("scatter_add").addInputs(g, Nd4j.createFromArray(distinct), summed)
                .addOutputs(g).build());
    }
}
