#!/usr/bin/env python3
"""A transcription of Hugging Face transformers 4.29's slow BertTokenizer, for making expectations.

This is the reference bertj's tokenizer is tested against where no output of transformers itself is
at hand (transformers 4.29 does not install on this machine's Python 3.11). It follows, in order:

- ``PreTrainedTokenizer.tokenize`` (tokenization_utils.py): with ``do_lower_case`` every character
  outside the special tokens is lower-cased on its own (the regex ``(special)|(.+?)``), the text is
  split on the special tokens (longest match, left to right), whitespace next to a special token is
  stripped, and every other piece goes to ``BertTokenizer._tokenize``;
- ``BertTokenizer._tokenize`` (models/bert/tokenization_bert.py): ``BasicTokenizer.tokenize`` with
  ``never_split=all_special_tokens``, then WordPiece, except for tokens in the tokenizer's own
  ``never_split``, which are kept whole;
- ``BasicTokenizer`` and ``WordpieceTokenizer``: ``_clean_text``, ``_tokenize_chinese_chars``, the
  whitespace split, ``lower()`` and ``_run_strip_accents`` (NFD, Mn dropped), ``_run_split_on_punc``,
  greedy longest-match-first WordPiece. Version 4.29 has no NFC normalization and no
  ``do_split_on_punc`` option;
- the ``_is_whitespace``, ``_is_control``, ``_is_punctuation`` helpers of tokenization_utils.py;
- ``__call__``'s truncation rules (``_get_padding_truncation_strategies``): ``max_length`` with no
  ``truncation`` and no ``padding`` means ``longest_first``.

Only the Python standard library is used; the Unicode data is ``unicodedata``'s (14.0.0 on 3.11).
"""

import re
import unicodedata


def _is_whitespace(char):
    if char == " " or char == "\t" or char == "\n" or char == "\r":
        return True
    return unicodedata.category(char) == "Zs"


def _is_control(char):
    if char == "\t" or char == "\n" or char == "\r":
        return False
    return unicodedata.category(char).startswith("C")


def _is_punctuation(char):
    cp = ord(char)
    if (cp >= 33 and cp <= 47) or (cp >= 58 and cp <= 64) or (cp >= 91 and cp <= 96) or (cp >= 123 and cp <= 126):
        return True
    return unicodedata.category(char).startswith("P")


def whitespace_tokenize(text):
    text = text.strip()
    if not text:
        return []
    return text.split()


def is_chinese_char(cp):
    return ((0x4E00 <= cp <= 0x9FFF) or (0x3400 <= cp <= 0x4DBF) or (0x20000 <= cp <= 0x2A6DF)
            or (0x2A700 <= cp <= 0x2B73F) or (0x2B740 <= cp <= 0x2B81F) or (0x2B820 <= cp <= 0x2CEAF)
            or (0xF900 <= cp <= 0xFAFF) or (0x2F800 <= cp <= 0x2FA1F))


class BasicTokenizer:
    def __init__(self, do_lower_case=True, never_split=None, tokenize_chinese_chars=True, strip_accents=None):
        self.do_lower_case = do_lower_case
        self.never_split = set(never_split or [])
        self.tokenize_chinese_chars = tokenize_chinese_chars
        self.strip_accents = strip_accents

    def tokenize(self, text, never_split=None):
        never_split = self.never_split.union(set(never_split)) if never_split else self.never_split
        text = self._clean_text(text)
        if self.tokenize_chinese_chars:
            text = self._tokenize_chinese_chars(text)
        orig_tokens = whitespace_tokenize(text)
        split_tokens = []
        for token in orig_tokens:
            if token not in never_split:
                if self.do_lower_case:
                    token = token.lower()
                    if self.strip_accents is not False:
                        token = self._run_strip_accents(token)
                elif self.strip_accents:
                    token = self._run_strip_accents(token)
            split_tokens.extend(self._run_split_on_punc(token, never_split))
        return whitespace_tokenize(" ".join(split_tokens))

    @staticmethod
    def _run_strip_accents(text):
        text = unicodedata.normalize("NFD", text)
        return "".join(c for c in text if unicodedata.category(c) != "Mn")

    @staticmethod
    def _run_split_on_punc(text, never_split=None):
        if never_split is not None and text in never_split:
            return [text]
        output = []
        start_new_word = True
        for char in text:
            if _is_punctuation(char):
                output.append([char])
                start_new_word = True
            else:
                if start_new_word:
                    output.append([])
                start_new_word = False
                output[-1].append(char)
        return ["".join(x) for x in output]

    @staticmethod
    def _tokenize_chinese_chars(text):
        return "".join(" " + c + " " if is_chinese_char(ord(c)) else c for c in text)

    @staticmethod
    def _clean_text(text):
        output = []
        for char in text:
            cp = ord(char)
            if cp == 0 or cp == 0xFFFD or _is_control(char):
                continue
            output.append(" " if _is_whitespace(char) else char)
        return "".join(output)


class WordpieceTokenizer:
    def __init__(self, vocab, unk_token, max_input_chars_per_word=100):
        self.vocab = vocab
        self.unk_token = unk_token
        self.max_input_chars_per_word = max_input_chars_per_word

    def tokenize(self, text):
        output_tokens = []
        for token in whitespace_tokenize(text):
            chars = list(token)
            if len(chars) > self.max_input_chars_per_word:
                output_tokens.append(self.unk_token)
                continue
            is_bad = False
            start = 0
            sub_tokens = []
            while start < len(chars):
                end = len(chars)
                cur_substr = None
                while start < end:
                    substr = "".join(chars[start:end])
                    if start > 0:
                        substr = "##" + substr
                    if substr in self.vocab:
                        cur_substr = substr
                        break
                    end -= 1
                if cur_substr is None:
                    is_bad = True
                    break
                sub_tokens.append(cur_substr)
                start = end
            if is_bad:
                output_tokens.append(self.unk_token)
            else:
                output_tokens.extend(sub_tokens)
        return output_tokens


