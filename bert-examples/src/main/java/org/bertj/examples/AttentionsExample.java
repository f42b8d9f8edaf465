package org.bertj.examples;

import java.util.List;
import org.bertj.model.BertInputs;
import org.bertj.model.BertModelOutput;
import org.bertj.model.OutputOptions;
import org.bertj.tasks.Bert;
import org.bertj.tokenizer.Encoding;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The README's attentions example: for each token, the token the last layer's first head attends to most. */
public final class AttentionsExample {

    private AttentionsExample() {
    }

    /** @param args optional model directory or name (default bert-base-uncased) */
    public static void main(String[] args) throws Exception {
        // README attentions begin
        Bert bert = Bert.load(args.length > 0 ? args[0] : "bert-base-uncased");
        Encoding e = bert.tokenizer().encode("The capital of France is [MASK].", "Paris is known for the Eiffel Tower.");
        BertInputs inputs = BertInputs.of(new int[][] {e.inputIds()}, new int[][] {e.tokenTypeIds()}, null);
        BertModelOutput out = bert.model().bert().forward(inputs, new OutputOptions(false, true));
        INDArray last = out.attentions().get(out.attentions().size() - 1); // [batch, heads, query, key]
        List<String> tokens = e.tokens();
        for (int q = 0; q < tokens.size(); q++) {
            INDArray row = last.slice(0).slice(0).getRow(q);                 // head 0, query q
            int k = row.argMax().getInt(0);
            System.out.printf("%-10s -> %-10s %.3f%n", tokens.get(q), tokens.get(k), row.getDouble(k));
        }
        // README end
    }
}
