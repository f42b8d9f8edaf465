package org.bertj.bench;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns JMH's JSON result file into the markdown the README shows: one row per benchmark, and for
 * every benchmark that has a {@link MatmulYardstick} method of the same name and parameters, the
 * ratio of the two (both from the same run). Appends the peak-memory figures {@link PeakMemory}
 * wrote, if given, and the accuracy of the bf16 mode that {@link Bf16Accuracy} measured, if given.
 *
 * <pre>
 * BenchReport RESULTS.json[,MORE.json[@KEY=VALUE]...] OUT.md [--memory MEMORY.json] [--accuracy BF16.json] [--command TEXT] [--machine TEXT] [--readme README.md]
 * </pre>
 * With {@code --readme}, the text between {@code <!-- bench:begin -->} and {@code <!-- bench:end -->}
 * in that file is replaced by the report.
 */
public final class BenchReport {

    static final String YARDSTICK = MatmulYardstick.class.getSimpleName();
    static final String ORT = OnnxRuntimeBenchmark.class.getSimpleName();
    static final String BERTJ = ForwardBenchmark.class.getSimpleName();
    /** The method name of bertj's forward with {@code MatmulPrecision.BF16} in {@link Interleaved}'s rows. */
    static final String BF16 = "forwardBf16";
    static final String PEAK = FmaPeak.class.getSimpleName();
    static final String BEGIN = "<!-- bench:begin -->";
    static final String END = "<!-- bench:end -->";

    private BenchReport() {
    }

    /** One JMH result: class and method simple names, parameters, score. */
    record Row(String clazz, String method, Map<String, String> params, double score, double error, String unit) {

        String paramText() {
            StringBuilder b = new StringBuilder();
            params.forEach((k, v) -> b.append(b.length() == 0 ? "" : ", ").append(k.equals("shape") ? v : k + "=" + v));
            return b.toString();
        }

        boolean matches(Row other) {
            return method.equals(other.method) && params.equals(other.params) && unit.equals(other.unit);
        }
    }

    /** Reads JMH's {@code -rf json} output. */
    static List<Row> parse(String json) {
        JsonArray array = JsonParser.parseString(json).getAsJsonArray();
        List<Row> rows = new ArrayList<>();
        for (JsonElement e : array) {
            JsonObject o = e.getAsJsonObject();
            String full = o.get("benchmark").getAsString();
            int dot = full.lastIndexOf('.');
            String owner = full.substring(0, dot);
            Map<String, String> params = new TreeMap<>();
            if (o.has("params")) {
                o.getAsJsonObject("params").entrySet().forEach(p -> params.put(p.getKey(), p.getValue().getAsString()));
            }
            JsonObject metric = o.getAsJsonObject("primaryMetric");
            // TokenizerBench counts tokens as an auxiliary metric: that, not passes/s, is its figure.
            JsonObject secondary = o.has("secondaryMetrics") ? o.getAsJsonObject("secondaryMetrics") : new JsonObject();
            if (secondary.has("tokens")) {
                metric = secondary.getAsJsonObject("tokens");
            }
            double error = metric.get("scoreError").isJsonPrimitive() && metric.get("scoreError").getAsJsonPrimitive().isNumber()
                    ? metric.get("scoreError").getAsDouble() : Double.NaN;
            String unit = metric.get("scoreUnit").getAsString();
            if (secondary.has("tokens")) {
                unit = unit.replace("ops/", "tokens/");
            }
            String clazz = owner.substring(owner.lastIndexOf('.') + 1);
            double score = metric.get("score").getAsDouble();
            if (clazz.equals(PEAK) && metric.has("rawData")) {
                // A peak is a limit: the best iteration, the one least disturbed by other processes.
                for (JsonElement fork : metric.getAsJsonArray("rawData")) {
                    for (JsonElement it : fork.getAsJsonArray()) {
                        score = Math.max(score, it.getAsDouble());
                    }
                }
                error = Double.NaN;
            }
            rows.add(new Row(clazz, full.substring(dot + 1), params, score, error, unit));
        }
        return rows;
    }

