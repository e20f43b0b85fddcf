#!/usr/bin/env bash
# Memory of a long 1080p job (issue 4: "memory bounded for a 10-minute 1080p source").
#
# Makes once, under bench/out/memory/ (not committed), a 10-minute 1080p30 H.264 + AAC
# source (bench/out/speed/bbb-1080p30-60s.mp4 looped 10x, streams copied) and a 1-minute
# one (the same clip, streams copied), then runs each job on both under bench/memtree.py,
# which samples the whole process tree every 0.2 s: the VmHWM (kernel peak RSS) of
# stylecut and of every ffmpeg/ffprobe child separately, the tree's summed RSS at one
# instant, and the peak disk usage of the job's scratch directory (TMPDIR points there, so
# the decode's audio files and the render's scratch directory land in it).
#
# Jobs (JOBS to choose, default all):
#   analyze  stylecut analyze SRC
#   wanna    stylecut apply --template openboard-cc/wannaworktogether.mp4 SRC -o OUT
#   169      stylecut apply --template pyscenedetect/testvideo.mp4 (16:9) SRC -o OUT
# Then one table per job (bench/memreport.py): peak per process role at 1 and 10 minutes and
# the growth per source minute.
#
# Usage: bench/memory.sh [STYLECUT_BIN] [TAG]
#   STYLECUT_BIN  default target/release/stylecut
#   TAG           names the result directory bench/out/memory/TAG (default: the binary's name)
#   JOBS="analyze wanna 169"   jobs to run
#   LENGTHS="1 10"             source lengths in minutes (1 and/or 10)
#   APPLY_ARGS="--resolution 480p"  extra apply flags (default: 480p output, so the 10-minute
#                 render finishes in reasonable time on a loaded machine; the encoder's
#                 memory depends on the output size, not the duration: give
#                 APPLY_ARGS="" to render at the source's size)
#   KEEP=1                     keep the rendered outputs (to compare two builds' pictures)
# Results: bench/out/memory/TAG/<job>-<len>min.json (raw samples), .stdout (the analysis JSON),
# .plan.json (the edit plan), TAG/result.md (tables).
# Run it niced (nice -n 15): the jobs are long and CPU-heavy; wall times are not speed results.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
media="$root/../shared/media"
bin=${1:-$root/target/release/stylecut}
tag=${2:-$(basename "$bin")}
jobs=${JOBS:-analyze wanna 169}
lengths=${LENGTHS:-1 10}
apply_args=${APPLY_ARGS---resolution 480p}
py=python3
[ -x "$root/bench/.venv/bin/python" ] && py="$root/bench/.venv/bin/python"
mem="$root/bench/out/memory"
out="$mem/$tag"
mkdir -p "$out"
[ -x "$bin" ] || { echo "no stylecut binary at $bin" >&2; exit 2; }

clip="$root/bench/out/speed/bbb-1080p30-60s.mp4"
if [ ! -s "$clip" ]; then
    echo "no $clip: run bench/speed/speed.py analyze once (it makes the clip)" >&2
    exit 2
fi
if [ ! -s "$mem/src-10min.mp4" ]; then
    ffmpeg -hide_banner -v error -y -stream_loop 9 -i "$clip" -c copy -movflags +faststart \
        "$mem/src-10min.mp4"
fi
if [ ! -s "$mem/src-1min.mp4" ]; then
    ffmpeg -hide_banner -v error -y -i "$clip" -c copy -movflags +faststart "$mem/src-1min.mp4"
fi
for m in $lengths; do
    a=$(ffprobe -v error -select_streams a -show_entries stream=codec_name -of csv=p=0 \
        "$mem/src-${m}min.mp4")
    [ -n "$a" ] || { echo "src-${m}min.mp4 has no audio" >&2; exit 2; }
done

template_for() {
    case "$1" in
        wanna) echo "$media/video/openboard-cc/wannaworktogether.mp4" ;;
        169) echo "$media/video/pyscenedetect/testvideo.mp4" ;;
    esac
}

{
    echo "stylecut: $bin ($(stat -c '%y' "$bin" | cut -d. -f1))"
    echo "started $(date -u '+%Y-%m-%d %H:%M:%S') UTC, load average $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "apply flags: ${apply_args:-none}"
} >"$out/meta.txt"
cat "$out/meta.txt" >&2

for job in $jobs; do
    for m in $lengths; do
        src="$mem/src-${m}min.mp4"
        scratch="$out/scratch-$job-${m}min"
        rm -rf "$scratch"
        mkdir -p "$scratch"
        case "$job" in
            analyze) cmd=("$bin" analyze "$src") ;;
            *)
                # shellcheck disable=SC2206
                cmd=("$bin" apply --template "$(template_for "$job")" $apply_args "$src"
                    -o "$out/$job-${m}min.mp4" --plan-out "$out/$job-${m}min.plan.json")
                ;;
        esac
        echo "$(date -u +%H:%M:%S) $job ${m} min (load $(cut -d' ' -f1 /proc/loadavg)): ${cmd[*]}" >&2
        TMPDIR="$scratch" "$py" "$root/bench/memtree.py" --scratch "$scratch" \
            --json "$out/$job-${m}min.json" -- "${cmd[@]}" \
            >"$out/$job-${m}min.stdout" 2>"$out/$job-${m}min.stderr" ||
            echo "  FAILED (see $out/$job-${m}min.stderr)" >&2
        left=$(find "$scratch" -mindepth 1 | wc -l)
        [ "$left" -eq 0 ] || echo "  $left files left in $scratch after the job" >&2
        rm -rf "$scratch"
        [ -n "${KEEP:-}" ] || rm -f "$out/$job-${m}min.mp4"
    done
done

echo "ended $(date -u '+%Y-%m-%d %H:%M:%S') UTC, load average $(cut -d' ' -f1-3 /proc/loadavg)" \
    >>"$out/meta.txt"
{
    cat "$out/meta.txt"
    echo
    set -- $lengths
    if [ $# -eq 2 ]; then
        for job in $jobs; do
            [ -s "$out/$job-$1min.json" ] && [ -s "$out/$job-$2min.json" ] || continue
            "$py" "$root/bench/memreport.py" "$out/$job-$1min.json" "$out/$job-$2min.json" \
                --minutes "$1" "$2" --label "**$job**"
            echo
        done
    fi
} | tee "$out/result.md"
