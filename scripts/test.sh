#!/usr/bin/env bash
# Every test: Rust unit, integration and doc tests (incl. the README's examples),
# then the Python package's tests against the freshly built extension.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo test --all-targets
cargo test --doc
# Build the Python package into the project venv (incremental after the first time).
VIRTUAL_ENV="$PWD/.venv" PATH="$PWD/.venv/bin:$PATH" .venv/bin/maturin develop --release --quiet -m python/Cargo.toml
.venv/bin/python -m pytest python/tests -q