    /** The benchmark table, then the yardstick alone and the memory table; null arguments are left out. */
    static String render(List<Row> rows, JsonObject memory, String command, String machine) {
        return render(rows, memory, null, command, machine);
    }

    /** As {@link #render(List, JsonObject, String, String)}, with the bf16 accuracy table after the memory. */
    static String render(List<Row> rows, JsonObject memory, JsonObject accuracy, String command, String machine) {
        StringBuilder md = new StringBuilder();
        if (machine != null) {
            md.append("Machine: ").append(machine).append("\n\n");
        }
        md.append(headline(rows));
        md.append("| benchmark | tokens / params | time | ± (99.9%) | matmul yardstick | ratio | GFLOP/s |\n");
        md.append("| --- | --- | ---: | ---: | ---: | ---: | ---: |\n");
        for (Row r : rows) {
            if (r.clazz.equals(YARDSTICK)) {
                continue;
            }
            Row y = rows.stream().filter(o -> o.clazz.equals(YARDSTICK) && o.matches(r)).findFirst().orElse(null);
            md.append("| ").append(r.clazz).append('.').append(r.method)
                    .append(" | ").append(r.paramText())
                    .append(" | ").append(number(r.score)).append(' ').append(r.unit)
                    .append(" | ").append(Double.isNaN(r.error) ? "" : number(r.error))
                    .append(" | ").append(y == null ? "" : number(y.score) + " " + y.unit)
                    .append(" | ").append(y == null ? "" : String.format(Locale.ROOT, "**%.3f**", r.score / y.score))
                    .append(" | ").append(gflops(r))
                    .append(" |\n");
        }
        md.append("\nThe yardstick alone (only the matrix products of the same pass, same shapes, preallocated):\n\n");
        md.append("| yardstick | tokens | time | ± (99.9%) | GFLOP/s |\n| --- | --- | ---: | ---: | ---: |\n");
        for (Row r : rows) {
            if (r.clazz.equals(YARDSTICK)) {
                md.append("| ").append(r.method).append(" | ").append(r.paramText())
                        .append(" | ").append(number(r.score)).append(' ').append(r.unit)
                        .append(" | ").append(Double.isNaN(r.error) ? "" : number(r.error))
                        .append(" | ").append(gflops(r)).append(" |\n");
            }
        }
        if (memory != null) {
            md.append('\n').append(memoryTable(memory));
        }
        if (accuracy != null) {
            md.append('\n').append(accuracyTable(accuracy));
        }
        if (command != null) {
            md.append("\nProduced by `").append(command).append("`.\n");
        }
        return md.toString();
    }

    /**
     * bertj against ONNX Runtime: for every {@code OnnxRuntimeBenchmark.forward} row, the
     * {@code ForwardBenchmark.forward} row and the {@code FmaPeak} row of the same run (same labels),
     * with GFLOP/s of the products (the same flop count for both) and their fraction of that peak.
     */
    static String headline(List<Row> rows) {
        StringBuilder md = new StringBuilder();
        for (Row o : rows) {
            if (!o.clazz.equals(ORT) || !o.method.equals("forward")) {
                continue;
            }
            Row b = rows.stream().filter(r -> r.clazz.equals(BERTJ) && r.matches(o)).findFirst().orElse(null);
            Map<String, String> labels = new TreeMap<>(o.params);
            labels.remove("shape");
            Row peak = rows.stream().filter(r -> r.clazz.equals(PEAK) && r.params.equals(labels)).findFirst().orElse(null);
            if (b == null) {
                continue;
            }
            Row bf = rows.stream().filter(r -> r.clazz.equals(BERTJ) && r.method.equals(BF16) && r.params.equals(o.params)
                    && r.unit.equals(o.unit)).findFirst().orElse(null);
            if (md.length() == 0) {
                md.append("| run | tokens | bertj `BertModel.forward` | ONNX Runtime | bertj time / ORT time | bertj GFLOP/s | of peak | ORT GFLOP/s | of peak | FMA peak GFLOP/s | bertj bf16 | bf16 time / ORT time |\n");
                md.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
            }
            double peakGflops = peak == null ? Double.NaN : peak.score * FmaPeak.FLOPS_PER_OP / 1e6;
            double flops = BertBaseProducts.encoderFlops(TokenShape.parse(o.params.get("shape")));
            double gb = flops / b.score / 1e6;
            double go = flops / o.score / 1e6;
            String run = labels.isEmpty() ? "JMH, clean environment" : labels.toString().replaceAll("[{}]", "");
            md.append("| ").append(run).append(" | ").append(o.params.get("shape"))
                    .append(" | ").append(number(b.score)).append(plusMinus(b.error)).append(' ').append(b.unit)
                    .append(" | ").append(number(o.score)).append(plusMinus(o.error)).append(' ').append(o.unit)
                    .append(String.format(Locale.ROOT, " | **%.2f**", b.score / o.score))
                    .append(String.format(Locale.ROOT, " | %.1f | %s | %.1f | %s | %s", gb, percent(gb, peakGflops), go,
                            percent(go, peakGflops), Double.isNaN(peakGflops) ? "" : String.format(Locale.ROOT, "%.1f", peakGflops)))
                    // bf16 beside them (same rounds, same inputs) where the run has it; blank otherwise.
                    .append(bf == null ? " |  |  |\n" : " | " + number(bf.score) + plusMinus(bf.error) + ' ' + bf.unit
                            + String.format(Locale.ROOT, " | **%.2f** |\n", bf.score / o.score));
        }
        return md.length() == 0 ? "" : md.append('\n').toString();
    }

