package org.bertj.weights.tf;

import java.util.Arrays;

/**
 * One tensor's record in a TensorBundle index: TensorFlow's {@code BundleEntryProto}
 * (tensorflow/core/protobuf/tensor_bundle.proto).
 *
 * @param dtypeCode   {@code DataType} enum number (field 1)
 * @param shape       dimensions from the {@code TensorShapeProto} (field 2)
 * @param shardId     which {@code .data-NNNNN-of-MMMMM} file holds the bytes (field 3)
 * @param offset      where the bytes start in that shard (field 4)
 * @param size        how many bytes (field 5)
 * @param maskedCrc32c masked CRC-32C of the bytes (field 6)
 * @param slices      number of {@code TensorSliceProto}s (field 7): nonzero for partitioned variables
 */
record BundleEntry(int dtypeCode, long[] shape, int shardId, long offset, long size, int maskedCrc32c,
                   int slices) {

    /** Number of elements the shape holds. */
    long elementCount() {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /**
     * Decodes the serialized proto.
     *
     * @throws IllegalArgumentException if the bytes are not a well-formed BundleEntryProto
     */
    static BundleEntry parse(byte[] proto) {
        ProtoReader r = new ProtoReader(proto);
        int dtype = 0;
        long[] shape = new long[0];
        int shard = 0;
        long offset = 0;
        long size = 0;
        int crc = 0;
        int slices = 0;
        while (!r.atEnd()) {
            int tag = r.readTag();
            int field = tag >>> 3;
            int wire = tag & 7;
            switch (field) {
                case 1 -> dtype = (int) expect(r, wire, ProtoReader.VARINT, "dtype").readVarint64();
                case 2 -> shape = parseShape(expect(r, wire, ProtoReader.LENGTH_DELIMITED, "shape").readMessage());
                case 3 -> shard = expect(r, wire, ProtoReader.VARINT, "shard_id").readVarint32();
                case 4 -> offset = expect(r, wire, ProtoReader.VARINT, "offset").readVarint64();
                case 5 -> size = expect(r, wire, ProtoReader.VARINT, "size").readVarint64();
                case 6 -> crc = expect(r, wire, ProtoReader.FIXED32, "crc32c").readFixed32();
                case 7 -> {
                    expect(r, wire, ProtoReader.LENGTH_DELIMITED, "slices").skip(wire);
                    slices++;
                }
                default -> r.skip(wire);
            }
        }
        if (offset < 0 || size < 0) {
            throw new IllegalArgumentException("negative offset " + offset + " or size " + size);
        }
        return new BundleEntry(dtype, shape, shard, offset, size, crc, slices);
    }

    private static long[] parseShape(ProtoReader r) {
        long[] dims = new long[4];
        int rank = 0;
        while (!r.atEnd()) {
            int tag = r.readTag();
            int field = tag >>> 3;
            int wire = tag & 7;
            if (field == 2) {
                ProtoReader dim = expect(r, wire, ProtoReader.LENGTH_DELIMITED, "dim").readMessage();
                long size = 0;
                while (!dim.atEnd()) {
                    int t = dim.readTag();
                    if (t >>> 3 == 1) {
                        size = expect(dim, t & 7, ProtoReader.VARINT, "dim.size").readVarint64();
                    } else {
                        dim.skip(t & 7);
                    }
                }
                if (size < 0) {
                    throw new IllegalArgumentException("dimension " + rank + " has unknown size " + size);
                }
                if (rank == dims.length) {
                    dims = Arrays.copyOf(dims, rank * 2);
                }
                dims[rank++] = size;
            } else if (field == 3) {
                if (expect(r, wire, ProtoReader.VARINT, "unknown_rank").readVarint64() != 0) {
                    throw new IllegalArgumentException("shape has unknown rank");
                }
            } else {
                r.skip(wire);
            }
        }
        return Arrays.copyOf(dims, rank);
    }

    private static ProtoReader expect(ProtoReader r, int wire, int expected, String field) {
        if (wire != expected) {
            throw new IllegalArgumentException("field " + field + " has wire type " + wire + ", expected " + expected);
        }
        return r;
    }

    @Override
    public String toString() {
        return "BundleEntry[dtype=" + dtypeCode + ", shape=" + Arrays.toString(shape) + ", shard=" + shardId
                + ", offset=" + offset + ", size=" + size + "]";
    }
}
