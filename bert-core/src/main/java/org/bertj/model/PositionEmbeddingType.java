package org.bertj.model;

import java.util.Locale;

/** HF's {@code position_embedding_type}: where a token's position enters the model. */
public enum PositionEmbeddingType {
    /** Learned absolute position embeddings added in {@link BertEmbeddings} (BERT's default). */
    ABSOLUTE("absolute"),
    /**
     * Shaw et al.: a learned embedding per distance {@code l − r} in each self-attention
     * ({@code distance_embedding}), dotted with the query and added to the scores; no absolute
     * position embeddings.
     */
    RELATIVE_KEY("relative_key"),
    /** Huang et al.: as {@link #RELATIVE_KEY}, plus the distance embedding dotted with the key. */
    RELATIVE_KEY_QUERY("relative_key_query");

    private final String hfName;

    PositionEmbeddingType(String hfName) {
        this.hfName = hfName;
    }

    /** {@return the name as in config.json, e.g. {@code relative_key}} */
    public String hfName() {
        return hfName;
    }

    /** {@return whether the attention has a {@code distance_embedding}} */
    public boolean isRelative() {
        return this != ABSOLUTE;
    }

    /**
     * Looks up a config.json value.
     *
     * @param name the value, in any case; null is unknown
     * @return the type of that name
     * @throws IllegalArgumentException naming the value and the known ones
     */
    public static PositionEmbeddingType fromHfName(String name) {
        String n = name == null ? "" : name.toLowerCase(Locale.ROOT);
        for (PositionEmbeddingType t : values()) {
            if (t.hfName.equals(n)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown position_embedding_type '" + name
                + "' (known: absolute, relative_key, relative_key_query)");
    }
}
