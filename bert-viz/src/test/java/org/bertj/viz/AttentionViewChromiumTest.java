package org.bertj.viz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTML attention view opened in real headless Chromium: what its DOM shows after a hover, and a screenshot. */
class AttentionViewChromiumTest {
    private static final int LAYERS = 2, HEADS = 3;
    private static final String SCRIPT_TOKEN = "</script><b>x";
    private static final Pattern PROBE = Pattern.compile("<pre id=\"probe\">(.*?)</pre>", Pattern.DOTALL);

    @TempDir
    static Path dir;
    static List<String> tokens;
    static float[][][][] attention;
    static String page;

    @BeforeAll
    static void makePage() {
        tokens = new ArrayList<>(Samples.TOKENS.subList(0, 12));
        tokens.set(7, SCRIPT_TOKEN);    // must show as text, not end the page's script
        int s = tokens.size();
        attention = new float[LAYERS][HEADS][][];
        for (int l = 0; l < LAYERS; l++) {
            for (int h = 0; h < HEADS; h++) {
                attention[l][h] = Samples.attention(s, 10 * l + h, h + 1, 2 * l + h);
            }
        }
        page = AttentionView.html("view test: 2 layers, 3 heads", tokens, attention);
    }

    /**
     * Picks layer 1 and head 2 in the selects, hovers query token 4, then leaves it and picks all
     * heads: the page's own event handlers, driven as a mouse would, with what the DOM then shows
     * written into a {@code <pre id="probe">} that --dump-dom returns.
     */
    private static final String PROBE_SCRIPT = """
            <script>
            (function () {
              const out = { errors: window.__errors || [] };
              try {
                const pick = (id, v) => { const s = document.getElementById(id); s.value = v; s.dispatchEvent(new Event('change')); };
                const lines = () => [...document.querySelectorAll('#lines line')];
                const shown = () => lines().filter(l => l.style.display !== 'none');
                out.ready = document.body.dataset.ready;
                out.layerOptions = document.getElementById('layer').options.length;
                out.headOptions = document.getElementById('head').options.length;
                out.queryTexts = [...document.querySelectorAll('.tok.q text')].map(t => t.textContent);
                pick('layer', '1');
                pick('head', '2');
                const q = document.querySelector('.tok.q[data-index="4"]');
                q.dispatchEvent(new MouseEvent('mouseenter'));
                out.hover = shown().map(l => ({ head: +l.dataset.head, query: +l.dataset.query, key: +l.dataset.key,
                                                 opacity: +l.getAttribute('stroke-opacity') }));
                out.shades = [...document.querySelectorAll('.tok.k rect')].map(r => +r.getAttribute('fill-opacity'));
                out.info = document.getElementById('info').textContent;
                q.dispatchEvent(new MouseEvent('mouseleave'));
                out.afterLeave = shown().length;
                out.allLinesOneHead = lines().length;
                pick('head', 'all');
                out.allHeads = lines().length;
                out.headsDrawn = [...new Set(lines().map(l => l.dataset.head))].length;
              } catch (e) { out.errors.push(String(e)); }
              const pre = document.createElement('pre');
              pre.id = 'probe';
              pre.textContent = JSON.stringify(out);
              document.body.appendChild(pre);
            })();
            </script>
            """;

