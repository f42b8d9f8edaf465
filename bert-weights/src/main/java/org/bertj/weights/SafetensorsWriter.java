package org.bertj.weights;

import com.google.gson.stream.JsonWriter;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.BytePointer;
import org.nd4j.linalg.api.concurrency.AffinityManager;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Writes ND4J arrays as a safetensors file that Hugging Face's readers accept.
 *
 * <p>Layout: tensors are stored in order of descending element size and, among equal sizes, in the
 * map's iteration order (so a file of FLOAT arrays keeps the order of a LinkedHashMap exactly). The
 * header is padded with spaces to a multiple of 8 bytes, as the reference writer does, so every
 * tensor starts at a multiple of its element size. Arrays are stored in their own type (FLOAT as
 * F32, DOUBLE as F64, LONG as I64, INT as I32, HALF as F16, BFLOAT16 as BF16, SHORT, BYTE, UBYTE,
 * BOOL) in logical C order, whatever their strides.
 *
 * <p>The file is written under a temporary name in the target's directory, forced to disk and then
 * renamed over the target, so a failure at any point leaves an existing file untouched.
 */
public final class SafetensorsWriter {

    /** Largest piece handed to one FileChannel.write. */
    static long chunkBytes = 1L << 30;

    private SafetensorsWriter() {
    }

    private record Item(String name, INDArray array, SafetensorsDtype dtype, long bytes) {
    }

    /**
     * Writes {@code tensors} (and {@code metadata}, which may be null) to {@code file}.
     *
     * @param file     the file to write; replaced atomically if it exists
     * @param tensors  tensor name to array; the arrays are read, not changed or closed
     * @param metadata the header's {@code __metadata__} string pairs, or null for none
     * @throws WeightFormatException if a name or array cannot be stored (the message names it)
     * @throws IOException           if the file cannot be written (the message names it)
     */
    public static void write(Path file, Map<String, INDArray> tensors, Map<String, String> metadata)
            throws IOException {
        List<Item> items = plan(file, tensors);
        byte[] header = header(items, metadata);
        // Not Files.createTempFile: its owner-only permissions would stick to the finished file.
        Path tmp = file.toAbsolutePath().resolveSibling("." + file.getFileName() + "."
                + ProcessHandle.current().pid() + "." + System.nanoTime() + ".tmp");
        boolean done = false;
        try {
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW)) {
                writeFully(out, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length));
                writeFully(out, ByteBuffer.wrap(header));
                for (Item item : items) {
                    writeData(file, out, item);
                }
                out.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            done = true;
        } catch (WeightFormatException | java.nio.file.FileSystemException e) {
            throw e; // these name the file already
        } catch (IOException e) {
            // "No space left on device" and friends say nothing of where
            throw new IOException(file + ": cannot write: " + e.getMessage(), e);
        } finally {
            if (!done) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    private static List<Item> plan(Path file, Map<String, INDArray> tensors) throws WeightFormatException {
        List<Item> items = new ArrayList<>();
        for (Map.Entry<String, INDArray> t : tensors.entrySet()) {
            String name = t.getKey();
            INDArray a = t.getValue();
            if (name == null || name.equals("__metadata__")) {
                throw SafetensorsHeader.error(file, "cannot store a tensor named " + name);
            }
            if (a == null) {
                throw SafetensorsHeader.error(file, "tensor '" + name + "' is null");
            }
            SafetensorsDtype dtype = SafetensorsDtype.of(a.dataType());
            if (dtype == null) {
                throw SafetensorsHeader.error(file, "tensor '" + name + "' has ND4J type " + a.dataType()
                        + ", which safetensors cannot store");
            }
            items.add(new Item(name, a, dtype, Math.multiplyExact(a.length(), (long) dtype.size())));
        }
        // Stable sort: equal sizes keep the caller's order.
        items.sort(Comparator.comparingInt((Item i) -> -i.dtype.size()));
        return items;
    }

    private static byte[] header(List<Item> items, Map<String, String> metadata) throws IOException {
        StringWriter json = new StringWriter();
        JsonWriter w = new JsonWriter(json);
        w.beginObject();
        if (metadata != null && !metadata.isEmpty()) {
            w.name("__metadata__").beginObject();
            for (Map.Entry<String, String> m : metadata.entrySet()) {
                if (m.getKey() == null || m.getValue() == null) {
                    throw new WeightFormatException("metadata may not hold null: " + m);
                }
                w.name(m.getKey()).value(m.getValue());
            }
            w.endObject();
        }
        long offset = 0;
        for (Item item : items) {
            w.name(item.name).beginObject();
            w.name("dtype").value(item.dtype.name());
            w.name("shape").beginArray();
            for (long d : item.array.shape()) {
                w.value(d);
            }
            w.endArray();
            w.name("data_offsets").beginArray().value(offset).value(offset + item.bytes).endArray();
            w.endObject();
            offset += item.bytes;
        }
        w.endObject();
        w.close();
        byte[] bytes = json.toString().getBytes(StandardCharsets.UTF_8);
        int padding = (8 - bytes.length % 8) % 8;
        byte[] padded = Arrays.copyOf(bytes, bytes.length + padding);
        Arrays.fill(padded, bytes.length, padded.length, (byte) ' ');
        if (padded.length > SafetensorsHeader.MAX_HEADER_SIZE) {
            throw new WeightFormatException("safetensors header would be " + padded.length
                    + " bytes, over the readers' limit of " + SafetensorsHeader.MAX_HEADER_SIZE);
        }
        return padded;
    }

    private static void writeData(Path file, FileChannel out, Item item) throws IOException {
        if (item.bytes == 0) {
            return;
        }
        INDArray a = item.array;
        if (a.wasClosed()) {
            throw new WeightFormatException(file + ": cannot write tensor '" + item.name
                    + "': its ND4J array was closed");
        }
        // Bytes are taken straight from ND4J memory, which must then hold exactly the C-order elements.
        boolean plain = a.ordering() == 'c' && !a.isView() && Shape.hasDefaultStridesForShape(a)
                && a.data().length() == a.length();
        INDArray c = plain ? a : a.dup('c');
        try {
            Nd4j.getAffinityManager().ensureLocation(c, AffinityManager.Location.HOST);
            BytePointer bytes = new BytePointer(c.data().addressPointer());
            bytes.capacity(item.bytes);
            for (long at = 0; at < item.bytes; at += chunkBytes) {
                long end = Math.min(item.bytes, at + chunkBytes);
                writeFully(out, bytes.position(at).limit(end).asByteBuffer());
            }
        } catch (RuntimeException e) {
            throw new WeightFormatException(file + ": cannot write tensor '" + item.name + "': " + e, e);
        } finally {
            if (c != a) {
                c.close();
            }
        }
    }

    private static void writeFully(FileChannel out, ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            out.write(bytes);
        }
    }
}
