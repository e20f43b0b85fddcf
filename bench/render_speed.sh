#!/usr/bin/env bash
# Render speed (issue 4 target: stylecut apply <= 1.25x a plain ffmpeg transcode).
#
# Times side by side, interleaved, in one run:
#   plain:    ffmpeg -i SRC -c:v libx264 -preset veryfast -crf 23 -c:a aac -b:a 128k
#             -movflags +faststart OUT
#   stylecut: stylecut apply --style STYLE --quality medium SRC -o OUT
#             (medium = the same encoder settings: libx264 veryfast CRF 23, AAC 128 kb/s)
#   analysis: stylecut plan --style STYLE --quality medium SRC
#             (the same job up to the plan: source analysis + planning, no render; the
#             apply minus this row is the render's share)
#   restyled: the plain transcode command on stylecut's own output (the encoder's cost of
#             the styled picture: zooms, grade and edit change what x264 has to code)
# RUNS runs each (default 3); prints medians of wall and CPU (user+sys, children included)
# time and the ratios, as a Markdown block (also written to bench/out/render_speed/result.md).
#
# Usage: bench/render_speed.sh [STYLECUT_BIN] [STYLE_JSON] [SRC]
#   STYLECUT_BIN default target/release/stylecut
#   STYLE_JSON   default: extracted once with `stylecut extract TEMPLATE` where TEMPLATE is
#                $TEMPLATE or ../shared/media/video/openboard-cc/wannaworktogether.mp4
#   SRC          default ../shared/media/video/moviepy-bbb/big_buck_bunny_0_30.webm
#   RUNS=N       runs per contestant (default 3)
#   STYLECUT_B=BIN  adds a second build's apply as one more interleaved contestant (before /
#                after comparisons under the same load)
#   BREAKDOWN=1  afterwards runs bench/render_breakdown.sh on the same binary, style and source
#                (the plan's graph piece by piece: edit, push-ins, grade, audio, measuring
#                pass, the styled output's own transcode) and appends its table
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
media="$root/../shared/media"
bin=${1:-$root/target/release/stylecut}
style=${2:-}
src=${3:-$media/video/moviepy-bbb/big_buck_bunny_0_30.webm}
runs=${RUNS:-3}
out="$root/bench/out/render_speed"
mkdir -p "$out"

[ -x "$bin" ] || { echo "no stylecut binary at $bin" >&2; exit 2; }
[ -f "$src" ] || { echo "no source at $src" >&2; exit 2; }
if [ -z "$style" ]; then
    template=${TEMPLATE:-$media/video/openboard-cc/wannaworktogether.mp4}
    style="$out/style.json"
    if [ ! -s "$style" ]; then
        echo "extracting a style from $template" >&2
        "$bin" extract "$template" >"$style"
    fi
fi

# Runs "$@", prints "wall cpu" in seconds (cpu = user + sys of the command and its children).
timed() {
    local t0 t1 tf u s
    t0=$(date +%s.%N)
    tf=$(mktemp)
    ( TIMEFORMAT='%U %S'; time "$@" >/dev/null 2>"$out/last.log" ) 2>"$tf"
    t1=$(date +%s.%N)
    read -r u s <"$tf"
    rm -f "$tf"
    awk -v a="$t0" -v b="$t1" -v u="$u" -v s="$s" 'BEGIN{printf "%.2f %.2f\n", b-a, u+s}'
}

median() { sort -n | awk '{v[NR]=$1} END{ if (NR%2) print v[(NR+1)/2]; else printf "%.2f\n", (v[NR/2]+v[NR/2+1])/2 }'; }

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
plain_wall=(); plain_cpu=(); ours_wall=(); ours_cpu=(); plan_wall=(); plan_cpu=(); re_wall=(); re_cpu=(); b_wall=(); b_cpu=()
binb=${STYLECUT_B:-}
for i in $(seq "$runs"); do
    read -r w c < <(timed ffmpeg -y -nostdin -v error -i "$src" -c:v libx264 -preset veryfast \
        -crf 23 -c:a aac -b:a 128k -movflags +faststart "$out/plain.mp4")
    plain_wall+=("$w"); plain_cpu+=("$c")
    echo "run $i plain:    wall $w s, cpu $c s" >&2
    read -r w c < <(timed "$bin" apply --style "$style" --quality medium "$src" \
        -o "$out/stylecut.mp4")
    ours_wall+=("$w"); ours_cpu+=("$c")
    echo "run $i stylecut: wall $w s, cpu $c s" >&2
    if [ -n "$binb" ]; then
        read -r w c < <(timed "$binb" apply --style "$style" --quality medium "$src" \
            -o "$out/stylecut_b.mp4")
        b_wall+=("$w"); b_cpu+=("$c")
        echo "run $i build B:  wall $w s, cpu $c s" >&2
    fi
    read -r w c < <(timed "$bin" plan --style "$style" --quality medium "$src")
    plan_wall+=("$w"); plan_cpu+=("$c")
    echo "run $i plan:     wall $w s, cpu $c s" >&2
    read -r w c < <(timed ffmpeg -y -nostdin -v error -i "$out/stylecut.mp4" -c:v libx264 \
        -preset veryfast -crf 23 -c:a aac -b:a 128k -movflags +faststart "$out/restyled.mp4")
    re_wall+=("$w"); re_cpu+=("$c")
    echo "run $i restyled: wall $w s, cpu $c s" >&2
