package org.bertj.cli;

import java.io.PrintStream;
import java.util.concurrent.Callable;

/**
 * One subcommand of {@code bert}. A subclass is a picocli {@code @Command} whose {@code @Option}
 * and {@code @Parameters} fields picocli fills before {@link #run()}; it is registered by one line
 * in {@link Main#commands()}.
 *
 * <p>{@link #run()} returns 0 or throws: {@link UsageException} (exit 2), {@link NotAvailableException}
 * (exit 3), anything else (exit 1). {@link Failures} turns the exception into the message the user
 * sees; a command never prints its own errors.
 */
abstract class BertCommand implements Callable<Integer> {

    /** Where results go (standard output, or a buffer in tests). */
    protected PrintStream out;

    /** Where progress and warnings go (standard error, or a buffer in tests). */
    protected PrintStream err;

    /** Called by {@link Main} before parsing. */
    final void streams(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /**
     * Runs the command on the parsed options.
     *
     * @return the exit code, normally {@link Failures#OK}
     * @throws Exception any failure; {@link Failures} reports it and chooses the exit code
     */
    protected abstract int run() throws Exception;

    @Override
    public final Integer call() throws Exception {
        try {
            return run();
        } catch (OutOfMemoryError e) {
            // picocli reports only Exceptions; an Error would reach the user as a JVM stack trace.
            throw new IllegalStateException("out of memory (" + e.getMessage() + "): the input needs more than"
                    + " this JVM may take (raise -Xmx / -Dorg.bytedeco.javacpp.maxbytes in JAVA_OPTS)", e);
        } catch (StackOverflowError e) {
            throw new IllegalStateException("stack overflow: the input is nested too deeply", e);
        } finally {
            out.flush();
        }
    }
}
