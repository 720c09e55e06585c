#!/usr/bin/env bash
# Whole-pipeline bench of `fankui issues` on a big chain's month: 3,500 stores,
# ~1.5 million records (tests/common/month.rs scaled up), scored by the bundled
# model, clustered, spike-tested. Reports wall time, records/s and peak memory
# (GNU time's maximum resident set size). Usage: benches/issues_month.sh [VOLUME]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
VOLUME=${1:-6.1}
mkdir -p bench-out
cargo build --release --quiet --bin fankui --example make_month
IN=bench-out/month_${VOLUME}.jsonl
[ -s "$IN" ] || ./target/release/examples/make_month --stores-per-region 875 --volume "$VOLUME" > "$IN"
N=$(wc -l < "$IN")
/usr/bin/time -v -o bench-out/issues_time.txt ./target/release/fankui issues "$IN" \
    --group-field store --group-field region --quiet -o bench-out/issues.jsonl
wall=$(grep "Elapsed (wall clock)" bench-out/issues_time.txt | awk '{print $NF}')
rss=$(grep "Maximum resident set size" bench-out/issues_time.txt | awk '{print $NF}')
secs=$(python3 -c "p='$wall'.split(':'); print(sum(float(x)*60**i for i,x in enumerate(reversed(p))))")
echo "fankui issues: $N records in $wall (${secs}s) = $(python3 -c "print(round($N/$secs))") records/s, peak RSS $((rss/1024)) MiB, $(wc -l < bench-out/issues.jsonl) issues"
head -5 bench-out/issues.jsonl | python3 -c "
import json,sys
for l in sys.stdin:
    d=json.loads(l); print(' ', d['severity'], d['kind'], d['name'], d['start'], d['end'], d['count'])"