def load_vocab(path):
    vocab = {}
    with open(path, "r", encoding="utf-8") as f:
        for index, token in enumerate(f.readlines()):
            vocab[token.rstrip("\n")] = index
    return vocab


class SlowBertTokenizer:
    """``BertTokenizer(vocab_file, **tokenizer_config)`` as 4.29 builds it, and its ``tokenize``/``__call__``."""

    def __init__(self, vocab, do_lower_case=True, never_split=None, tokenize_chinese_chars=True,
                 strip_accents=None, unk_token="[UNK]", sep_token="[SEP]", pad_token="[PAD]",
                 cls_token="[CLS]", mask_token="[MASK]", model_max_length=512):
        self.vocab = vocab
        self.do_lower_case = do_lower_case
        self.unk_token, self.sep_token, self.pad_token = unk_token, sep_token, pad_token
        self.cls_token, self.mask_token = cls_token, mask_token
        # all_special_tokens' order; all of them are also unique_no_split_tokens in 4.29
        self.all_special_tokens = [unk_token, sep_token, pad_token, cls_token, mask_token]
        self.model_max_length = model_max_length
        self.basic_tokenizer = BasicTokenizer(do_lower_case, never_split, tokenize_chinese_chars, strip_accents)
        self.wordpiece_tokenizer = WordpieceTokenizer(vocab, unk_token)
        self.truncation_warned = False

    def _split_on_specials(self, text):
        specials = sorted(set(self.all_special_tokens), key=len, reverse=True)
        out, i, start = [], 0, 0
        while i < len(text):
            hit = next((s for s in specials if text.startswith(s, i)), None)
            if hit is None:
                i += 1
                continue
            if i > start:
                out.append(text[start:i])
            out.append(hit)
            i += len(hit)
            start = i
        if start < len(text):
            out.append(text[start:])
        return out

    def tokenize(self, text):
        if self.do_lower_case:
            escaped = [re.escape(s) for s in self.all_special_tokens + self.all_special_tokens]
            pattern = r"(" + r"|".join(escaped) + r")|" + r"(.+?)"
            text = re.sub(pattern, lambda m: m.groups()[0] or m.groups()[1].lower(), text)
        no_split = set(self.all_special_tokens)
        tokens = self._split_on_specials(text)
        for i, token in enumerate(tokens):
            if token in no_split:
                if i + 1 < len(tokens) and tokens[i + 1]:
                    tokens[i + 1] = tokens[i + 1].lstrip()
                if i > 0 and tokens[i - 1]:
                    tokens[i - 1] = tokens[i - 1].rstrip()
        out = []
        for token in tokens:
            if not token:
                continue
            if token in no_split:
                out.append(token)
            else:
                out.extend(self._tokenize(token))
        return out

    def _tokenize(self, text):
        split_tokens = []
        for token in self.basic_tokenizer.tokenize(text, never_split=self.all_special_tokens):
            if token in self.basic_tokenizer.never_split:
                split_tokens.append(token)
            else:
                split_tokens += self.wordpiece_tokenizer.tokenize(token)
        return split_tokens

    def id(self, token):
        return self.vocab.get(token, self.vocab.get(self.unk_token))

    def __call__(self, text, text_pair=None, max_length=None, truncation=None, padding=False):
        """input_ids, token_type_ids, attention_mask and the tokens, as 4.29's __call__ gives them."""
        if max_length is not None and padding is False and truncation is None:
            # "Truncation was not explicitly activated but `max_length` is provided ..." (warned once)
            self.truncation_warned = True
            truncation = "longest_first"
        if truncation is True:
            truncation = "longest_first"
        if truncation in (None, False):
            truncation = "do_not_truncate"
        if padding is True:
            padding = "longest"
        a = [self.id(t) for t in self.tokenize(text)]
        b = None if text_pair is None else [self.id(t) for t in self.tokenize(text_pair)]
        limit = max_length if max_length is not None else self.model_max_length
        specials = 2 if b is None else 3
        remove = len(a) + (len(b) if b else 0) + specials - limit
        if truncation != "do_not_truncate" and remove > 0:
            if truncation == "longest_first" and b is not None:
                for _ in range(remove):
                    if len(a) > len(b):
                        a = a[:-1]
                    else:
                        b = b[:-1]
            elif truncation in ("longest_first", "only_first") and len(a) > remove:
                a = a[:-remove]
            elif truncation == "only_second" and b is not None and len(b) > remove:
                b = b[:-remove]
        cls, sep = self.id(self.cls_token), self.id(self.sep_token)
        ids = [cls] + a + [sep] + ([] if b is None else b + [sep])
        types = [0] * (len(a) + 2) + ([] if b is None else [1] * (len(b) + 1))
        mask = [1] * len(ids)
        if padding == "max_length" and len(ids) < limit:
            n = limit - len(ids)
            ids, types, mask = ids + [self.id(self.pad_token)] * n, types + [0] * n, mask + [0] * n
        inv = {i: t for t, i in self.vocab.items()}
        return {"input_ids": ids, "token_type_ids": types, "attention_mask": mask,
                "tokens": [inv.get(i, self.unk_token) for i in ids]}
