package org.bertj.cli;

/**
 * The command line was wrong in a way picocli cannot see (two options that exclude each other, a
 * value out of range): exit code 2, and {@link Failures} prints the command's usage line.
 */
public class UsageException extends Exception {

    /** @param message what is wrong with the arguments */
    public UsageException(String message) {
        super(message);
    }
}
