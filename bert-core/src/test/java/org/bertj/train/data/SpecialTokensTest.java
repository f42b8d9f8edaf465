package org.bertj.train.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.function.IntPredicate;
import org.bertj.testing.Shared;
import org.junit.jupiter.api.Test;

class SpecialTokensTest {

    @Test
    void bertBaseVocabularyHasTheKnownIds() throws IOException {
        List<String> vocab = Files.readAllLines(Shared.bertBaseVocab(), StandardCharsets.UTF_8);
        assertEquals(SpecialTokens.bertUncased(), SpecialTokens.fromVocabulary(vocab));
        IntPredicate pieces = SpecialTokens.continuationPieces(vocab);
        int ing = vocab.indexOf("##ing");
        assertTrue(ing > 0 && pieces.test(ing));
        assertFalse(pieces.test(vocab.indexOf("the")));
        assertFalse(pieces.test(vocab.indexOf("#")));
    }

    @Test
    void missingOrCollidingTokensAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SpecialTokens.fromVocabulary(List.of("[PAD]", "[CLS]", "[SEP]", "a")));
        assertEquals("the vocabulary (4 tokens) has no [MASK]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new SpecialTokens(0, 1, 1, 2, 5));
        assertEquals("[SEP] and [CLS] have the same id 1", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new SpecialTokens(0, 1, 2, 5, 5));
        assertEquals("[MASK] id 5 is outside the vocabulary [0, 5)", e.getMessage());
    }
}
