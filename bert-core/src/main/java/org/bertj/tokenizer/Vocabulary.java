package org.bertj.tokenizer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A WordPiece vocabulary: one token per line of {@code vocab.txt}, its id the line number from 0,
 * read as HF's {@code load_vocab} reads it (UTF-8, universal newlines, nothing stripped but the line end;
 * a token listed twice keeps its last line, and its earlier id then decodes to the unknown token).
 */
public final class Vocabulary {

    private final Map<String, Integer> ids;
    private final String[] tokens;
    private final int size;
    private final TokenTrie trie;

    private Vocabulary(List<String> lines) {
        ids = new HashMap<>(lines.size() * 2);
        int chars = 0;
        for (int i = 0; i < lines.size(); i++) {
            ids.put(lines.get(i), i);
            chars += lines.get(i).length();
        }
        size = ids.size();
        tokens = new String[lines.size()];
        trie = new TokenTrie(chars);
        for (Map.Entry<String, Integer> e : ids.entrySet()) {
            tokens[e.getValue()] = e.getKey();
            trie.add(e.getKey(), e.getValue());
        }
    }

    /**
     * The vocabulary whose token {@code i} is {@code tokens.get(i)}, as if they were the lines of a
     * {@code vocab.txt}.
     *
     * @param tokens the tokens in id order, none null; a repeated token keeps its last id
     * @return the vocabulary
     * @throws IllegalArgumentException if a token is null
     */
    public static Vocabulary of(List<String> tokens) {
        for (int i = 0; i < tokens.size(); i++) {
            if (tokens.get(i) == null) {
                throw new IllegalArgumentException("vocabulary token " + i + " is null");
            }
        }
        return new Vocabulary(tokens);
    }

    /**
     * Reads a {@code vocab.txt}.
     *
     * @param vocabTxt the file: UTF-8, one token per line, ids counting lines from 0
     * @return the vocabulary
     * @throws IOException if the file cannot be read or is not valid UTF-8 (the message gives the byte offset)
     */
    public static Vocabulary load(Path vocabTxt) throws IOException {
        byte[] bytes = Files.readAllBytes(vocabTxt);
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        String text;
        try {
            text = decoder.decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new IOException(vocabTxt + ": not valid UTF-8 at byte " + firstBadByte(bytes), e);
        }
        return new Vocabulary(splitLines(text));
    }

    /** Python's text-mode {@code readlines()} with the newline dropped: \n, \r\n and \r all end a line. */
    private static List<String> splitLines(String text) {
        List<String> lines = new ArrayList<>(32768);
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n' || c == '\r') {
                lines.add(text.substring(start, i));
                if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                    i++;
                }
                start = i + 1;
            }
        }
        if (start < text.length()) {
            lines.add(text.substring(start));
        }
        return lines;
    }

    private static long firstBadByte(byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length + 1);
        decoder.decode(in, out, true);
        return in.position();
    }

    /** {@return the number of distinct tokens (HF's {@code vocab_size}; less than {@link #idLimit()} if a token repeats)} */
    public int size() {
        return size;
    }

    /** {@return the number of lines, i.e. one more than the largest id} */
    public int idLimit() {
        return tokens.length;
    }

    /**
     * The id of a token.
     *
     * @param token a token as it appears in {@code vocab.txt}, e.g. {@code "##ing"} or {@code "[MASK]"}
     * @return its id, or -1 if it is not in the vocabulary
     */
    public int id(String token) {
        Integer id = ids.get(token);
        return id == null ? -1 : id;
    }

    /**
     * Whether a token is in the vocabulary.
     *
     * @param token a token as it appears in {@code vocab.txt}
     * @return true if {@link #id(String)} is not -1
     */
    public boolean contains(String token) {
        return ids.containsKey(token);
    }

    /**
     * The token with an id.
     *
     * @param id an id; any int is accepted
     * @return the token, or null if no token has it (out of range, or the earlier line of a repeated token)
     */
    public String token(int id) {
        return id >= 0 && id < tokens.length ? tokens[id] : null;
    }

    TokenTrie trie() {
        return trie;
    }
}