    private static String plusMinus(double error) {
        return Double.isNaN(error) ? "" : " ± " + number(error);
    }

    private static String percent(double part, double whole) {
        return Double.isNaN(whole) ? "" : String.format(Locale.ROOT, "%.0f%%", 100 * part / whole);
    }

    private static String memoryTable(JsonObject m) {
        StringBuilder md = new StringBuilder();
        md.append("Peak memory of one ").append(m.get("what").getAsString()).append(":\n\n");
        md.append("| measure | MiB |\n| --- | ---: |\n");
        for (Map.Entry<String, JsonElement> e : m.getAsJsonObject("mib").entrySet()) {
            md.append("| ").append(e.getKey()).append(" | ")
                    .append(String.format(Locale.ROOT, "%.0f", e.getValue().getAsDouble())).append(" |\n");
        }
        return md.toString();
    }

    /**
     * The table of {@link Bf16Accuracy}'s rows: per text or golden case, the largest |logit
     * difference| of bf16 against float32 (ours, and HF's where stored), top-1 agreement with
     * float32, and the MLM loss in both precisions.
     *
     * @param a the JSON {@link Bf16Accuracy} wrote: {@code what} and {@code rows}, or
     *          {@code unavailable} with the reason where bf16 could not run
     * @return markdown, a heading line and the table (one line saying why, if unavailable)
     */
    static String accuracyTable(JsonObject a) {
        if (a.has("unavailable")) {
            return "Accuracy of bf16: not measured: " + a.get("unavailable").getAsString() + ".\n";
        }
        StringBuilder md = new StringBuilder();
        md.append("Accuracy of `").append(a.get("what").getAsString()).append("` (bertj bf16 column above):\n\n");
        md.append("| case | tokens | max \\|Δ logit\\| vs fp32 | vs HF fp32 | top-1 = fp32 | MLM loss fp32 | MLM loss bf16 | Δ |\n");
        md.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (JsonElement e : a.getAsJsonArray("rows")) {
            JsonObject r = e.getAsJsonObject();
            double hf = r.get("maxAbsLogitVsHf").getAsDouble();
            double f = r.get("mlmLossFloat32").getAsDouble();
            double b = r.get("mlmLossBf16").getAsDouble();
            md.append("| ").append(r.get("case").getAsString()).append(" | ").append(r.get("tokens").getAsString())
                    .append(String.format(Locale.ROOT, " | %.4f | %s | %d/%d | %.5f | %.5f | %+.5f |\n",
                            r.get("maxAbsLogitVsFloat32").getAsDouble(),
                            Double.isNaN(hf) ? "" : String.format(Locale.ROOT, "%.4f", hf),
                            r.get("top1Agree").getAsLong(), r.get("positions").getAsLong(), f, b, b - f));
        }
        return md.toString();
    }

