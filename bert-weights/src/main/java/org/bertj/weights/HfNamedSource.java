package org.bertj.weights;

import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A Hugging Face weights file seen under canonical {@code BertForPreTraining} names
 * ({@link BertNames#canonical}): {@code bert.} prefixes added where a saved {@code BertModel}
 * lacks them, {@code gamma}/{@code beta} renamed, and what is not a stored parameter (the
 * {@code position_ids} buffer, the tied {@code cls.predictions.decoder.*}) left out and listed by
 * {@link #skipped()}. Under {@code tie_word_embeddings: false} the decoder weight is a parameter of
 * its own and is kept; its bias is always {@code cls.predictions.bias} in HF, so it stays out.
 */
public final class HfNamedSource implements TensorSource {

    /** The decoder weight, a parameter of its own only when the word embeddings are not tied. */
    static final String UNTIED_DECODER = "cls.predictions.decoder.weight";

    private final TensorSource source;
    private final Map<String, String> toSource = new LinkedHashMap<>();
    private final Map<String, String> skipped = new LinkedHashMap<>();
    private final List<String> names;

    /**
     * Wraps a source; closing the view closes it.
     *
     * @param source tensors under Hugging Face names as files spell them (with or without the
     *               {@code bert.} prefix, old {@code LayerNorm.gamma|beta}); word embeddings tied
     * @throws WeightFormatException if two of its names are the same parameter
     */
    public HfNamedSource(TensorSource source) throws WeightFormatException {
        this(source, true);
    }

    /**
     * Wraps a source of a checkpoint whose config says {@code tieWordEmbeddings}; closing the view
     * closes it.
     *
     * @param source            tensors under Hugging Face names as files spell them
     * @param tieWordEmbeddings the config's {@code tie_word_embeddings}; when false the source's
     *                          {@code cls.predictions.decoder.weight} is kept as a parameter of its
     *                          own instead of skipped as tied
     * @throws WeightFormatException if two of its names are the same parameter
     */
    public HfNamedSource(TensorSource source, boolean tieWordEmbeddings) throws WeightFormatException {
        this.source = source;
        for (String name : source.names()) {
            String canonical = BertNames.canonical(name);
            if (canonical == null && !tieWordEmbeddings && name.equals(UNTIED_DECODER)) {
                canonical = name; // HF keeps it as its own tensor then (golden formats/untied_decoder)
            }
            if (canonical == null) {
                skipped.put(name, name.endsWith("position_ids") ? "buffer, not a parameter"
                        : name.startsWith("cls.predictions.decoder.") ? "tied to another tensor"
                        : "not a BertForPreTraining parameter");
                continue;
            }
            String previous = toSource.put(canonical, name);
            if (previous != null) {
                throw new WeightFormatException("the file holds both '" + previous + "' and '" + name
                        + "', which are the same parameter '" + canonical + "'");
            }
        }
        this.names = List.copyOf(toSource.keySet());
    }

    /** {@return the source's names left out (buffers, tied and unknown tensors), each with why; unmodifiable} */
    public Map<String, String> skipped() {
        return Collections.unmodifiableMap(skipped);
    }

    @Override
    public List<String> names() {
        return names;
    }

    @Override
    public boolean contains(String name) {
        return toSource.containsKey(name);
    }

    @Override
    public TensorInfo info(String name) {
        String s = toSource.get(name);
        if (s == null) {
            throw new IllegalArgumentException("no tensor named '" + name + "'");
        }
        TensorInfo i = source.info(s);
        return new TensorInfo(name, i.dtype(), i.shape());
    }

    @Override
    public INDArray load(String name) throws IOException {
        String s = toSource.get(name);
        if (s == null) {
            throw new WeightFormatException("no tensor named '" + name + "'");
        }
        return source.load(s);
    }

    @Override
    public void loadInto(String name, INDArray target) throws IOException {
        String s = toSource.get(name);
        if (s == null) {
            throw new WeightFormatException("no tensor named '" + name + "'");
        }
        TensorSource.checkFits(this, name, target);
        source.loadInto(s, target);
    }

    @Override
    public void close() throws IOException {
        source.close();
    }
}
