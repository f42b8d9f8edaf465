package org.bertj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.bertj.testing.Shared;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** What every command shares: help, typo suggestions, {@code --version}, exit codes, file errors. */
class CliTest {

    @TempDir
    Path tmp;

    /** One run of the CLI with its exit code and both streams. */
    record Run(int code, String out, String err) {
        static Run of(String... args) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        }
    }

    private static Map<String, CommandLine> subcommands() {
        PrintStream sink = new PrintStream(new ByteArrayOutputStream());
        return Main.commandLine(sink, sink).getSubcommands();
    }

    @Test
    void everyCommandHasHelpDescribingEveryOptionAndItsDefault() {
        Map<String, CommandLine> all = subcommands();
        assertTrue(all.keySet().containsAll(
                java.util.List.of("notebook", "fill-mask", "nsp", "forward", "pretrain", "tokenize", "convert")),
                all.keySet().toString());
        for (Map.Entry<String, CommandLine> e : all.entrySet()) {
            String name = e.getKey();
            Run r = Run.of(name, "--help");
            if (name.equals("help")) {
                continue;
            }
            assertEquals(0, r.code(), name + ": " + r.err());
            assertTrue(r.out().startsWith("Usage: bert " + name + " "), r.out());
            assertEquals("", r.err(), name);
            String flat = r.out().replaceAll("\\s+", " ");
            for (OptionSpec o : e.getValue().getCommandSpec().options()) {
                String what = "bert " + name + " " + o.longestName();
                assertTrue(r.out().contains(o.longestName()), what + " missing from --help:\n" + r.out());
                String description = String.join(" ", o.description()).strip();
                assertFalse(description.isEmpty(), what + " has no description");
                assertTrue(flat.contains(description.replaceAll("\\s+", " ")), what + ": " + description);
                boolean flag = o.arity().max() == 0;
                if (!flag && !o.required()) {
                    assertTrue(o.defaultValue() != null && flat.contains("Default: " + o.defaultValue())
                            || description.contains("default") || description.contains("is required"),
                            what + " does not say its default");
                }
            }
            // `bert help COMMAND` shows the same text
            assertEquals(r.out(), Run.of("help", name).out(), name);
        }
    }

    @Test
    void bareBertListsTheCommandsOnStderrAndIsAUsageError() {
        Run r = Run.of();
        assertEquals(2, r.code());
        assertTrue(r.err().contains("fill-mask") && r.err().contains("Exit codes: 0 ok"), r.err());
        Run help = Run.of("--help");
        assertEquals(0, help.code());
        assertTrue(help.out().contains("convert") && help.out().contains("tokenize"), help.out());
    }

    @Test
    void typosGetASuggestion() {
        Run r = Run.of("fil-mask", "a [MASK]");
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("bert: unknown command 'fil-mask'; did you mean fill-mask?\n"), r.err());
        r = Run.of("notebook", "--modle", "x");
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("bert notebook: unknown option --modle; did you mean --model?\n"), r.err());
        assertTrue(r.err().contains("usage: bert notebook [OPTIONS]\n"), r.err());
        r = Run.of("tokenize", "--vocab", "v", "--json", "x", "--out", "y");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("did you mean --jsonl?"), r.err());
    }

    @Test
    void versionIsTheBuildsVersion() {
        String version = System.getProperty("bertj.version");
        assertTrue(version != null && !version.isBlank(), "surefire passes bertj.version");
        for (String[] args : new String[][] {{"--version"}, {"fill-mask", "--version"}}) {
            Run r = Run.of(args);
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().startsWith("bertj " + version + "\n"), r.out());
        }
    }

    @Test
    void usageErrorsExit2WithTheMessageAndTheUsageLine() {
        Run r = Run.of("forward", "--model", "x");
        assertEquals(2, r.code());
        assertEquals("bert forward: missing --inputs FILE, --out FILE\n"
                + "usage: bert forward --model DIR --inputs FILE --out FILE [OPTIONS]\n"
                + "see 'bert forward --help'\n", r.err());
        r = Run.of("fill-mask", "a [MASK]", "--top-k", "many");
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("bert fill-mask: --top-k must be an integer, got 'many'\n"), r.err());
        r = Run.of("forward", "--model");
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("bert forward: --model needs a value (DIR)\n"), r.err());
        r = Run.of("convert", "--from", "x", "--out", "y", "extra");
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("bert convert: unexpected argument 'extra'\n"), r.err());
    }

    /** The same mistake, a path that does not exist, gives the same words and exit code 1 everywhere. */
    @Test
    void missingFilesAreNamedTheSameWayByEveryCommand() {
        String absent = tmp.resolve("absent").toString();
        String vocab = Shared.bertBaseVocab().toString();
        String out = tmp.resolve("out").toString();
        String[][] runs = {
            {"tokenize", "--vocab", absent, "--jsonl", vocab, "--out", out},
            {"tokenize", "--vocab", vocab, "--jsonl", absent, "--out", out},
            {"forward", "--model", absent, "--inputs", vocab, "--out", out},
            {"fill-mask", "a [MASK]", "--model", absent},
            {"nsp", "a", "b", "--model", absent},
            {"notebook", "--model", absent},
            {"pretrain", "--corpus", absent, "--config", vocab, "--out", out},
            {"pretrain", "--corpus", vocab, "--config", absent, "--out", out},
        };
        for (String[] args : runs) {
            Run r = Run.of(args);
            assertEquals(1, r.code(), String.join(" ", args) + ": " + r.err());
            assertEquals("bert " + args[0] + ": no such file: " + absent + "\n", r.err(), String.join(" ", args));
        }
    }
}
