package org.bertj.cli;

/** The command line was wrong (missing or unknown option); {@link Main} prints the usage line. */
public class UsageException extends Exception {

    /** @param message what is wrong with the arguments */
    public UsageException(String message) {
        super(message);
    }
}
