package org.bertj.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bertj.weights.SafetensorsFile;
import org.bertj.weights.tf.TensorBundleWriter;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Makes TensorFlow checkpoints out of Hugging Face weights (the golden files), the inverse of the
 * conversion under test, written independently of it: the TF names of Google's BERT, kernels
 * stored {@code [in, out]}. Shared with bert-cli's tests through the test-jar.
 */
public final class TfCheckpoints {

    private TfCheckpoints() {
    }

    /** The TensorFlow name Google's checkpoints use for a Hugging Face parameter. */
    public static String tfName(String hf) {
        if (hf.equals("cls.predictions.bias")) {
            return "cls/predictions/output_bias";
        }
        if (hf.equals("cls.seq_relationship.weight")) {
            return "cls/seq_relationship/output_weights";
        }
        if (hf.equals("cls.seq_relationship.bias")) {
            return "cls/seq_relationship/output_bias";
        }
        String s = hf.replaceAll("\\.layer\\.(\\d+)\\.", ".layer_$1.");
        if (s.endsWith("_embeddings.weight")) {
            s = s.substring(0, s.length() - ".weight".length());
        } else if (s.contains("LayerNorm.")) {
            s = s.replaceAll("\\.weight$", ".gamma").replaceAll("\\.bias$", ".beta");
        } else if (s.endsWith(".weight")) {
            s = s.substring(0, s.length() - ".weight".length()) + ".kernel";
        }
        return s.replace('.', '/');
    }

    /**
     * Writes every tensor of {@code hf} as a TensorBundle at {@code prefix}, with TensorFlow names
     * ({@code module/} in front when {@code tfHub}), kernels transposed, plus Adam slots for each
     * kernel and a {@code global_step}, as a training checkpoint has.
     */
    public static void write(SafetensorsFile hf, Path prefix, boolean tfHub) throws IOException {
        TensorBundleWriter w = new TensorBundleWriter();
        String p = tfHub ? "module/" : "";
        for (String name : hf.names()) {
            String tf = tfName(name);
            INDArray a = hf.load(name).castTo(DataType.FLOAT);
            if (tf.endsWith("/kernel")) {
                a = a.transpose().dup('c');
                byte[] zeros = new byte[(int) a.length() * 4];
                w.add(p + tf + "/adam_m", 1, a.shape(), zeros).add(p + tf + "/adam_v", 1, a.shape(), zeros);
            }
            w.addFloat(p + tf, a.data().asFloat(), a.shape());
        }
        w.add(p + "global_step", 9, new long[0], ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(1000).array());
        Files.createDirectories(prefix.toAbsolutePath().getParent());
        w.write(prefix);
    }
}
