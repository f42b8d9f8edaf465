package org.bertj.model;

import java.util.Arrays;
import java.util.List;

/**
 * What loading a weight file did, as Hugging Face reports it: which model tensors were filled,
 * which the file lacked (missing), which file tensors the model has no place for (unexpected),
 * which had the wrong shape, which were initialised instead, and notes on legacy names and ties.
 *
 * @param loaded      model tensors filled from the file
 * @param missing     model tensors the file does not have
 * @param unexpected  file tensors the model does not use
 * @param mismatched  tensors present in both with different shapes
 * @param initialized model tensors given HF's initialisation instead (lenient mode only)
 * @param notes       renamed legacy names, ignored buffers, tied tensors
 */
public record LoadReport(List<String> loaded, List<String> missing, List<String> unexpected,
        List<Mismatch> mismatched, List<String> initialized, List<String> notes) {

    /**
     * A tensor whose shape differs between model and file.
     *
     * @param name     the model's (HF) name
     * @param expected the model's shape
     * @param found    the file's shape
     */
    public record Mismatch(String name, long[] expected, long[] found) {
        @Override
        public String toString() {
            return name + ": expected " + Arrays.toString(expected) + ", found " + Arrays.toString(found);
        }
    }

    /**
     * {@return whether every model tensor came from the file and every file tensor was used: no
     * missing, unexpected or mismatched tensor}
     */
    public boolean isClean() {
        return missing.isEmpty() && unexpected.isEmpty() && mismatched.isEmpty();
    }

    /** {@return a multi-line summary: the count loaded, then every problem tensor and the notes} */
    public String describe() {
        return "loaded " + loaded.size() + " tensors" + problems();
    }

    /**
     * The lines of {@link #describe()} after the first, each starting with a newline: what is
     * missing, unexpected, misshaped or initialised, and the notes.
     */
    String problems() {
        StringBuilder sb = new StringBuilder();
        if (!missing.isEmpty()) {
            sb.append("\nmissing from the file (").append(missing.size()).append("): ").append(missing);
        }
        if (!unexpected.isEmpty()) {
            sb.append("\nunexpected in the file (").append(unexpected.size()).append("): ").append(unexpected);
        }
        if (!mismatched.isEmpty()) {
            sb.append("\nwrong shape (").append(mismatched.size()).append("):");
            for (Mismatch m : mismatched) {
                sb.append("\n  ").append(m);
            }
        }
        if (!initialized.isEmpty()) {
            sb.append("\nnewly initialised (normal(0, initializer_range) / zeros / ones as HF does; train"
                    + " before use): ").append(initialized);
        }
        for (String n : notes) {
            sb.append("\nnote: ").append(n);
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return describe();
    }
}
