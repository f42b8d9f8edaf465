package org.bertj.cli;

import java.util.stream.IntStream;
import org.bertj.model.BertForMaskedLM;
import org.bertj.model.BertForPreTraining;
import org.bertj.model.BertForPreTrainingOutput;
import org.bertj.model.BertInputs;
import org.bertj.model.OutputOptions;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/** The few steps the commands share: one eval forward pass, softmax and argmax over the vocabulary. */
final class Inference {

    private Inference() {
    }

    /**
     * The head outputs of one forward pass.
     *
     * @param predictionLogits      MLM logits {@code [B, S, V]}
     * @param seqRelationshipLogits NSP logits {@code [B, 2]}, or null for a model without the NSP head
     */
    record Logits(INDArray predictionLogits, INDArray seqRelationshipLogits) {
    }

    /**
     * Runs one sequence through the model's heads.
     *
     * @param tokenTypeIds null for all zeros
     * @throws IllegalArgumentException if an id or the length does not fit the model
     * @throws IllegalStateException    if the model has no masked-LM head (a {@code BertModel})
     */
    static Logits forward(LoadedModel m, int[] inputIds, int[] tokenTypeIds) {
        BertInputs inputs = BertInputs.of(new int[][] {inputIds},
                tokenTypeIds == null ? null : new int[][] {tokenTypeIds}, null);
        inputs.validate(m.model().config());
        if (m.model() instanceof BertForPreTraining p) {
            BertForPreTrainingOutput o = p.forward(inputs, OutputOptions.NONE);
            return new Logits(o.predictionLogits(), m.hasNspHead() ? o.seqRelationshipLogits() : null);
        }
        if (m.model() instanceof BertForMaskedLM mlm) {
            return new Logits(mlm.forward(inputs, OutputOptions.NONE).logits(), null);
        }
        throw new IllegalStateException(m.model().hfClassName() + " has no masked-LM head");
    }

    /** The logits of position {@code pos} of the first sequence of {@code [B, S, V]} logits, {@code [V]}. */
    static INDArray row(INDArray predictionLogits, int pos) {
        return predictionLogits.get(NDArrayIndex.point(0), NDArrayIndex.point(pos), NDArrayIndex.all());
    }

    /** softmax of a vector, in double (the max is subtracted first, as torch does). */
    static INDArray softmax(INDArray logits) {
        INDArray d = logits.castTo(DataType.DOUBLE);
        INDArray e = Transforms.exp(d.sub(d.maxNumber()), false);
        return e.divi(e.sumNumber());
    }

    /** The argmax over the vocabulary of every position of the first sequence, {@code [S]}. */
    static int[] argmax(INDArray predictionLogits) {
        INDArray first = predictionLogits.get(NDArrayIndex.point(0), NDArrayIndex.all(), NDArrayIndex.all());
        return Nd4j.argMax(first, 1).toIntVector();
    }

    /** The positions holding {@code id}. */
    static int[] positionsOf(int[] ids, int id) {
        return IntStream.range(0, ids.length).filter(i -> ids[i] == id).toArray();
    }
}
