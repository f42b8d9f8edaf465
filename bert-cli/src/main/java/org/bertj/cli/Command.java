package org.bertj.cli;

import java.io.PrintStream;
import java.util.List;

/** One subcommand of {@code bert}. */
public interface Command {

    /** The word that selects it: {@code bert <name> ...}. */
    String name();

    /** One line saying what it does and its arguments, for {@code bert help}. */
    String usage();

    /**
     * Runs the command.
     *
     * @param args the arguments after the command name
     * @param out  where results go
     * @return the process exit code
     * @throws Exception any failure; {@link Main} prints its message and exits non-zero
     */
    int run(List<String> args, PrintStream out) throws Exception;
}
