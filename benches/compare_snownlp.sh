#!/usr/bin/env bash
# Whole-pipeline throughput of `fankui score` (normalize, clauses, segmentation,
# quality, model: sentiment + topics per record and per clause) on N comments,
# against SnowNLP's `SnowNLP(text).sentiments` over the same comments, in one run.
# Comments: N distinct comments (10,000 by default), each one to three sentences drawn
# (seeded) from the project's own written sentences (models/build/data/*.jsonl,
# tests/data/month/*.txt), so that no two comments are the same and nothing is cached.
# LONG=1: long reviews instead, each of at least 300 characters (sentences joined until the
# comment reaches 300), 2,000 by default.
# MODEL=accurate (or a model directory): that model instead of the bundled default.
# Usage: [R=runs] [LONG=1] [MODEL=accurate] benches/compare_snownlp.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-bench.txt
LONG=${LONG:-0}
if [ "$LONG" = 1 ]; then N=${1:-2000}; else N=${1:-10000}; fi
mkdir -p bench-out
cargo build --release --quiet --bin fankui
python3 - "$N" "$LONG" > bench-out/snownlp_input.jsonl <<'PY'
import glob, json, random, sys
n, long_ = int(sys.argv[1]), sys.argv[2] == "1"
pool = []
for f in sorted(glob.glob("models/build/data/*.jsonl")):
    pool += [json.loads(l)["text"] for l in open(f, encoding="utf-8") if l.strip()]
for f in sorted(glob.glob("tests/data/month/*.txt")):
    pool += [l.strip() for l in open(f, encoding="utf-8") if l.strip() and not l.startswith("#")]
pool = sorted(set(pool))
rng, seen = random.Random(7), set()
while len(seen) < n:
    if long_:
        t = ""
        while len(t) < 300:
            t += rng.choice(pool).rstrip("。！!？?") + rng.choice("，。！")
    else:
        t = "，".join(rng.choice(pool).rstrip("。！!？?") for _ in range(rng.choice([1, 1, 2, 2, 3])))
    if t not in seen:
        seen.add(t)
        print(json.dumps({"id": f"b{len(seen)}", "text": t}, ensure_ascii=False))
PY
# Best of R runs for each side, interleaved, so that a noisy neighbour on a shared machine
# slows both sides alike (R=3 by default).
R=${R:-3}
best=""
py=""
for i in $(seq "$R"); do
    s=$(date +%s.%N)
    ./target/release/fankui score bench-out/snownlp_input.jsonl --quiet -o bench-out/snownlp_fankui.jsonl ${MODEL:+--model "$MODEL"}
    e=$(date +%s.%N)
    t=$(python3 -c "print($e - $s)")
    best=$(python3 -c "print(min(float(x) for x in '$t $best'.split()))")
    p=$(.venv/bin/python - bench-out/snownlp_input.jsonl <<'PY'
import json, sys, time
from snownlp import SnowNLP
texts = [json.loads(l)["text"] for l in open(sys.argv[1], encoding="utf-8")]
SnowNLP("预热").sentiments  # load the model outside the timed region
s = time.perf_counter()
for t in texts:
    SnowNLP(t).sentiments
print(time.perf_counter() - s)
PY
)
    py=$(python3 -c "print(min(float(x) for x in '$p $py'.split()))")
done
python3 - "$N" "$best" "$py" bench-out/snownlp_input.jsonl "${MODEL:-}" <<'PY'
import json, sys
n, rust, py = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
chars = sum(len(json.loads(l)["text"]) for l in open(sys.argv[4], encoding="utf-8")) / n
print(f"{n} distinct comments, {chars:.0f} characters on average")
print(f"SnowNLP(text).sentiments, 1 process:  {n/py:>8.0f} comments/s")
model = f", model {sys.argv[5]}" if sys.argv[5] else ""
print(f"fankui score (whole pipeline, 2 cores{model}): {n/rust:>8.0f} comments/s  ({py/rust:.1f}x SnowNLP)")
PY
