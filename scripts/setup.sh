#!/usr/bin/env bash
# Installs what fankui needs beyond the Rust toolchain, into the project only:
# a Python venv at .venv with the pinned packages of requirements-dev.txt
# (ONNX Runtime's CPU library, pytest, maturin, ...). Idempotent: a second run
# with unchanged requirements does nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=.venv
REQ=requirements-dev.txt
STAMP=$VENV/.fankui-requirements.sha256

if [ ! -x "$VENV/bin/python" ]; then
  echo "setup: creating $VENV" >&2
  "$PYTHON" -m venv "$VENV"
fi

want=$(sha256sum "$REQ" | cut -d' ' -f1)
have=$(cat "$STAMP" 2>/dev/null || true)
if [ "$want" != "$have" ]; then
  echo "setup: installing $REQ into $VENV" >&2
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQ"
  echo "$want" > "$STAMP"
fi
