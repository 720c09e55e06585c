"""Step 4: honest validation of models/default/model.onnx; writes work/metrics.json and
work/metrics.md (the figures quoted in models/README.md).

Data sources: models/build/data/val_restaurant.jsonl (restaurant sentences written separately
from the training ones, never trained on), ../shared/data/online_shopping_10_cats.csv (categories
水果 and 蒙牛 held out of a retrained copy of the heads), snownlp (PyPI) as the speed and accuracy
reference.

  1. val_restaurant: sentiment accuracy / macro-F1 (3-way, and binary on the negative+positive
     rows by P(pos) vs P(neg)), topic micro-F1 at labels.json thresholds, keyword baseline.
  2. the same sentences as voice transcripts (punctuation stripped, fillers -- since 0.2.0 the
     training augmentation's filler list contains these too) and in Traditional characters, both as the model
     sees them without fankui's Traditional->Simplified step and with it.
  3. held-out public categories: heads retrained without 水果 and 蒙牛, binary accuracy on them.
  4. embedding: mean cosine within paraphrase groups vs across groups.
  5. speed: comments/s of model.onnx (python onnxruntime, 2 threads) vs SnowNLP on the same
     comments; FLOPs per comment of average length.
"""

import json
import os
import random
import time

import numpy as np

import common
import encoder
import features
import heads
import keywords
import train_heads

EVAL_FILLERS = ["嗯", "那个", "就是", "然后", "啊", "呃", "额", "怎么说呢", "对吧", "就是说", "这个",
                "你知道吗"]


def to_voice_eval(text, rng):
    """Voice style for evaluation: like common.to_voice but with a wider filler list."""
    parts = [p for p in common._PUNCT.split(text) if p]
    out = [rng.choice(EVAL_FILLERS)] if rng.random() < 0.7 else []
    for i, p in enumerate(parts):
        if i and rng.random() < 0.6:
            out.append(rng.choice(EVAL_FILLERS))
        out.append(p)
    return "".join(out)


PARAPHRASES = [
    ["薯条有股怪味", "薯條味道不對", "炸薯条一股哈喇味", "嗯那个薯条吧味道怪怪的"],
    ["汉堡里有头发", "汉堡里吃出一根头发", "漢堡裡面有頭髮", "在汉堡里发现了头发丝"],
    ["小程序付不了款", "小程序支付一直失败", "小程式付款不了", "嗯就是那个小程序付不了钱"],
    ["骑手送得太慢了", "外卖等了一个半小时才送到", "配送太慢了，饭都凉了", "送餐超时一个小时"],
    ["服务员态度很差", "店员爱答不理的", "服務員態度惡劣", "那个服务员态度特别不好"],
]


def paraphrase_scores(run):
    texts = [common.normalize(t) for g in PARAPHRASES for t in g]
    e = run.run(texts)["embedding"]
    sims = e @ e.T
    gid = np.repeat(np.arange(len(PARAPHRASES)), [len(g) for g in PARAPHRASES])
    within = sims[(gid[:, None] == gid[None, :]) & ~np.eye(len(texts), dtype=bool)]
    across = sims[gid[:, None] != gid[None, :]]
    first = {f"{PARAPHRASES[0][0]} vs {t}": float(sims[0, j])
             for j, t in enumerate(texts) if j in (1, 2, 3, 4, 8)}
    return {"within_mean": float(within.mean()), "across_mean": float(across.mean()),
            "across_max": float(across.max()), "within_min": float(within.min()),
            "examples": first}


def evaluate_val(run, labels):
    rows = common.load_restaurant_val()
    th = np.array([labels["topic_thresholds"][t] for t in common.TOPICS])
    gold_s = np.array([heads.S_IDX[r["sentiment"]] for r in rows])
    gold_t = np.array([[t in r["topics"] for t in common.TOPICS] for r in rows], float)
    rng = random.Random(7)
    variants = {
        "clean": [common.normalize(r["text"]) for r in rows],
        "voice": [common.normalize(to_voice_eval(r["text"], rng)) for r in rows],
        "traditional_model_alone": [common.normalize(common.to_traditional(r["text"]), t2s=False)
                                    for r in rows],
        "traditional_pipeline": [common.normalize(common.to_traditional(r["text"])) for r in rows],
    }
    out = {"n": len(rows)}
    for name, texts in variants.items():
        o = run.run(texts)
        sm = heads.sentiment_metrics(o["sentiment"], gold_s)
        tm = heads.topic_metrics((o["topics"] >= th) * 1.0, gold_t)
        t5 = heads.topic_metrics((o["topics"] >= 0.5) * 1.0, gold_t)
        kw = np.array([[t in keywords.predict(x) for t in common.TOPICS] for x in texts], float)
        km = heads.topic_metrics(kw, gold_t)
        out[name] = {"sentiment": sm, "topics": tm, "topics_at_0.5": t5["micro_f1"],
                     "keyword_baseline_topics": km["micro_f1"], "example": texts[3]}
    # SnowNLP on the same sentences (binary, > 0.5 = positive), as a reference point
    from snownlp import SnowNLP
    b = gold_s != 1
    sn = np.array([SnowNLP(t).sentiments for t in variants["clean"]])
    out["snownlp_acc_bin"] = float(((sn[b] > 0.5) == (gold_s[b] == 2)).mean())
    return out


