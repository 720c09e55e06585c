#!/usr/bin/env bash
# The main job on the bundled example data and model:
#  1. score every record of examples/feedback.jsonl (300 comments, typed and voice,
#     some Traditional, some junk): one JSON line per record on stdout;
#  2. find the named issues in examples/month.jsonl (a synthetic month of 200 stores
#     with injected incidents, with their attributes and daily orders): one JSON line
#     per issue, most severe first; then the tickets of the red and yellow ones;
#  3. write report.html, the self-contained HTML report of the month from 2026-10-15 on
#     (with the tickets, store attributes and complaints per 1,000 orders).
# Extra arguments go to `fankui score`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo build --release --quiet --bin fankui
./target/release/fankui score examples/feedback.jsonl "$@"
tickets="${TMPDIR:-/tmp}/fankui-demo-tickets.jsonl"
echo "--- fankui issues examples/month.jsonl --group-field store --group-field region --stores examples/stores.csv --volume examples/volume.csv --tickets $tickets" >&2
./target/release/fankui issues examples/month.jsonl --group-field store --group-field region \
  --stores examples/stores.csv --volume examples/volume.csv --tickets "$tickets"
echo "--- tickets ($tickets)" >&2
cat "$tickets"
report=(--group-field store --group-field region --stores examples/stores.csv --volume examples/volume.csv
        --tickets "$tickets" --since 2026-10-15)
echo "--- fankui report examples/month.jsonl ${report[*]} -o report.html" >&2
./target/release/fankui report examples/month.jsonl "${report[@]}" -o report.html
