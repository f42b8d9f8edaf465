package org.bertj.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchReportTest {

    private static String result(String benchmark, String shape, double score, double error) {
        String params = shape == null ? "" : "\"params\": {\"shape\": \"" + shape + "\"},";
        return "{\"benchmark\": \"org.bertj.bench." + benchmark + "\", \"mode\": \"avgt\", " + params
                + "\"primaryMetric\": {\"score\": " + score + ", \"scoreError\": " + error
                + ", \"scoreUnit\": \"ms/op\"}, \"secondaryMetrics\": {}}";
    }

    private static final String JSON = "[" + String.join(",",
            result("ForwardBenchmark.forward", "1x128", 230.0, 4.0),
            result("ForwardBenchmark.forward", "8x128", 1800.0, 20.0),
            result("MatmulYardstick.forward", "1x128", 200.0, 2.0),
            result("MatmulYardstick.forward", "8x128", 1500.0, 10.0),
            result("ForwardBenchmark.encoderLayer", null, 20.0, 1.0),
            result("MatmulYardstick.encoderLayer", null, 16.0, 1.0),
            result("LoadBenchmark.load", null, 3000.0, 100.0)) + "]";

    @Test
    void dividesEachBenchmarkByTheYardstickOfSameNameAndShape() {
        List<BenchReport.Row> rows = BenchReport.parse(JSON);
        assertEquals(7, rows.size());
        assertEquals("ForwardBenchmark", rows.get(0).clazz());
        assertEquals("forward", rows.get(0).method());
        String md = BenchReport.render(rows, null, null, null);
        assertTrue(md.contains("| ForwardBenchmark.forward | 1x128 | 230.0 ms/op | 4.00 | 200.0 ms/op | **1.150** |"), md);
        assertTrue(md.contains("| ForwardBenchmark.forward | 8x128 | 1800.0 ms/op | 20.00 | 1500.0 ms/op | **1.200** |"), md);
        assertTrue(md.contains("| ForwardBenchmark.encoderLayer |  | 20.00 ms/op | 1.00 | 16.00 ms/op | **1.250** |"), md);
        assertTrue(md.contains("| LoadBenchmark.load |  | 3000.0 ms/op | 100.0 |  |  |"), md);
    }

    @Test
    void gflopsCountEveryProductOfBertBase() {
        // 1x128: 12 layers of 2·128·768·(2304+768+3072+3072) plus 2·2·12·128·128·64 attention, pooler, NSP.
        long perLayer = 2L * 128 * 768 * (2304 + 768 + 3072 + 3072) + 4L * 12 * 128 * 128 * 64;
        assertEquals(12 * perLayer + 2L * 768 * 770, BertBaseProducts.encoderFlops(new TokenShape(1, 128)));
        BenchReport.Row yard = BenchReport.parse("[" + result("MatmulYardstick.forward", "1x128", 1000.0, 1.0) + "]").get(0);
        assertEquals(String.format(java.util.Locale.ROOT, "%.1f", (12 * perLayer + 2L * 768 * 770) / 1e9), BenchReport.gflops(yard));
    }

    @Test
    void splicesTheReportBetweenTheMarkers() {
        String readme = "# x\n" + BenchReport.BEGIN + "\nold\n" + BenchReport.END + "\ntail\n";
        assertEquals("# x\n" + BenchReport.BEGIN + "\nnew\n" + BenchReport.END + "\ntail\n",
                BenchReport.splice(readme, "new\n", Path.of("README.md")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BenchReport.splice("# no markers\n", "new\n", Path.of("README.md")));
        assertTrue(e.getMessage().contains("README.md"), e.getMessage());
    }

    @Test
    void rejectsMalformedTokenShapes() {
        assertEquals(new TokenShape(8, 128), TokenShape.parse("8x128"));
        assertThrows(IllegalArgumentException.class, () -> TokenShape.parse("8*128"));
        assertThrows(IllegalArgumentException.class, () -> TokenShape.parse("0x128"));
    }

    @Test
    void headlineSetsBertjAgainstOnnxRuntimeWithTheBestPeakIterationOfTheSameRun() {
        String peak = "{\"benchmark\": \"org.bertj.bench.FmaPeak.fma\", \"mode\": \"thrpt\", \"primaryMetric\": {\"score\": 5.0,"
                + " \"scoreError\": 1.0, \"scoreUnit\": \"ops/ms\", \"rawData\": [[4.0, 10.0, 1.0]]}, \"secondaryMetrics\": {}}";
        List<BenchReport.Row> rows = BenchReport.parse("[" + String.join(",",
                result("ForwardBenchmark.forward", "1x128", 100.0, 4.0),
                result("OnnxRuntimeBenchmark.forward", "1x128", 80.0, 2.0), peak) + "]");
        double peakGflops = 10.0 * FmaPeak.FLOPS_PER_OP / 1e6; // the best iteration, not the mean
        double flops = BertBaseProducts.encoderFlops(new TokenShape(1, 128));
        String md = BenchReport.headline(rows);
        String expected = String.format(java.util.Locale.ROOT,
                "| JMH, clean environment | 1x128 | 100.0 ± 4.00 ms/op | 80.00 ± 2.00 ms/op | **1.25** | %.1f | %.0f%% | %.1f | %.0f%% | %.1f |",
                flops / 100e6, 100 * flops / 100e6 / peakGflops, flops / 80e6, 100 * flops / 80e6 / peakGflops, peakGflops);
        assertTrue(md.contains(expected), md + "\nexpected " + expected);
    }

    @Test
    void headlineShowsBf16BesideFloat32AndTheAccuracyTable() {
        List<BenchReport.Row> rows = BenchReport.parse("[" + String.join(",",
                result("ForwardBenchmark.forward", "1x128", 100.0, 4.0),
                result("OnnxRuntimeBenchmark.forward", "1x128", 80.0, 2.0),
                result("ForwardBenchmark." + BenchReport.BF16, "1x128", 60.0, 1.0)) + "]");
        String md = BenchReport.headline(rows);
        assertTrue(md.contains("| bertj bf16 | bf16 time / ORT time |"), md);
        assertTrue(md.contains("| 60.00 ± 1.00 ms/op | **0.75** |"), md);
        com.google.gson.JsonObject acc = com.google.gson.JsonParser.parseString("{\"what\": \"bf16\", \"rows\": [{"
                + "\"case\": \"golden x\", \"tokens\": \"2x7\", \"maxAbsLogitVsFloat32\": 0.0166,"
                + " \"maxAbsLogitVsHf\": NaN, \"top1Agree\": 13, \"positions\": 14, \"mlmLossHf\": NaN,"
                + " \"mlmLossFloat32\": 5.11864, \"mlmLossBf16\": 5.11971}]}").getAsJsonObject();
        String table = BenchReport.render(rows, null, acc, null, null);
        assertTrue(table.contains("| golden x | 2x7 | 0.0166 |  | 13/14 | 5.11864 | 5.11971 | +0.00107 |"), table);
    }
}