def evaluate_holdout(log=print):
    """Heads retrained without 水果 and 蒙牛; binary accuracy on every row of those categories."""
    cats = ("水果", "蒙牛")
    cfg = heads.Config(holdout_cats=cats)
    h, feat, _ = train_heads.train(cfg, log=log)
    rows = [r for r in common.load_public() if r["cat"] in cats]
    texts = [common.normalize(r["text"]) for r in rows]
    dense, bag, _ = feat(texts)
    ps, _ = h.predict(dense, bag)
    gold = np.array([heads.S_IDX[r["sentiment"]] for r in rows])
    res = {}
    for c in cats:
        m = np.array([r["cat"] == c for r in rows])
        res[c] = heads.sentiment_metrics(ps[m], gold[m])
    res["both"] = heads.sentiment_metrics(ps, gold)
    from snownlp import SnowNLP
    sn = np.array([SnowNLP(t).sentiments for t in texts])
    res["snownlp_acc_bin"] = float(((sn > 0.5) == (gold == 2)).mean())
    return res


def evaluate_speed(run):
    from snownlp import SnowNLP
    rows = common.load_restaurant_val()
    texts = [common.normalize(r["text"]) for r in rows]
    texts = (texts * (10000 // len(texts) + 1))[:10000]
    run.run(texts[:256])
    t0 = time.perf_counter()
    ids = run.ids(texts)
    t1 = time.perf_counter()
    run.run_ids(ids, batch=32)
    t2 = time.perf_counter()
    sub = texts[:2000]
    t3 = time.perf_counter()
    for t in sub:
        SnowNLP(t).sentiments
    t4 = time.perf_counter()
    avg_tokens = float(np.mean([len(x) for x in ids]))
    flops = encoder.encoder_flops(avg_tokens) + 2 * 512 * 17 + 2 * 2 * avg_tokens * 17
    return {"comments": len(texts), "avg_chars": float(np.mean([len(t) for t in texts])),
            "avg_tokens": avg_tokens, "tokenize_per_s": len(texts) / (t1 - t0),
            "model_per_s": len(texts) / (t2 - t1), "tokenize_and_model_per_s": len(texts) / (t2 - t0),
            "snownlp_per_s": len(sub) / (t4 - t3), "mflop_per_comment": flops / 1e6}


def prepare_work(log=print):
    """Evaluating without a fresh build: work/ holds no intermediates then. Rebuild the ones the
    held-out retraining needs (work/vocab_keep.npy, work/vocab_info.json, work/encoder_int8.onnx)
    from the committed tokenizer.json, read only -- models/default is never written here -- and
    check that this encoder gives the committed model.onnx's embeddings."""
    if all(os.path.exists(f"{common.WORK}/{f}") for f in
           ("vocab_keep.npy", "vocab_info.json", "encoder_int8.onnx")):
        return
    import onnx
    import sentencepiece as spm
    sp = spm.SentencePieceProcessor(model_file=common.sp_model_path())
    pieces = [p for p, _ in json.load(open(f"{common.OUT}/tokenizer.json"))["model"]["vocab"]]
    keep = []
    for p in pieces:  # base pieces (sentencepiece's, pruned) first, then the extra characters
        i = sp.piece_to_id(p)
        if i == 0 and p != "<unk>":
            break
        keep.append(i)
    n_base = len(keep)
    assert len(set(keep)) == n_base and all(sp.piece_to_id(p) == 0 for p in pieces[n_base:])
    np.save(f"{common.WORK}/vocab_keep.npy", np.array(keep, dtype=np.int64))
    json.dump({"base_vocab": n_base, "vocab": len(pieces), "unk_id": 0},
              open(f"{common.WORK}/vocab_info.json", "w"))
    path = f"{common.WORK}/encoder_int8.onnx"
    onnx.save(encoder.build_encoder_model(encoder.load_weights(keep), n_base, quant=True), path)
    texts = [common.normalize(r["text"]) for r in common.load_restaurant_val()]
    a = encoder.Encoder(path).run(texts)["embedding_out"]
    b = encoder.Encoder(f"{common.OUT}/model.onnx").run(texts)["embedding"]
    diff = float(np.abs(a - b).max())
    log(f"work/ rebuilt from tokenizer.json: {n_base} base + {len(pieces) - n_base} extra "
        f"pieces; encoder_int8.onnx vs model.onnx embedding on {len(texts)} val texts: max abs "
        f"diff {diff:.1e}")
    assert diff < 1e-5, "rebuilt encoder differs from the committed model.onnx"


def load_optional(name):
    """Build statistics written by tokenizer_build.py / encoder.py (absent without a build)."""
    p = f"{common.WORK}/{name}"
    return json.load(open(p)) if os.path.exists(p) else None


def main(skip_holdout=False):
    labels = json.load(open(f"{common.OUT}/labels.json"))
    run = encoder.Encoder(f"{common.OUT}/model.onnx")
    m = {"val": evaluate_val(run, labels), "paraphrases": paraphrase_scores(run),
         "speed": evaluate_speed(run)}
    m["encoder"] = load_optional("encoder_stats.json")
    m["tokenizer"] = load_optional("tokenizer_stats.json")
    m["train_files"] = [p.split("/")[-1] for p in common.restaurant_train_files()]
    m["train_sentences"] = len(common.load_restaurant_train())
    if not skip_holdout:
        prepare_work()
        m["holdout"] = evaluate_holdout()
    json.dump(m, open(f"{common.WORK}/metrics.json", "w"), indent=1, ensure_ascii=False)
    write_markdown(m)


def write_markdown(m):
    L = []
    v = m["val"]
    L.append(f"val_restaurant.jsonl: {v['n']} sentences; training: {m['train_sentences']} "
             f"restaurant sentences ({', '.join(m['train_files'])}) + public corpora\n")
    L.append("| variant | sent. acc (3-way) | macro-F1 (3-way) | binary acc | binary macro-F1 | "
             "topic micro-F1 | keywords micro-F1 |")
    L.append("|---|---|---|---|---|---|---|")
    for k in ("clean", "voice", "traditional_model_alone", "traditional_pipeline"):
        s, t = v[k]["sentiment"], v[k]["topics"]
        L.append(f"| {k} | {s['acc3']:.3f} | {s['macro_f1_3']:.3f} | {s['acc_bin']:.3f} | "
                 f"{s['macro_f1_bin']:.3f} | {t['micro_f1']:.3f} | "
                 f"{v[k]['keyword_baseline_topics']:.3f} |")
    L.append(f"\nSnowNLP binary accuracy on the same (clean) sentences: {v['snownlp_acc_bin']:.3f}")
    L.append("\nPer-topic F1 (clean): " + ", ".join(
        f"{t} {f:.2f}" for t, f in v["clean"]["topics"]["per_topic"].items()))
    if "holdout" in m:
        h = m["holdout"]
        L.append(f"\nHeld-out categories (heads retrained without them): 水果 binary acc "
                 f"{h['水果']['acc_bin']:.3f} (n={h['水果']['n']}), 蒙牛 {h['蒙牛']['acc_bin']:.3f} "
                 f"(n={h['蒙牛']['n']}), both {h['both']['acc_bin']:.3f}, macro-F1 "
                 f"{h['both']['macro_f1_bin']:.3f}; SnowNLP on them {h['snownlp_acc_bin']:.3f}")
    p = m["paraphrases"]
    L.append(f"\nEmbedding: mean cosine within paraphrase groups {p['within_mean']:.3f} (min "
             f"{p['within_min']:.3f}), across groups {p['across_mean']:.3f} (max {p['across_max']:.3f})")
    for k, x in p["examples"].items():
        L.append(f"  - {k}: {x:.3f}")
    s = m["speed"]
    L.append(f"\nSpeed ({s['comments']} comments, avg {s['avg_chars']:.1f} chars / "
             f"{s['avg_tokens']:.1f} tokens): model {s['model_per_s']:.0f}/s, tokenizer+model "
             f"{s['tokenize_and_model_per_s']:.0f}/s (python onnxruntime, 2 threads, batch 32); "
             f"SnowNLP {s['snownlp_per_s']:.0f}/s; {s['mflop_per_comment']:.1f} MFLOP per comment")
    open(f"{common.WORK}/metrics.md", "w").write("\n".join(L) + "\n")
    print("\n".join(L))


if __name__ == "__main__":
    import sys
    main(skip_holdout="--skip-holdout" in sys.argv)
