#!/usr/bin/env bash
# The main job on the bundled example data: score every record of
# examples/feedback.jsonl and print one JSON line per record.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo build --release --quiet
./target/release/fankui score examples/feedback.jsonl "$@"
