"""Draws the real review units (sentences / short reviews) that were hand-labelled for fankui
and writes them, with their text, to work/label/batch_NN.jsonl for the labellers. Only the keys
and labels are committed (data/real_labels/); the text stays in ../shared/data/real/.

Fixed seed: rerunning gives the same batches.   python3 sample_for_labels.py [--batches 6]

Round 2 (`--round 2`, batches 06..09): 2,000 more units from train shops only (real_dev stays
the 1,236 units of round 1), none already labelled, with a different seed.
    python3 sample_for_labels.py --round 2

Round 3 (`--round 3`, batches 10..13): 2,000 **clauses** (cut at every comma, full stop, space
or newline; 2-40 characters) from train shops only, none already labelled. Short complaint
clauses were the weak spot of 0.6.0 on real_dev ("很贵！", "很辣。", "汤不鲜！" called positive),
so low-star Meituan reviews are drawn 8x (1-2 stars) and 4x (3 stars) more often.
    python3 sample_for_labels.py --round 3

Round 4 (`--round 4`, batches 14..17): 1,200 clauses of train shops that carry a degree adverb
(很 挺 太 非常 特别 超 蛮 比较 有点 有些). 0.7.0 still reads a clause opening with 很 as praise
("很贵" +0.87, "服务员很没礼貌" +0.97), so this round draws exactly those clauses, praise and
complaint alike (low-star Meituan reviews drawn 8x / 4x, as in round 3).
    python3 sample_for_labels.py --round 4

Round 5 (`--round 5`, batches 18..21): 1,200 clauses of train shops chosen by what model 0.8.1
gets unsure or blind on (needs target/release/fankui and the bundled model). A candidate pool of
train-shop clauses (low-star Meituan reviews drawn 8x / 4x) goes through `fankui score`, one
clause per record; 800 are drawn from clauses of 6+ characters that the model reads with a clear
sentiment (|score| >= 0.5) but no topic (real_dev's most missed aspects are implicit: "按了很多次
都没人来" is service, "送了果盘" service), and 400 from clauses with a topic whose sentiment the
model is unsure of (|score| < 0.6).
    python3 sample_for_labels.py --round 5
"""
import argparse
import json
import os
import random
import re

import common
import real_data as rd

TAG = re.compile(r"^(「#[^」]*」\s*)+")
CLAUSE_END = re.compile(r"[，,；;。！？!?～~\s]+")


def clause_spans(text):
    """Clause-like spans (start, end) of a review: cut at every comma, full stop, blank or
    newline (close to the runtime clause splitter), 2-40 characters with a Chinese character."""
    out, start = [], 0
    for m in list(CLAUSE_END.finditer(text)) + [None]:
        end = m.start() if m else len(text)
        u = text[start:end]
        if 2 <= len(u) <= 40 and re.search(r"[\u4e00-\u9fff]", u):
            out.append((start, end))
        if m:
            start = m.end()
    return out


DEGREE = re.compile(r"很|挺|太|非常|特别|超|蛮|比较|有点|有些")


def degree_spans(text):
    """Round 4: the clauses of `clause_spans` that carry a degree adverb."""
    return [(s, e) for s, e in clause_spans(text) if DEGREE.search(text[s:e])]


def review_units(name, row, seen, max_units=8, spans=None):
    text = rd.text_of(name, row)
    out = []
    for s, e in (spans or rd.units)(text):
        m = TAG.match(text[s:e])
        if m:
            s += m.end()
        u = text[s:e].strip()
        if len(u) < 3 or u in seen or not re.search(r"[\u4e00-\u9fff]", u):
            continue
        seen.add(u)
        out.append((rd.key(name, row, s, e), u))
        if len(out) >= max_units:
            break
    return out


def draw(name, split, target, rng, seen, weight=None, max_units=8, spans=None):
    idx = [i for i in range(len(rd.rows(name))) if rd.split_of(name, i) == split]
    if weight:
        idx.sort(key=lambda i: rng.random() ** (1.0 / weight(i)), reverse=True)
    else:
        rng.shuffle(idx)
    out = []
    for i in idx:
        if len(out) >= target:
            break
        out += review_units(name, i, seen, max_units, spans)
    return out[:target]


