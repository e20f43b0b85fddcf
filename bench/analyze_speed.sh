#!/usr/bin/env bash
# Analysis speed (issue 3 targets: full extraction >= 8x real time, <= 1.5x a bare decode).
#
# Times side by side, interleaved, in one run:
#   bare:     ffmpeg -i CLIP -f null -           (full-quality decode of every stream)
#   stylecut: stylecut analyze CLIP              (probe + decode pass + every analyser)
#   extra contestants: STYLECUT_B=/path/to/other/stylecut adds "stylecut B" (e.g. a build
#   of the previous commit) to compare two builds in the same run.
# RUNS runs each (default 3); prints medians of wall and CPU (user+sys, children included),
# real-time factors and the ratios to the bare decode, as a Markdown block.
#
# Usage: bench/analyze_speed.sh [STYLECUT_BIN] [CLIP]
#   STYLECUT_BIN default target/release/stylecut
#   CLIP         default bench/out/speed/bbb-1080p30-60s.mp4 (made by bench/speed/speed.py;
#                any 1080p30 file works)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$root/target/release/stylecut}
clip=${2:-$root/bench/out/speed/bbb-1080p30-60s.mp4}
runs=${RUNS:-3}
[ -x "$bin" ] || { echo "no stylecut binary at $bin" >&2; exit 2; }
[ -f "$clip" ] || { echo "no clip at $clip" >&2; exit 2; }

# Runs "$@", prints "wall cpu maxrss_MiB" (cpu = user + sys of the command and its children).
timed() {
    local tf
    tf=$(mktemp)
    /usr/bin/time -o "$tf" -f '%e %U %S %M' "$@" >/dev/null 2>&1
    awk '{printf "%.2f %.2f %.0f\n", $1, $2 + $3, $4 / 1024}' "$tf"
    rm -f "$tf"
}
median() { sort -n | awk '{v[NR]=$1} END{ if (NR%2) print v[(NR+1)/2]; else printf "%.2f\n", (v[NR/2]+v[NR/2+1])/2 }'; }

names=("bare" "stylecut")
cmds=("ffmpeg -nostdin -v error -i $clip -f null -" "$bin analyze $clip")
if [ -n "${STYLECUT_B:-}" ]; then
    names+=("stylecut B"); cmds+=("$STYLECUT_B analyze $clip")
fi
declare -A walls cpus rss
for i in $(seq "$runs"); do
    for k in "${!names[@]}"; do
        # shellcheck disable=SC2086
        read -r w c m < <(timed ${cmds[$k]})
        walls[$k]+="$w "; cpus[$k]+="$c "; rss[$k]=$m
        echo "run $i ${names[$k]}: wall $w s, cpu $c s, max RSS $m MiB" >&2
    done
done

dur=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$clip")
bw=$(printf '%s\n' ${walls[0]} | median); bc=$(printf '%s\n' ${cpus[0]} | median)
echo "Machine: \`nproc\` = $(nproc); load average at end: $(cut -d' ' -f1-3 /proc/loadavg); $(ffmpeg -version | head -1 | cut -d' ' -f1-3); $(date -u +%Y-%m-%dT%H:%MZ)."
echo
echo "Clip: \`$(basename "$clip")\` ($dur s); $runs runs each, interleaved."
echo
echo "| contestant | wall runs (s) | median wall | real-time factor | wall / bare | median CPU | CPU / bare | max RSS MiB |"
echo "|---|---|---|---|---|---|---|---|"
for k in "${!names[@]}"; do
    w=$(printf '%s\n' ${walls[$k]} | median); c=$(printf '%s\n' ${cpus[$k]} | median)
    awk -v n="${names[$k]}" -v runs="${walls[$k]}" -v w="$w" -v c="$c" -v bw="$bw" -v bc="$bc" \
        -v d="$dur" -v m="${rss[$k]}" \
        'BEGIN{printf "| %s | %s| %.2f s | %.1fx | %.2fx | %.2f s | %.2fx | %s |\n", n, runs, w, d/w, w/bw, c, c/bc, m}'
done
