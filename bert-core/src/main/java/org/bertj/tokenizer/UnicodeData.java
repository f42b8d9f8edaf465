package org.bertj.tokenizer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The Unicode 14.0 character data the tokenizer uses, read from the resource
 * {@code unicode-14.0.0.txt} that {@code scripts/unicode_tables.py} generates from Python 3.11's
 * {@code unicodedata} (Hugging Face's reference runs on it). Nothing here asks
 * {@code java.lang.Character} or {@code java.text.Normalizer}: their Unicode version is the JDK's
 * (13 on JDK 17, 16 on JDK 25), and tokens must not change with the JDK.
 *
 * <p>Lookups: the class of a BMP character is one array read; supplementary characters are found by
 * binary search in the runs (they are rare in text). Case mappings and decompositions are maps used
 * only while the folding tables are built and on the rare words that need canonical reordering.
 */
final class UnicodeData {

    /** The Unicode version of the tables. */
    static final String VERSION = "14.0.0";

    /** Removed by HF's {@code _clean_text}: NUL, U+FFFD, every category C*. */
    static final byte REMOVED = 'R';
    /** Whitespace: HF's {@code _is_whitespace} and what Python's {@code str.split()} splits on. */
    static final byte SPACE = 'S';
    /** A CJK ideograph by HF's {@code _is_chinese_char}. */
    static final byte CJK = 'C';
    /** HF's {@code _is_punctuation}. */
    static final byte PUNCT = 'P';
    /** Category Mn with canonical combining class 0 (dropped by accent stripping). */
    static final byte MARK_STARTER = 'M';
    /** Category Mn with a non-zero canonical combining class (dropped by accent stripping). */
    static final byte MARK = 'N';
    /** Not Mn but with a non-zero combining class: kept by accent stripping, and NFD may move it. */
    static final byte KEPT_NON_STARTER = 'K';
    /** Anything else. */
    static final byte OTHER = 'O';

    private static final String RESOURCE = "unicode-" + VERSION + ".txt";
    private static final int HANGUL_S_BASE = 0xAC00;
    private static final int HANGUL_S_COUNT = 11172;
    private static final int HANGUL_N_COUNT = 588;
    private static final int HANGUL_T_COUNT = 28;

    private static final int[] RUN_START;
    private static final byte[] RUN_CLASS;
    private static final byte[] BMP_CLASS = new byte[0x10000];
    private static final int[] CCC_FIRST;
    private static final int[] CCC_LAST;
    private static final int[] CCC_VALUE;
    private static final Map<Integer, int[]> LOWER = new HashMap<>();
    private static final Map<Integer, int[]> NFD = new HashMap<>();

    static {
        try (InputStream in = UnicodeData.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("bertj's Unicode tables are missing: resource org/bertj/tokenizer/"
                        + RESOURCE + " is not on the classpath");
            }
            Reader r = new Reader(new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII)));
            r.expect("@unicode " + VERSION);
            int n = r.section("@class");
            RUN_START = new int[n];
            RUN_CLASS = new byte[n];
            for (int i = 0; i < n; i++) {
                String[] f = r.fields(2);
                RUN_START[i] = Integer.parseInt(f[0], 16);
                RUN_CLASS[i] = (byte) f[1].charAt(0);
            }
            for (int i = 0; i < n && RUN_START[i] < 0x10000; i++) {
                int end = i + 1 < n ? Math.min(RUN_START[i + 1], 0x10000) : 0x10000;
                Arrays.fill(BMP_CLASS, RUN_START[i], end, RUN_CLASS[i]);
            }
            n = r.section("@ccc");
            CCC_FIRST = new int[n];
            CCC_LAST = new int[n];
            CCC_VALUE = new int[n];
            for (int i = 0; i < n; i++) {
                String[] f = r.fields(3);
                CCC_FIRST[i] = Integer.parseInt(f[0], 16);
                CCC_LAST[i] = Integer.parseInt(f[1], 16);
                CCC_VALUE[i] = Integer.parseInt(f[2]);
            }
            r.mapping("@lower", LOWER);
            r.mapping("@nfd", NFD);
            r.expect("@end");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read bertj's Unicode tables (" + RESOURCE + ")", e);
        }
    }

    private UnicodeData() {
    }

    /** The class of {@code cp}: one of the constants above. */
    static byte classOf(int cp) {
        if (cp < 0x10000) {
            return BMP_CLASS[cp];
        }
        int i = Arrays.binarySearch(RUN_START, cp);
        return RUN_CLASS[i >= 0 ? i : -i - 2];
    }

    /** The canonical combining class of {@code cp} (0 for starters). */
    static int combiningClass(int cp) {
        int i = Arrays.binarySearch(CCC_FIRST, cp);
        if (i < 0) {
            i = -i - 2;
            if (i < 0 || cp > CCC_LAST[i]) {
                return 0;
            }
        }
        return CCC_VALUE[i];
    }

    /** Python's {@code chr(cp).lower()} as code points. */
    static int[] lower(int cp) {
        int[] m = LOWER.get(cp);
        return m != null ? m : new int[] {cp};
    }

    /** {@code unicodedata.normalize('NFD', chr(cp))} as code points. */
    static int[] nfd(int cp) {
        int s = cp - HANGUL_S_BASE;
        if (s >= 0 && s < HANGUL_S_COUNT) {
            // Hangul syllables decompose by the algorithm of Unicode section 3.12, not by table
            // (the generator checks it against unicodedata for all 11,172).
            int l = 0x1100 + s / HANGUL_N_COUNT;
            int v = 0x1161 + (s % HANGUL_N_COUNT) / HANGUL_T_COUNT;
            int t = s % HANGUL_T_COUNT;
            return t == 0 ? new int[] {l, v} : new int[] {l, v, 0x11A7 + t};
        }
        int[] m = NFD.get(cp);
        return m != null ? m : new int[] {cp};
    }

    /** Line reader for the resource, failing with the line number on anything unexpected. */
    private static final class Reader {
        private final BufferedReader in;
        private int line;

        Reader(BufferedReader in) {
            this.in = in;
        }

        String next() throws IOException {
            String s;
            do {
                s = in.readLine();
                line++;
                if (s == null) {
                    throw fail("ends early");
                }
            } while (s.startsWith("#"));
            return s;
        }

        void expect(String what) throws IOException {
            String s = next();
            if (!s.equals(what)) {
                throw fail("expected '" + what + "', found '" + s + "'");
            }
        }

        int section(String name) throws IOException {
            String s = next();
            if (!s.startsWith(name + " ")) {
                throw fail("expected section " + name + ", found '" + s + "'");
            }
            return Integer.parseInt(s.substring(name.length() + 1));
        }

        String[] fields(int count) throws IOException {
            String[] f = next().split(" ");
            if (f.length != count) {
                throw fail("expected " + count + " fields");
            }
            return f;
        }

        void mapping(String name, Map<Integer, int[]> into) throws IOException {
            int n = section(name);
            for (int i = 0; i < n; i++) {
                String[] f = next().split(" ");
                int[] to = new int[f.length - 1];
                for (int k = 1; k < f.length; k++) {
                    to[k - 1] = Integer.parseInt(f[k], 16);
                }
                into.put(Integer.parseInt(f[0], 16), to);
            }
        }

        IllegalStateException fail(String why) {
            return new IllegalStateException("bertj's Unicode tables (" + RESOURCE + ") line " + line + ": " + why);
        }
    }
}
