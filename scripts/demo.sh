#!/usr/bin/env bash
# The main job on the bundled example data and model:
#  1. score every record of examples/feedback.jsonl (300 comments, typed and voice,
#     some Traditional, some junk): one JSON line per record on stdout;
#  2. find the named issues in examples/month.jsonl (a synthetic month of 200 stores
#     with injected incidents): one JSON line per issue, most severe first;
#  3. write report.html, the self-contained HTML report of the month from 2026-10-15 on.
# Extra arguments go to `fankui score`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo build --release --quiet --bin fankui
./target/release/fankui score examples/feedback.jsonl "$@"
echo "--- fankui issues examples/month.jsonl --group-field store --group-field region" >&2
./target/release/fankui issues examples/month.jsonl --group-field store --group-field region
echo "--- fankui report examples/month.jsonl --group-field store --group-field region --since 2026-10-15 -o report.html" >&2
./target/release/fankui report examples/month.jsonl --group-field store --group-field region --since 2026-10-15 -o report.html
