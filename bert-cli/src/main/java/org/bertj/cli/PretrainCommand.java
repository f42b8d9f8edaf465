package org.bertj.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.bertj.model.BertConfig;
import org.bertj.model.BertForPreTraining;
import org.bertj.model.ParameterInit;
import org.bertj.model.WeightLoader;
import org.bertj.tokenizer.BertTokenizer;
import org.bertj.tokenizer.Vocabulary;
import org.bertj.train.Checkpoint;
import org.bertj.train.PretrainOptions;
import org.bertj.train.Pretrainer;
import org.bertj.train.StepMetrics;
import org.bertj.train.TrainingListener;
import org.bertj.train.data.PretrainingCorpus;
import org.bertj.train.data.SpecialTokens;
import org.bertj.weights.EasyBertArtifact;
import org.nd4j.linalg.api.buffer.DataType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bert pretrain}: masked-LM + next-sentence pretraining of a model from a Hugging Face
 * directory ({@code --model}) or from scratch ({@code --config}) on a corpus file (one sentence per
 * line, a blank line between documents). Checkpoints go to {@code --out} as Hugging Face
 * safetensors plus optimizer and trainer state; {@code --resume} continues the latest one.
 */
@Command(name = "pretrain", description = "Masked-LM + next-sentence pretraining from a Hugging Face directory or"
        + " from scratch; checkpoints in DIR/checkpoint-<step> (Hugging Face safetensors).")
public final class PretrainCommand extends BertCommand {

    @Option(names = "--corpus", required = true, paramLabel = "FILE",
            description = "one sentence per line, a blank line between documents")
    Path corpusFile;

    @Option(names = "--model", paramLabel = "DIR", description = "continue from these weights (config.json +"
            + " model.safetensors); one of --model and --config is required")
    Path modelDir;

    @Option(names = "--config", paramLabel = "FILE", description = "train from scratch with this config.json;"
            + " one of --model and --config is required")
    Path configFile;

