package org.bertj.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The products cut in column or row blocks equal ND4J's one gemm (up to the order of the K-sum). */
class CpuParallelTest {

    private static void agrees(INDArray x, INDArray w, INDArray got) {
        agrees(x, w, null, got);
    }

    /** {@code got} is {@code x·Wᵀ + bias} (bias null: none) within float32's K-sum rounding. */
    private static void agrees(INDArray x, INDArray w, INDArray bias, INDArray got) {
        INDArray want = Nd4j.gemm(x.castTo(DataType.DOUBLE), w.castTo(DataType.DOUBLE), false, true);
        if (bias != null) {
            want.addiRowVector(bias.castTo(DataType.DOUBLE));
        }
        assertArrayEquals(want.shape(), got.shape());
        double err = got.castTo(DataType.DOUBLE).sub(want).amaxNumber().doubleValue();
        double scale = want.amaxNumber().doubleValue();
        assertTrue(err <= 1e-5 * scale, "max |split - gemm| " + err + " against max |gemm| " + scale);
    }

    /** How a product is cut: {@link CpuParallel#split} or {@link CpuParallel#splitRows}. */
    private interface Cut {
        void into(INDArray x, INDArray w, DnnlProducts.Packed packed, INDArray bias, INDArray out, int blocks);
    }

    /**
     * Every block count on every {@code m x n} shape gives the whole product, from the plain
     * weight and (where oneDNN packs) from its packed copy: K = 37 is padded in the copy, and
     * some block edges fall on its 64-column blocks and some do not (those blocks read the plain
     * weight); without a bias and (where oneDNN multiplies: it adds the bias in its product) with
     * one, each block adding its own columns of it.
     */
    private static void everyBlockCount(Cut cut, long[] ms, long[] ns) {
        for (long m : ms) {
            for (long n : ns) {
                INDArray x = Nd4j.randn(DataType.FLOAT, m, 37);
                INDArray w = Nd4j.randn(DataType.FLOAT, n, 37);
                DnnlProducts.Packed packed = DnnlProducts.packingActive() ? DnnlProducts.Packed.of(w) : null;
                INDArray bias = DnnlProducts.active() ? Nd4j.randn(DataType.FLOAT, n) : null;
                for (int blocks : new int[] {1, 2, 3, 4, 7}) {
                    for (DnnlProducts.Packed p : new DnnlProducts.Packed[] {null, packed}) {
                        for (INDArray b : new INDArray[] {null, bias}) {
                            INDArray out = Nd4j.createUninitialized(DataType.FLOAT, m, n);
                            out.assign(Float.NaN); // a block left out would stay NaN
                            cut.into(x, w, p, b, out, blocks);
                            agrees(x, w, b, out);
                        }
                    }
                }
            }
        }
    }

    /**
     * The packed copy is what gets multiplied, in every block that starts on one of its blocks:
     * after the plain weight is overwritten, the product is still that of the values packed.
     * Where oneDNN does not pack (no oneDNN, another blocking) there is no copy to test.
     */
    @Test
    void aPackedWeightIsMultipliedInsteadOfThePlainOne() {
        org.junit.jupiter.api.Assumptions.assumeTrue(DnnlProducts.packingActive() || !DnnlProducts.PACKABLE,
                "packing switched off by -Dbertj.dnnl.packed=false");
        if (!DnnlProducts.PACKABLE) {
            assertTrue(!DnnlProducts.AVAILABLE || !cpuHasAvx512(),
                    "oneDNN did not pick its blocked float32 layout on an AVX-512 CPU");
            return;
        }
        Nd4j.getRandom().setSeed(11);
        for (long m : new long[] {128, CpuParallel.ROW_SPLIT_MIN}) {
            INDArray x = Nd4j.randn(DataType.FLOAT, m, 768);
            INDArray w = Nd4j.randn(DataType.FLOAT, 768, 768);
            INDArray original = w.dup();
            DnnlProducts.Packed packed = DnnlProducts.Packed.of(w);
            w.assign(0);
            agrees(x, original, CpuParallel.xWt(x, w, packed));
        }
    }

