package org.bertj.model;

import java.nio.file.Path;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Wall time of a lenient {@link WeightLoader#loadDirectory} on a real model directory (the cache has no NSP head) (default: the
 * bert-base-uncased cache), for issue 4. Not a test: run its main with the test classpath, e.g.
 * {@code java -cp ... org.bertj.model.LoadDirectoryTiming [dir] [repeats]}.
 */
public final class LoadDirectoryTiming {

    private LoadDirectoryTiming() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = args.length > 0 ? Path.of(args[0])
                : Path.of(System.getProperty("user.home"), ".cache", "bertj", "bert-base-uncased");
        int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        long t0 = System.nanoTime();
        Nd4j.create(1); // backend start-up is not part of loading
        System.out.printf("nd4j start-up %.2f s%n", (System.nanoTime() - t0) / 1e9);
        for (int i = 0; i < repeats; i++) {
            long heapBefore = usedHeap();
            long start = System.nanoTime();
            WeightLoader.Loaded l = WeightLoader.loadDirectory(dir, DataType.FLOAT, WeightLoader.Mode.LENIENT);
            double s = (System.nanoTime() - start) / 1e9;
            System.out.printf("load %d: %.3f s, %d tensors, heap growth %d MB%n", i + 1, s,
                    l.report().loaded().size(), (usedHeap() - heapBefore) >> 20);
        }
    }

    private static long usedHeap() {
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }
}
