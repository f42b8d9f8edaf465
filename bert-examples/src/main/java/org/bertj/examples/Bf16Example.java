package org.bertj.examples;

import org.bertj.model.BertInputs;
import org.bertj.model.BertModel;
import org.bertj.model.BertModelOutput;
import org.bertj.model.MatmulPrecision;
import org.bertj.model.OutputOptions;
import org.bertj.model.Pass;
import org.bertj.tasks.Bert;
import org.bertj.tokenizer.Encoding;

/** The README's reduced-precision example: one forward in float32 and one with bf16 products, compared. */
public final class Bf16Example {

    private Bf16Example() {
    }

    /**
     * @param args optional model directory or name (default bert-base-uncased)
     * @throws Exception if the model cannot be loaded
     */
    public static void main(String[] args) throws Exception {
        // README bf16 begin
        Bert bert = Bert.load(args.length > 0 ? args[0] : "bert-base-uncased");
        BertModel encoder = bert.model().bert();
        Encoding e = bert.tokenizer().encode("The quick brown fox jumps over the lazy dog.");
        BertInputs inputs = BertInputs.of(new int[][] {e.inputIds()}, new int[][] {e.tokenTypeIds()},
                new int[][] {e.attentionMask()});
        BertModelOutput fp32 = encoder.forward(inputs, OutputOptions.NONE);
        Pass bf16 = Pass.inference().withMatmulPrecision(MatmulPrecision.BF16); // one per call, as any Pass
        BertModelOutput half = encoder.forward(inputs, OutputOptions.NONE, bf16);
        System.out.printf("max |bf16 - fp32| of last_hidden_state: %.4f%n",
                half.lastHiddenState().sub(fp32.lastHiddenState()).amaxNumber().doubleValue());
        // README end
    }
}
