#!/usr/bin/env bash
# What `fankui issues` costs beyond `fankui score`, on *distinct* comments (the
# duplicate cache cannot help): N comments made from the real reviews of
# ../shared/data/real/ (each with an opener and a closer written for fankui, so
# that no two are the same; nothing of them is written into the project, only
# into bench-out/, which git ignores), spread over 3,500 stores and 28 days.
# Runs both commands on the same file, one after the other, and prints records/s,
# the ratio and the peak RSS (GNU time). The machine may be shared: compare the
# ratio, not the absolute speed. Usage: benches/issues_vs_score.sh [N] (default 150000)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-150000}
BIN=${FANKUI:-${CARGO_TARGET_DIR:-target}/release/fankui}
[ -x "$BIN" ] || cargo build --release --quiet --bin fankui
mkdir -p bench-out
IN=bench-out/distinct_${N}.jsonl
[ -s "$IN" ] || python3 - "$N" "$IN" <<'EOF'
import csv, json, random, sys
n, out = int(sys.argv[1]), sys.argv[2]
base = "../shared/data/real/"
texts = []
for name, col in [("meituan_hotpot_reviews.csv", "comment"), ("dianping_haidilao_aspect_scores.csv", "comment"),
                  ("asap_samples.csv", "reviewbody"), ("eleme_comments.csv", "rating_text")]:
    with open(base + name, newline="", encoding="utf-8") as f:
        texts += [r[col] for r in csv.DictReader(f) if r.get(col)]
with open(base + "dianping_sentences_unlabeled.jsonl", encoding="utf-8") as f:
    texts += [json.loads(l).get("s", "") for l in f if l.strip()]
texts = [" ".join(t.split())[:120] for t in texts if len(t.strip()) >= 4]
openers = ["", "", "今天中午点的，", "第二次来了，", "说实话，", "和朋友一起来的，", "周末带孩子来，", "晚上加班点的，",
           "路过顺便吃的，", "同事推荐的，", "第一次在这家，", "老顾客了，"]
closers = ["", "。", "！", "，希望改进", "，下次还来", "，一般般吧", "，就这样", "，给个中评", "～", "，推荐", "，还行",
           "，有点失望"]
rng = random.Random(7)
seen, rows = set(), []
while len(rows) < n:
    t = rng.choice(openers) + rng.choice(texts) + rng.choice(closers)
    if t in seen:
        continue
    seen.add(t)
    i = len(rows)
    day, store = rng.randrange(28), rng.randrange(3500)
    rows.append({"id": f"d{i}", "time": f"2026-10-{day + 1:02d}T{10 + rng.randrange(12):02d}:{rng.randrange(60):02d}:00+08:00",
                 "store": f"S{store:04d}", "region": f"R{store % 20:02d}", "text": t})
rows.sort(key=lambda r: r["time"])
with open(out, "w", encoding="utf-8") as f:
    for r in rows:
        f.write(json.dumps(r, ensure_ascii=False) + "\n")
EOF
run() { # label, command...
    local label=$1; shift
    /usr/bin/time -v -o "bench-out/time_$label.txt" "$@" > "bench-out/out_$label.jsonl"
    local wall rss secs
    wall=$(grep "Elapsed (wall clock)" "bench-out/time_$label.txt" | awk '{print $NF}')
    rss=$(grep "Maximum resident set size" "bench-out/time_$label.txt" | awk '{print $NF}')
    secs=$(python3 -c "p='$wall'.split(':'); print(sum(float(x)*60**i for i,x in enumerate(reversed(p))))")
    echo "$label: $N records in ${secs}s = $(python3 -c "print(round($N/$secs))") records/s, peak RSS $((rss / 1024)) MiB" | tee -a bench-out/issues_vs_score.txt
    echo "$secs" > "bench-out/secs_$label.txt"
}
run score "$BIN" score "$IN" --quiet
run issues "$BIN" issues "$IN" --group-field store --group-field region --now 2026-10-29 --quiet
python3 -c "s=float(open('bench-out/secs_score.txt').read()); i=float(open('bench-out/secs_issues.txt').read()); print(f'issues/score time ratio {i/s:.2f}; 1.5 M distinct at this issues speed: {1.5e6/($N/i)/60:.1f} min')" | tee -a bench-out/issues_vs_score.txt
