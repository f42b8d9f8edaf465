package org.bertj.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.IntPredicate;
import org.bertj.model.BertConfig;
import org.bertj.model.BertForPreTraining;
import org.bertj.model.BertInputs;
import org.bertj.model.Gradients;
import org.bertj.model.Parameters;
import org.bertj.model.Pass;
import org.bertj.model.TrainingStepResult;
import org.bertj.train.data.MaskedLmMasker;
import org.bertj.train.data.PretrainingBatch;
import org.bertj.train.data.PretrainingCorpus;
import org.bertj.train.data.PretrainingDataset;
import org.bertj.train.data.SentencePairSampler;
import org.bertj.train.data.SpecialTokens;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * BERT pretraining (masked LM + next sentence) of a {@link BertForPreTraining} on a corpus: per
 * optimizer step, gradients summed over {@code accumulate} micro-batches and averaged, clipped to
 * the global norm limit, AdamW with linear warmup and decay, metrics to a
 * {@link TrainingListener}, and {@link Checkpoint}s every {@code saveEvery} steps and at the end.
 *
 * <p>A run resumed with {@link #resume(Path)} continues bit for bit where the checkpoint was:
 * parameters and AdamW moments are restored exactly, the data position (epoch, batch) is saved,
 * every batch is a function of (seed, epoch, batch) and the dropout stream of a micro-batch is
 * seeded from (seed, step, micro-batch), so no random generator state needs saving.
 *
 * <p>Batches are cut to their longest sequence before the forward pass: padding is masked out of
 * attention and of both losses, so this changes nothing but the cost.
 */
public final class Pretrainer {

    private final BertForPreTraining model;
    private final PretrainOptions options;
    private final PretrainingDataset dataset;
    private final AdamW optimizer;
    private final LinearWarmupDecay schedule;
    private final Gradients grads;
    private long step;
    private int epoch;
    private long batchInEpoch;
    private double lastLoss = Double.NaN;
    private Iterator<PretrainingBatch> batches;

    /**
     * A run that has taken no step yet; {@link #resume} continues a saved one instead.
     *
     * @param model          the model to train, in place
     * @param corpus         tokenized documents
     * @param special        the vocabulary's special ids
     * @param isContinuation which ids are "##" pieces (for whole-word masking)
     * @param options        the run's settings: steps, batch, masking, optimizer, checkpoints
     * @throws IllegalArgumentException if the options do not fit the model (sequence length over
     *     max_position_embeddings, vocabulary larger than vocab_size)
     */
    public Pretrainer(BertForPreTraining model, PretrainingCorpus corpus, SpecialTokens special,
            IntPredicate isContinuation, PretrainOptions options) {
        BertConfig c = model.config();
        if (options.maxSeqLength() > c.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("max_seq_length " + options.maxSeqLength()
                    + " exceeds the model's max_position_embeddings " + c.maxPositionEmbeddings());
        }
        if (special.vocabSize() > c.vocabSize()) {
            throw new IllegalArgumentException("the vocabulary has " + special.vocabSize()
                    + " ids but the model's vocab_size is " + c.vocabSize());
        }
        if (c.typeVocabSize() < 2) {
            throw new IllegalArgumentException("next-sentence pairs need type_vocab_size >= 2, the model has "
                    + c.typeVocabSize());
        }
        this.model = model;
        this.options = options;
        MaskedLmMasker masker = new MaskedLmMasker(special, options.maskingProb(), options.maxPredictions(),
                options.wholeWordMask(), isContinuation);
        this.dataset = new PretrainingDataset(corpus,
                new SentencePairSampler(options.maxSeqLength(), options.shortSeqProb()), masker, special,
                options.batchSize(), options.seed(), false);
        this.optimizer = AdamW.builder().learningRate(options.learningRate()).weightDecay(options.weightDecay())
                .build();
        this.schedule = new LinearWarmupDecay(options.learningRate(), options.warmupSteps(), options.totalSteps());
        this.grads = new Gradients(model.parameters());
    }

    /** {@return the number of optimizer steps completed} */
    public long step() {
        return step;
    }

    /** {@return the run's settings} */
    public PretrainOptions options() {
        return options;
    }

    /** {@return the model being trained (the one given, updated in place)} */
    public BertForPreTraining model() {
        return model;
    }

    /** {@return where the run stands now: what a checkpoint saves} */
    public TrainerState state() {
        return new TrainerState(step, epoch, batchInEpoch, options.seed(), lastLoss, model.config().toJson());
    }

    /** {@return the number of micro-batches per pass over the corpus (epoch 0's)} */
    public long batchesPerEpoch() {
        return dataset.batchesPerEpoch(0);
    }

    /**
     * Continues from the checkpoint {@code runDir/latest} names, if any: parameters, AdamW moments
     * and step count, and the data position.
     *
     * @param runDir the run directory, as {@link #train} writes it
     * @return false if the run directory has no checkpoint (nothing changed)
     * @throws IOException if the checkpoint is unreadable
     * @throws IllegalArgumentException if it belongs to another model or seed, naming the
     *     difference
     */
    public boolean resume(Path runDir) throws IOException {
        Optional<Checkpoint.Loaded> found = Checkpoint.loadLatest(runDir);
        if (found.isEmpty()) {
            return false;
        }
        Checkpoint.Loaded c = found.get();
        TrainerState s = c.trainerState();
        if (s.seed() != options.seed()) {
            throw new IllegalArgumentException(c.dir() + " was trained with seed " + s.seed() + ", this run has seed "
                    + options.seed() + "; another seed would not continue the same data");
        }
        if (s.step() > options.totalSteps()) {
            throw new IllegalArgumentException(c.dir() + " is at step " + s.step() + ", beyond this run's "
                    + options.totalSteps() + " total steps");
        }
        if (s.configJson() != null) {
            requireSameShape(BertConfig.fromJson(s.configJson()), model.config(), c.dir());
        }
        Parameters params = model.parameters();
        TreeSet<String> missing = new TreeSet<>(params.names());
        missing.removeAll(c.params().keySet());
        TreeSet<String> unexpected = new TreeSet<>(c.params().keySet());
        unexpected.removeAll(params.names());
        if (!missing.isEmpty() || !unexpected.isEmpty()) {
            throw new IllegalArgumentException(c.dir().resolve(Checkpoint.MODEL) + " does not fit the model: missing "
                    + missing + ", unexpected " + unexpected);
        }
        for (String name : params.names()) {
            INDArray target = params.get(name);
            INDArray saved = c.params().get(name);
            if (!Arrays.equals(target.shape(), saved.shape())) {
                throw new IllegalArgumentException(c.dir().resolve(Checkpoint.MODEL) + ": " + name + " has shape "
                        + Arrays.toString(saved.shape()) + ", the model needs " + Arrays.toString(target.shape()));
            }
            target.assign(saved.dataType() == target.dataType() ? saved : saved.castTo(target.dataType()));
        }
        params.weightsChanged(); // the loop above wrote every weight in place
        optimizer.restore(c.optimizerState(), c.optimizerStep(), params.asMap());
        step = s.step();
        epoch = s.epoch();
        batchInEpoch = s.batchInEpoch();
        lastLoss = s.lastLoss();
        batches = null;
        return true;
    }

    private static void requireSameShape(BertConfig saved, BertConfig ours, Path dir) {
        int[][] pairs = {
            {saved.vocabSize(), ours.vocabSize()}, {saved.hiddenSize(), ours.hiddenSize()},
            {saved.numHiddenLayers(), ours.numHiddenLayers()}, {saved.numAttentionHeads(), ours.numAttentionHeads()},
            {saved.intermediateSize(), ours.intermediateSize()},
            {saved.maxPositionEmbeddings(), ours.maxPositionEmbeddings()},
            {saved.typeVocabSize(), ours.typeVocabSize()}};
        String[] names = {"vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads",
            "intermediate_size", "max_position_embeddings", "type_vocab_size"};
        for (int i = 0; i < pairs.length; i++) {
            if (pairs[i][0] != pairs[i][1]) {
                throw new IllegalArgumentException(dir + " holds a model with " + names[i] + " " + pairs[i][0]
                        + ", this run's model has " + pairs[i][1]);
            }
        }
    }

    /**
     * Trains up to {@code totalSteps}, writing checkpoints into {@code runDir} every
     * {@code saveEvery} steps and after the last step, keeping the newest {@code keepLast}.
     *
     * @param runDir   the run directory, created if absent; holds {@code checkpoint-<step>} and {@code latest}
     * @param listener told of every step and checkpoint, e.g. {@link TrainingListener#NONE}
     * @return the final state
     * @throws IOException if a checkpoint cannot be written (the previous one stays intact)
     * @throws IllegalStateException if a gradient becomes NaN or infinite (nothing of that step is
     *     applied or saved)
     */
    public TrainerState train(Path runDir, TrainingListener listener) throws IOException {
        long startStep = step;
        long start = System.nanoTime();
        long tokens = 0;
        long lastSaved = -1;
        while (step < options.totalSteps()) {
            StepResult r = trainStep();
            tokens += r.tokens;
            double elapsed = (System.nanoTime() - start) / 1e9;
            long done = step - startStep;
            double eta = elapsed / done * (options.totalSteps() - step);
            listener.onStep(new StepMetrics(step, options.totalSteps(), r.loss, r.mlmLoss, r.nspLoss, r.mlmAccuracy,
                    r.nspAccuracy, r.learningRate, r.gradNorm, r.tokens, tokens / Math.max(elapsed, 1e-9), elapsed,
                    eta));
            if (options.saveEvery() > 0 && step % options.saveEvery() == 0) {
                save(runDir, listener);
                lastSaved = step;
            }
        }
        if (lastSaved != step && step > startStep) {
            save(runDir, listener);
        }
        return state();
    }

    private void save(Path runDir, TrainingListener listener) throws IOException {
        Path dir = Checkpoint.save(runDir, model.parameters().asMap(), optimizer, state());
        Checkpoint.prune(runDir, options.keepLast());
        listener.onCheckpoint(step, dir);
    }

    /** The numbers of one optimizer step. */
    private record StepResult(double loss, double mlmLoss, double nspLoss, double mlmAccuracy, double nspAccuracy,
            double learningRate, double gradNorm, long tokens) {
    }

    private StepResult trainStep() {
        grads.zero();
        double mlmSum = 0;
        double nspSum = 0;
        int mlmBatches = 0;
        long mlmCount = 0;
        long mlmCorrect = 0;
        long nspCount = 0;
        long nspCorrect = 0;
        long tokens = 0;
        for (int micro = 0; micro < options.accumulate(); micro++) {
            PretrainingBatch b = trimmed(nextBatch());
            tokens += b.attentionMask().sumNumber().longValue();
            BertInputs in = BertInputs.of(b.inputIds(), b.tokenTypeIds(), b.attentionMask(), null, null);
            Pass pass = options.dropout() ? Pass.training(dropoutSeed(micro)) : Pass.deterministicTraining();
            TrainingStepResult r = model.trainingStep(in, b.labels(), b.nextSentenceLabel(), grads, pass);
            if (r.mlmCount() > 0) {
                mlmSum += r.mlmLoss();
                mlmBatches++;
            }
            nspSum += r.nspLoss();
            mlmCount += r.mlmCount();
            mlmCorrect += r.mlmCorrect();
            nspCount += r.nspCount();
            nspCorrect += r.nspCorrect();
        }
        Map<String, INDArray> g = grads.asMap();
        if (options.accumulate() > 1) {
            // Each micro-batch added the gradient of its own mean loss: the step's is their mean.
            for (INDArray t : g.values()) {
                t.divi(options.accumulate());
            }
        }
        double norm = GradientClipping.clipGlobalNorm(g, options.clipNorm());
        if (!Double.isFinite(norm)) {
            throw new IllegalStateException("the gradient norm is " + norm + " at step " + (step + 1)
                    + "; stopping without applying it (lower the learning rate?)");
        }
        double lr = schedule.rate(step);
        optimizer.setLearningRate(lr);
        optimizer.step(model.parameters(), g);
        step++;
        double mlm = mlmBatches == 0 ? Double.NaN : mlmSum / mlmBatches;
        double nsp = nspSum / options.accumulate();
        lastLoss = mlmBatches == 0 ? nsp : mlm + nsp;
        return new StepResult(lastLoss, mlm, nsp, mlmCount == 0 ? Double.NaN : (double) mlmCorrect / mlmCount,
                nspCount == 0 ? Double.NaN : (double) nspCorrect / nspCount, lr, norm, tokens);
    }

    /** The next micro-batch, moving on to the next epoch when one is used up. */
    private PretrainingBatch nextBatch() {
        if (batches == null) {
            batches = dataset.epoch(epoch, batchInEpoch);
        }
        if (!batches.hasNext()) {
            epoch++;
            batchInEpoch = 0;
            batches = dataset.epoch(epoch, 0);
            if (!batches.hasNext()) {
                throw new IllegalStateException("the corpus yields no sentence pairs in epoch " + epoch);
            }
        }
        batchInEpoch++;
        return batches.next();
    }

    /** The batch cut to its longest sequence (padding columns only are dropped). */
    private static PretrainingBatch trimmed(PretrainingBatch b) {
        int longest = b.attentionMask().sum(1).maxNumber().intValue();
        if (longest >= b.seqLength()) {
            return b;
        }
        INDArrayIndex[] cut = {NDArrayIndex.all(), NDArrayIndex.interval(0, longest)};
        return new PretrainingBatch(b.inputIds().get(cut).dup('c'), b.tokenTypeIds().get(cut).dup('c'),
                b.attentionMask().get(cut).dup('c'), b.labels().get(cut).dup('c'), b.nextSentenceLabel());
    }

    /** Dropout seed of a micro-batch: a function of (seed, step, micro-batch), so resuming repeats it. */
    private long dropoutSeed(int micro) {
        long z = options.seed() * 0x9E3779B97F4A7C15L + (step * options.accumulate() + micro) * 0xBF58476D1CE4E5B9L
                + 0x94D049BB133111EBL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
