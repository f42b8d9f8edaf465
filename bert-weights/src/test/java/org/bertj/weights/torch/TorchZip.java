package org.bertj.weights.torch;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Writes torch-style zip archives byte by byte (not with java.util.zip's writer, so tests control
 * every field): stored or deflated entries, optionally with ZIP64 sizes and offsets.
 */
final class TorchZip {

    private final Map<String, byte[]> entries = new LinkedHashMap<>();
    private boolean deflate;
    private boolean zip64;

    TorchZip entry(String name, byte[] data) {
        entries.put(name, data);
        return this;
    }

    TorchZip deflate() {
        deflate = true;
        return this;
    }

    TorchZip zip64() {
        zip64 = true;
        return this;
    }

    /** {@code archive/data.pkl}, {@code archive/data/<key>} for each storage, {@code archive/version}. */
    static TorchZip torch(String archive, byte[] pickle, Map<String, byte[]> storages) {
        TorchZip z = new TorchZip().entry(archive + "/data.pkl", pickle);
        storages.forEach((k, v) -> z.entry(archive + "/data/" + k, v));
        return z.entry(archive + "/version", "3\n".getBytes(StandardCharsets.US_ASCII));
    }

    byte[] bytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream central = new ByteArrayOutputStream();
        for (Map.Entry<String, byte[]> e : entries.entrySet()) {
            byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
            byte[] data = e.getValue();
            byte[] stored = deflate ? deflated(data) : data;
            CRC32 crc = new CRC32();
            crc.update(data);
            long local = out.size();
            int method = deflate ? 8 : 0;
            le(out, 0x04034b50, 4);
            le(out, zip64 ? 45 : 20, 2);
            le(out, 0, 2);
            le(out, method, 2);
            le(out, 0, 4);
            le(out, crc.getValue(), 4);
            le(out, zip64 ? 0xFFFFFFFFL : stored.length, 4);
            le(out, zip64 ? 0xFFFFFFFFL : data.length, 4);
            le(out, name.length, 2);
            le(out, 0, 2);
            out.writeBytes(name);
            out.writeBytes(stored);

            le(central, 0x02014b50, 4);
            le(central, zip64 ? 45 : 20, 2);
            le(central, zip64 ? 45 : 20, 2);
            le(central, 0, 2);
            le(central, method, 2);
            le(central, 0, 4);
            le(central, crc.getValue(), 4);
            le(central, zip64 ? 0xFFFFFFFFL : stored.length, 4);
            le(central, zip64 ? 0xFFFFFFFFL : data.length, 4);
            le(central, name.length, 2);
            le(central, zip64 ? 28 : 0, 2);
            le(central, 0, 2);
            le(central, 0, 2);
            le(central, 0, 2);
            le(central, 0, 4);
            le(central, zip64 ? 0xFFFFFFFFL : local, 4);
            central.writeBytes(name);
            if (zip64) {
                le(central, 1, 2);
                le(central, 24, 2);
                le(central, data.length, 8);
                le(central, stored.length, 8);
                le(central, local, 8);
            }
        }
        long dirAt = out.size();
        out.writeBytes(central.toByteArray());
        if (zip64) {
            long recAt = out.size();
            le(out, 0x06064b50, 4);
            le(out, 44, 8);
            le(out, 45, 2);
            le(out, 45, 2);
            le(out, 0, 4);
            le(out, 0, 4);
            le(out, entries.size(), 8);
            le(out, entries.size(), 8);
            le(out, central.size(), 8);
            le(out, dirAt, 8);
            le(out, 0x07064b50, 4);
            le(out, 0, 4);
            le(out, recAt, 8);
            le(out, 1, 4);
        }
        le(out, 0x06054b50, 4);
        le(out, 0, 2);
        le(out, 0, 2);
        le(out, zip64 ? 0xFFFF : entries.size(), 2);
        le(out, zip64 ? 0xFFFF : entries.size(), 2);
        le(out, zip64 ? 0xFFFFFFFFL : central.size(), 4);
        le(out, zip64 ? 0xFFFFFFFFL : dirAt, 4);
        le(out, 0, 2);
        return out.toByteArray();
    }

    private static byte[] deflated(byte[] data) {
        Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        d.setInput(data);
        d.finish();
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        while (!d.finished()) {
            o.write(buf, 0, d.deflate(buf));
        }
        d.end();
        return o.toByteArray();
    }

    private static void le(ByteArrayOutputStream o, long v, int n) {
        for (int i = 0; i < n; i++) {
            o.write((int) (v >>> (8 * i)) & 0xFF);
        }
    }
}
