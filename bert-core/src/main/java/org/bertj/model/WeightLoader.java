package org.bertj.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.bertj.weights.BertNames;
import org.bertj.weights.HfWeightFiles;
import org.bertj.weights.SafetensorsFile;
import org.bertj.weights.TensorInfo;
import org.bertj.weights.TensorSource;
import org.bertj.weights.WeightFormatException;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Fills a model's {@link Parameters} from a {@link TensorSource} by Hugging Face name and reports
 * what happened ({@link LoadReport}). Accepts what files in the wild contain: {@code LayerNorm.gamma/beta}
 * for weight/bias, a saved {@code BertModel} without the {@code bert.} prefix (and the reverse), the
 * {@code embeddings.position_ids} buffer (ignored), and an explicit tied decoder
 * ({@code cls.predictions.decoder.weight/bias}), which must equal the word embeddings / the
 * prediction bias.
 */
public final class WeightLoader {

    /** What to do when the file and the model disagree. */
    public enum Mode {
        /** Any missing, unexpected or wrongly shaped tensor is an error naming every one. */
        STRICT,
        /** Missing and wrongly shaped tensors get HF's initialisation; unexpected ones are skipped. */
        LENIENT
    }

    private static final String DECODER_WEIGHT = "cls.predictions.decoder.weight";
    private static final String DECODER_BIAS = "cls.predictions.decoder.bias";
    private static final String PREDICTION_BIAS = "cls.predictions.bias";

    private WeightLoader() {
    }

    /**
     * A model read from a directory, with what loading it did.
     *
     * @param model  the model
     * @param report the load report
     */
    public record Loaded(BertForPreTraining model, LoadReport report) {
    }

    /**
     * A model of the class its checkpoint makes, with what loading it did.
     *
     * @param model  a {@link BertModel}, {@link BertForMaskedLM} or {@link BertForPreTraining}
     * @param report the load report; its notes say which class and why
     */
    public record AutoLoaded(BertPreTrainedModel model, LoadReport report) {
    }

    /**
     * Reads a Hugging Face model directory as the model class its weights make, as
     * {@link #loadAuto(TensorSource, BertConfig, DataType, Mode)}: {@code config.json} and the weights in
     * any format {@link HfWeightFiles} reads.
     *
     * @param dir      the model directory, holding config.json and the weights
     * @param dataType FLOAT or DOUBLE
     * @param mode     what to do when the weights and the config disagree
     * @return the model of the class the weights make, and what loading it did
     * @throws IOException if a file is missing or unreadable, or (strict) the weights do not fit
     */
    public static AutoLoaded loadAuto(Path dir, DataType dataType, Mode mode) throws IOException {
        BertConfig c = directoryConfig(dir);
        try (TensorSource source = HfWeightFiles.open(dir)) {
            return loadAuto(source, c, dataType, mode);
        }
    }

    /** A model directory's config, once it is known to hold config.json and weights in a format we read. */
    private static BertConfig directoryConfig(Path dir) throws IOException {
        Path config = dir.resolve("config.json");
        if (!Files.isRegularFile(config)) {
            throw new IOException("model directory " + dir + " has no config.json");
        }
        if (HfWeightFiles.find(dir) == null) {
            throw new IOException("model directory " + dir + " has no weights (looked for "
                    + String.join(", ", HfWeightFiles.NAMES) + ")");
        }
        return BertConfig.fromJson(config);
    }

