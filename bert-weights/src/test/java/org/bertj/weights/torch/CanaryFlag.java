package org.bertj.weights.torch;

/** Set when {@link Canary} is initialised or called; kept apart so reading it does not initialise Canary. */
final class CanaryFlag {

    static volatile boolean loaded;

    private CanaryFlag() {
    }
}
