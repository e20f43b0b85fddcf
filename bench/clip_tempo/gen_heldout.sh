#!/bin/bash
# Held-out loud masters for the tempo-under-clipping matrix (session 19): the same pieces as
# gen.sh at settings gen.sh does not use, made before any change was tuned and read only
# at the end. OUT/<piece>_{clip15,clip25,lim25,lim35,lim30slow}.wav: +G dB then a hard clip
# at full scale, +G dB into ffmpeg's alimiter (limit 0 dBFS, no make-up, default attack
# 5 ms / release 50 ms), and +30 dB into alimiter with a fast attack and a slow release
# (attack 1 ms, release 400 ms: a pumping master). Usage: gen_heldout.sh [OUT] [DRUMS_DIR]
# Read with: python3 bench/clip_tempo/table.py --variants orig,clip15,clip25,lim25,lim35,lim30slow OUT NAME=BIN ...
set -eu
OUT=${1:-/tmp/s19tempo/heldout}
D=${2:-$(dirname "$0")/../out/synth/drums}
. "$(dirname "$0")/pieces.sh"
F="nice ffmpeg -hide_banner -v error -y"
for k in "${!SRC[@]}"; do
  s=${SRC[$k]}
  for g in 15 25; do
    $F -i "$s" -af "volume=${g}dB,asoftclip=type=hard" -c:a pcm_s16le "$OUT/${k}_clip${g}.wav"
  done
  for g in 25 35; do
    $F -i "$s" -af "volume=${g}dB,alimiter=limit=1:level=false" -c:a pcm_s16le "$OUT/${k}_lim${g}.wav"
  done
  $F -i "$s" -af "volume=30dB,alimiter=limit=1:level=false:attack=1:release=400" -c:a pcm_s16le "$OUT/${k}_lim30slow.wav"
done
