package org.bertj.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import org.bertj.tokenizer.BertTokenizer;
import org.bertj.tokenizer.Encoding;
import org.bertj.tokenizer.Vocabulary;
import org.bertj.weights.fuzz.Fuzzing;

/**
 * vocab.txt of any bytes: refused (not UTF-8: IOException naming the byte; no [UNK]/[CLS]/[SEP]:
 * IllegalArgumentException), or a tokenizer whose every id is in the vocabulary.
 */
class VocabFuzzTest {

    @FuzzTest
    void load(byte[] input) {
        Vocabulary v;
        try {
            v = Vocabulary.load(Fuzzing.file("vocab.txt", input));
        } catch (IOException e) {
            Fuzzing.readable(e);
            return;
        }
        BertTokenizer tok;
        try {
            tok = BertTokenizer.builder(v).build();
        } catch (IllegalArgumentException e) {
            Fuzzing.readable(e);
            return;
        }
        for (int id = 0; id < Math.min(v.idLimit(), 64); id++) {
            String t = v.token(id);
            if (t == null) {
                continue;
            }
            Encoding e = tok.encode(t + " " + t.toUpperCase() + " unknownword");
            for (int i : e.inputIds()) {
                assertEquals(true, i >= 0 && i < v.idLimit(), "id " + i);
            }
            tok.decode(e.inputIds());
        }
    }
}
