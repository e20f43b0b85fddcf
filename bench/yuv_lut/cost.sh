#!/usr/bin/env bash
# Filter-only CPU of filter chains, interleaved: bench/yuv_lut/cost.sh INPUT name=CHAIN ...
# Runs `ffmpeg -i INPUT -vf CHAIN -f null -` RUNS times (default 3) per chain, round robin, and
# prints each chain's user+sys / wall seconds per run. Use a .y4m INPUT so decoding is ~free,
# and include `base=null` to subtract the read cost. (docs/BENCHMARKS.md, "Session 4".)
set -euo pipefail
src=$1; shift
runs=${RUNS:-3}
declare -A res
tf=$(mktemp)
for _ in $(seq "$runs"); do
    for spec in "$@"; do
        name=${spec%%=*}; g=${spec#*=}
        /usr/bin/time -f "%U %S %e" -o "$tf" ffmpeg -v error -nostdin -i "$src" -vf "$g" -f null -
        read -r u s e <"$tf"
        res[$name]="${res[$name]:-} $(awk -v u="$u" -v s="$s" 'BEGIN{printf "%.2f", u+s}')/$e"
    done
done
rm -f "$tf"
for spec in "$@"; do name=${spec%%=*}; echo "$name:${res[$name]}"; done
