#!/usr/bin/env bash
# Renders every colour test source with BIN through two plans: the graded style
# (styles/graded.json: colour only, pacing/framing/transitions/motion/audio off) and the
# same with colour off (the output should show the source's own colours), then measures
# each output against the intended picture (crates/style/examples/colour_eval.rs).
# Usage: bench/colour/render.sh BIN EVAL_BIN OUT_DIR   (sources in bench/out/colour)
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=$1; EVAL=$2; OUT=$3
SRC=bench/out/colour; S=$SRC/styles
mkdir -p "$OUT"
for p in bbb bars; do
  for v in ${VARIANTS:-a-untagged b-bt709 c-bt709-full d-hlg2020 e-pq2020 f-pq2020-nometa}; do
    for kind in graded nocolour; do
      cfg=$S/config.json; [ $kind = nocolour ] && cfg=$S/config-nocolour.json
      o=$OUT/$p-$v-$kind
      nice -n 10 "$BIN" apply --style "$S/graded.json" --config "$cfg" "$SRC/$p-$v.mp4" \
        -o "$o.mp4" --plan-out "$o.plan.json" >/dev/null 2>"$o.log" || { echo "$o: apply failed"; tail -3 "$o.log"; continue; }
      "$EVAL" "$o.plan.json" "$o.mp4" 2>/dev/null | sed "s|^$OUT/||"
    done
  done
done