    @Option(names = "--vocab", paramLabel = "FILE", description = "the vocabulary (default: DIR/vocab.txt for"
            + " --model, bert-base-uncased's for --config)")
    Path vocab;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "where checkpoints go")
    Path outDir;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "1000", description = "optimizer steps in all")
    int steps;

    @Option(names = "--batch-size", paramLabel = "B", defaultValue = "32", description = "sequences per batch")
    int batchSize;

    @Option(names = "--max-seq-length", paramLabel = "S", defaultValue = "128", description = "tokens per sequence")
    int maxSeqLength;

    @Option(names = "--max-predictions", paramLabel = "P", defaultValue = "20",
            description = "masked positions per sequence at most")
    int maxPredictions;

    @Option(names = "--lr", paramLabel = "X", defaultValue = "1e-4", description = "peak learning rate (AdamW)")
    double lr;

    @Option(names = "--warmup", paramLabel = "N", description = "linear warm-up steps (default: --steps / 10)")
    Integer warmup;

    @Option(names = "--accumulate", paramLabel = "K", defaultValue = "1",
            description = "batches whose gradients are summed per optimizer step")
    int accumulate;

    @Option(names = "--weight-decay", paramLabel = "W", defaultValue = "0.01",
            description = "AdamW weight decay (not on biases and LayerNorm)")
    double weightDecay;

    @Option(names = "--whole-word-mask", description = "mask all pieces of a word together")
    boolean wholeWordMask;

    @Option(names = "--no-dropout", description = "train without dropout (default: the config's dropout)")
    boolean noDropout;

    @Option(names = "--cased", description = "keep case and accents (default: lower-case, as bert-base-uncased)")
    boolean cased;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42",
            description = "seed of initialisation, masking and shuffling")
    int seed;

    @Option(names = "--save-every", paramLabel = "N", defaultValue = "0",
            description = "save a checkpoint every N steps (0: only at the end)")
    int saveEvery;

    @Option(names = "--keep", paramLabel = "N", defaultValue = "3", description = "checkpoints to keep")
    int keep;

    @Option(names = "--log-every", paramLabel = "N",
            description = "a progress line every N steps when not on a terminal (default: --steps / 50, at least 1)")
    Integer logEvery;

    @Option(names = "--resume", description = "continue the latest checkpoint in --out")
    boolean resume;

    @Override
    protected int run() throws Exception {
        if ((modelDir == null) == (configFile == null)) {
            throw new UsageException("give exactly one of --model DIR (continue from weights) and --config FILE"
                    + " (train from scratch)");
        }
        CliFiles.requireFile(corpusFile);
        List<Path> existing = Checkpoint.list(outDir);
        if (!resume && (!existing.isEmpty() || Files.exists(outDir.resolve(Checkpoint.LATEST)))) {
            throw new IllegalArgumentException("--out " + outDir + " already holds checkpoints ("
                    + (existing.isEmpty() ? Checkpoint.LATEST : existing.get(existing.size() - 1).getFileName())
                    + "); pass --resume to continue that run, or choose another directory");
        }
        if (Files.exists(outDir) && !Files.isDirectory(outDir)) {
            throw new NotDirectoryException(outDir + " (--out)");
        }
        if (steps < 1) {
            throw new UsageException("--steps must be >= 1, got " + steps);
        }
        int every = logEvery != null ? logEvery : Math.max(1, steps / 50);
        if (every < 1) {
            throw new UsageException("--log-every must be >= 1, got " + every);
        }
        PretrainOptions options = PretrainOptions.builder()
                .totalSteps(steps)
                .batchSize(batchSize)
                .maxSeqLength(maxSeqLength)
                .maxPredictions(maxPredictions)
                .learningRate(lr)
                .warmupSteps(warmup != null ? warmup : steps / 10)
                .accumulate(accumulate)
                .weightDecay(weightDecay)
                .wholeWordMask(wholeWordMask)
                .dropout(!noDropout)
                .seed(seed)
                .saveEvery(saveEvery)
                .keepLast(keep)
                .build();

        BertForPreTraining model;
        Path vocabFile;
        if (modelDir != null) {
            CliFiles.requireDirectory(modelDir);
            WeightLoader.Loaded loaded = WeightLoader.loadDirectory(modelDir, DataType.FLOAT, WeightLoader.Mode.LENIENT);
            if (!loaded.report().initialized().isEmpty() || !loaded.report().unexpected().isEmpty()) {
                out.println(loaded.report().describe());
            }
            model = loaded.model();
            vocabFile = vocab != null ? vocab : modelDir.resolve("vocab.txt");
        } else {
            CliFiles.requireFile(configFile);
            BertConfig config = BertConfig.fromJson(configFile);
            model = new BertForPreTraining(config, DataType.FLOAT);
            ParameterInit.initializeAll(model.parameters(), config, options.seed());
            vocabFile = vocab;
        }
        Files.createDirectories(outDir);
        vocabFile = runVocabulary(vocabFile, outDir);
        Vocabulary vocabulary = Vocabulary.load(vocabFile);
        BertTokenizer tokenizer = BertTokenizer.builder(vocabulary).doLowerCase(!cased).build();
        List<String> tokens = new ArrayList<>(vocabulary.idLimit());
        for (int i = 0; i < vocabulary.idLimit(); i++) {
            String t = vocabulary.token(i);
            tokens.add(t == null ? "" : t);
        }
        PretrainingCorpus corpus = PretrainingCorpus.read(corpusFile, tokenizer::tokenIds);
        Pretrainer trainer = new Pretrainer(model, corpus, SpecialTokens.fromVocabulary(tokens),
                SpecialTokens.continuationPieces(tokens), options);
        out.printf("pretrain: %d documents, %d tokens, %d batches of %d per epoch; %,d parameters; vocab %s%n",
                corpus.documentCount(), corpus.tokenCount(), trainer.batchesPerEpoch(), options.batchSize(),
                model.parameters().count(), vocabFile);
        if (resume) {
            if (trainer.resume(outDir)) {
                out.println("resumed at step " + trainer.step() + " from " + outDir);
            } else {
                out.println("no checkpoint in " + outDir + "; starting at step 0");
            }
        }
        Progress progress = new Progress(out, System.console() != null, every);
        trainer.train(outDir, progress);
        progress.finish();
        out.println("done: step " + trainer.step() + ", latest checkpoint "
                + outDir.resolve(Files.readString(outDir.resolve(Checkpoint.LATEST)).strip())
                + " (loads with from_pretrained)");
        return 0;
    }

    /**
     * The vocabulary the run uses, kept as {@code outDir/vocab.txt} so that the run directory is
     * self-contained: the given file, or the one already there (a resumed run), or bert-base-uncased's.
     */
    private static Path runVocabulary(Path given, Path outDir) throws IOException {
        Path kept = outDir.resolve("vocab.txt");
        if (given != null) {
            CliFiles.requireFile(given);
            if (!Files.exists(kept)) {
                Path tmp = outDir.resolve(".vocab.txt.part");
                Files.copy(given, tmp, StandardCopyOption.REPLACE_EXISTING);
                Files.move(tmp, kept, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            return given;
        }
        if (Files.isRegularFile(kept)) {
            return kept;
        }
        try {
            return EasyBertArtifact.extractVocab(kept);
        } catch (IOException e) {
            throw new IOException("no --vocab given and bert-base-uncased's vocab.txt is unavailable: "
                    + e.getMessage(), e);
        }
    }

    /**
     * Draws progress: on a terminal one line rewritten with {@code \r} every step; otherwise a
     * line every {@code every} steps with the means since the previous line.
     */
    static final class Progress implements TrainingListener {
        private final PrintStream out;
        private final boolean terminal;
        private final int every;
        private double loss;
        private double mlmAcc;
        private double nspAcc;
        private int n;
        private boolean lineOpen;

        Progress(PrintStream out, boolean terminal, int every) {
            this.out = out;
            this.terminal = terminal;
            this.every = every;
        }

        @Override
        public void onStep(StepMetrics m) {
            loss += m.loss();
            mlmAcc += m.mlmAccuracy();
            nspAcc += m.nspAccuracy();
            n++;
            boolean last = m.step() == m.totalSteps();
            if (terminal) {
                out.print("\r" + bar(m) + " " + line(m, m.loss(), m.mlmAccuracy(), m.nspAccuracy()) + "   ");
                out.flush();
                lineOpen = true;
            } else if (m.step() % every == 0 || last) {
                out.println(line(m, loss / n, mlmAcc / n, nspAcc / n));
            }
            if (!terminal && (m.step() % every == 0 || last)) {
                loss = 0;
                mlmAcc = 0;
                nspAcc = 0;
                n = 0;
            }
        }

        @Override
        public void onCheckpoint(long step, Path dir) {
            if (lineOpen) {
                out.println();
                lineOpen = false;
            }
            out.println("saved " + dir);
        }

        void finish() {
            if (lineOpen) {
                out.println();
                lineOpen = false;
            }
        }

        private static String bar(StepMetrics m) {
            int width = 20;
            int filled = (int) (width * m.step() / m.totalSteps());
            return "[" + "#".repeat(filled) + ".".repeat(width - filled) + "]";
        }

        static String line(StepMetrics m, double loss, double mlmAcc, double nspAcc) {
            return String.format("step %d/%d  loss %.4f  MLM acc %.3f  NSP acc %.3f  %.0f tok/s  lr %.2e  ETA %s",
                    m.step(), m.totalSteps(), loss, mlmAcc, nspAcc, m.tokensPerSecond(), m.learningRate(),
                    duration(m.etaSeconds()));
        }

        static String duration(double seconds) {
            long s = Math.round(seconds);
            if (s >= 3600) {
                return String.format("%dh%02dm%02ds", s / 3600, s / 60 % 60, s % 60);
            }
            return s >= 60 ? String.format("%dm%02ds", s / 60, s % 60) : s + "s";
        }
    }
}
