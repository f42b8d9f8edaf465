package org.bertj.weights;

import static org.bertj.weights.Crafted.entry;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Offsets beyond what one int-indexed ByteBuffer can reach, and multi-piece writes. */
class SafetensorsLargeFileTest {

    @TempDir
    Path dir;

    @Test
    void tensorsBeyondTwoGibibytesAreReadFromASparseFile() throws IOException {
        long pad = (1L << 31) + 8; // never read, so the file stays sparse on disk
        String header = "{" + entry("pad", "U8", "[" + pad + "]", 0, pad) + ","
                + entry("tail", "F32", "[2]", pad, pad + 8) + "}";
        Path f = dir.resolve("sparse.safetensors");
        try (FileChannel c = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            c.write(ByteBuffer.wrap(Crafted.le64(header.length())));
            c.write(ByteBuffer.wrap(header.getBytes(StandardCharsets.UTF_8)));
            c.write(ByteBuffer.wrap(Crafted.floats(1.25f, -7f)), 8 + header.length() + pad);
        }
        try (SafetensorsFile s = SafetensorsFile.open(f)) {
            assertArrayEquals(new float[] {1.25f, -7f}, s.load("tail").toFloatVector());
            assertEquals(8 + header.length() + pad, s.fileOffsets("tail")[0]);
            WeightFormatException e = assertThrows(WeightFormatException.class, () -> s.rawBytes("pad"));
            assertTrue(e.getMessage().contains("'pad'") && e.getMessage().contains("too large"), e.getMessage());
        }
    }

    @Test
    void writerCopiesLargeTensorsPieceByPiece() throws IOException {
        Map<String, INDArray> t = new LinkedHashMap<>();
        t.put("w", Nd4j.rand(DataType.FLOAT, 37, 11));
        t.put("ids", Nd4j.createFromArray(new long[] {5, 6, 7, 8, 9}));
        long saved = SafetensorsWriter.chunkBytes;
        SafetensorsWriter.chunkBytes = 20; // not a multiple of 8: pieces need not hold whole elements
        Path f = dir.resolve("pieces.safetensors");
        try {
            SafetensorsWriter.write(f, t, null);
        } finally {
            SafetensorsWriter.chunkBytes = saved;
        }
        try (SafetensorsFile s = SafetensorsFile.open(f)) {
            assertEquals(t.get("w"), s.load("w"));
            assertEquals(t.get("ids"), s.load("ids"));
        }
    }
}
