package org.bertj.cli;

/**
 * The command cannot answer with these weights (next-sentence prediction on weights without an
 * NSP head): exit code 3, so a script can tell it from a failure (1) or bad usage (2).
 */
public class NotAvailableException extends Exception {

    /** @param message what the weights lack and what to use instead */
    public NotAvailableException(String message) {
        super(message);
    }
}
