package org.bertj.cli;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Entry point of the {@code bert} command line ({@code scripts/bert}). */
public final class Main {

    private Main() {
    }

    /** Every subcommand, in the order {@code bert help} lists them. */
    static Map<String, Command> commands() {
        Map<String, Command> all = new LinkedHashMap<>();
        for (Command c : List.<Command>of(
                new NotebookCommand(),
                new FillMaskCommand(),
                new NspCommand(),
                new ForwardCommand(),
                new InspectCommand(),
                new AttentionCommand(),
                new LogitLensCommand(),
                new AttributeCommand(),
                new HeadAblationCommand(),
                new PretrainCommand(),
                new TokenizeCommand(),
                new ConvertCommand()
        )) {
            all.put(c.name(), c);
        }
        return all;
    }

    /**
     * Runs one command and returns its exit code; used by {@link #main} and by tests.
     *
     * @param args the command name followed by its arguments
     * @param out  standard output
     * @param err  where errors and usage go
     * @return the exit code
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Map<String, Command> all = commands();
        if (args.length == 0 || args[0].equals("help") || args[0].equals("--help") || args[0].equals("-h")) {
            printUsage(all, args.length == 0 ? err : out);
            return args.length == 0 ? 2 : 0;
        }
        Command c = all.get(args[0]);
        if (c == null) {
            err.println("bert: unknown command '" + args[0] + "'");
            printUsage(all, err);
            return 2;
        }
        try {
            return c.run(Arrays.asList(args).subList(1, args.length), out);
        } catch (UsageException e) {
            err.println("bert " + c.name() + ": " + e.getMessage());
            err.println("usage: bert " + c.usage());
            return 2;
        } catch (Exception e) {
            err.println("bert " + c.name() + ": " + e.getMessage());
            if (System.getenv("BERTJ_DEBUG") != null) {
                e.printStackTrace(err);
            }
            return 1;
        }
    }

    private static void printUsage(Map<String, Command> all, PrintStream to) {
        to.println("usage: bert <command> [args]   (BERTJ_DEBUG=1 prints stack traces)");
        for (Command c : all.values()) {
            to.println("  bert " + c.usage());
        }
    }

    /** @param args the command name followed by its arguments */
    public static void main(String[] args) {
        int code = run(args, System.out, System.err);
        System.out.flush();
        System.exit(code);
    }
}
