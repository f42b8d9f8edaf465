package org.bertj.cli;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A command's arguments: {@code --name value} options, {@code --flag} switches and positionals.
 * Every option must be declared by the command, so a misspelled one is an error, not ignored.
 */
public final class Args {

    private final Map<String, String> options = new HashMap<>();
    private final Set<String> flags = new HashSet<>();
    private final List<String> positionals = new ArrayList<>();

    /**
     * @param args        the raw arguments
     * @param valued      option names (without --) that take a value
     * @param switches    option names that take none
     * @throws UsageException on an unknown option or a missing value
     */
    public Args(List<String> args, Set<String> valued, Set<String> switches) throws UsageException {
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.startsWith("--") && a.length() > 2) {
                String name = a.substring(2);
                String inline = null;
                int eq = name.indexOf('=');
                if (eq >= 0) {
                    inline = name.substring(eq + 1);
                    name = name.substring(0, eq);
                }
                if (switches.contains(name) && inline == null) {
                    flags.add(name);
                } else if (valued.contains(name)) {
                    if (inline == null) {
                        if (i + 1 >= args.size()) {
                            throw new UsageException("--" + name + " needs a value");
                        }
                        inline = args.get(++i);
                    }
                    options.put(name, inline);
                } else {
                    throw new UsageException("unknown option --" + name);
                }
            } else {
                positionals.add(a);
            }
        }
    }

    /** The value of {@code --name}, or null. */
    public String get(String name) {
        return options.get(name);
    }

    /** The value of {@code --name}, or {@code fallback}. */
    public String get(String name, String fallback) {
        return options.getOrDefault(name, fallback);
    }

    /** The value of {@code --name}; an error if absent. */
    public String require(String name) throws UsageException {
        String v = options.get(name);
        if (v == null) {
            throw new UsageException("missing --" + name);
        }
        return v;
    }

    /** {@code --name} as a path; an error if absent. */
    public Path requirePath(String name) throws UsageException {
        return Paths.get(require(name));
    }

    /** {@code --name} as an int, or {@code fallback}. */
    public int getInt(String name, int fallback) throws UsageException {
        String v = options.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be an integer, got '" + v + "'");
        }
    }

    /** {@code --name} as a double, or {@code fallback}. */
    public double getDouble(String name, double fallback) throws UsageException {
        String v = options.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be a number, got '" + v + "'");
        }
    }

    /** Whether the switch {@code --name} was given. */
    public boolean has(String name) {
        return flags.contains(name);
    }

    /** The arguments that are not options, in order. */
    public List<String> positionals() {
        return positionals;
    }
}
