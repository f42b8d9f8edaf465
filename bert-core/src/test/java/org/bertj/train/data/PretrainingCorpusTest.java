package org.bertj.train.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PretrainingCorpusTest {

    @TempDir
    Path dir;

    /** Whitespace tokenizer over a vocabulary built on the fly; "skip" tokenizes to nothing. */
    static Function<String, int[]> tokenizer(Map<String, Integer> vocab) {
        return line -> Arrays.stream(line.split("\\s+"))
                .filter(w -> !w.equals("skip"))
                .mapToInt(w -> vocab.computeIfAbsent(w, k -> 10 + vocab.size()))
                .toArray();
    }

    @Test
    void readsDocumentsSeparatedByBlankLines() throws IOException {
        Path f = dir.resolve("corpus.txt");
        String text = "\uFEFFthe cat sat\r\non the mat .  \r\n\r\n\r\n  café au lait\nskip\n\n\nlast doc\n";
        Files.writeString(f, text, StandardCharsets.UTF_8);
        Map<String, Integer> vocab = new HashMap<>();
        PretrainingCorpus c = PretrainingCorpus.read(f, tokenizer(vocab));
        assertEquals(3, c.documentCount());
        assertEquals(2, c.documents().get(0).size());
        assertArrayEquals(new int[] {vocab.get("the"), vocab.get("cat"), vocab.get("sat")},
                c.documents().get(0).get(0));
        assertEquals(1, c.documents().get(1).size()); // "skip" tokenized to nothing and was dropped
        assertArrayEquals(new int[] {vocab.get("café"), vocab.get("au"), vocab.get("lait")},
                c.documents().get(1).get(0));
        assertEquals(3 + 4 + 3 + 2, c.tokenCount());
    }

    @Test
    void invalidUtf8NamesTheLineAndOffset() throws IOException {
        Path f = dir.resolve("bad.txt");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.writeBytes("one\n\ntwo\nt".getBytes(StandardCharsets.UTF_8));
        bytes.write(0xC3); // a lead byte followed by an ASCII byte: malformed
        bytes.writeBytes("x\n".getBytes(StandardCharsets.UTF_8));
        Files.write(f, bytes.toByteArray());
        IOException e = assertThrows(IOException.class, () -> PretrainingCorpus.read(f, tokenizer(new HashMap<>())));
        assertTrue(e.getMessage().contains("line 4") && e.getMessage().contains("byte offset 10")
                && e.getMessage().contains("0xc3") && e.getMessage().contains("bad.txt"), e.getMessage());
    }

    @Test
    void oneDocumentIsNotEnoughForNextSentencePrediction() throws IOException {
        Path f = dir.resolve("one.txt");
        Files.writeString(f, "a b\nc d\n");
        IOException e = assertThrows(IOException.class, () -> PretrainingCorpus.read(f, tokenizer(new HashMap<>())));
        assertTrue(e.getMessage().contains("at least 2 non-empty documents"), e.getMessage());
    }
}
