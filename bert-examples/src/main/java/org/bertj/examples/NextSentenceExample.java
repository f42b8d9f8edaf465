package org.bertj.examples;

import org.bertj.tasks.Bert;
import org.bertj.tasks.NextSentence;

/** The README's next-sentence example; the default weights have no NSP head, and it says so. */
public final class NextSentenceExample {

    private NextSentenceExample() {
    }

    /** @param args optional model directory or name (default bert-base-uncased) */
    public static void main(String[] args) throws Exception {
        // README nsp begin
        Bert bert = Bert.load(args.length > 0 ? args[0] : "bert-base-uncased");
        if (!bert.hasNspHead()) {
            System.out.println("no NSP head in " + bert.source());
            return;
        }
        NextSentence.Prediction p = bert.nextSentence().predict("The cat sat on the mat.", "Then it fell asleep.");
        System.out.printf("P(IsNext) = %.4f: %s%n", p.isNextProbability(), p.isNext() ? "IsNext" : "NotNext");
        // README end
    }
}