def round5_items(rng, seen, mt_weight):
    """Round 5: the clauses of a train-shop pool that model 0.8.1 reads with a clear sentiment
    but no topic (800), or with a topic but an unsure sentiment (400)."""
    from evaluate_cli import score
    pool = []
    for name, n, w in [("meituan", 9000, mt_weight), ("dpsent", 3000, None), ("asap", 1500, None)]:
        pool += [(name, k, t) for k, t in draw(name, "train", n, rng, seen, w, max_units=3,
                                              spans=clause_spans)]
    binary = os.path.join(common.PROJECT, "target/release/fankui")
    outs = score(binary, [{"text": t} for _, _, t in pool])
    blind, unsure = [], []
    for (name, k, t), o in zip(pool, outs):
        topics = [x["label"] for x in o.get("topics", []) if x["label"] != "other"]
        s = abs(o["sentiment"]["score"])
        if not topics and s >= 0.5 and len(t) >= 6:
            blind.append((name, k, t))
        elif topics and s < 0.6:
            unsure.append((name, k, t))
    print(f"pool {len(pool)} clauses: {len(blind)} blind, {len(unsure)} unsure")
    rng.shuffle(blind)
    rng.shuffle(unsure)
    return [label_item(name, k, t) for name, k, t in blind[:800] + unsure[:400]]


def label_item(name, k, t):
    """A unit for the labellers: its key, its text and (when longer) the review it comes from,
    for context only."""
    _, row, _, _ = rd.parse_key(k)
    whole = rd.text_of(name, row).strip()
    it = {"k": k, "text": t}
    if whole != t:
        it["ctx"] = whole if len(whole) <= 240 else whole[:240] + "…"
    return it


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batches", type=int, default=6)
    ap.add_argument("--round", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(common.SEED + (args.round - 1) * 7919)
    seen = set()
    first = 0
    if args.round >= 2:
        # every unit labelled in an earlier round (and its text) is skipped
        for r in rd.load_labels():
            seen.add(r["text"].strip())
        first, args.batches = {2: (6, 4), 3: (10, 4), 4: (14, 4), 5: (18, 4)}[args.round]

    def mt_weight(i):  # oversample low stars: complaints are rare in the file
        star = int(rd.rows("meituan")[i]["star"] or 0)
        return 6.0 if 0 < star <= 20 else 3.0 if star == 30 else 1.0

    def mt_weight3(i):  # round 3: complaint clauses are the weak spot
        star = int(rd.rows("meituan")[i]["star"] or 0)
        return 8.0 if 0 < star <= 20 else 4.0 if star == 30 else 1.0

    items = []
    plan3 = [("meituan", "train", 1400, mt_weight3), ("dpsent", "train", 400, None),
             ("asap", "train", 200, None)]
    plan2 = [("meituan", "train", 1100, mt_weight), ("dpsent", "train", 600, None),
             ("asap", "train", 300, None)]
    plan4 = [("meituan", "train", 900, mt_weight3), ("dpsent", "train", 300, None)]
    plan = plan4 if args.round == 4 else plan3 if args.round == 3 else plan2 if args.round == 2 else [("meituan", "train", 1500, mt_weight), ("meituan", "dev", 560, mt_weight),
            ("dpsent", "train", 650, None), ("dpsent", "dev", 300, None),
            ("asap", "train", 200, None), ("asap", "dev", 200, None),
            ("haidilao", "dev", 150, None), ("eleme", "dev", 70, None)]
    if args.round == 5:
        plan = []
        items = round5_items(rng, seen, mt_weight3)
    for name, split, n, w in plan:
        if args.round >= 3:
            spans = degree_spans if args.round == 4 else clause_spans
            got = draw(name, split, n, rng, seen, w, max_units=2 if args.round == 4 else 3,
                       spans=spans)
        else:
            got = draw(name, split, n, rng, seen, w)
        print(f"{name:9s} {split:5s} {len(got)} units")
        items += [label_item(name, k, t) for k, t in got]
    rng.shuffle(items)
    os.makedirs(f"{common.WORK}/label", exist_ok=True)
    per = -(-len(items) // args.batches)
    for b in range(args.batches):
        with open(f"{common.WORK}/label/batch_{first + b:02d}.jsonl", "w", encoding="utf-8") as f:
            for it in items[b * per:(b + 1) * per]:
                f.write(json.dumps(it, ensure_ascii=False) + "\n")
    print(f"{len(items)} units in {args.batches} batches of {per}")


if __name__ == "__main__":
    main()
