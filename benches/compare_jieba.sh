#!/usr/bin/env bash
# Runs the criterion bench of fankui's text pipeline and Python jieba.lcut over the
# same comments in one run, and prints both rates and their ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-bench.txt
CORPUS=${FANKUI_BENCH_CORPUS:-examples/feedback.jsonl}
N=6000   # keep in sync with benches/text_pipeline.rs
FANKUI_BENCH_CORPUS=$CORPUS cargo bench --bench text_pipeline -- --noplot
py=$(.venv/bin/python benches/jieba_baseline.py "$CORPUS" "$N")
.venv/bin/python - "$py" "$N" <<'PY'
import json, sys
py = json.loads(sys.argv[1]); n = int(sys.argv[2])
def rate(name):
    est = json.load(open(f"target/criterion/text_pipeline/{name}/new/estimates.json"))
    return n / (est["mean"]["point_estimate"] / 1e9)
rust_all, rust_one = rate("analyze_batch"), rate("analyze_batch_1_thread")
print(f"python jieba.lcut (segmentation only, 1 thread): {py['comments_per_s']:>10.0f} comments/s")
print(f"fankui text pipeline, 1 thread:                 {rust_one:>10.0f} comments/s  ({rust_one / py['comments_per_s']:.1f}x)")
print(f"fankui text pipeline, all cores:                {rust_all:>10.0f} comments/s  ({rust_all / py['comments_per_s']:.1f}x)")
PY