    @Test
    void hoveringAQueryShowsExactlyItsAttentionInTheDom() throws Exception {
        String errorsCatcher = "<script>window.__errors=[];addEventListener('error',e=>__errors.push(e.message));</script>";
        String probed = page.replace("<head>", "<head>" + errorsCatcher).replace("</body>", PROBE_SCRIPT + "</body>");
        Path file = dir.resolve("probe.html");
        Files.writeString(file, probed, StandardCharsets.UTF_8);

        String dom = Chromium.dumpDom(file.toUri().toString(), dir);
        Matcher m = PROBE.matcher(dom);
        assertTrue(m.find(), "the probe wrote nothing; DOM starts:\n" + dom.substring(0, Math.min(2000, dom.length())));
        JsonObject r = JsonParser.parseString(unescape(m.group(1))).getAsJsonObject();

        assertEquals(0, r.getAsJsonArray("errors").size(), "script errors: " + r.get("errors"));
        assertEquals("true", r.get("ready").getAsString());
        assertEquals(LAYERS, r.get("layerOptions").getAsInt());
        assertEquals(HEADS + 1, r.get("headOptions").getAsInt(), "heads 0..2 and 'all'");
        JsonArray texts = r.getAsJsonArray("queryTexts");
        assertEquals(tokens.size(), texts.size());
        assertEquals(SCRIPT_TOKEN, texts.get(7).getAsString(), "a token that looks like markup stays text");

        // Hovering query 4 of layer 1, head 2 leaves exactly its lines, one per key drawn, at its probabilities.
        float[] row = attention[1][2][4];
        Map<Integer, Double> seen = new HashMap<>();
        for (JsonElement e : r.getAsJsonArray("hover")) {
            JsonObject l = e.getAsJsonObject();
            assertEquals(2, l.get("head").getAsInt());
            assertEquals(4, l.get("query").getAsInt());
            seen.put(l.get("key").getAsInt(), l.get("opacity").getAsDouble());
        }
        for (int j = 0; j < row.length; j++) {
            if (row[j] >= 0.005) {
                assertTrue(seen.containsKey(j), "no line from query 4 to key " + j + " (p = " + row[j] + ")");
                assertEquals(row[j], seen.get(j), 6e-5, "line 4 -> " + j);
            } else {
                assertFalse(seen.containsKey(j), "line to key " + j + " with p = " + row[j] + " < 0.005");
            }
        }
        JsonArray shades = r.getAsJsonArray("shades");
        for (int j = 0; j < row.length; j++) {
            assertEquals(row[j], shades.get(j).getAsDouble(), 1.1e-4, "shade of key " + j);
        }
        int top = Samples.argmax(row);
        String info = r.get("info").getAsString();
        assertTrue(info.startsWith("\u2018" + tokens.get(4) + "\u2019 (4) attends most to: \u2018" + tokens.get(top)
                + "\u2019 (" + top + ") " + String.format(java.util.Locale.ROOT, "%.3f", row[top])), info);

        // Leaving the token shows every line of the head again; 'all' draws every head's lines.
        int drawnOneHead = count(attention[1][2]);
        assertEquals(drawnOneHead, r.get("afterLeave").getAsInt());
        assertEquals(drawnOneHead, r.get("allLinesOneHead").getAsInt());
        assertEquals(count(attention[1][0]) + count(attention[1][1]) + count(attention[1][2]), r.get("allHeads").getAsInt());
        assertEquals(HEADS, r.get("headsDrawn").getAsInt());
    }

    @Test
    void theLinkedStateScreenshotShowsTokensAndTheHeadsLines() throws Exception {
        Path file = dir.resolve("view.html");
        Files.writeString(file, page, StandardCharsets.UTF_8);
        Path png = dir.resolve("view.png");
        Chromium.screenshot(file.toUri() + "#layer=1&head=2&query=4", png, 900, 420, dir);
        BufferedImage img = ImageIO.read(png.toFile());
        Files.createDirectories(Path.of("target", "viz"));
        Files.copy(png, Path.of("target", "viz", "view-chromium.png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertEquals(900, img.getWidth());
        assertEquals(420, img.getHeight());
        int dark = 0, green = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y);
                if (Pixels.luminance(rgb) < 100) {
                    dark++;
                }
                // Head 2 draws in #2ca02c: lines and key shades are green-dominant.
                if (Pixels.green(rgb) > Pixels.red(rgb) + 30 && Pixels.green(rgb) > Pixels.blue(rgb) + 30) {
                    green++;
                }
            }
        }
        assertTrue(dark > 2000, "hardly any text on the page: " + dark + " dark pixels");
        assertTrue(green > 500, "no lines or shades in head 2's colour: " + green + " green pixels");
    }

    @Test
    void shapesThatDoNotMatchTheTokensAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AttentionView.html("t", List.of("a", "b"), new float[][][][] {{new float[2][2]}, {}}));
        assertTrue(e.getMessage().contains("layer 1 has 0 heads, layer 0 has 1"), e.getMessage());
    }

    private static int count(float[][] p) {
        int n = 0;
        for (float[] row : p) {
            for (float v : row) {
                if (v >= 0.005) {
                    n++;
                }
            }
        }
        return n;
    }

    private static String unescape(String html) {
        return html.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&amp;", "&");
    }
}
