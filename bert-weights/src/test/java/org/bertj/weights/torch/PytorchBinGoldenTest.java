package org.bertj.weights.torch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bertj.testing.Shared;
import org.bertj.weights.HfWeightFiles;
import org.bertj.weights.ShardedSource;
import org.bertj.weights.TensorSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The golden .bin and sharded checkpoints (../shared/golden/formats) hold the same model; HF wrote
 * the safetensors shards from it. Every tensor we read from each format equals, bit for bit, the
 * tensor of the same name in the safetensors shards (read by the already tested safetensors reader).
 */
class PytorchBinGoldenTest {

    private static final String WORD = "bert.embeddings.word_embeddings.weight";
    private static final String DECODER = "cls.predictions.decoder.weight";

    private static Path dir(String name) {
        return Shared.golden("formats/" + name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"pytorch_bin", "pytorch_bin_legacy"})
    void binTensorsEqualTheSafetensorsShards(String name) throws Exception {
        try (PytorchBinFile bin = PytorchBinFile.open(dir(name).resolve("pytorch_model.bin"));
             TensorSource ref = HfWeightFiles.open(dir("sharded_safetensors"))) {
            assertEquals(name.endsWith("legacy") ? "legacy" : "zip", bin.format());
            // torch.save(state_dict) keeps both tied names, over one storage each.
            assertTrue(bin.names().contains(DECODER) && bin.names().contains("cls.predictions.decoder.bias"));
            assertEquals(bin.storageKey(WORD), bin.storageKey(DECODER));
            assertEquals(bin.storageKey("cls.predictions.bias"), bin.storageKey("cls.predictions.decoder.bias"));
            assertEquals("I64", bin.info("bert.embeddings.position_ids").dtype());
            int compared = assertSameTensors(ref, bin);
            assertEquals(ref.names().size(), compared);
            assertEquals(ref.names().size() + 2, bin.names().size());
            assertEquals(bin.load(WORD), bin.load(DECODER));
        }
    }

    @Test
    void shardedBinReadsThroughItsIndex() throws Exception {
        try (TensorSource sharded = HfWeightFiles.open(dir("sharded_bin"));
             TensorSource ref = HfWeightFiles.open(dir("sharded_safetensors"))) {
            ShardedSource s = assertInstanceOf(ShardedSource.class, sharded);
            assertEquals(List.of("pytorch_model-00001-of-00002.bin", "pytorch_model-00002-of-00002.bin"), s.shardFiles());
            assertEquals(ref.names().size(), assertSameTensors(ref, sharded));
            assertEquals(sharded.load(WORD), sharded.load(DECODER));
        }
    }

    @Test
    void shardedSafetensorsEqualsTheZipBin() throws Exception {
        try (TensorSource sharded = HfWeightFiles.open(dir("sharded_safetensors"));
             PytorchBinFile bin = PytorchBinFile.open(dir("pytorch_bin").resolve("pytorch_model.bin"))) {
            assertEquals(2, ((ShardedSource) sharded).shardFiles().size());
            // Compared from the .bin's side this time: every shard tensor is found and equal.
            assertEquals(sharded.names().size(), assertSameTensors(sharded, bin));
            assertTrue(HfWeightFiles.find(dir("sharded_safetensors")).endsWith("model.safetensors.index.json"));
        }
    }

    @Test
    void readFromBytesIsTheSameAsFromTheFile() throws Exception {
        Path file = dir("pytorch_bin_legacy").resolve("pytorch_model.bin");
        try (PytorchBinFile a = PytorchBinFile.open(file);
             PytorchBinFile b = PytorchBinFile.read(Files.readAllBytes(file), "legacy bytes")) {
            assertEquals(a.names(), b.names());
            assertEquals(a.names().size(), assertSameTensors(a, b));
        }
    }

    /** Each of {@code ref}'s tensors is in {@code got} with the same dtype, shape and bits; returns the count. */
    static int assertSameTensors(TensorSource ref, TensorSource got) throws Exception {
        int n = 0;
        for (String t : ref.names()) {
            assertTrue(got.contains(t), got + " lacks " + t);
            assertEquals(ref.info(t).dtype(), got.info(t).dtype(), t);
            assertArrayEquals(ref.info(t).shape(), got.info(t).shape(), t);
            INDArray want = ref.load(t);
            INDArray have = got.load(t);
            assertEquals(want.dataType(), have.dataType(), t);
            assertArrayEquals(want.shape(), have.shape(), t);
            if (want.dataType() == DataType.FLOAT) {
                assertArrayEquals(bits(want), bits(have), t + ": float bits");
            } else {
                assertArrayEquals(want.data().asLong(), have.data().asLong(), t);
            }
            n++;
        }
        return n;
    }

    private static int[] bits(INDArray a) {
        float[] f = a.dup('c').data().asFloat();
        int[] b = new int[f.length];
        for (int i = 0; i < f.length; i++) {
            b[i] = Float.floatToRawIntBits(f[i]);
        }
        return b;
    }

}
