#!/usr/bin/env bash
# Whole-pipeline throughput of `fankui score` (normalize, clauses, segmentation,
# quality, model: sentiment + topics per record and per clause) on N comments,
# against SnowNLP's `SnowNLP(text).sentiments` over the same comments, in one run.
# Comments: the first N records of examples/month.jsonl (N=10000 by default).
# Usage: benches/compare_snownlp.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-bench.txt
N=${1:-10000}
mkdir -p bench-out
cargo build --release --quiet --bin fankui
head -n "$N" examples/month.jsonl > bench-out/snownlp_input.jsonl
best=""
for i in 1 2 3; do
    s=$(date +%s.%N)
    ./target/release/fankui score bench-out/snownlp_input.jsonl --quiet -o bench-out/snownlp_fankui.jsonl
    e=$(date +%s.%N)
    t=$(python3 -c "print($e - $s)")
    best=$(python3 -c "print(min(float(x) for x in '$t $best'.split()))")
done
py=$(.venv/bin/python - bench-out/snownlp_input.jsonl <<'PY'
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
python3 - "$N" "$best" "$py" <<'PY'
import sys
n, rust, py = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
print(f"SnowNLP(text).sentiments, 1 process:  {n/py:>8.0f} comments/s")
print(f"fankui score (whole pipeline, 2 cores): {n/rust:>8.0f} comments/s  ({py/rust:.1f}x SnowNLP)")
PY
