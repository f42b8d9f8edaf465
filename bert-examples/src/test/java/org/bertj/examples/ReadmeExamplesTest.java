package org.bertj.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The README's Java examples are the example programs: each README block that follows a line
 * {@code <!-- example: NAME -->} must equal the region between {@code // README NAME begin} and
 * {@code // README end} of the file NAME names, dedented. The task examples stay within ten lines.
 */
class ReadmeExamplesTest {

    /** Example name to its source, relative to this module. */
    static final Map<String, String> EXAMPLES = Map.of(
            "fill-mask", "FillMaskExample.java",
            "embeddings", "EmbeddingsExample.java",
            "nsp", "NextSentenceExample.java",
            "attentions", "AttentionsExample.java",
            "training", "TrainTinyModelExample.java",
            "forward", "ForwardExample.java",
            "tokenizer", "TokenizerExample.java",
            "bf16", "Bf16Example.java");

    /** The ones the issue holds to ten lines of user code. */
    static final List<String> SHORT = List.of("fill-mask", "embeddings", "nsp");

    static String region(String name) throws IOException {
        Path file = Path.of("src/main/java/org/bertj/examples", EXAMPLES.get(name));
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        int begin = lines.indexOf(lines.stream().filter(l -> l.strip().equals("// README " + name + " begin"))
                .findFirst().orElseThrow(() -> new AssertionError(file + " has no '// README " + name + " begin'")));
        int end = begin + 1;
        while (!lines.get(end).strip().equals("// README end")) {
            end++;
        }
        List<String> body = lines.subList(begin + 1, end);
        int indent = body.stream().filter(l -> !l.isBlank()).mapToInt(l -> l.length() - l.stripLeading().length())
                .min().orElse(0);
        List<String> out = new ArrayList<>();
        for (String l : body) {
            out.add(l.isBlank() ? "" : l.substring(indent));
        }
        return String.join("\n", out);
    }

    static String quoted(String readme, String name) {
        String marker = "<!-- example: " + name + " -->";
        int at = readme.indexOf(marker);
        assertTrue(at >= 0, "README.md has no " + marker);
        int open = readme.indexOf("```java\n", at);
        assertTrue(open >= 0 && readme.substring(at + marker.length(), open).isBlank(),
                "a ```java block must follow " + marker);
        int close = readme.indexOf("\n```", open + 8);
        return readme.substring(open + 8, close);
    }

    @Test
    void everyReadmeJavaBlockIsAnExampleVerbatim() throws IOException {
        String readme = Files.readString(Path.of(System.getProperty("bertj.readme")), StandardCharsets.UTF_8);
        for (String name : EXAMPLES.keySet()) {
            assertEquals(region(name), quoted(readme, name), "README block '" + name + "' differs from "
                    + EXAMPLES.get(name) + " (copy the region between the README markers)");
        }
        int blocks = readme.split("```java\n", -1).length - 1;
        assertEquals(EXAMPLES.size(), blocks, "every ```java block of the README is an example");
        for (String name : SHORT) {
            long lines = region(name).lines().filter(l -> !l.isBlank()).count();
            assertTrue(lines <= 10, name + " takes " + lines + " lines of user code, more than 10");
        }
    }
}
