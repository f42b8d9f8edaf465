package org.bertj.weights;

import org.nd4j.common.io.Resource;
import org.nd4j.linalg.factory.Environment;
import org.nd4j.linalg.factory.Nd4jBackend;

/**
 * Not a backend: a service entry that makes {@link NativeBuild#select()} run before ND4J loads a
 * native library, whichever class touches ND4J first.
 *
 * <p>Why this is a fake {@link Nd4jBackend}: {@code Nd4jBackend.load()} instantiates every
 * registered backend (Java's {@code ServiceLoader}, {@code META-INF/services}) before it asks any
 * of them whether it is available, and only then does the real backend load its native library. A
 * constructor here is therefore the one place that runs before JavaCPP chooses a build, even when
 * a user's code calls {@code Nd4j} before any bertj class. It has the lowest priority and says it
 * is unavailable, so ND4J never picks it.
 */
public final class NativeBuildHook extends Nd4jBackend {

    /** Chooses the native build (see {@link NativeBuild}); called by {@code ServiceLoader}. */
    public NativeBuildHook() {
        NativeBuild.select();
    }

    @Override
    public boolean allowsOrder() {
        return false;
    }

    @Override
    public int getPriority() {
        return Integer.MIN_VALUE;
    }

    @Override
    public boolean isAvailable() {
        return false;
    }

    @Override
    public boolean canRun() {
        return false;
    }

    @Override
    public Resource getConfigurationResource() {
        throw new UnsupportedOperationException("not a backend");
    }

    @Override
    public Class getNDArrayClass() {
        throw new UnsupportedOperationException("not a backend");
    }

    @Override
    public Environment getEnvironment() {
        throw new UnsupportedOperationException("not a backend");
    }

    @Override
    public String buildInfo() {
        return "bertj native build selector (not a backend)";
    }

    @Override
    public void logBackendInit() {
    }
}
