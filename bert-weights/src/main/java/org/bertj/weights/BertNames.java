package org.bertj.weights;

import java.util.regex.Pattern;

/**
 * Which Hugging Face names are parameters of {@code BertForPreTraining} (see the spec's weight
 * table): the names a converted checkpoint keeps. Buffers ({@code position_ids}) and the decoder
 * weights tied to other tensors are not parameters a file needs to carry.
 */
public final class BertNames {

    private static final Pattern PRE_TRAINING = Pattern.compile(String.join("|",
            "bert\\.embeddings\\.(word|position|token_type)_embeddings\\.weight",
            "bert\\.embeddings\\.LayerNorm\\.(weight|bias)",
            "bert\\.encoder\\.layer\\.(0|[1-9][0-9]*)\\.(attention\\.self\\.(query|key|value)|attention\\.output\\.dense"
                    + "|attention\\.output\\.LayerNorm|intermediate\\.dense|output\\.dense|output\\.LayerNorm)"
                    + "\\.(weight|bias)",
            // relative_key(_query) models only; HfBertConfig.expectedShapes says whether the config has it
            "bert\\.encoder\\.layer\\.(0|[1-9][0-9]*)\\.attention\\.self\\.distance_embedding\\.weight",
            "bert\\.pooler\\.dense\\.(weight|bias)",
            "cls\\.predictions\\.bias",
            "cls\\.predictions\\.transform\\.(dense|LayerNorm)\\.(weight|bias)",
            "cls\\.seq_relationship\\.(weight|bias)"));

    private BertNames() {
    }

    /**
     * The canonical {@code BertForPreTraining} name of a tensor from a Hugging Face file, or null if
     * it is not a parameter the file needs to carry. Accepts what files in the wild use: no
     * {@code bert.} prefix (a saved {@code BertModel}) and the old {@code LayerNorm.gamma|beta}.
     *
     * @param name a tensor name as the file spells it
     * @return the name with the {@code bert.} prefix and current LayerNorm names, or null for
     *         buffers, tied decoder weights and names that are not BERT parameters
     */
    public static String canonical(String name) {
        String n = inModel(name, true);
        return isPreTrainingParameter(n) ? n : null;
    }

    /**
     * {@code name} as the model it is loaded into names it: with the {@code bert.} prefix of a
     * {@code BertForPreTraining} on the encoder's tensors ({@code embeddings.}, {@code encoder.},
     * {@code pooler.}) when {@code prefixed}, without it for a bare {@code BertModel}; legacy
     * LayerNorm names updated. Other names (the heads' {@code cls.*}, unknown ones) are unchanged.
     *
     * @param name     a Hugging Face tensor name, with or without the {@code bert.} prefix
     * @param prefixed true for a {@code BertForPreTraining} (names carry {@code bert.}), false for a
     *                 bare {@code BertModel}
     * @return the name as that model spells it; never null
     */
    public static String inModel(String name, boolean prefixed) {
        String n = withoutLegacyLayerNormNames(name);
        boolean hasPrefix = n.startsWith("bert.");
        if (prefixed && !hasPrefix
                && (n.startsWith("embeddings.") || n.startsWith("encoder.") || n.startsWith("pooler."))) {
            return "bert." + n;
        }
        if (!prefixed && hasPrefix) {
            return n.substring("bert.".length());
        }
        return n;
    }

    /**
     * {@code ...LayerNorm.gamma} / {@code ...LayerNorm.beta} (old PyTorch and TF-converted files)
     * as today's {@code ...LayerNorm.weight} / {@code ...LayerNorm.bias}; any other name unchanged.
     *
     * @param name a tensor name
     * @return the name with a trailing {@code LayerNorm.gamma|beta} renamed
     */
    public static String withoutLegacyLayerNormNames(String name) {
        if (name.endsWith("LayerNorm.gamma")) {
            return name.substring(0, name.length() - "gamma".length()) + "weight";
        }
        if (name.endsWith("LayerNorm.beta")) {
            return name.substring(0, name.length() - "beta".length()) + "bias";
        }
        return name;
    }

    /**
     * Whether {@code name} is a parameter of Hugging Face's {@code BertForPreTraining} that a weight
     * file stores (the tied {@code cls.predictions.decoder.*} excluded).
     *
     * @param name a canonical name, with the {@code bert.} prefix and current LayerNorm names (as
     *             {@link #inModel(String, boolean)} gives with {@code prefixed} true)
     * @return true if it matches one of the parameters, of any layer index
     */
    public static boolean isPreTrainingParameter(String name) {
        return PRE_TRAINING.matcher(name).matches();
    }
}
