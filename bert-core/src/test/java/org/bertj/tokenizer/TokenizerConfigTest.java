package org.bertj.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link BertTokenizer#fromDirectory}: tokenizer_config.json (and special_tokens_map.json) read as HF's from_pretrained does. */
class TokenizerConfigTest {

    private static final List<String> VOCAB = List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "<e1>",
            "a", "b", "c", "hello", "Hello", "aff", ",", "é", "e", "中");

    @TempDir
    Path dir;

    private BertTokenizer withConfig(String json) throws IOException {
        Files.write(dir.resolve("vocab.txt"), VOCAB, StandardCharsets.UTF_8);
        if (json != null) {
            Files.writeString(dir.resolve(TokenizerConfig.FILE), json, StandardCharsets.UTF_8);
        }
        return BertTokenizer.fromDirectory(dir);
    }

    @Test
    void withoutAConfigHfsDefaultsAndNoMaximumLength() throws IOException {
        BertTokenizer t = withConfig(null);
        assertTrue(t.doLowerCase());
        assertTrue(t.stripAccents());
        assertTrue(t.tokenizeChineseChars());
        assertEquals(BertTokenizer.NO_MAX_LENGTH, t.modelMaxLength());
        // HF: "Asking to truncate to max_length but no maximum length is provided ... Default to no truncation."
        String text = "a ".repeat(600);
        assertEquals(602, t.encode(text, null, EncodeOptions.DEFAULT.withTruncation(Truncation.LONGEST_FIRST)).length());
        assertEquals(5, t.encode("a b c", null, EncodeOptions.DEFAULT.withPadding(Padding.MAX_LENGTH)).length());
        // an explicit max_length still applies
        assertEquals(4, t.encode("a b c", null, EncodeOptions.DEFAULT.withMaxLength(4)).length());
    }

    @Test
    void everyOptionIsRead() throws IOException {
        BertTokenizer t = withConfig("{\"do_lower_case\": false, \"strip_accents\": true,"
                + " \"tokenize_chinese_chars\": false, \"never_split\": [\"aff,a\"], \"model_max_length\": 8,"
                + " \"mask_token\": {\"content\": \"[MASK]\", \"lstrip\": true, \"__type\": \"AddedToken\"},"
                + " \"unk_token\": \"[UNK]\", \"tokenizer_class\": \"BertTokenizer\", \"name_or_path\": \"x\"}");
        assertFalse(t.doLowerCase());
        assertTrue(t.stripAccents());
        assertFalse(t.tokenizeChineseChars());
        assertEquals(Set.of("aff,a"), t.neverSplit());
        assertEquals(8, t.modelMaxLength());
        assertEquals("[MASK]", t.maskToken());
        assertEquals(List.of("Hello", "e", "aff,a", "a中"), t.basicTokens("Hello é aff,a a中"));
        assertEquals(8, t.encode("a ".repeat(20), null, EncodeOptions.DEFAULT.withTruncation(Truncation.LONGEST_FIRST))
                .length());
    }

    @Test
    void hfsHugeModelMaxLengthMeansNone() throws IOException {
        // what save_pretrained writes for a tokenizer without a maximum: int(1e30)
        BertTokenizer t = withConfig("{\"model_max_length\": 1000000000000000019884624838656}");
        assertEquals(BertTokenizer.NO_MAX_LENGTH, t.modelMaxLength());
        assertEquals(512, withConfig("{\"max_len\": 512}").modelMaxLength());
    }

    @Test
    void specialTokensMapAndAdditionalSpecialTokens() throws IOException {
        Files.writeString(dir.resolve(TokenizerConfig.SPECIAL_TOKENS_MAP),
                "{\"additional_special_tokens\": [\"<e1>\"], \"mask_token\": \"[MASK]\"}", StandardCharsets.UTF_8);
        BertTokenizer t = withConfig("{}");
        assertEquals(List.of("a", "<e1>", "b"), t.tokenize("a<e1>b"));
        assertEquals(List.of("hello", "<e1>"), t.tokenize("HELLO <e1>"), "kept as written, not lower-cased");
    }

    @Test
    void wrongTypesAreErrorsNamingFileAndField() throws IOException {
        IOException e = assertThrows(IOException.class, () -> withConfig("{\"do_lower_case\": \"yes\"}"));
        assertTrue(e.getMessage().contains(TokenizerConfig.FILE) && e.getMessage().contains("do_lower_case"), e.getMessage());
        e = assertThrows(IOException.class, () -> withConfig("{\"never_split\": \"aff\"}"));
        assertTrue(e.getMessage().contains("never_split"), e.getMessage());
        e = assertThrows(IOException.class, () -> withConfig("{\"model_max_length\": -3}"));
        assertTrue(e.getMessage().contains("model_max_length"), e.getMessage());
        e = assertThrows(IOException.class, () -> withConfig("{\"do_basic_tokenize\": false}"));
        assertTrue(e.getMessage().contains("do_basic_tokenize"), e.getMessage());
        e = assertThrows(IOException.class, () -> withConfig("[1, 2]"));
        assertTrue(e.getMessage().contains("JSON object"), e.getMessage());
        e = assertThrows(IOException.class, () -> withConfig("{\"unk_token\": 3}"));
        assertTrue(e.getMessage().contains("unk_token"), e.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> withConfig("{\"unk_token\": \"<unk>\"}"));
        assertTrue(missing.getMessage().contains("<unk>"), missing.getMessage());
        Files.delete(dir.resolve("vocab.txt"));
        e = assertThrows(IOException.class, () -> BertTokenizer.fromDirectory(dir));
        assertTrue(e.getMessage().contains("vocab.txt"), e.getMessage());
    }
}
