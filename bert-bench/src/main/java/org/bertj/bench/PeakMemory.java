package org.bertj.bench;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.bertj.model.BertForPreTraining;
import org.bertj.model.BertInputs;
import org.bertj.model.OutputOptions;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Peak memory of a bert-base forward pass (batch 1 x 128, real weights, float32), in its own JVM so
 * nothing else is counted (the loader maps the weights file, so they count once paged in by the
 * first forward): process RSS from {@code /proc/self/status} ({@code VmRSS}, and the peak
 * {@code VmHWM}, reset through {@code /proc/self/clear_refs} before the measured passes) and the
 * Java heap after a full GC, which shows the weights are not on it (ND4J keeps them off-heap).
 * Writes the figures as JSON for {@link BenchReport}: {@code PeakMemory OUT.json}.
 */
public final class PeakMemory {

    private static final double MIB = 1024.0 * 1024.0;

    private PeakMemory() {
    }

    /**
     * Measures and writes the figures, in MiB.
     *
     * @param args the JSON file to write
     * @throws IOException if {@code /proc/self/status} cannot be read (not Linux) or the file written
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: PeakMemory OUT.json");
        }
        TokenShape shape = new TokenShape(1, 128);
        JsonObject mib = new JsonObject();
        Nd4j.create(DataType.FLOAT, 1).addi(1); // loads and starts ND4J's native side
        mib.addProperty("process RSS before loading (JVM + ND4J native libraries)", kib("VmRSS") / 1024.0);
        resetPeak();
        BertForPreTraining model = BertBase.realModel();
        mib.addProperty("process peak RSS while loading (read into place)", kib("VmHWM") / 1024.0);
        BertInputs inputs = BertBase.randomInputs(shape, 7);
        mib.addProperty("bert-base weights (110M float32, off-heap)", model.parameters().count() * 4 / MIB);
        settle(); // loading's temporaries go away only once collected
        mib.addProperty("process RSS after loading (weights copied off-heap)", kib("VmRSS") / 1024.0);

        resetPeak();
        model.bert().forward(inputs, OutputOptions.NONE);
        mib.addProperty("process peak RSS during the first forward (workspaces sized)",
                kib("VmHWM") / 1024.0);
        settle();
        long loaded = kib("VmRSS");
        mib.addProperty("process RSS between forwards (model resident)", loaded / 1024.0);
        resetPeak();
        for (int i = 0; i < 5; i++) {
            model.bert().forward(inputs, OutputOptions.NONE);
        }
        long peak = kib("VmHWM");
        mib.addProperty("process peak RSS during forward (steady state)", peak / 1024.0);
        mib.addProperty("forward's peak above the resident model (activations, workspaces)", (peak - loaded) / 1024.0);

        settle();
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        mib.addProperty("Java heap used after GC (weights not on it)", heap.getUsed() / MIB);
        mib.addProperty("Java heap committed", heap.getCommitted() / MIB);

        JsonObject out = new JsonObject();
        out.addProperty("what", "bert-base forward pass (BertModel, batch 1 x 128 tokens, real weights, float32)");
        out.add("mib", mib);
        String json = new GsonBuilder().setPrettyPrinting().create().toJson(out) + "\n";
        Path file = Path.of(args[0]).toAbsolutePath();
        Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
        Files.writeString(tmp, json, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        System.out.print(json);
        if (model.parameters().count() == 0) {
            throw new AssertionError("unreachable: keeps the model alive until the end");
        }
    }

    /** Full GCs with pauses, so ND4J's deallocator thread frees what the collector found dead. */
    static void settle() {
        for (int i = 0; i < 3; i++) {
            System.gc();
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** A {@code kB} field of {@code /proc/self/status}. */
    static long kib(String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.substring(field.length() + 1).replace("kB", "").trim());
            }
        }
        throw new IOException("/proc/self/status has no " + field + " (not Linux?)");
    }

    /** Resets VmHWM to the current RSS (Linux 4.0+). */
    static void resetPeak() throws IOException {
        Files.writeString(Path.of("/proc/self/clear_refs"), "5");
    }
}
