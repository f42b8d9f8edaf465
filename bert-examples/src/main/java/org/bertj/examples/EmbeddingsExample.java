package org.bertj.examples;

import java.util.List;
import org.bertj.tasks.Bert;
import org.bertj.tasks.Embeddings;

/** The README's embeddings example: mean-pooled, normalised sentence vectors and their cosine similarity. */
public final class EmbeddingsExample {

    private EmbeddingsExample() {
    }

    /** @param args optional model directory or name (default bert-base-uncased) */
    public static void main(String[] args) throws Exception {
        // README embeddings begin
        Bert bert = Bert.load(args.length > 0 ? args[0] : "bert-base-uncased");
        Embeddings embeddings = bert.embeddings(Embeddings.Pooling.MEAN, true);
        float[][] v = embeddings.embed(List.of("A man is eating food.", "A man is eating a piece of bread.",
                "The new movie is awesome."));
        System.out.printf("food / bread: %.4f%n", Embeddings.cosine(v[0], v[1]));
        System.out.printf("food / movie: %.4f%n", Embeddings.cosine(v[0], v[2]));
        // README end
    }
}
