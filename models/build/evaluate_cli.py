"""Validation figures through the real pipeline: `fankui score` (Rust normaliser, voice cleanup,
clauses, spans) on build/data/val_restaurant.jsonl, as a user of the CLI would see them.

evaluate.py scores whole sentences with Python onnxruntime; this script runs the release binary
(`cargo build --release --features cli` first) and reads each record's `sentiment` and `topics`
(the union of its clauses' topics, `other` ignored). Variants: clean text; voice transcripts
(punctuation stripped, fillers inserted, sent with "source": "voice"); Traditional characters
(OpenCC s2t). Writes work/metrics_cli.json and prints a markdown table.

    .venv/bin/python evaluate_cli.py [--bin ../../target/release/fankui] [--model DIR]
"""

import argparse
import json
import os
import random
import subprocess
import tempfile

import numpy as np

import common
import evaluate
import heads


def score(binary, records, model=None):
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as f:
        for i, r in enumerate(records):
            f.write(json.dumps({"id": str(i), **r}, ensure_ascii=False) + "\n")
        path = f.name
    cmd = [binary, "score", path, "--quiet"] + (["--model", model] if model else [])
    try:
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    finally:
        os.unlink(path)
    lines = [json.loads(line) for line in out.splitlines() if line.strip()]
    assert len(lines) == len(records), f"{len(lines)} output lines for {len(records)} records"
    return lines


def metrics(lines, rows):
    gold_s = np.array([heads.S_IDX[r["sentiment"]] for r in rows])
    gold_t = np.array([[t in r["topics"] for t in common.TOPICS] for r in rows], float)
    probs = np.array([[o["sentiment"]["probs"][s] for s in common.SENTIMENTS] for o in lines])
    pred_t = np.array([[any(x["label"] == t for x in o.get("topics", [])) for t in common.TOPICS]
                       for o in lines], float)
    sm = heads.sentiment_metrics(probs, gold_s)
    tm = heads.topic_metrics(pred_t, gold_t)
    return {"sentiment": sm, "topics": tm}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(common.PROJECT, "target/release/fankui"))
    ap.add_argument("--model", default=None)
    args = ap.parse_args()
    rows = common.load_restaurant_val()
    rng = random.Random(7)
    variants = {
        "clean": [{"text": r["text"]} for r in rows],
        "voice": [{"text": evaluate.to_voice_eval(r["text"], rng), "source": "voice"} for r in rows],
        "traditional": [{"text": common.to_traditional(r["text"])} for r in rows],
    }
    out = {}
    for name, records in variants.items():
        out[name] = metrics(score(args.bin, records, args.model), rows)
    os.makedirs(common.WORK, exist_ok=True)
    json.dump(out, open(f"{common.WORK}/metrics_cli.json", "w"), indent=1)
    print(f"`fankui score` on val_restaurant.jsonl ({len(rows)} sentences)\n")
    print("| variant | sent. acc (3-way) | macro-F1 (3-way) | binary acc | binary macro-F1 "
          "| topic micro-F1 |")
    print("|---|---|---|---|---|---|")
    for name, m in out.items():
        s, t = m["sentiment"], m["topics"]
        print(f"| {name} | {s['acc3']:.3f} | {s['macro_f1_3']:.3f} | {s['acc_bin']:.3f} "
              f"| {s['macro_f1_bin']:.3f} | {t['micro_f1']:.3f} |")
    print("\nPer-topic F1 (clean): " + ", ".join(
        f"{t} {f:.2f}" for t, f in out["clean"]["topics"]["per_topic"].items()))


if __name__ == "__main__":
    main()
