#!/usr/bin/env bash
# Peak memory of `fankui score` (bundled model) on hostile inputs and on a normal file.
#
#   hostile  150 comments of 10,000 characters (the default max_chars), each 3,333
#            clauses of 3 characters ("好吃，辣香，...", random Han pairs)
#   mixed    the 150 hostile comments, 150 comments of 10,000 characters in clauses
#            of 12, 150 of 10,000 characters without punctuation (one clause) and
#            the 300 comments of examples/feedback.jsonl, interleaved
#   normal   examples/month.jsonl (14,412 ordinary comments)
#
# Each file runs through the release binary under GNU time; the script prints peak
# RSS (GNU time's "Maximum resident set size") and wall time, and fails when a
# hostile or mixed run reaches 1 GiB or does not yield one output line per record.
# Usage: benches/memory.sh [FANKUI_BINARY]   (default: builds ./target/release/fankui)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -ge 1 ]; then
    F=$1
else
    bash scripts/setup.sh >/dev/null
    cargo build --release --quiet --bin fankui
    F=./target/release/fankui
fi
OUT=bench-out/memory
mkdir -p "$OUT"

python3 - "$OUT" <<'EOF'
import json, random, sys
out = sys.argv[1]
rng = random.Random(7)
han = "好吃辣香甜咸酸苦鲜嫩脆软硬凉热烫快慢贵便宜大小多少干净脏乱服务态度外卖送餐包装味道口感分量价格环境薯条汉堡可乐鸡翅米饭面条"
def hostile():
    # 3,333 clauses of two characters and a comma, plus one character: 10,000 in all.
    return "".join(rng.choice(han) + rng.choice(han) + "，" for _ in range(3333)) + "好"
def long_clauses():
    s = ""
    while len(s) < 10_000 - 12:
        s += "".join(rng.choice(han) for _ in range(11)) + "。"
    return s
def run_on():
    return "".join(rng.choice(han) for _ in range(10_000))
normal = [json.loads(l) for l in open("examples/feedback.jsonl", encoding="utf-8")]
with open(f"{out}/hostile.jsonl", "w", encoding="utf-8") as f:
    for i in range(150):
        f.write(json.dumps({"id": f"h{i}", "text": hostile()}, ensure_ascii=False) + "\n")
with open(f"{out}/mixed.jsonl", "w", encoding="utf-8") as f:
    rows = [{"id": f"h{i}", "text": hostile()} for i in range(150)]
    rows += [{"id": f"l{i}", "text": long_clauses()} for i in range(150)]
    rows += [{"id": f"r{i}", "text": run_on()} for i in range(150)]
    rows += normal
    rng.shuffle(rows)
    for r in rows:
        f.write(json.dumps(r, ensure_ascii=False) + "\n")
EOF
cp examples/month.jsonl "$OUT/normal.jsonl"

status=0
for name in hostile mixed normal; do
    in=$OUT/$name.jsonl
    /usr/bin/time -v -o "$OUT/$name.time" "$F" score "$in" --quiet -o "$OUT/$name.out.jsonl" || true
    rss_kb=$(grep "Maximum resident set size" "$OUT/$name.time" | awk '{print $NF}')
    wall=$(grep "Elapsed (wall clock)" "$OUT/$name.time" | awk '{print $NF}')
    n_in=$(grep -c . "$in")
    n_out=$(grep -c . "$OUT/$name.out.jsonl" || true)
    capped=$(grep -c '"unscored_clauses"' "$OUT/$name.out.jsonl" || true)
    printf '%-8s %6d records -> %6d lines (%d with unscored_clauses), peak RSS %5d MiB, wall %s\n' \
        "$name" "$n_in" "$n_out" "$capped" $((rss_kb / 1024)) "$wall"
    if [ "$n_in" != "$n_out" ]; then
        echo "  FAIL: one output line per record expected" >&2
        status=1
    fi
    if [ "$name" != normal ] && [ "$rss_kb" -ge $((1024 * 1024)) ]; then
        echo "  FAIL: peak RSS at or over 1 GiB" >&2
        status=1
    fi
done
exit $status
