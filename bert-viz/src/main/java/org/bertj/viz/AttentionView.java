package org.bertj.viz;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * A self-contained HTML page in the spirit of bertviz's head view: pick a layer and a head (or all
 * heads, each in its own colour); the tokens stand in two columns, queries on the left and keys on
 * the right, joined by lines whose opacity is the attention probability. Hovering a query token
 * keeps only its lines, shades each key by how much it is attended to and lists the top keys;
 * hovering a key shows who attends to it. The data is embedded as JSON (probabilities rounded to 4
 * decimals); the page loads no script, style or font from anywhere else.
 */
public final class AttentionView {
    private static final String TEMPLATE = "attention-view.html";
    private static final String DATA_MARK = "/*BERTJ_DATA*/null";

    private AttentionView() {
    }

    /**
     * The page for {@code attentions[layer][head][query][key]} over {@code tokens}: HF's
     * {@code attentions} tuple of one batch row, layers 0-based.
     *
     * @param title      shown at the top of the page; null for none
     * @param tokens     the S tokens, none null, at least one
     * @param attentions {@code [layers][heads][S][S]} attention probabilities, every layer with the
     *                   same number of heads, each value in [0, 1]
     * @return the whole HTML page, to be written as UTF-8
     * @throws IllegalArgumentException if a layer, head or row does not match the tokens or a value is
     *     not a probability
     */
    public static String html(String title, List<String> tokens, float[][][][] attentions) {
        Drawing.checkTokens(tokens);
        if (attentions == null || attentions.length == 0) {
            throw new IllegalArgumentException("no attention layers to show");
        }
        int heads = attentions[0] == null ? 0 : attentions[0].length;
        if (heads == 0) {
            throw new IllegalArgumentException("layer 0 has no attention heads");
        }
        for (int l = 0; l < attentions.length; l++) {
            if (attentions[l] == null || attentions[l].length != heads) {
                throw new IllegalArgumentException("layer " + l + " has "
                        + (attentions[l] == null ? 0 : attentions[l].length) + " heads, layer 0 has " + heads);
            }
            for (int h = 0; h < heads; h++) {
                Drawing.checkSquare("attention of layer " + l + " head " + h, attentions[l][h], tokens.size());
            }
        }
        StringBuilder json = new StringBuilder(attentions.length * heads * tokens.size() * tokens.size() * 7);
        json.append("{\"title\":");
        string(json, title == null ? "" : title);
        json.append(",\"tokens\":[");
        for (int i = 0; i < tokens.size(); i++) {
            if (i > 0) {
                json.append(',');
            }
            string(json, tokens.get(i));
        }
        json.append("],\"attention\":[");
        for (int l = 0; l < attentions.length; l++) {
            json.append(l > 0 ? ",[" : "[");
            for (int h = 0; h < heads; h++) {
                json.append(h > 0 ? ",[" : "[");
                float[][] m = attentions[l][h];
                for (int i = 0; i < m.length; i++) {
                    json.append(i > 0 ? ",[" : "[");
                    for (int j = 0; j < m[i].length; j++) {
                        if (j > 0) {
                            json.append(',');
                        }
                        number(json, m[i][j]);
                    }
                    json.append(']');
                }
                json.append(']');
            }
            json.append(']');
        }
        json.append("]}");
        String page = template();
        int at = page.indexOf(DATA_MARK);
        return page.substring(0, at) + json + page.substring(at + DATA_MARK.length());
    }

    /** 4 decimals, no trailing zeros: 0.1234, 0.5, 0, 1. */
    private static void number(StringBuilder out, float v) {
        long q = Math.round(Math.max(0, Math.min(1, v)) * 10_000.0);
        if (q == 0 || q == 10_000) {
            out.append(q == 0 ? "0" : "1");
            return;
        }
        String d = String.format(Locale.ROOT, "%04d", q);
        int end = d.length();
        while (d.charAt(end - 1) == '0') {
            end--;
        }
        out.append("0.").append(d, 0, end);
    }

    /**
     * A JSON string that is also safe inside an HTML {@code <script>}: '<', '>' and '&' are
     * escaped, so a token such as {@code </script>} cannot end the script.
     */
    private static void string(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == 0x2028 || c == 0x2029) {
                        out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static String template() {
        try (InputStream in = AttentionView.class.getResourceAsStream(TEMPLATE)) {
            if (in == null) {
                throw new IllegalStateException("resource " + TEMPLATE + " missing from the bert-viz jar");
            }
            String page = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            if (!page.contains(DATA_MARK)) {
                throw new IllegalStateException("resource " + TEMPLATE + " has no data mark " + DATA_MARK);
            }
            return page;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read resource " + TEMPLATE, e);
        }
    }
}
