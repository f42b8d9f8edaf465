package org.bertj.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import org.bertj.model.BertForPreTraining;
import org.bertj.model.BertInputs;
import org.bertj.model.WeightLoader;
import org.bertj.tokenizer.BertTokenizer;
import org.bertj.tokenizer.Encoding;
import org.bertj.weights.HfModelDirectory;
import org.bertj.weights.SafetensorsFile;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What the research commands (inspect, attention, logit-lens, attribute, ablate-heads) look inside: a model and
 * one batch of inputs, given either as text ({@code --text A [--pair B]}, tokenized with the model's
 * vocab.txt) or as a safetensors file as {@code bert forward} takes it ({@code --inputs FILE}:
 * {@code input_ids} and optionally {@code token_type_ids}, {@code attention_mask},
 * {@code position_ids}, {@code head_mask}). The model is {@code --model DIR} or the default
 * bert-base-uncased; a directory without vocab.txt works with {@code --inputs} only. The options
 * are {@link SubjectOptions}.
 *
 * @param model     the weights, float32, eval mode
 * @param tokenizer the model's tokenizer, or null when its directory has no vocab.txt
 * @param inputs    the batch
 * @param inputIds  {@code input_ids} as Java arrays, {@code [B][S]}
 * @param kept      per row, the positions its attention_mask attends (padding left out of tables and pictures)
 * @param source    one line saying where model and inputs came from
 */
record Subject(BertForPreTraining model, BertTokenizer tokenizer, BertInputs inputs, int[][] inputIds,
        int[][] kept, String source) {

    /**
     * Reads {@code --model}, {@code --inputs} or {@code --text}/{@code --pair}.
     *
     * @throws UsageException if neither or both of --inputs and --text are given, or --pair without --text
     */
    static Subject from(SubjectOptions o) throws UsageException, IOException {
        String text = o.text, pair = o.pair;
        Path file = o.inputs;
        if ((text == null) == (file == null)) {
            throw new UsageException("give the input as --text \"...\" (optionally --pair \"...\") or as"
                    + " --inputs FILE (a safetensors file with input_ids), not " + (text == null ? "neither" : "both"));
        }
        if (pair != null && text == null) {
            throw new UsageException("--pair goes with --text");
        }
        if (file != null) {
            CliFiles.requireFile(file); // before loading the weights, which takes seconds
        }
        Model loaded = model(o.model.model, text != null);
        BertForPreTraining model = loaded.model();
        BertTokenizer tokenizer = loaded.tokenizer();
        String what = loaded.source();
        if (text != null) {
            Encoding e = pair == null ? tokenizer.encode(text) : tokenizer.encode(text, pair);
            int max = model.config().maxPositionEmbeddings();
            if (e.length() > max) {
                throw new IllegalArgumentException("the text is " + e.length() + " tokens long ([CLS] and [SEP]"
                        + " included), more than the model's limit of " + max + " (max_position_embeddings)");
            }
            int[][] ids = {e.inputIds()};
            BertInputs inputs = BertInputs.of(ids, new int[][] {e.tokenTypeIds()}, null);
            inputs.validate(model.config());
            return new Subject(model, tokenizer, inputs, ids, new int[][] {all(e.length())}, what);
        }
        Path inputsFile = CliFiles.requireFile(file);
        try (SafetensorsFile in = SafetensorsFile.open(inputsFile)) {
            if (!in.contains("input_ids")) {
                throw new IllegalArgumentException(inputsFile + " has no input_ids tensor (it has " + in.names() + ")");
            }
            INDArray idsTensor = in.load("input_ids");
            INDArray mask = optional(in, "attention_mask");
            BertInputs inputs = BertInputs.of(idsTensor, optional(in, "token_type_ids"), mask,
                    optional(in, "position_ids"), optional(in, "head_mask"));
            inputs.validate(model.config());
            int b = inputs.batchSize(), s = inputs.sequenceLength();
            int[][] ids = idsTensor.castTo(DataType.INT).reshape(b, s).toIntMatrix();
            int[][] kept = new int[b][];
            int[][] m = inputs.attentionMask(DataType.INT).toIntMatrix();
            for (int r = 0; r < b; r++) {
                List<Integer> k = new ArrayList<>();
                for (int i = 0; i < s; i++) {
                    if (m[r][i] != 0) {
                        k.add(i);
                    }
                }
                kept[r] = k.stream().mapToInt(Integer::intValue).toArray();
            }
            return new Subject(model, tokenizer, inputs, ids, kept, what + "; inputs: " + inputsFile);
        }
    }

    /**
     * A model without inputs yet.
     *
     * @param tokenizer null when the directory has no vocab.txt
     * @param source    one line naming the weights
     */
    record Model(BertForPreTraining model, BertTokenizer tokenizer, String source) {
    }

    /**
     * {@code --model DIR} or the default. A directory without vocab.txt is loaded strictly, as
     * {@code bert forward} loads it, with no tokenizer.
     *
     * @param needTokenizer whether text is to be tokenized (then vocab.txt must be there)
     */
    static Model model(String dir, boolean needTokenizer) throws UsageException, IOException {
        if (Files.isDirectory(Paths.get(dir)) && !Files.isRegularFile(Paths.get(dir).resolve(HfModelDirectory.VOCAB))) {
            if (needTokenizer) {
                throw new UsageException("--model " + dir + " has no " + HfModelDirectory.VOCAB
                        + ", so --text cannot be tokenized: give --inputs FILE with input_ids instead");
            }
            WeightLoader.Loaded l = WeightLoader.loadDirectory(Paths.get(dir), DataType.FLOAT, WeightLoader.Mode.STRICT);
            return new Model(l.model(), null, "model: " + dir);
        }
        LoadedModel m = ModelChoice.loadPreTraining(dir);
        return new Model(m.preTraining(), m.tokenizer(), m.describe());
    }

    /** The tokens of row {@code row} at its attended positions: vocabulary strings, or "#id" without a vocabulary. */
    List<String> tokens(int row) {
        List<String> t = new ArrayList<>();
        for (int i : kept[row]) {
            int id = inputIds[row][i];
            t.add(tokenizer == null ? "#" + id : tokenizer.vocabulary().token(id));
        }
        return t;
    }

    /** Checks a {@code --row} value against the batch. */
    int row(int r) throws UsageException {
        if (r < 0 || r >= inputs.batchSize()) {
            throw new UsageException("--row " + r + " is outside the batch of " + inputs.batchSize());
        }
        return r;
    }

    private static int[] all(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }

    private static INDArray optional(SafetensorsFile f, String name) throws IOException {
        return f.contains(name) ? f.load(name) : null;
    }
}
