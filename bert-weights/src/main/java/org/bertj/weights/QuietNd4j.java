package org.bertj.weights;

/**
 * Keeps ND4J's start-up banner (backend, thread counts, BLAS vendor, build information: about 15
 * lines, some of them printed on stdout by native code) out of the program's output: sets
 * {@code org.nd4j.log.initialization=false} before ND4J starts, unless the user set it. Run with
 * {@code -Dorg.nd4j.log.initialization=true} to see the banner again. Called from the static
 * initialisers of the bertj classes that create ND4J arrays first; it has no effect once ND4J has
 * started (e.g. if the program used ND4J before bertj).
 */
public final class QuietNd4j {

    /** ND4J's own switch (ND4JSystemProperties.LOG_INITIALIZATION). */
    public static final String PROPERTY = "org.nd4j.log.initialization";

    private QuietNd4j() {
    }

    /** Sets {@value #PROPERTY} to false unless it is already set. */
    public static void apply() {
        if (System.getProperty(PROPERTY) == null) {
            System.setProperty(PROPERTY, "false");
        }
    }
}
