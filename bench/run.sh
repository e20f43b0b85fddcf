#!/usr/bin/env bash
# Runs the whole side-by-side benchmark: synthetic suite (if missing), accuracy scoring,
# grade transfer and analyze speed. Results land in bench/out/{score,speed}/*.md.
#   bench/run.sh                       # peers only; stylecut rows read "not yet measured"
#   bench/run.sh target/release/stylecut
# TORCH_PYTHON=/work/venv-torch/bin/python adds TransNetV2 and silero-vad to score.py (optional
# venv from `bench/setup.sh --torch`; skipped with a message when unset).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=bench/.venv/bin/python
[ -x "$PY" ] || bench/setup.sh
SC=()
if [ $# -ge 1 ]; then SC=(--stylecut "$(realpath "$1")"); fi
[ -f bench/out/synth/manifest.json ] || nice -n 10 "$PY" bench/synth/generate.py
TP=()
if [ -n "${TORCH_PYTHON:-}" ]; then TP=(--torch-python "$TORCH_PYTHON"); fi
nice -n 10 "$PY" bench/score/score.py "${SC[@]}" "${TP[@]}"
nice -n 10 "$PY" bench/score/grade_transfer.py "${SC[@]}"
nice -n 10 "$PY" bench/speed/speed.py analyze "${SC[@]}"
