package org.bertj.weights.torch;

/** A class a hostile pickle names: if anything ever looked globals up by name, this would load. */
public final class Canary {

    static {
        CanaryFlag.loaded = true;
    }

    private Canary() {
    }

    /** What a pickle would call. */
    public static Object call(Object x) {
        CanaryFlag.loaded = true;
        return x;
    }
}