    /**
     * A new model of the class the tensors make, so that no head is invented: with
     * {@code cls.seq_relationship.*} a {@link BertForPreTraining}; else with {@code cls.predictions.*}
     * a {@link BertForMaskedLM} (with the pooler if the file has it); else a {@link BertModel}
     * (names with or without {@code bert.}; with the pooler if the file has it). Within that class
     * {@code mode} applies as in {@link #load(TensorSource, Parameters, BertConfig, Mode, long)}.
     *
     * @param source   the checkpoint's tensors, by Hugging Face name (with or without {@code bert.});
     *                 left open
     * @param config   the model's shape; the tensors must fit it
     * @param dataType FLOAT or DOUBLE
     * @param mode     what to do when the tensors and the config disagree
     * @return the model, and a report whose notes say which class and why
     * @throws IOException if a tensor cannot be read, the model would not fit in memory, or (strict)
     *                     the weights do not fit the config
     */
    public static AutoLoaded loadAuto(TensorSource source, BertConfig config, DataType dataType, Mode mode)
            throws IOException {
        checkSize(source, config, dataType, mode);
        boolean nsp = false;
        boolean mlm = false;
        boolean pooler = false;
        for (String src : source.names()) {
            String n = BertNames.inModel(src, true);
            nsp |= n.startsWith("cls.seq_relationship.");
            mlm |= n.startsWith("cls.predictions.");
            pooler |= n.startsWith("bert.pooler.");
        }
        Parameters params = Parameters.uninitialized(dataType);
        BertPreTrainedModel model;
        String why;
        try {
            if (nsp) {
                model = new BertForPreTraining(config, params);
                why = "the weights have both heads (cls.predictions.*, cls.seq_relationship.*)";
            } else if (mlm) {
                model = new BertForMaskedLM(config, params, pooler);
                why = "the weights have cls.predictions.* but no next-sentence head cls.seq_relationship.*, so"
                        + " none is invented; " + (pooler ? "with" : "without") + " the pooler, as the file";
            } else {
                model = new BertModel(config, params, "", pooler);
                why = "the weights have no cls.* head; " + (pooler ? "with" : "without") + " the pooler, as the file";
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        params.checkFusedBuffersCovered();
        LoadReport r = load(source, params, config, mode, 0, Map.of());
        List<String> notes = new ArrayList<>();
        notes.add("loaded as " + model.hfClassName() + ": " + why);
        config.architecture().filter(a -> !a.equals(model.hfClassName())).ifPresent(a ->
                notes.add("config.json's architectures names " + a + "; the weights make a " + model.hfClassName()));
        notes.addAll(r.notes());
        return new AutoLoaded(model, new LoadReport(r.loaded(), r.missing(), r.unexpected(), r.mismatched(),
                r.initialized(), notes));
    }

    /**
     * Reads a Hugging Face model directory: {@code config.json} and the weights in any format
     * {@link HfWeightFiles} finds ({@code model.safetensors}, safetensors shards,
     * {@code pytorch_model.bin} in zip or legacy format, .bin shards; F32, F16, BF16 or F64 tensors).
     *
     * @param dir      the model directory, holding config.json and the weights
     * @param dataType FLOAT or DOUBLE
     * @param mode     what to do when the weights and the config disagree
     * @return a {@link BertForPreTraining} (heads the file lacks initialised in lenient mode), and
     *         what loading it did
     * @throws IOException if a file is missing or unreadable, or (strict) the weights do not fit
     */
    public static Loaded loadDirectory(Path dir, DataType dataType, Mode mode) throws IOException {
        BertConfig c = directoryConfig(dir);
        try (TensorSource f = HfWeightFiles.open(dir)) {
            return load(f, c, dataType, mode);
        }
    }

    /**
     * A new model with every parameter read from {@code source} or, in lenient mode, initialised
     * as Hugging Face does (seed 0). Faster than constructing a model and calling
     * {@link #load(TensorSource, Parameters, BertConfig, Mode, long)}: the model's memory is not
     * zero-filled first, since every tensor is written before the model is returned.
     *
     * @param source   the checkpoint's tensors, by Hugging Face name; left open
     * @param config   the model's shape; the tensors must fit it
     * @param dataType FLOAT or DOUBLE
     * @param mode     what to do when the tensors and the config disagree
     * @return the {@link BertForPreTraining}, and what loading it did
     * @throws WeightFormatException as {@link #load(TensorSource, Parameters, BertConfig, Mode, long)},
     *                               or if the model would not fit in memory
     * @throws IOException           if a tensor cannot be read
     */
    public static Loaded load(TensorSource source, BertConfig config, DataType dataType, Mode mode)
            throws IOException {
        checkSize(source, config, dataType, mode);
        Map<String, String> mapped = new HashMap<>();
        Parameters params = source instanceof SafetensorsFile file && dataType == DataType.FLOAT && mapsWeights()
                ? Parameters.over(dataType, mapper(file, mapped))
                : Parameters.uninitialized(dataType);
        BertForPreTraining model;
        try {
            model = new BertForPreTraining(config, params);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        // Writing every named tensor must write every element, or fresh memory's garbage would show.
        params.checkFusedBuffersCovered();
        LoadReport r = load(source, params, config, mode, 0, mapped);
        return new Loaded(model, r);
    }

    /**
     * Refuses, before anything is allocated, a config whose model would not fit the memory ND4J may
     * take (JavaCPP's {@code maxbytes}, by default the heap limit) or, in strict mode, whose
     * embeddings and encoder alone need more elements than the weights hold: a config.json that
     * claims 10^6 layers for a 12-layer file would otherwise allocate until the machine gives out.
     */
    static void checkSize(TensorSource source, BertConfig config, DataType dataType, Mode mode)
            throws WeightFormatException {
        try {
            checkMemory(config, dataType);
        } catch (IllegalArgumentException e) {
            throw new WeightFormatException(e.getMessage());
        }
        if (mode != Mode.STRICT) {
            return;
        }
        long held = 0;
        for (String name : source.names()) {
            long n = 1;
            for (long d : source.info(name).shape()) {
                n = Math.multiplyExact(n, d);
            }
            held = Math.addExact(held, n);
        }
        if (held < config.encoderParameterCount()) {
            throw new WeightFormatException(String.format("%s holds %,d elements in all, fewer than the %,d"
                    + " parameters the config's embeddings and encoder need (%s)", source, held,
                    config.encoderParameterCount(), config.describeSize()));
        }
    }

    /**
     * Refuses a config whose model would not fit the off-heap memory ND4J may still take
     * (JavaCPP's {@code maxbytes}, by default the heap limit), before anything is allocated.
     *
     * @throws IllegalArgumentException naming the sizes, the parameter count and the limit
     */
    static void checkMemory(BertConfig config, DataType dataType) {
        long bytes = Math.multiplyExact(config.parameterCount(), (long) dataType.width());
        long max = Pointer.maxBytes();
        long free = max - Pointer.totalBytes();
        if (max > 0 && bytes > free) {
            throw new IllegalArgumentException(String.format("the model of this config needs %,d parameters = %,d"
                    + " bytes as %s, more than the %,d bytes of off-heap memory left to this JVM"
                    + " (-Dorg.bytedeco.javacpp.maxbytes=%d): %s", config.parameterCount(), bytes, dataType, free,
                    max, config.describeSize()));
        }
    }

    /**
     * Whether {@link #load(TensorSource, BertConfig, DataType, Mode)} maps a safetensors file's
     * tensors instead of copying them: {@code -Dbertj.mapWeights=true}. Off by default: mapped
     * bert-base loads in 0.1 s instead of 0.6 s, but its forward pass ran 15-30% slower on the
     * benchmark VM (page-cache pages against the process's own memory; bench/NOTES.md).
     */
    static boolean mapsWeights() {
        return Boolean.getBoolean("bertj.mapWeights");
    }

    /**
     * Gives the model, for each non-fused parameter whose F32 tensor the file holds with the right
     * shape, a copy-on-write mapping of the file's bytes ({@link SafetensorsFile#mapCopyOnWrite}):
     * nothing is copied or allocated, pages are read when first used. Records in {@code mapped}
     * which parameters it served, so that loading does not copy them again.
     */
    private static BiFunction<String, long[], INDArray> mapper(SafetensorsFile file, Map<String, String> mapped) {
        Map<String, String> sourceOf = new HashMap<>();
        for (String src : file.names()) {
            sourceOf.putIfAbsent(BertNames.inModel(src, true), src);
        }
        return (name, shape) -> {
            String src = sourceOf.get(name);
            if (src == null || !Arrays.equals(file.info(src).shape(), shape)) {
                return null;
            }
            try {
                INDArray a = file.mapCopyOnWrite(src);
                if (a != null) {
                    mapped.put(name, src);
                }
                return a;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }

    /**
     * Loads {@code source} into {@code params}.
     *
     * @param source the checkpoint's tensors, by Hugging Face name; left open
     * @param params the tensors of a model built for {@code config}, written in place
     * @param config the model's shape, for the initialisation of missing tensors
     * @param mode   what to do when the tensors and the model disagree
     * @param seed   seed of the initialisation of missing tensors (lenient mode)
     * @return which tensors were loaded, missing, unexpected, mismatched or initialised
     * @throws WeightFormatException in strict mode if anything does not fit, naming each tensor
     *                               with expected and found shape; in both modes if a tensor
     *                               cannot be read
     */
    public static LoadReport load(TensorSource source, Parameters params, BertConfig config, Mode mode, long seed)
            throws IOException {
        return load(source, params, config, mode, seed, Map.of());
    }

    /** @param mapped model name → source tensor whose memory mapping that parameter already is */
    private static LoadReport load(TensorSource source, Parameters params, BertConfig config, Mode mode, long seed,
            Map<String, String> mapped) throws IOException {
        // Dropped before the first write, so that even a load that fails half way leaves no
        // bfloat16 copy of the old weights behind for a BF16 pass to use.
        params.weightsChanged();
        List<String> notes = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        boolean targetPrefixed = params.contains("bert.embeddings.word_embeddings.weight");
        // model name -> source name
        Map<String, String> mapping = new LinkedHashMap<>();
        String decoderWeight = null;
        String decoderBias = null;
        for (String src : source.names()) {
            String name = BertNames.inModel(src, targetPrefixed);
            if (!name.equals(src)) {
                notes.add("file tensor " + src + " read as " + name);
            }
            if (name.endsWith("embeddings.position_ids")) {
                notes.add("ignored buffer " + src + " (positions are computed, not stored)");
                continue;
            }
            if (targetPrefixed && name.equals(DECODER_WEIGHT) && !params.contains(DECODER_WEIGHT)) {
                decoderWeight = src;
                continue;
            }
            if (targetPrefixed && name.equals(DECODER_BIAS)) {
                decoderBias = src;
                continue;
            }
            if (!params.contains(name) || mapping.containsKey(name)) {
                unexpected.add(src);
                continue;
            }
            mapping.put(name, src);
        }
        List<String> untied = new ArrayList<>();
        tie(source, mapping, decoderWeight, "bert.embeddings.word_embeddings.weight", untied, notes);
        tie(source, mapping, decoderBias, PREDICTION_BIAS, untied, notes);

        List<String> missing = new ArrayList<>();
        List<LoadReport.Mismatch> mismatched = new ArrayList<>();
        for (String name : params.names()) {
            String src = mapping.get(name);
            if (src == null) {
                missing.add(name);
                continue;
            }
            long[] expected = params.tensor(name).shape();
            TensorInfo info = source.info(src);
            if (!Arrays.equals(expected, info.shape())) {
                mismatched.add(new LoadReport.Mismatch(name, expected, info.shape()));
            }
        }
        if (mode == Mode.STRICT && (!missing.isEmpty() || !unexpected.isEmpty() || !mismatched.isEmpty()
                || !untied.isEmpty())) {
            LoadReport r = new LoadReport(List.of(), missing, unexpected, mismatched, List.of(), notes);
            int fitting = params.names().size() - missing.size() - mismatched.size();
            StringBuilder msg = new StringBuilder("weights do not fit the model (" + config + "): nothing was"
                    + " loaded (strict mode); " + fitting + " of the model's " + params.names().size()
                    + " tensors are in the file with the right shape")
                    .append(r.problems());
            for (String u : untied) {
                msg.append("\n").append(u);
            }
            throw new WeightFormatException(msg.toString());
        }
        notes.addAll(untied);

        List<String> loaded = new ArrayList<>();
        List<String> initialized = new ArrayList<>();
        Random rng = Nd4j.getRandomFactory().getNewRandomInstance(seed);
        List<String> bad = new ArrayList<>();
        for (LoadReport.Mismatch m : mismatched) {
            bad.add(m.name());
        }
        for (String name : params.names()) {
            INDArray target = params.tensor(name);
            String src = mapping.get(name);
            if (src == null || bad.contains(name)) {
                ParameterInit.initialize(name, target, config, rng);
                initialized.add(name);
                continue;
            }
            if (src.equals(mapped.get(name))) {
                loaded.add(name);
                continue;
            }
            String dtype = source.info(src).dtype();
            if (!isFloatingPoint(dtype)) {
                throw new WeightFormatException("tensor " + src + " has integer type " + dtype
                        + "; parameter " + name + " needs floating point");
            }
            source.loadInto(src, target);
            loaded.add(name);
        }
        return new LoadReport(loaded, missing, unexpected, mismatched, initialized, notes);
    }

    /** Whether a safetensors dtype spelling ({@link TensorInfo#dtype()}) is a floating point type. */
    private static boolean isFloatingPoint(String dtype) {
        return dtype.startsWith("F") || dtype.equals("BF16");
    }

    /**
     * Handles an explicit copy of a tied tensor: used as the tied target if the file lacks it,
     * otherwise checked to be equal.
     */
    private static void tie(TensorSource source, Map<String, String> mapping, String copy, String target,
            List<String> untied, List<String> notes) throws IOException {
        if (copy == null) {
            return;
        }
        String main = mapping.get(target);
        if (main == null) {
            mapping.put(target, copy);
            notes.add(copy + " loaded as " + target + " (tied)");
            return;
        }
        TensorInfo a = source.info(main);
        TensorInfo b = source.info(copy);
        if (!Arrays.equals(a.shape(), b.shape())) {
            untied.add(copy + " has shape " + Arrays.toString(b.shape()) + " but is tied to " + main
                    + " of shape " + Arrays.toString(a.shape()));
            return;
        }
        double diff = source.load(main).castTo(DataType.DOUBLE)
                .sub(source.load(copy).castTo(DataType.DOUBLE))
                .amaxNumber().doubleValue();
        if (diff != 0) {
            untied.add(copy + " differs from " + main + " (max |diff| " + diff + "), but config.json has"
                    + " tie_word_embeddings true (or not set), so the decoder is " + main + " as in HF and the"
                    + " file's " + copy + " is NOT used; set tie_word_embeddings false to use it");
        } else {
            notes.add(copy + " equals " + main + " (tied)");
        }
    }
}
