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

# The report's browser test (python/tests/test_report_browser.py) drives Debian's
# chromium through Playwright (pip, above; it never downloads a browser of its own).
# As root, install chromium (and CJK fonts, so Chinese shows in screenshots) when it
# is missing; elsewhere the test skips and says why.
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing chromium for the report's browser test" >&2
    if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; }; then
      echo "setup: could not install chromium; the browser test will be skipped" >&2
      # CI must run the browser test: fail there instead of skipping it quietly.
      [ "${CI:-}" = true ] && exit 1
    fi
  else
    echo "setup: chromium not found (install it as root: apt-get install chromium); the browser test will be skipped" >&2
  fi
fi
