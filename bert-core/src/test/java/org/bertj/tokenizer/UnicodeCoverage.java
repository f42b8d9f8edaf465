package org.bertj.tokenizer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every code point through the tokenizer, against what the Python reference gives: for five settings
 * and each of 0..0x10FFFF, the basic tokens of {@code "x" + cp + "y"}, hashed per block of 4096 as
 * {@code scripts/unicode_tables.py} hashes the reference's (see its docstring), compared with the
 * committed {@code unicode-14.0.0-codepoints.txt}. A {@code main} so that {@link UnicodeCoverageTest}
 * can run it on other JDKs: it prints one line per block, {@code setting block digest}, then
 * {@code mismatches N}.
 */
public final class UnicodeCoverage {

    static final String EXPECTED = "unicode-14.0.0-codepoints.txt";
    static final int BLOCK = 0x1000;

    private UnicodeCoverage() {
    }

    /** The settings of the expected file: (do_lower_case, strip_accents, tokenize_chinese_chars). */
    static BertTokenizer tokenizer(String setting) {
        BertTokenizer.Builder b = BertTokenizer.builder(Vocabulary.of(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")));
        switch (setting) {
            case "uncased":
                return b.build();
            case "cased":
                return b.doLowerCase(false).build();
            case "cased_nochinese":
                return b.doLowerCase(false).tokenizeChineseChars(false).build();
            case "lower_nostrip":
                return b.stripAccents(false).build();
            case "strip_only":
                return b.doLowerCase(false).stripAccents(true).build();
            default:
                throw new IllegalArgumentException("unknown setting " + setting + " in " + EXPECTED);
        }
    }

    /** The committed expectations: "setting block" to digest, in file order. */
    static Map<String, String> expected() throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        try (InputStream in = UnicodeCoverage.class.getResourceAsStream(EXPECTED)) {
            if (in == null) {
                throw new IOException("test resource " + EXPECTED + " is missing (run scripts/unicode_tables.py)");
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith("#") || line.startsWith("@") || line.isBlank()) {
                    continue;
                }
                String[] f = line.split(" ");
                out.put(f[0] + " " + f[1], f[2]);
            }
        }
        return out;
    }

    /** The digest of one block under one tokenizer, as the Python script computes it. */
    static String digest(BertTokenizer tok, int block) {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buf = new byte[1 << 16];
        int n = 0;
        for (int cp = block; cp < block + BLOCK; cp++) {
            for (String t : tok.basicTokens("x" + new String(Character.toChars(cp)) + "y")) {
                for (int i = 0; i < t.length(); ) {
                    int c = t.codePointAt(i);
                    i += Character.charCount(c);
                    if (n + 8 > buf.length) {
                        md.update(buf, 0, n);
                        n = 0;
                    }
                    n = put(buf, n, c);
                }
                if (n + 8 > buf.length) {
                    md.update(buf, 0, n);
                    n = 0;
                }
                n = put(buf, n, 0xFFFFFFFF);
            }
            if (n + 8 > buf.length) {
                md.update(buf, 0, n);
                n = 0;
            }
            n = put(buf, n, 0xFFFFFFFE);
        }
        md.update(buf, 0, n);
        byte[] d = md.digest();
        StringBuilder sb = new StringBuilder(16);
        for (int i = 0; i < 8; i++) {
            sb.append(Character.forDigit((d[i] >>> 4) & 15, 16)).append(Character.forDigit(d[i] & 15, 16));
        }
        return sb.toString();
    }

    private static int put(byte[] buf, int n, int v) {
        buf[n] = (byte) (v >>> 24);
        buf[n + 1] = (byte) (v >>> 16);
        buf[n + 2] = (byte) (v >>> 8);
        buf[n + 3] = (byte) v;
        return n + 4;
    }

    /** Every "setting block digest" line bertj gives, in the expected file's order. */
    static List<String> actual(Map<String, String> expected) {
        List<String> out = new ArrayList<>(expected.size());
        Map<String, BertTokenizer> tokenizers = new LinkedHashMap<>();
        for (String key : expected.keySet()) {
            String[] f = key.split(" ");
            BertTokenizer tok = tokenizers.computeIfAbsent(f[0], UnicodeCoverage::tokenizer);
            out.add(key + " " + digest(tok, Integer.parseInt(f[1], 16)));
        }
        return out;
    }

    /** The lines of {@code actual} that differ from the expectations, each with the expected digest. */
    static List<String> mismatches(Map<String, String> expected, List<String> actual) {
        List<String> bad = new ArrayList<>();
        for (String line : actual) {
            int cut = line.lastIndexOf(' ');
            String want = expected.get(line.substring(0, cut));
            if (!line.substring(cut + 1).equals(want)) {
                bad.add(line + " (expected " + want + ")");
            }
        }
        return bad;
    }

    /** Prints every block's digest and the number of mismatches; exits 1 if there are any. */
    public static void main(String[] args) throws IOException {
        Map<String, String> expected = expected();
        List<String> actual = actual(expected);
        actual.forEach(System.out::println);
        int bad = mismatches(expected, actual).size();
        System.out.println("mismatches " + bad);
        System.exit(bad == 0 ? 0 : 1);
    }
}
