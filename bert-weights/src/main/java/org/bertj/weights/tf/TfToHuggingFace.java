package org.bertj.weights.tf;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bertj.weights.BertNames;
import org.bertj.weights.TensorInfo;
import org.bertj.weights.TensorSource;
import org.bertj.weights.WeightFormatException;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A TensorFlow BERT checkpoint seen under Hugging Face names, the way transformers'
 * {@code load_tf_weights_in_bert} converts it: {@code module/} (TF Hub) dropped, {@code /} becomes
 * {@code .}, {@code layer_3} becomes {@code layer.3}, {@code kernel} becomes a transposed
 * {@code weight} (TF stores {@code [in, out]}, PyTorch {@code [out, in]}), {@code gamma}/{@code beta}
 * become {@code weight}/{@code bias}, {@code output_weights}/{@code output_bias} become
 * {@code weight}/{@code bias} (not transposed), {@code *_embeddings} gain {@code .weight}.
 *
 * <p>Only names that come out as {@link BertNames#isPreTrainingParameter BertForPreTraining
 * parameters} are kept; everything else (optimizer slots {@code adam_m}/{@code adam_v},
 * {@code global_step}, string or variant entries, unknown heads) is left out and listed by
 * {@link #skipped()} with the reason.
 */
public final class TfToHuggingFace implements TensorSource {

    private record Mapped(String tfName, boolean transpose, TensorInfo info) {
    }

    private final TensorSource tf;
    private final Map<String, Mapped> byHfName = new LinkedHashMap<>();
    private final Map<String, String> skipped = new LinkedHashMap<>();
    private final List<String> names;

    /**
     * Wraps a TensorFlow-named source; closing the view closes it.
     *
     * @param tf a source under TensorFlow variable names ({@code bert/encoder/layer_0/...}, with or
     *           without the TF Hub {@code module/} prefix), usually a {@link TensorBundleReader}
     * @throws WeightFormatException if two TensorFlow names map to the same Hugging Face name
     */
    public TfToHuggingFace(TensorSource tf) throws WeightFormatException {
        this.tf = tf;
        for (String tfName : tf.names()) {
            TensorInfo info = tf.info(tfName);
            String reason = skipReason(tf, tfName, info);
            if (reason != null) {
                skipped.put(tfName, reason);
                continue;
            }
            String hf = hfName(tfName);
            boolean transpose = isKernel(tfName);
            long[] shape = info.shape();
            if (transpose) {
                shape = new long[] {shape[1], shape[0]};
            }
            Mapped previous = byHfName.put(hf, new Mapped(tfName, transpose, new TensorInfo(hf, info.dtype(), shape)));
            if (previous != null) {
                throw new WeightFormatException("checkpoint holds both '" + previous.tfName() + "' and '" + tfName
                        + "', which are the same Hugging Face tensor '" + hf + "'");
            }
        }
        this.names = List.copyOf(byHfName.keySet());
    }

    /**
     * The Hugging Face name of a TensorFlow BERT variable, or null if it is not a
     * {@code BertForPreTraining} parameter (optimizer slots, {@code global_step}, other heads).
     *
     * @param tfName a TensorFlow variable name, e.g. {@code bert/encoder/layer_3/output/dense/kernel}
     * @return the Hugging Face name, e.g. {@code bert.encoder.layer.3.output.dense.weight}, or null
     */
    public static String hfName(String tfName) {
        String n = tfName.startsWith("module/") ? tfName.substring("module/".length()) : tfName;
        String[] parts = n.split("/", -1);
        List<String> out = new ArrayList<>(parts.length + 2);
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i];
            boolean last = i == parts.length - 1;
            if (p.matches("layer_(0|[1-9][0-9]*)")) {
                out.add("layer");
                out.add(p.substring("layer_".length()));
            } else if (last && (p.equals("kernel") || p.equals("gamma") || p.equals("output_weights"))) {
                out.add("weight");
            } else if (last && (p.equals("beta") || p.equals("output_bias"))) {
                out.add("bias");
            } else if (last && p.endsWith("_embeddings")) {
                out.add(p);
                out.add("weight");
            } else {
                out.add(p);
            }
        }
        String hf = String.join(".", out);
        return BertNames.isPreTrainingParameter(hf) ? hf : null;
    }

    private static boolean isKernel(String tfName) {
        return tfName.endsWith("/kernel");
    }

    private static String skipReason(TensorSource tf, String tfName, TensorInfo info) {
        String last = tfName.substring(tfName.lastIndexOf('/') + 1);
        if (last.equals("adam_m") || last.equals("adam_v") || tfName.contains("Optimizer")
                || last.equals("Momentum") || last.matches("Adam(_\\d+)?")) {
            return "optimizer slot";
        }
        if (last.equals("global_step")) {
            return "training step counter";
        }
        if (tf instanceof TensorBundleReader b && !b.isLoadable(tfName)) {
            return "not a numeric tensor (" + info.dtype() + ")";
        }
        if (hfName(tfName) == null) {
            return "not a BertForPreTraining weight";
        }
        if (isKernel(tfName) && info.shape().length != 2) {
            return "kernel of rank " + info.shape().length + ", expected 2";
        }
        return null;
    }

    /** {@return the TensorFlow names left out, each with why (in checkpoint order); unmodifiable} */
    public Map<String, String> skipped() {
        return Collections.unmodifiableMap(skipped);
    }

    /**
     * The TensorFlow name a Hugging Face name was read from.
     *
     * @param hfName one of {@link #names()}
     * @return the variable's name in the wrapped source
     * @throws IllegalArgumentException if no tensor maps to {@code hfName}
     */
    public String tfName(String hfName) {
        return mapped(hfName).tfName();
    }

    @Override
    public List<String> names() {
        return names;
    }

    @Override
    public boolean contains(String name) {
        return byHfName.containsKey(name);
    }

    @Override
    public TensorInfo info(String name) {
        return mapped(name).info();
    }

    /** Loads the tensor under its Hugging Face name; kernels come back transposed to {@code [out, in]}. */
    @Override
    public INDArray load(String name) throws IOException {
        Mapped m = byHfName.get(name);
        if (m == null) {
            throw new WeightFormatException("no tensor maps to the Hugging Face name '" + name + "'");
        }
        INDArray stored = tf.load(m.tfName());
        if (!m.transpose()) {
            return stored;
        }
        INDArray t = stored.transpose().dup('c');
        stored.close();
        return t;
    }

    private Mapped mapped(String hfName) {
        Mapped m = byHfName.get(hfName);
        if (m == null) {
            throw new IllegalArgumentException("no tensor maps to the Hugging Face name '" + hfName + "'");
        }
        return m;
    }

    @Override
    public void close() throws IOException {
        tf.close();
    }
}
