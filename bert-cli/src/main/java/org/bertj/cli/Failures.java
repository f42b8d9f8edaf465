package org.bertj.cli;

import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.ArrayList;
import java.util.List;
import org.bertj.tasks.MissingHeadException;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The one place where a failure becomes what the user sees: one message line prefixed with the
 * command ({@code bert fill-mask: ...}), for a usage error the command's usage line after it, and
 * the exit code. No stack trace unless {@code BERTJ_DEBUG} is set.
 */
final class Failures {

    /** It worked. */
    static final int OK = 0;
    /** It failed: a missing or bad file, bad input, an error while running. */
    static final int FAILURE = 1;
    /** The command line was wrong: unknown command or option, missing or malformed value. */
    static final int USAGE = 2;
    /** These weights cannot answer (e.g. next-sentence prediction without an NSP head). */
    static final int NOT_AVAILABLE = 3;

    private Failures() {
    }

    /** picocli could not parse the command line: say what, suggest the nearest name, show the usage. */
    static int usageError(ParameterException e, PrintStream err) {
        CommandLine cmd = e.getCommandLine();
        err.println(cmd.getCommandSpec().qualifiedName() + ": " + describe(e));
        err.println("usage: " + usageLine(cmd.getCommandSpec()));
        err.println("see '" + cmd.getCommandSpec().qualifiedName() + " --help'");
        return USAGE;
    }

    /** Set by {@code --debug} anywhere on the command line ({@link Main#run}): stack traces too. */
    static volatile boolean debug;

    /** Longest message shown without {@code --debug}; a strict load report of many tensors is longer. */
    static final int MAX_MESSAGE_CHARS = 2000;

    /** A command threw: the exit code its type means, and its message. */
    static int failure(Exception e, CommandLine cmd, PrintStream err) {
        String name = cmd.getCommandSpec().qualifiedName();
        boolean showTrace = debug || System.getenv("BERTJ_DEBUG") != null;
        err.println(name + ": " + (showTrace ? message(e) : oneLine(message(e))));
        if (showTrace) {
            e.printStackTrace(err);
        }
        if (e instanceof UsageException) {
            err.println("usage: " + usageLine(cmd.getCommandSpec()));
            err.println("see '" + name + " --help'");
            return USAGE;
        }
        return e instanceof NotAvailableException || e instanceof MissingHeadException ? NOT_AVAILABLE : FAILURE;
    }

    /**
     * One wording per kind of mistake: {@code no such file: PATH} for any path that does not
     * exist, whichever command or library call found it.
     */
    static String message(Throwable e) {
        if (e instanceof UncheckedIOException && e.getCause() != null) {
            return message(e.getCause());
        }
        if (e instanceof FileSystemException f && f.getFile() != null) {
            String what = e instanceof NoSuchFileException ? "no such file"
                    : e instanceof NotDirectoryException ? "not a directory"
                    : e instanceof AccessDeniedException ? "permission denied"
                    : e instanceof FileAlreadyExistsException ? "already exists" : null;
            if (what != null) {
                return what + ": " + f.getFile() + (f.getReason() == null ? "" : " (" + f.getReason() + ")");
            }
        }
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    /**
     * A message as the one line a user sees: its lines joined with "; ", cut at
     * {@link #MAX_MESSAGE_CHARS} with a pointer to {@code --debug}, which shows it whole.
     */
    static String oneLine(String message) {
        String line = message.strip().replaceAll("\\s*\\R\\s*", "; ");
        if (line.length() > MAX_MESSAGE_CHARS) {
            line = line.substring(0, MAX_MESSAGE_CHARS) + "... (" + (line.length() - MAX_MESSAGE_CHARS)
                    + " more characters; --debug shows all)";
        }
        return line;
    }

    private static String describe(ParameterException e) {
        List<String> unmatched = e.getCommandLine().getUnmatchedArguments();
        if (e instanceof MissingParameterException && !unmatched.isEmpty()) {
            // picocli checks required options before unknown ones; a misspelt required option is the typo
            return describe(new UnmatchedArgumentException(e.getCommandLine(), unmatched));
        }
        if (e instanceof UnmatchedArgumentException u) {
            List<String> suggestions = u.getSuggestions();
            String hint = suggestions.isEmpty() ? "" : "; did you mean " + String.join(" or ", suggestions) + "?";
            String arg = u.getUnmatched().isEmpty() ? "" : u.getUnmatched().get(0);
            if (u.isUnknownOption()) {
                return "unknown option " + arg + hint;
            }
            boolean top = u.getCommandLine().getCommandSpec().parent() == null;
            return (top ? "unknown command '" : "unexpected argument '") + arg + "'" + hint;
        }
        if (e instanceof MissingParameterException m) {
            if (e.getMessage().startsWith("Missing required parameter for option")) {
                return name(m.getMissing().get(0)) + " needs a value (" + m.getMissing().get(0).paramLabel() + ")";
            }
            List<String> names = new ArrayList<>();
            for (ArgSpec a : m.getMissing()) {
                names.add(a instanceof OptionSpec o ? o.longestName() + " " + o.paramLabel() : a.paramLabel());
            }
            return "missing " + String.join(", ", names);
        }
        if (e.getCause() instanceof TypeConversionException t && e.getArgSpec() != null) {
            return name(e.getArgSpec()) + " " + t.getMessage();
        }
        return e.getMessage();
    }

    private static String name(ArgSpec a) {
        return a instanceof OptionSpec o ? o.longestName() : a.paramLabel();
    }

    /**
     * The short form of a command's synopsis: its required options, {@code [OPTIONS]} for the
     * rest, and its parameters ({@code bert forward --model DIR --inputs FILE --out FILE [OPTIONS]}).
     */
    static String usageLine(CommandSpec spec) {
        StringBuilder sb = new StringBuilder(spec.qualifiedName());
        boolean optional = false;
        for (OptionSpec o : spec.options()) {
            if (o.usageHelp() || o.versionHelp() || o.hidden()) {
                continue;
            }
            if (o.required() && o.group() == null) {
                sb.append(' ').append(o.longestName()).append(' ').append(o.paramLabel());
            } else {
                optional = true;
            }
        }
        if (optional) {
            sb.append(" [OPTIONS]");
        }
        for (PositionalParamSpec p : spec.positionalParameters()) {
            if (p.hidden()) {
                continue;
            }
            String label = p.paramLabel() + (p.arity().max() > 1 ? "..." : "");
            sb.append(' ').append(p.arity().min() == 0 ? "[" + label + "]" : label);
        }
        if (!spec.subcommands().isEmpty()) {
            sb.append(" COMMAND");
        }
        return sb.toString();
    }

    /** Number options fail with "--steps must be an integer, got 'two'" rather than picocli's wording. */
    static void registerConverters(CommandLine cl) {
        CommandLine.ITypeConverter<Integer> integer = s -> {
            try {
                return Integer.valueOf(s.strip());
            } catch (NumberFormatException e) {
                throw new TypeConversionException("must be an integer, got '" + s + "'");
            }
        };
        CommandLine.ITypeConverter<Double> number = s -> {
            try {
                return Double.valueOf(s.strip());
            } catch (NumberFormatException e) {
                throw new TypeConversionException("must be a number, got '" + s + "'");
            }
        };
        cl.registerConverter(Integer.class, integer);
        cl.registerConverter(Integer.TYPE, integer);
        cl.registerConverter(Double.class, number);
        cl.registerConverter(Double.TYPE, number);
    }
}
