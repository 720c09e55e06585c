#!/usr/bin/env bash
# Rebuilds models/default/{tokenizer.json,model.onnx,first_layer.bin,labels.json},
# lexicons/voice_breaks.bin and models/accurate/{tokenizer.json,model.onnx,labels.json} from
# package-registry inputs
# (requirements.txt) and the public corpora in ../shared/data (read in place, never copied).
# Reproducible: fixed seeds, pinned versions. Takes ~80 minutes (~90 with FINETUNE=1) on 2 cores.
#   models/build/build.sh              full build + evaluation (writes work/metrics.md)
#   models/build/build.sh --no-eval    build only
#   FINETUNE=1 models/build/build.sh   with the encoder's upper layers fine-tuned (finetune.py)
set -euo pipefail
cd "$(dirname "$0")"
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PY" -m venv .venv
    .venv/bin/pip install --quiet --upgrade pip
fi
.venv/bin/pip install --quiet -r requirements.txt
export PYTHONHASHSEED=0
# One BLAS thread keeps floating-point sums in a fixed order (bit-identical reruns).
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
B=.venv/bin/python
$B tokenizer_build.py      # pruned vocabulary -> ../default/tokenizer.json
if [ "${FINETUNE:-0}" = 1 ]; then  # opt-in: not the default model (../README.md, "Fine-tuning the encoder")
    $B finetune.py         # fine-tuned upper USE encoder layers -> work/encoder_ft.npz (JAX, 5-14 min)
else
    rm -f work/encoder_ft.npz work/encoder_ft_check.npz  # the pretrained encoder
fi
$B encoder.py              # USE encoder as ONNX (fp32 + int8), parity with the numpy reference
$B train_heads.py          # heads -> ../default/model.onnx, ../default/labels.json
$B token_table.py ../default/model.onnx ../default/model.onnx  # per-token layers -> a lookup table
$B first_layer.py ../default ../default  # first n-gram layers -> first_layer.bin, computed by fankui
$B breaks.py               # voice clause-break model -> ../../lexicons/voice_breaks.bin (4 minutes)
$B e5_finetune.py          # e5-small's top 4 layers fine-tuned -> work/e5_ft.npz (JAX, 12 minutes)
$B accurate.py --finetuned work/e5_ft.npz  # e5-small + heads -> ../accurate/ (25 minutes)
if [ "${1:-}" != "--no-eval" ]; then
    $B evaluate.py         # validation figures -> work/metrics.json, work/metrics.md
fi