    /** Achieved GFLOP/s for the benchmarks whose flop count is known (the matrix products only). */
    static String gflops(Row r) {
        if (r.clazz.equals(PEAK) && r.unit.equals("ops/ms")) {
            return String.format(Locale.ROOT, "%.1f", r.score * FmaPeak.FLOPS_PER_OP / 1e6);
        }
        if (!r.unit.equals("ms/op") || !r.params.containsKey("shape") && !r.method.equals("encoderLayer")
                && !r.method.equals("mlmHead")) {
            return "";
        }
        TokenShape shape = r.params.containsKey("shape") ? TokenShape.parse(r.params.get("shape")) : MatmulYardstick.PART_SHAPE;
        long flops = switch (r.method) {
            case "forward", BF16 -> BertBaseProducts.encoderFlops(shape);
            case "forwardWithMlmHead" -> BertBaseProducts.encoderFlops(shape) + BertBaseProducts.mlmHeadFlops(shape);
            case "encoderLayer" -> BertBaseProducts.layerFlops(shape);
            case "mlmHead" -> BertBaseProducts.mlmHeadFlops(shape);
            default -> 0;
        };
        return flops == 0 ? "" : String.format(Locale.ROOT, "%.1f", flops / r.score / 1e6);
    }

    private static String number(double v) {
        if (v >= 100_000) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (v >= 100) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        if (v >= 1) {
            return String.format(Locale.ROOT, "%.2f", v);
        }
        return String.format(Locale.ROOT, "%.3g", v);
    }

    /** Replaces the marked section of a README with {@code report}. */
    static String splice(String readme, String report, Path file) {
        int begin = readme.indexOf(BEGIN);
        int end = readme.indexOf(END);
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException(file + " has no " + BEGIN + " ... " + END + " section to replace");
        }
        return readme.substring(0, begin + BEGIN.length()) + "\n" + report + readme.substring(end);
    }

    /**
     * Writes the report; see the class comment for the arguments.
     *
     * @param args result files, output file, then the options the class comment lists
     * @throws IOException              if a result file cannot be read or the report written
     * @throws IllegalArgumentException if there are fewer than two arguments or the README has no
     *                                  bench section
     */
    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            throw new IllegalArgumentException("usage: BenchReport RESULTS.json OUT.md [--memory MEMORY.json] [--accuracy BF16.json] [--command TEXT] [--machine TEXT] [--readme README.md]");
        }
        Path out = Path.of(args[1]);
        JsonObject memory = null;
        JsonObject accuracy = null;
        String command = null;
        String machine = null;
        Path readme = null;
        for (int i = 2; i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + args[i] + " needs a value");
            }
            switch (args[i]) {
                case "--memory" -> memory = JsonParser.parseString(Files.readString(Path.of(args[i + 1]))).getAsJsonObject();
                case "--accuracy" -> accuracy = JsonParser.parseString(Files.readString(Path.of(args[i + 1]))).getAsJsonObject();
                case "--command" -> command = args[i + 1];
                case "--machine" -> machine = args[i + 1];
                case "--readme" -> readme = Path.of(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        List<Row> rows = new ArrayList<>();
        for (String f : args[0].split(",")) {
            // FILE@LABEL: rows of that run get the label as a parameter (e.g. threads=1).
            int at = f.indexOf('@');
            List<Row> parsed = parse(Files.readString(Path.of(at < 0 ? f : f.substring(0, at))));
            if (at >= 0) {
                String[] kv = f.substring(at + 1).split("=", 2);
                parsed.forEach(r -> r.params().put(kv[0], kv.length > 1 ? kv[1] : ""));
            }
            rows.addAll(parsed);
        }
        String report = render(rows, memory, accuracy, command, machine);
        write(out, report);
        if (readme != null) {
            write(readme, splice(Files.readString(readme), report, readme));
        }
        System.out.print(report);
    }

    private static void write(Path file, String text) throws IOException {
        Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), file.getFileName().toString(), ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
