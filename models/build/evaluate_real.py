"""Real-text figures through the real pipeline: `fankui score` on reviews from the dev shops of
../shared/data/real/ (see real_data.py for the split by shop). These figures, and only these,
decide model choices. Nothing here is ever trained on.

Sets (all from dev shops):
  real_dev   hand-labelled units (data/real_labels/, joined at run time): 3-way and binary
             sentiment, topic micro-F1 and per-topic F1, aspect sentiment; also in voice style
             (punctuation stripped, fillers, "source": "voice") and in Traditional characters.
  meituan    whole Meituan reviews of the 8 dev shops, binary by stars (40-50 vs 5-25).
  asap       ASAP `test` reviews (long Dianping reviews): binary by stars (4-5 vs 1-2), topics and
             aspect polarity from its 18 aspect columns mapped to fankui topics (ASAP_MAP; topic F1
             over those 6 topics only: taste portion price wait_time service environment).
  haidilao   one Haidilao's Dianping reviews: binary by the reviewer's total score (4-5 vs <= 2).
  eleme      Ele.me delivery comments: binary by rating (4-5 vs 1-2).

Aspect sentiment: over gold aspects with a positive or negative polarity, the share whose topic
the record reports with the same polarity (a missed topic counts as wrong: `aspect_acc`); and the
same among the aspects whose topic was reported (`aspect_acc_found`).
`aspect_acc3` counts the neutral gold aspects too (a reported neutral polarity must match them), so
a rule that never says neutral shows its cost there.

    .venv/bin/python evaluate_real.py [--bin ../../target/release/fankui] [--model DIR] [--json OUT]
"""

import argparse
import json
import os
import random

import numpy as np

import common
import heads
import real_data as rd
from evaluate_cli import score
from evaluate import to_voice_eval

ASAP_MAP = {
    "service_wait_time": "wait_time", "service_serving_speed": "wait_time",
    "service_waiters_attitude": "service",
    "price_level": "price", "price_cost_effective": "price", "price_discount": "price",
    "environment_decoration": "environment", "environment_noise": "environment",
    "environment_space": "environment", "environment_cleaness": "environment",
    "dish_portion": "portion", "dish_taste": "taste", "dish_look": "taste",
}
POL = {1: "positive", 0: "neutral", -1: "negative"}


def out_topics(o):
    """{topic: sentiment label} of one output record (`other` left out)."""
    return {t["label"]: t.get("sentiment") for t in o.get("topics", []) if t["label"] != "other"}


def probs(o):
    """Sentiment probabilities of an output record; a record without a sentiment (nothing to
    score, or an error record) counts as neither positive nor negative, i.e. as wrong."""
    return o.get("sentiment", {}).get("probs", {"negative": 0.0, "neutral": 1.0, "positive": 0.0})


def binary(lines, gold):
    """gold: list of 'positive' / 'negative'. Accuracy and macro-F1, P(pos) vs P(neg)."""
    pb = np.array([probs(o)["positive"] > probs(o)["negative"] for o in lines], int)
    missing = sum("sentiment" not in o for o in lines)
    pb = np.where([("sentiment" in o) for o in lines], pb, -1)  # no sentiment: always wrong
    gb = np.array([g == "positive" for g in gold], int)
    rec = [float((pb[gb == c] == c).mean()) if (gb == c).any() else 0.0 for c in (0, 1)]
    return {"acc_bin": float((pb == gb).mean()), "macro_f1_bin": heads.macro_f1(pb, gb, 2),
            "neg_recall": rec[0], "pos_recall": rec[1], "balanced_acc": (rec[0] + rec[1]) / 2,
            "n_bin": len(gold), "neg_share": float(1 - gb.mean()), "no_sentiment": missing}


def topics_and_aspects(lines, gold_aspects, only=None):
    """gold_aspects: list of {topic: polarity label}. `only`: the topics the gold labels cover
    (ASAP has no labels for quality, hygiene, delivery ...: those are left out of its F1)."""
    gold_t = np.array([[t in a for t in common.TOPICS] for a in gold_aspects], float)
    outs = [out_topics(o) for o in lines]
    pred_t = np.array([[t in o for t in common.TOPICS] for o in outs], float)
    if only:
        mask = np.array([t in only for t in common.TOPICS], float)
        gold_t, pred_t = gold_t * mask, pred_t * mask
    m = heads.topic_metrics(pred_t, gold_t)
    n = ok = found = ok_found = n3 = ok3 = 0
    for a, o in zip(gold_aspects, outs):
        for t, pol in a.items():
            n3 += 1
            ok3 += t in o and o[t] == pol
            if pol == "neutral":
                continue
            n += 1
            if t in o:
                found += 1
                ok_found += o[t] == pol
                ok += o[t] == pol
    m["aspect_acc"] = ok / max(n, 1)
    m["aspect_acc_found"] = ok_found / max(found, 1)
    m["aspects_n"] = n
    m["aspect_acc3"] = ok3 / max(n3, 1)
    m["aspects_n3"] = n3
    return m


def real_dev(binary_path, model, variant, rng):
    rows = rd.load_labels("dev")
    recs = []
    for r in rows:
        if variant == "voice":
            recs.append({"text": to_voice_eval(r["text"], rng), "source": "voice"})
        elif variant == "traditional":
            recs.append({"text": common.to_traditional(r["text"])})
        else:
            recs.append({"text": r["text"]})
    lines = score(binary_path, recs, model)
    gold_s = np.array([heads.S_IDX[r["sentiment"]] for r in rows])
    p = np.array([[probs(o)[s] for s in common.SENTIMENTS] for o in lines])
    m = {"sentiment": heads.sentiment_metrics(p, gold_s),
         "topics": topics_and_aspects(lines, [r["aspects"] for r in rows])}
    return m, rows, lines