    private static boolean cpuHasAvx512() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/cpuinfo")).contains(" avx512f");
        } catch (java.io.IOException e) {
            return false;
        }
    }

    @Test
    void everyBlockCountAndAnOddWidthGiveTheWholeProduct() {
        Nd4j.getRandom().setSeed(7);
        everyBlockCount(CpuParallel::split, new long[] {9}, new long[] {101, 768, 1000});
    }

    @Test
    void everyRowBlockCountAndAnOddHeightGiveTheWholeProduct() {
        Nd4j.getRandom().setSeed(6);
        everyBlockCount(CpuParallel::splitRows, new long[] {7, 64, 515}, new long[] {101});
    }

    @Test
    void theBiasIsAddedOnceWhetherTheProductAddsItOrNot() {
        Nd4j.getRandom().setSeed(4);
        INDArray x = Nd4j.randn(DataType.FLOAT, 128, 768);
        INDArray w = Nd4j.randn(DataType.FLOAT, 2304, 768);
        INDArray bias = Nd4j.randn(DataType.FLOAT, 2304).muli(100); // far above the K-sum's rounding
        agrees(x, w, bias, CpuParallel.xWt(x, w, null, bias));
        INDArray strided = Nd4j.createUninitialized(DataType.FLOAT, 2304, 2);
        strided.getColumn(0).assign(bias); // not at an address oneDNN can take: added afterwards
        agrees(x, w, bias, CpuParallel.xWt(x, w, null, strided.getColumn(0)));
        if (DnnlProducts.packingActive()) {
            agrees(x, w, bias, CpuParallel.xWt(x, w, DnnlProducts.Packed.of(w), bias));
        }
    }

    @Test
    void aProductOfManyTokensIsCutInRowsAndRight() {
        Nd4j.getRandom().setSeed(5);
        INDArray x = Nd4j.randn(DataType.FLOAT, CpuParallel.ROW_SPLIT_MIN + 3, 768);
        INDArray w = Nd4j.randn(DataType.FLOAT, 768, 768);
        agrees(x, w, CpuParallel.xWt(x, w, null));
    }

    @Test
    void concurrentCallersShareTheHelpersAndAllGetTheirOwnResult() throws Exception {
        Nd4j.getRandom().setSeed(9);
        INDArray w = Nd4j.randn(DataType.FLOAT, 2304, 768);
        INDArray[] xs = new INDArray[4];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = Nd4j.randn(DataType.FLOAT, 128, 768);
        }
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(xs.length);
        try {
            java.util.List<java.util.concurrent.Future<INDArray>> got = new java.util.ArrayList<>();
            for (int round = 0; round < 3; round++) {
                got.clear();
                for (INDArray x : xs) {
                    got.add(pool.submit(() -> CpuParallel.xWt(x, w, null))); // one holds the helpers, the rest run alone
                }
                for (int i = 0; i < xs.length; i++) {
                    agrees(xs[i], w, got.get(i).get());
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aFailingPieceFailsTheCallerAndLeavesTheHelpersWorking() {
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> CpuParallel.forRanges(8, (from, to) -> {
                    if (from > 0) {
                        throw new IllegalStateException("piece " + from);
                    }
                }));
        assertTrue(e.getMessage().startsWith("piece "), e.getMessage());
        long[] sum = new long[1];
        CpuParallel.forRanges(4, (from, to) -> {
            synchronized (sum) {
                sum[0] += to - from;
            }
        });
        org.junit.jupiter.api.Assertions.assertEquals(4, sum[0]);
    }

    /**
     * A bf16 pass's operands ({@link Bf16Products}) go through the same cut; a weight that is a
     * row range of a bigger array starts at an offset, which must count in bf16's two bytes (it
     * once counted four, and the product read past the weight).
     */
    @Test
    void bf16OperandsAtAnOffsetGiveTheProductOfTheirValues() {
        Nd4j.getRandom().setSeed(10);
        INDArray x = Nd4j.randn(DataType.FLOAT, 9, 40).castTo(DataType.BFLOAT16);
        INDArray all = Nd4j.randn(DataType.FLOAT, 70, 40).castTo(DataType.BFLOAT16);
        INDArray w = all.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(3, 70),
                org.nd4j.linalg.indexing.NDArrayIndex.all());
        INDArray got = CpuParallel.xWt(x, w, null);
        INDArray want = Nd4j.gemm(x.castTo(DataType.DOUBLE), w.castTo(DataType.DOUBLE), false, true);
        double err = got.castTo(DataType.DOUBLE).sub(want).amaxNumber().doubleValue();
        double scale = want.amaxNumber().doubleValue();
        // float32 accumulation and output through oneDNN; ND4J's own bf16 product rounds to bf16
        double tolerance = got.dataType() == DataType.FLOAT ? 1e-5 : 1e-2;
        assertTrue(err <= tolerance * scale, got.dataType() + ": max |xWt - exact| " + err + " against " + scale);
    }

    /** bert-base's shapes, from the plain weight and (where oneDNN packs) from its packed copy. */
    @Test
    void aBertBaseSizedProductIsSplitAndRight() {
        Nd4j.getRandom().setSeed(8);
        assertTrue(128L * 768 * 768 >= CpuParallel.SPLIT_MIN);
        for (long[] nk : new long[][] {{3072, 768}, {2304, 768}, {768, 3072}}) {
            INDArray x = Nd4j.randn(DataType.FLOAT, 128, nk[1]);
            INDArray w = Nd4j.randn(DataType.FLOAT, nk[0], nk[1]);
            agrees(x, w, CpuParallel.xWt(x, w, null));
            if (DnnlProducts.packingActive()) {
                agrees(x, w, CpuParallel.xWt(x, w, DnnlProducts.Packed.of(w)));
            }
        }
    }
}
