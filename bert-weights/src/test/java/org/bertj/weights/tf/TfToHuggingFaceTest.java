package org.bertj.weights.tf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bertj.weights.WeightFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

class TfToHuggingFaceTest {

    @TempDir
    Path dir;

    @Test
    void namesFollowTransformersConversion() {
        assertEquals("bert.embeddings.word_embeddings.weight", TfToHuggingFace.hfName("bert/embeddings/word_embeddings"));
        assertEquals("bert.embeddings.token_type_embeddings.weight",
                TfToHuggingFace.hfName("module/bert/embeddings/token_type_embeddings"));
        assertEquals("bert.embeddings.LayerNorm.weight", TfToHuggingFace.hfName("bert/embeddings/LayerNorm/gamma"));
        assertEquals("bert.encoder.layer.11.attention.output.LayerNorm.bias",
                TfToHuggingFace.hfName("bert/encoder/layer_11/attention/output/LayerNorm/beta"));
        assertEquals("bert.encoder.layer.0.attention.self.query.weight",
                TfToHuggingFace.hfName("module/bert/encoder/layer_0/attention/self/query/kernel"));
        assertEquals("bert.encoder.layer.3.intermediate.dense.bias",
                TfToHuggingFace.hfName("bert/encoder/layer_3/intermediate/dense/bias"));
        assertEquals("bert.pooler.dense.weight", TfToHuggingFace.hfName("bert/pooler/dense/kernel"));
        assertEquals("cls.predictions.bias", TfToHuggingFace.hfName("cls/predictions/output_bias"));
        assertEquals("cls.predictions.transform.LayerNorm.weight",
                TfToHuggingFace.hfName("cls/predictions/transform/LayerNorm/gamma"));
        assertEquals("cls.seq_relationship.weight", TfToHuggingFace.hfName("cls/seq_relationship/output_weights"));
        assertEquals("cls.seq_relationship.bias", TfToHuggingFace.hfName("cls/seq_relationship/output_bias"));
        assertNull(TfToHuggingFace.hfName("bert/pooler/dense/kernel/adam_m"));
        assertNull(TfToHuggingFace.hfName("global_step"));
        assertNull(TfToHuggingFace.hfName("output_weights")); // a classifier head, not BertForPreTraining
    }

    @Test
    void mapsATinyCheckpointTransposingOnlyKernels() throws IOException {
        Path prefix = dir.resolve("bert_model.ckpt");
        new TensorBundleWriter()
                .addRange("module/bert/embeddings/word_embeddings", 0, 5, 2)
                .addRange("module/bert/encoder/layer_0/attention/self/query/kernel", 0, 2, 3) // [in=2, out=3]
                .addRange("module/bert/encoder/layer_0/attention/self/query/kernel/adam_m", 0, 2, 3)
                .addRange("module/bert/encoder/layer_0/attention/self/query/kernel/adam_v", 0, 2, 3)
                .addRange("module/cls/seq_relationship/output_weights", 100, 2, 2)
                .addRange("module/cls/predictions/output_bias", 7, 5)
                .addRange("module/bert/embeddings/LayerNorm/gamma", 1, 2)
                .add("module/global_step", 9, new long[0], new byte[8])
                .add("module/label_names", 7, new long[] {1}, new byte[] {1, 'x'})
                .write(prefix);
        try (TfToHuggingFace hf = new TfToHuggingFace(TensorBundleReader.open(prefix))) {
            assertEquals(List.of("bert.embeddings.LayerNorm.weight", "bert.embeddings.word_embeddings.weight",
                    "bert.encoder.layer.0.attention.self.query.weight", "cls.predictions.bias",
                    "cls.seq_relationship.weight"), hf.names());
            Map<String, String> skipped = new LinkedHashMap<>();
            skipped.put("module/bert/encoder/layer_0/attention/self/query/kernel/adam_m", "optimizer slot");
            skipped.put("module/bert/encoder/layer_0/attention/self/query/kernel/adam_v", "optimizer slot");
            skipped.put("module/global_step", "training step counter");
            skipped.put("module/label_names", "not a numeric tensor (STRING)");
            assertEquals(skipped, hf.skipped());

            String q = "bert.encoder.layer.0.attention.self.query.weight";
            assertArrayEquals(new long[] {3, 2}, hf.info(q).shape());
            assertEquals("module/bert/encoder/layer_0/attention/self/query/kernel", hf.tfName(q));
            INDArray w = hf.load(q);
            assertArrayEquals(new long[] {3, 2}, w.shape());
            assertEquals('c', w.ordering());
            // kernel [[0,1,2],[3,4,5]] transposed: row-major bytes 0,3,1,4,2,5
            assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, w.data().asFloat());

            INDArray nsp = hf.load("cls.seq_relationship.weight");
            assertArrayEquals(new long[] {2, 2}, nsp.shape());
            assertArrayEquals(new float[] {100, 101, 102, 103}, nsp.data().asFloat());
            assertArrayEquals(new float[] {7, 8, 9, 10, 11}, hf.load("cls.predictions.bias").toFloatVector());
            assertThrows(WeightFormatException.class, () -> hf.load("bert.pooler.dense.weight"));
        }
    }

    @Test
    void refusesTwoNamesForOneTensor() throws IOException {
        Path prefix = dir.resolve("dup");
        new TensorBundleWriter().addRange("bert/pooler/dense/bias", 0, 2).addRange("module/bert/pooler/dense/bias", 0, 2)
                .write(prefix);
        try (TensorBundleReader r = TensorBundleReader.open(prefix)) {
            WeightFormatException e = assertThrows(WeightFormatException.class, () -> new TfToHuggingFace(r));
            assertTrue(e.getMessage().contains("bert.pooler.dense.bias"), e.getMessage());
        }
    }
}
