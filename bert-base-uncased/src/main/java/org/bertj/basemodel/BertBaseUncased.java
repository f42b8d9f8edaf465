package org.bertj.basemodel;

import java.io.IOException;
import java.nio.file.Path;
import org.bertj.tasks.Bert;
import org.bertj.weights.BertBaseUncasedCache;

/**
 * Google's BERT-Base uncased, the weights this artifact brings: 12 layers, hidden 768, 30,522
 * WordPiece tokens, with the masked-LM head and without the next-sentence head (the TF Hub export
 * it comes from dropped it). The first call converts them into bertj's cache (15-45 s, a progress
 * line on stderr; {@code -Dbertj.cache} or {@code $BERTJ_CACHE} to put it elsewhere than
 * {@code ~/.cache/bertj}); later calls load the converted copy in about a second.
 */
public final class BertBaseUncased {

    private BertBaseUncased() {
    }

    /**
     * The model, tokenizer and configuration, as {@code Bert.load("bert-base-uncased")}.
     *
     * @return a newly loaded model (each call loads its own copy), with the masked-LM head and
     *         without the next-sentence head
     * @throws IOException if the conversion or loading fails
     */
    public static Bert load() throws IOException {
        return Bert.load(Bert.BERT_BASE_UNCASED);
    }

    /**
     * The converted Hugging Face directory ({@code config.json}, {@code model.safetensors},
     * {@code vocab.txt}), converting first if needed; transformers' {@code from_pretrained} reads it.
     *
     * @return {@code <cache>/bert-base-uncased}, complete; do not write into it, other processes
     *         share it
     * @throws IOException if the conversion fails
     */
    public static Path directory() throws IOException {
        return BertBaseUncasedCache.ensure();
    }
}
