#!/usr/bin/env bash
# Builds the fankui abi3 wheel, installs it into a fresh venv (onnxruntime and numpy
# come from the package index as its dependencies) and scores one comment from a
# directory outside the repository, with no fankui/ONNX Runtime environment variables.
# Checks that the bundled model and ONNX Runtime are the ones inside the fresh venv.
#
#   bash scripts/wheel_smoke.sh            # temp dir removed afterwards
#   KEEP=1 bash scripts/wheel_smoke.sh     # keep it (the wheel stays in $TMP/dist)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

PYTHON=${PYTHON:-python3}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/fankui-wheel.XXXXXX")
if [ -z "${KEEP:-}" ]; then trap 'rm -rf "$TMP"' EXIT; else echo "wheel_smoke: keeping $TMP" >&2; fi

echo "wheel_smoke: building the wheel" >&2
VIRTUAL_ENV="$PWD/.venv" PATH="$PWD/.venv/bin:$PATH" \
  .venv/bin/maturin build --release --quiet -m python/Cargo.toml -o "$TMP/dist"
wheel=$(ls "$TMP"/dist/fankui-*.whl)
echo "wheel: $(basename "$wheel") ($(du -h "$wheel" | cut -f1), $(stat -c %s "$wheel") bytes)"
# The bundled model must be in the wheel as real files (python/fankui/model is a symlink).
.venv/bin/python - "$wheel" <<'PY'
import sys, zipfile
names = {i.filename: i.file_size for i in zipfile.ZipFile(sys.argv[1]).infolist()}
assert "fankui/py.typed" in names, "wheel lacks fankui/py.typed"
for f in ("fankui/__init__.py", "fankui/__init__.pyi", "fankui/_fankui.abi3.so",
          "fankui/model/model.onnx", "fankui/model/first_layer.bin", "fankui/model/tokenizer.json",
          "fankui/model/labels.json"):
    assert names.get(f), f"wheel lacks {f} (or it is empty)"
print("wheel contents:", ", ".join(f"{n} ({s / 1e6:.1f} MB)" for n, s in sorted(names.items()) if s > 1e6))
PY

echo "wheel_smoke: installing into a fresh venv" >&2
"$PYTHON" -m venv "$TMP/venv"
"$TMP/venv/bin/python" -m pip install --quiet --disable-pip-version-check "$wheel"

mkdir -p "$TMP/elsewhere"
cd "$TMP/elsewhere"
run() { env -u ORT_DYLIB_PATH -u FANKUI_MODEL_DIR -u VIRTUAL_ENV -u PYTHONPATH "$TMP/venv/bin/python" "$@"; }
run -c "import fankui; print(fankui.Analyzer().score(['薯条有股怪味']))"
run - "$TMP/venv" <<'PY'
import os, sys
import fankui
venv = os.path.realpath(sys.argv[1])
model = fankui.Analyzer().config["classify"]["model"]
for what, path in (("package", fankui.__file__), ("model", model["dir"]), ("onnxruntime", model["runtime"])):
    assert os.path.realpath(path).startswith(venv + os.sep), f"{what} {path} is not inside the fresh venv"
    print(f"{what}: {path}")
[row] = fankui.Analyzer().score(["薯条有股怪味"])
assert row["sentiment"]["label"] == "negative", row
print("wheel_smoke: ok")
PY
