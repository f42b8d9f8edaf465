package org.bertj.weights;

import java.io.IOException;

/**
 * A weight file is malformed, truncated or does not fit what was asked of it. The message always
 * names the file and, where there is one, the tensor and the byte offset at fault.
 */
public class WeightFormatException extends IOException {

    /** @param message what is wrong, naming the file, tensor and offset */
    public WeightFormatException(String message) {
        super(message);
    }

    /**
     * A malformed file found through another exception.
     *
     * @param message what is wrong, naming the file, tensor and offset
     * @param cause   the underlying failure (a JSON or zip error, an I/O error); may be null
     */
    public WeightFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