done

pw=$(printf '%s\n' "${plain_wall[@]}" | median)
pc=$(printf '%s\n' "${plain_cpu[@]}" | median)
ow=$(printf '%s\n' "${ours_wall[@]}" | median)
oc=$(printf '%s\n' "${ours_cpu[@]}" | median)
aw=$(printf '%s\n' "${plan_wall[@]}" | median)
ac=$(printf '%s\n' "${plan_cpu[@]}" | median)
rw=$(printf '%s\n' "${re_wall[@]}" | median)
rc=$(printf '%s\n' "${re_cpu[@]}" | median)
frames() { ffprobe -v error -select_streams v:0 -count_packets -show_entries stream=nb_read_packets,width,height,r_frame_rate -of csv=p=0 "$1"; }
dur() { ffprobe -v error -show_entries format=duration -of csv=p=0 "$1"; }

{
    echo "Machine: \`nproc\` = $(nproc); $(free -h | awk '/^Mem:/{print "memory " $2 " total, " $7 " available"}') (\`free -h\`); CPU: $(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo); load average at start: $load_start; $(ffmpeg -version | head -1 | cut -d' ' -f1-3); $(date -u +%Y-%m-%d)."
    echo
    echo "Source: \`$(basename "$src")\` ($(dur "$src") s); style: \`$(basename "$style")\`; binary: \`${bin#"$root"/}\`; $runs runs each, interleaved."
    echo
    echo "| contestant | wall runs (s) | median wall | median CPU (user+sys) | output (w,h,rate,frames) |"
    echo "|---|---|---|---|---|"
    echo "| plain \`ffmpeg -i SRC -c:v libx264 -preset veryfast -crf 23 -c:a aac -b:a 128k -movflags +faststart OUT\` | ${plain_wall[*]} | $pw s | $pc s | $(frames "$out/plain.mp4") |"
    echo "| \`stylecut apply --style S --quality medium SRC -o OUT\` | ${ours_wall[*]} | $ow s | $oc s | $(frames "$out/stylecut.mp4") |"
    echo "| of which analysis + plan: \`stylecut plan --style S --quality medium SRC\` | ${plan_wall[*]} | $aw s | $ac s | — |"
    if [ -n "$binb" ]; then
        bw=$(printf '%s\n' "${b_wall[@]}" | median); bc=$(printf '%s\n' "${b_cpu[@]}" | median)
        echo "| build B \`$binb apply …\` | ${b_wall[*]} | $bw s | $bc s | $(frames "$out/stylecut_b.mp4") |"
    fi
    echo "| plain transcode of stylecut's output (same command, input = OUT) | ${re_wall[*]} | $rw s | $rc s | $(frames "$out/restyled.mp4") |"
    echo
    awk -v pw="$pw" -v ow="$ow" -v pc="$pc" -v oc="$oc" \
        'BEGIN{printf "**Ratio stylecut / plain: wall %.2fx, CPU %.2fx** (target <= 1.25x).\n", ow/pw, oc/pc}'
    awk -v pw="$pw" -v ow="$ow" -v pc="$pc" -v oc="$oc" -v aw="$aw" -v ac="$ac" \
        'BEGIN{printf "Render alone (apply minus plan): wall %.2fx, CPU %.2fx; analysis + plan: wall %.2fx, CPU %.2fx of the plain transcode.\n", (ow-aw)/pw, (oc-ac)/pc, aw/pw, ac/pc}'
    awk -v pw="$pw" -v rw="$rw" -v pc="$pc" -v rc="$rc" \
        'BEGIN{printf "Plain transcode of the styled output / of the source: wall %.2fx, CPU %.2fx.\n", rw/pw, rc/pc}'
    if [ -n "$binb" ]; then
        awk -v pw="$pw" -v bw="$bw" -v pc="$pc" -v bc="$bc" \
            'BEGIN{printf "Build B / plain: wall %.2fx, CPU %.2fx.\n", bw/pw, bc/pc}'
    fi
    echo "Load average at end: $(cut -d' ' -f1-3 /proc/loadavg)."
    # The edit may shorten (or the frame rate lengthen) the output: also per output second.
    pd=$(dur "$out/plain.mp4"); od=$(dur "$out/stylecut.mp4")
    awk -v pw="$pw" -v ow="$ow" -v pc="$pc" -v oc="$oc" -v pd="$pd" -v od="$od" \
        'BEGIN{printf "Output durations: plain %.2f s, stylecut %.2f s. Per output second: wall %.2fx, CPU %.2fx.\n", pd, od, (ow/od)/(pw/pd), (oc/od)/(pc/pd)}'
} | tee "$out/result.md"
if [ -n "${BREAKDOWN:-}" ]; then
    echo
    RUNS=$runs "$root/bench/render_breakdown.sh" "$bin" "$style" "$src" | tee -a "$out/result.md"
fi
