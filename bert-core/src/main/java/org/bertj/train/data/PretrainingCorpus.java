package org.bertj.train.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;

/**
 * A pretraining corpus as Google's create_pretraining_data.py reads it: UTF-8 text, one sentence
 * per line, a blank line between documents. Each sentence is tokenized to WordPiece ids when read.
 *
 * <p>As in Google's code, lines are stripped of surrounding whitespace, a sentence that tokenizes
 * to nothing is dropped, and empty documents are dropped. Documents matter because the "random
 * next" segment of a sentence pair is taken from a different document.
 */
public final class PretrainingCorpus {

    private final List<List<int[]>> documents;

    private PretrainingCorpus(List<List<int[]>> documents) {
        this.documents = documents;
    }

    /**
     * A corpus from already tokenized documents (each a list of sentences of token ids). Empty
     * sentences and documents are dropped.
     *
     * @param documents the documents, each a list of sentences of token ids; the arrays are copied
     * @return the corpus
     * @throws IllegalArgumentException if fewer than two non-empty documents remain
     */
    public static PretrainingCorpus of(List<List<int[]>> documents) {
        return build(documents, true);
    }

    private static PretrainingCorpus build(List<List<int[]>> documents, boolean copy) {
        List<List<int[]>> kept = new ArrayList<>();
        for (List<int[]> doc : documents) {
            List<int[]> sentences = new ArrayList<>();
            for (int[] s : doc) {
                if (s.length > 0) {
                    sentences.add(copy ? s.clone() : s);
                }
            }
            if (!sentences.isEmpty()) {
                kept.add(Collections.unmodifiableList(sentences));
            }
        }
        if (kept.size() < 2) {
            throw new IllegalArgumentException("a pretraining corpus needs at least 2 non-empty documents "
                    + "(the random next segment comes from another document), found " + kept.size());
        }
        return new PretrainingCorpus(Collections.unmodifiableList(kept));
    }

    /**
     * Reads and tokenizes a corpus file.
     *
     * @param file      UTF-8 text, one sentence per line, a blank line between documents
     * @param tokenizer sentence to WordPiece ids (without [CLS]/[SEP])
     * @throws IOException naming the file, line and byte offset if the file is not valid UTF-8,
     *     and if it holds fewer than two documents
     * @return the corpus
     */
    public static PretrainingCorpus read(Path file, Function<String, int[]> tokenizer) throws IOException {
        List<List<int[]>> documents = new ArrayList<>();
        List<int[]> current = new ArrayList<>();
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try (InputStream in = Files.newInputStream(file)) {
            byte[] chunk = new byte[1 << 16];
            byte[] line = new byte[256];
            int lineLength = 0;
            long lineNumber = 1;
            long lineStart = 0;
            long chunkStart = 0;
            for (int read; (read = in.read(chunk)) >= 0; chunkStart += read) {
                int from = 0;
                for (int i = 0; i < read; i++) {
                    if (chunk[i] != '\n') {
                        continue;
                    }
                    line = append(line, lineLength, chunk, from, i - from);
                    lineLength += i - from;
                    String text = decode(utf8, line, lineLength, file, lineNumber, lineStart);
                    current = addLine(text, lineNumber, tokenizer, documents, current);
                    lineLength = 0;
                    lineNumber++;
                    lineStart = chunkStart + i + 1;
                    from = i + 1;
                }
                line = append(line, lineLength, chunk, from, read - from);
                lineLength += read - from;
            }
            if (lineLength > 0) {
                String text = decode(utf8, line, lineLength, file, lineNumber, lineStart);
                current = addLine(text, lineNumber, tokenizer, documents, current);
            }
        }
        if (!current.isEmpty()) {
            documents.add(current);
        }
        try {
            return build(documents, false); // nothing modifies the arrays, so no copy is needed
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    /** Handles one line; returns the document to add the next sentence to. */
    private static List<int[]> addLine(String text, long lineNumber, Function<String, int[]> tokenizer,
            List<List<int[]>> documents, List<int[]> current) {
        if (lineNumber == 1 && text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        text = text.strip();
        if (text.isEmpty()) {
            if (!current.isEmpty()) {
                documents.add(current);
                return new ArrayList<>();
            }
            return current;
        }
        int[] ids = tokenizer.apply(text);
        if (ids.length > 0) {
            current.add(ids);
        }
        return current;
    }

    private static byte[] append(byte[] line, int length, byte[] src, int from, int count) {
        if (length + count > line.length) {
            line = Arrays.copyOf(line, Math.max(line.length * 2, length + count));
        }
        System.arraycopy(src, from, line, length, count);
        return line;
    }

    private static String decode(CharsetDecoder utf8, byte[] bytes, int length, Path file, long lineNumber,
            long lineStart) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(bytes, 0, length);
        try {
            return utf8.reset().decode(buf).toString();
        } catch (CharacterCodingException e) {
            // After a failed decode the buffer stands at the first bad byte.
            int bad = buf.position();
            throw new IOException(file + ": line " + lineNumber + " is not valid UTF-8 (bad byte 0x"
                    + String.format("%02x", bytes[Math.min(bad, length - 1)] & 0xff)
                    + " at byte offset " + (lineStart + bad) + " of the file)", e);
        }
    }

    /** {@return the documents, each a list of tokenized sentences (unmodifiable lists; do not modify the arrays)} */
    public List<List<int[]>> documents() {
        return documents;
    }

    /** {@return the number of (non-empty) documents} */
    public int documentCount() {
        return documents.size();
    }

    /** {@return the total number of tokens over all sentences} */
    public long tokenCount() {
        long n = 0;
        for (List<int[]> d : documents) {
            for (int[] s : d) {
                n += s.length;
            }
        }
        return n;
    }
}
