package org.bertj.weights;

/**
 * A JSON text is not strict RFC 8259 JSON, or a value in it has the wrong type or is out of range.
 * The message names the source, the byte offset and, where there is one, the key.
 */
public class JsonFormatException extends IllegalArgumentException {

    /** @param message what is wrong and where */
    public JsonFormatException(String message) {
        super(message);
    }
}
