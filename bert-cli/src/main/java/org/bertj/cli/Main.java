package org.bertj.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Entry point of the {@code bert} command line ({@code scripts/bert}). */
@Command(name = "bert", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "BERT in Java: run, inspect, convert and train bert-base-uncased and other BERT weights.",
        footer = {"", "Exit codes: 0 ok, 1 failure, 2 usage error, 3 not available with these weights.",
            "--debug anywhere (or BERTJ_DEBUG=1) prints stack traces."},
        subcommands = CommandLine.HelpCommand.class)
public final class Main implements Callable<Integer> {

    /** Columns of {@code --help} text: wide enough that few file names wrap. */
    private static final int HELP_WIDTH = 100;

    @Spec
    private CommandSpec spec;

    private Main() {
    }

    /**
     * Every subcommand, in the order {@code bert --help} lists them.
     *
     * <p>To add one: write a class extending {@link BertCommand}, annotate it with
     * {@code @Command(name = "...", description = "...")} and its fields with {@code @Option} /
     * {@code @Parameters} (every option with a description and, where it has one, its default),
     * and add one line here. Help, typo suggestions, exit codes and error messages come with it.
     */
    static List<BertCommand> commands() {
        return List.of(
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
        );
    }

    /** {@code bert} alone: the list of commands, on stderr, exit code 2. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return Failures.USAGE;
    }

    /**
     * The command line with every subcommand registered, writing to {@code out} and {@code err}.
     *
     * @param out standard output
     * @param err where errors and usage go
     * @return a picocli command line ready to {@code execute}
     */
    static CommandLine commandLine(PrintStream out, PrintStream err) {
        CommandLine cl = new CommandLine(new Main());
        for (BertCommand c : commands()) {
            c.streams(out, err);
            cl.addSubcommand(c);
        }
        cl.getCommandSpec().usageMessage().width(HELP_WIDTH);
        for (CommandLine sub : cl.getSubcommands().values()) {
            // every command gets --help and --version, options in declaration order, defaults shown
            sub.getCommandSpec().mixinStandardHelpOptions(true).versionProvider(new Version());
            sub.getCommandSpec().usageMessage().showDefaultValues(true).sortOptions(false).width(HELP_WIDTH);
        }
        Failures.registerConverters(cl);
        cl.setOverwrittenOptionsAllowed(true); // the last --x wins, as in most tools (scripts append overrides)
        cl.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        cl.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        cl.setParameterExceptionHandler((e, args) -> Failures.usageError(e, err));
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> Failures.failure(e, cmd, err));
        return cl;
    }

    /**
     * Runs one command and returns its exit code; used by {@link #main} and by tests.
     *
     * @param args the command name followed by its arguments
     * @param out  standard output
     * @param err  where errors and usage go
     * @return the exit code: 0 ok, 1 failure, 2 usage error, 3 not available with these weights
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        CommandLine cl = commandLine(out, err);
        // --debug is global and may stand anywhere before "--": taken out here rather than declared
        // on every command.
        List<String> rest = new java.util.ArrayList<>();
        boolean debug = false;
        boolean options = true;
        for (String a : args) {
            if (options && a.equals("--debug")) {
                debug = true;
            } else {
                options &= !a.equals("--");
                rest.add(a);
            }
        }
        Failures.debug = debug;
        try {
            return cl.execute(rest.toArray(String[]::new));
        } finally {
            cl.getOut().flush();
            cl.getErr().flush();
            out.flush();
            err.flush();
        }
    }

    /** @param args the command name followed by its arguments */
    public static void main(String[] args) {
        int code = run(args, System.out, System.err);
        System.out.flush();
        System.exit(code);
    }

    /** {@code bert --version}: bertj's version (from the build) and the Java running it. */
    static final class Version implements CommandLine.IVersionProvider {

        /** The Maven project version this CLI was built as. */
        static String bertj() {
            try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
                Properties p = new Properties();
                if (in != null) {
                    p.load(in);
                }
                return p.getProperty("version", "unknown");
            } catch (IOException e) {
                return "unknown";
            }
        }

        @Override
        public String[] getVersion() {
            return new String[] {"bertj " + bertj(), "Java " + Runtime.version() + " (" + System.getProperty("java.vendor")
                    + ")"};
        }
    }
}