def asap_set():
    out = []
    for i, r in enumerate(rd.rows("asap")):
        if rd.split_of("asap", i) != "dev":
            continue
        pols = {}
        for col, t in ASAP_MAP.items():
            v = int(r[col])
            if v == -2:
                continue
            pols.setdefault(t, set()).add(POL[v])
        aspects = {t: next(iter(p)) if len(p) == 1 else "neutral" for t, p in pols.items()}
        star = int(float(r["star"]))
        out.append({"text": r["reviewbody"], "star": star, "aspects": aspects})
    return out


def star_sets():
    mt = rd.meituan_star_set("dev")
    hd = []
    for r in rd.rows("haidilao"):
        try:
            s = float(r["total_score"])
        except ValueError:
            continue
        if r["comment"].strip() and (s >= 4 or s <= 2):
            hd.append({"text": r["comment"], "sentiment": "positive" if s >= 4 else "negative"})
    el = []
    for r in rd.rows("eleme"):
        s = int(r["rating"] or 0)
        if r["rating_text"].strip() and s and s != 3:
            el.append({"text": r["rating_text"], "sentiment": "positive" if s >= 4 else "negative"})
    return {"meituan": mt, "haidilao": hd, "eleme": el}


def evaluate(binary_path, model=None):
    rng = random.Random(7)
    res = {}
    for v in ("clean", "voice", "traditional"):
        res["real_dev_" + v], rows, lines = real_dev(binary_path, model, v, rng)
        if v == "clean":
            res["errors"] = [
                {"key": r["key"], "gold": r["sentiment"], "pred": o.get("sentiment", {}).get("label"),
                 "gold_topics": r["aspects"], "pred_topics": out_topics(o)}
                for r, o in zip(rows, lines)]
    for name, data in star_sets().items():
        lines = score(binary_path, [{"text": r["text"]} for r in data], model)
        res[name] = binary(lines, [r["sentiment"] for r in data])
    asap = asap_set()
    lines = score(binary_path, [{"text": r["text"]} for r in asap], model)
    b = [(o, r) for o, r in zip(lines, asap) if r["star"] != 3]
    res["asap"] = {**binary([o for o, _ in b], ["positive" if r["star"] >= 4 else "negative"
                                                  for _, r in b]),
                   "topics": topics_and_aspects(lines, [r["aspects"] for r in asap],
                                                 only=set(ASAP_MAP.values()))}
    return res


def table(res):
    lines = ["| set | n | sent. acc 3-way | macro-F1 3-way | binary acc | binary macro-F1 "
             "| topic micro-F1 | aspect sent. (found) |", "|---|---|---|---|---|---|---|---|"]
    bal = []
    for v in ("clean", "voice", "traditional"):
        m = res["real_dev_" + v]
        s, t = m["sentiment"], m["topics"]
        lines.append(f"| real_dev {v} | {s['n']} | {s['acc3']:.3f} | {s['macro_f1_3']:.3f} "
                     f"| {s['acc_bin']:.3f} | {s['macro_f1_bin']:.3f} | {t['micro_f1']:.3f} "
                     f"| {t['aspect_acc']:.3f} ({t['aspect_acc_found']:.3f}) |")
    for name in ("meituan", "haidilao", "eleme", "asap"):
        m = res[name]
        t = m.get("topics")
        tt = f"{t['micro_f1']:.3f} | {t['aspect_acc']:.3f} ({t['aspect_acc_found']:.3f})" if t \
            else "– | –"
        lines.append(f"| {name} (stars, {m['neg_share']:.0%} neg) | {m['n_bin']} | – | – "
                     f"| {m['acc_bin']:.3f} | {m['macro_f1_bin']:.3f} | {tt} |")
        bal.append(f"{name} {m['balanced_acc']:.3f} (neg {m['neg_recall']:.3f} / pos "
                   f"{m['pos_recall']:.3f})")
    lines.append("\nBalanced binary accuracy (mean of the recall of negatives and positives): "
                 + "; ".join(bal))
    lines.append("Aspect sentiment with the neutral gold aspects counted too (3-way): " + "; ".join(
        f"{k.replace('_', ' ')} {res[k]['topics']['aspect_acc3']:.3f} of {res[k]['topics']['aspects_n3']}"
        for k in ("real_dev_clean", "real_dev_voice", "asap")))
    per = res["real_dev_clean"]["topics"]["per_topic"]
    lines.append("\nPer-topic F1, real_dev clean: " + ", ".join(f"{t} {f:.2f}" for t, f in per.items()))
    per = res["asap"]["topics"]["per_topic"]
    lines.append("Per-topic F1, asap: " + ", ".join(f"{t} {f:.2f}" for t, f in per.items()
                                                    if t in set(ASAP_MAP.values())))
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(common.PROJECT, "target/release/fankui"))
    ap.add_argument("--model", default=None)
    ap.add_argument("--json", default=f"{common.WORK}/metrics_real.json")
    args = ap.parse_args()
    res = evaluate(args.bin, args.model)
    json.dump(res, open(args.json, "w"), ensure_ascii=False, indent=1)
    print(table(res))


if __name__ == "__main__":
    main()
