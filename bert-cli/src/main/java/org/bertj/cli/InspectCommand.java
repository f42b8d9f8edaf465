package org.bertj.cli;

import com.google.gson.Gson;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.bertj.model.hooks.CachedRun;
import org.bertj.model.hooks.HookPoint;
import org.bertj.weights.SafetensorsWriter;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bert inspect}: one eval forward pass with the activations at the chosen hook points saved
 * to a safetensors file, each under its hook-point name (the names of
 * {@code shared/golden/internals}), float32, in Hugging Face's shape: what TransformerLens's
 * {@code run_with_cache} gives, ready for {@code safetensors.numpy.load_file}.
 */
@Command(name = "inspect", description = "One eval forward pass; the activations at the chosen hook points"
        + " go to a safetensors file, each under its hook-point name, float32, in Hugging Face's shape"
        + " (what TransformerLens's run_with_cache gives), e.g. --hooks 'bert.encoder.layer.*.attention.self.probs'."
        + " --list prints the hook points.")
final class InspectCommand extends BertCommand {

    /** More tensors than this are summarised instead of listed one per line. */
    private static final int LISTED = 24;

    @Mixin
    SubjectOptions input;

    @Option(names = "--hooks", paramLabel = "PATTERNS", description = "hook points to save,"
            + " comma-separated; '*' matches any characters, so '*' is every point (default: none; needed unless --list)")
    String hooks;

    @Option(names = "--out", paramLabel = "FILE", description = "the safetensors file to write (default: none; needed unless --list)")
    Path file;

    @Option(names = "--list", description = "print every hook point with its shape and exit")
    boolean list;

    @Override
    protected int run() throws Exception {
        if (list) {
            return list();
        }
        if (hooks == null || file == null) {
            throw new UsageException("give --hooks PATTERN[,PATTERN...] and --out FILE (or --list)");
        }
        List<String> patterns = patterns(hooks);
        Subject subject = Subject.from(input);
        List<String> names = subject.model().hookPointNames();
        Predicate<String> chosen = matcher(patterns, names);
        out.println(subject.source());
        CachedRun run = subject.model().runWithCache(subject.inputs(), chosen);
        Map<String, INDArray> tensors = new LinkedHashMap<>();
        long bytes = 0;
        for (String n : run.cache().names()) {
            INDArray a = run.cache().get(n);
            INDArray f = a.dataType() == DataType.FLOAT ? a : a.castTo(DataType.FLOAT);
            tensors.put(n, f);
            bytes += f.length() * 4;
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("producer", "bertj inspect");
        meta.put("hooks", hooks);
        if (subject.tokenizer() != null) {
            List<List<String>> tokens = new ArrayList<>();
            for (int r = 0; r < subject.inputs().batchSize(); r++) {
                tokens.add(subject.tokens(r));
            }
            meta.put("tokens", new Gson().toJson(tokens));
        }
        SafetensorsWriter.write(file, tensors, meta);
        if (tensors.size() <= LISTED) {
            tensors.forEach((n, a) -> out.println("  " + n + " " + Arrays.toString(a.shape())));
        }
        out.printf("wrote %d activations (%.1f MB, float32) to %s%n", tensors.size(), bytes / 1e6, file);
        return 0;
    }

    private int list() throws Exception {
        if (hooks != null || file != null || input.text != null || input.inputs != null) {
            throw new UsageException("--list prints the hook points; it takes no --hooks, --out, --text or --inputs");
        }
        Subject.Model m = Subject.model(input.model.model, false);
        int s = m.model().config().maxPositionEmbeddings();
        out.println(m.source() + "; shapes for B = 1, S = " + s + " (S is the sequence length)");
        for (HookPoint p : m.model().hookPoints(1, s)) {
            out.println("  " + p);
        }
        return 0;
    }

    /** The comma-separated patterns, each non-empty. */
    static List<String> patterns(String hooks) throws UsageException {
        List<String> ps = new ArrayList<>();
        for (String p : hooks.split(",", -1)) {
            String t = p.strip();
            if (t.isEmpty()) {
                throw new UsageException("--hooks '" + hooks + "' has an empty pattern");
            }
            ps.add(t);
        }
        return ps;
    }

    /**
     * A name filter accepting every hook point matched by one of {@code patterns} ({@code *} matches
     * any characters, dots included; the rest is literal).
     *
     * @throws UsageException naming a pattern that matches no hook point of the model
     */
    static Predicate<String> matcher(List<String> patterns, List<String> names) throws UsageException {
        List<Pattern> compiled = new ArrayList<>();
        for (String p : patterns) {
            Pattern c = glob(p);
            if (names.stream().noneMatch(n -> c.matcher(n).matches())) {
                throw new UsageException("--hooks pattern '" + p + "' matches no hook point (e.g. "
                        + names.get(names.size() / 2) + "; bert inspect --list shows them all)");
            }
            compiled.add(c);
        }
        return n -> compiled.stream().anyMatch(c -> c.matcher(n).matches());
    }

    /** {@code *} as any characters, everything else literal. */
    static Pattern glob(String p) {
        StringBuilder re = new StringBuilder();
        int from = 0;
        for (int i = p.indexOf('*'); i >= 0; i = p.indexOf('*', from)) {
            if (i > from) {
                re.append(Pattern.quote(p.substring(from, i)));
            }
            re.append(".*");
            from = i + 1;
        }
        if (from < p.length()) {
            re.append(Pattern.quote(p.substring(from)));
        }
        return Pattern.compile(re.toString());
    }
}
