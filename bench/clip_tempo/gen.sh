#!/bin/bash
# Clipped and limited copies of the annotated music and the synthetic drum patterns
# (session 9, tempo under clipping). Writes OUT/<piece>_{clip10,clip20,clip30,lim20,lim30}.wav:
# +G dB then a hard clip at full scale (asoftclip type=hard), or +G dB into ffmpeg's
# alimiter (limit 0 dBFS, no make-up). Usage: gen.sh [OUT] [DRUMS_DIR]
set -eu
OUT=${1:-/tmp/s9tempo/clip}
D=${2:-$(dirname "$0")/../out/synth/drums}
. "$(dirname "$0")/pieces.sh"
F="nice ffmpeg -hide_banner -v error -y"
for k in "${!SRC[@]}"; do
  s=${SRC[$k]}
  for g in 10 20 30; do
    $F -i "$s" -af "volume=${g}dB,asoftclip=type=hard" -c:a pcm_s16le "$OUT/${k}_clip${g}.wav"
  done
  for g in 20 30; do
    $F -i "$s" -af "volume=${g}dB,alimiter=limit=1:level=false" -c:a pcm_s16le "$OUT/${k}_lim${g}.wav"
  done
done
