"""Comments/s of the Python package's `Analyzer.score` vs the `fankui score` CLI, same run, same input.

    cargo build --release --bin fankui
    .venv/bin/python benches/python_vs_cli.py [--n 10000] [--threads N] [--repeat 3]

Both score the same N comments (built from examples/feedback.jsonl and the tests/data/month
pools, each varied with a deterministic suffix so that few are exact duplicates) with the
bundled model and the same number of threads (rayon workers and ONNX Runtime sessions).

Timed:
- Python: `Analyzer.score(texts)` on a list of str, results as dicts (model loading excluded,
  the JSON hand-over and `json.loads` included);
- CLI: the scoring loop as the CLI reports it on stderr (reading the JSONL file, scoring,
  writing JSONL to a file; model loading excluded), and its whole process wall time.

Each side runs `--repeat` times, alternating; the best run of each counts. The script also
checks that both give the same results (sentiment label and score to 1e-5, topics, keywords).
Target of issue #5: Python within 15 % of the CLI.
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

SUFFIXES = ["", "", "！", "。", "！！", "…", "，下次还来", "，希望改进", "，唉", "，就这样吧", "～", "，第二次了"]


def comments(n: int, seed: int = 5) -> list[str]:
    pool = []
    with open(os.path.join(ROOT, "examples", "feedback.jsonl"), encoding="utf-8") as f:
        pool += [json.loads(line)["text"] for line in f if line.strip()]
    for path in sorted(glob.glob(os.path.join(ROOT, "tests", "data", "month", "*.txt"))):
        with open(path, encoding="utf-8") as f:
            pool += [line.strip() for line in f if line.strip() and not line.startswith("#")]
    rng = random.Random(seed)
    out = []
    for i in range(n):
        text = pool[i % len(pool)]
        out.append(text + rng.choice(SUFFIXES) + (f"（订单{rng.randrange(1000)}）" if rng.random() < 0.3 else ""))
    return out


def run_cli(cli: str, path: str, out_path: str, threads: int) -> tuple[float, float]:
    """(scoring seconds as the CLI reports them, process wall seconds)."""
    start = time.perf_counter()
    proc = subprocess.run([cli, "score", path, "--threads", str(threads), "-o", out_path],
                          capture_output=True, text=True)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"{cli} failed ({proc.returncode}): {proc.stderr}")
    m = re.search(r"records, .* in ([0-9.]+) s", proc.stderr)
    if not m:
        sys.exit(f"no summary line from the CLI: {proc.stderr!r}")
    return float(m.group(1)), wall


def same(py_rows: list[dict], cli_rows: list[dict]) -> tuple[int, float]:
    """(number of rows that differ beyond float noise, largest sentiment score difference)."""
    bad, worst = 0, 0.0
    for p, c in zip(py_rows, cli_rows):
        ps, cs = p.get("sentiment", {}), c.get("sentiment", {})
        diff = abs(ps.get("score", 0.0) - cs.get("score", 0.0))
        worst = max(worst, diff)
        if (ps.get("label") != cs.get("label") or diff > 1e-5 or p["keywords"] != c["keywords"] or p["text"] != c["text"]
                or [t["label"] for t in p.get("topics", [])] != [t["label"] for t in c.get("topics", [])]):
            bad += 1
    return bad + abs(len(py_rows) - len(cli_rows)), worst


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--cli", default=os.path.join(ROOT, "target", "release", "fankui"))
    args = ap.parse_args()
    if not os.path.exists(args.cli):
        sys.exit(f"{args.cli} is missing: run `cargo build --release --bin fankui` first")
    # The Rust core's parallel loops run on rayon's global pool: size it like the CLI's --threads.
    os.environ["RAYON_NUM_THREADS"] = str(args.threads)
    import fankui

    texts = comments(args.n)
    tmp = tempfile.mkdtemp(prefix="fankui-bench-")
    try:
        bench(args, fankui, texts, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def bench(args, fankui, texts: list[str], tmp: str) -> None:
    path, out_path = os.path.join(tmp, "comments.jsonl"), os.path.join(tmp, "scored.jsonl")
    with open(path, "w", encoding="utf-8") as f:
        for i, t in enumerate(texts):
            f.write(json.dumps({"id": i, "text": t}, ensure_ascii=False) + "\n")

    t0 = time.perf_counter()
    analyzer = fankui.Analyzer(threads=args.threads)
    load = time.perf_counter() - t0
    analyzer.score(texts[:200])  # warm-up (first-call allocations in ONNX Runtime)
    run_cli(args.cli, path, out_path, args.threads)

    py_times, cli_times, cli_walls = [], [], []
    rows: list[dict] = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        rows = analyzer.score(texts)
        py_times.append(time.perf_counter() - t0)
        secs, wall = run_cli(args.cli, path, out_path, args.threads)
        cli_times.append(secs)
        cli_walls.append(wall)
    with open(out_path, encoding="utf-8") as f:
        cli_rows = [json.loads(line) for line in f]
    differ, worst = same(rows, cli_rows)

    py_rate, cli_rate = args.n / min(py_times), args.n / min(cli_times)
    cli_wall_rate = args.n / min(cli_walls)
    ratio = py_rate / cli_rate
    print(f"{args.n} comments, {args.threads} threads, {os.cpu_count()} cores, best of {args.repeat}; "
          f"fankui {fankui.__version__}, model load {load:.2f} s (Python)")
    print(f"Python Analyzer.score:        {py_rate:8.0f} comments/s  (runs: {', '.join(f'{t:.2f}' for t in py_times)} s)")
    print(f"CLI fankui score (scoring):   {cli_rate:8.0f} comments/s  (runs: {', '.join(f'{t:.2f}' for t in cli_times)} s)")
    print(f"CLI fankui score (process):   {cli_wall_rate:8.0f} comments/s  (with start-up and model load)")
    print(f"Python / CLI: {ratio:.3f}  ({'within' if ratio >= 0.85 else 'NOT within'} 15 % of the CLI)")
    print(f"results: {differ} of {args.n} differ beyond 1e-5 (largest sentiment score difference {worst:.1e})")


if __name__ == "__main__":
    main()
