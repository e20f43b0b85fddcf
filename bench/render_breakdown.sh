#!/usr/bin/env bash
# Render cost by piece (issue 4): the plan's own filtergraph run by hand with pieces removed.
#
# Plans the job once (`stylecut plan --style STYLE --quality medium SRC`), cuts the plan's
# graph into its video part (`[vout]`) and audio part (`[aout]`), and makes variants of the
# video part with the push-ins (`zoompan`, or since session 11 the per-frame `scale` +
# `crop`) and/or the grade (`lutyuv`, `colorcorrect`, the
# exact `hue`/`lutrgb` chain) taken out. Then times, interleaved, RUNS rounds (default 2):
#   plain / plain_v    the plain transcode of the source (with / without its audio)
#   decode             the source's video decode alone (-f null)
#   f_*                the video graph to -f null (filters only): edit, +zoom, +grade, whole
#   x_*                the same with the x264 encode (libx264 veryfast CRF 23)
#   audio              the plan's audio graph + AAC (the loudness slot filled with the gain
#                      and limiter the apply printed, `anull` when it printed none)
#   measure            the loudness measuring pass (the plan's audio_measure_graph)
#   check              one loudness check pass as the render runs it (the measuring graph
#                      with that gain and limiter; the apply ran `check passes` of them,
#                      printed above the table)
#   delivered          the measure of the delivered sound (decode of the output's AAC +
#                      the measuring filters)
#   restyled / _v      the plain transcode of BIN's own output (with / without audio)
#   dec_out            the decode of BIN's own output
# Prints medians of wall and CPU (user + sys) as a Markdown table, also written to
# bench/out/render_breakdown/result.md.
#
# Usage: bench/render_breakdown.sh [STYLECUT_BIN] STYLE_JSON [SRC]
set -euo pipefail
set -f  # graph labels such as [vout] must not glob

root=$(cd "$(dirname "$0")/.." && pwd)
media="$root/../shared/media"
bin=${1:-$root/target/release/stylecut}
style=${2:?style JSON}
src=${3:-$media/video/moviepy-bbb/big_buck_bunny_0_30.webm}
runs=${RUNS:-2}
out="$root/bench/out/render_breakdown"
mkdir -p "$out"
cd "$out"

"$bin" plan --style "$style" --quality medium "$src" >plan.json
"$bin" apply --style "$style" --quality medium "$src" -o styled.mp4 >/dev/null 2>apply.log
python3 - <<'EOF'
import json, re
p = json.load(open("plan.json"))
g = p["filtergraph"]
vid = g[:g.index("[vout]") + 6]
# The loudness slot as the apply filled it (its printed gain and limit), or anull; the
# sound is the graph's second input since session 9 (`-vn -i SRC`), the first here.
m = re.search(r"gain ([+-][0-9.]+) dB, limit (-?[0-9.]+) dBTP, (\d+) check", open("apply.log").read())
norm = "anull"
checks = 0
if m:
    norm = f"volume={float(m[1]):.2f}dB,aresample=192000,alimiter=limit={10 ** (float(m[2]) / 20):.6f}:attack=10:release=100:level=0:latency=1,aresample=48000"
    checks = int(m[3])
else:
    m = re.search(r"gain ([+-][0-9.]+) dB, limit none", open("apply.log").read())
    if m:
        norm = f"volume={float(m[1]):.2f}dB"
aud = g[g.index("[vout]") + 7:].replace("{measured}", norm).replace("[1:a", "[0:a")
mg = p.get("audio_measure_graph") or "[0:a]anull[aout]"
open("video.txt", "w").write(vid)
open("audio.txt", "w").write(aud)
open("measure.txt", "w").write(mg.replace("{measured}", "anull"))
open("check.txt", "w").write(mg.replace("{measured}", norm))
open("checks.txt", "w").write(str(checks))
at = mg.find("loudnorm=")
meter = mg[at:mg.index(",apad=whole_len", at) if ",apad=whole_len" in mg[at:] else mg.index("[aout]", at)] if at >= 0 else "anull"
open("delivered.txt", "w").write(f"[0:a]{meter}[aout]")
def nozoom(s):
    # zoompan (until session 11) or the per-frame scale + centred crop (session 11)
    s = re.sub(r"zoompan=[^,\[\];]*,", "", s)
    return re.sub(r"scale=w='[^']*':h='[^']*':eval=frame,crop=\d+:\d+:x='[^']*':y='[^']*',", "", s)
def nograde(s):
    s = re.sub(r"lutyuv=y='[^']*':u='[^']*':v='[^']*',", "", s)
    s = re.sub(r"colorcorrect=[^,\[\];]*,", "", s)
    # the exact chain: hue, bgr24, lutrgb, yuv420p, hue
    s = re.sub(r"hue=s=[^,\[\];]*,format=bgr24,lutrgb=[^,\[\];]*(?:'[^']*'[^,\[\];]*)*,format=yuv420p,hue=s=[^,\[\];]*,", "", s)
    return s
for name, s in [("edit", nograde(nozoom(vid))), ("zoom", nograde(vid)), ("grade", nozoom(vid)), ("video", vid)]:
    open(f"{name}.txt", "w").write(s)
args = p["ffmpeg_args"]
t = args[args.index("-t") + 1] if "-t" in args else "100000"
open("limit.txt", "w").write(t)
print(f"push-ins: {vid.count('zoompan') + vid.count(':eval=frame,crop=')}, grades: {vid.count('lutyuv') + vid.count('lutrgb')}, "
      f"frames out: {p['output_duration_s']:.2f} s, loudness slot: {norm}, check passes: {checks}")
EOF
t=$(cat limit.txt)
X="-c:v libx264 -preset veryfast -crf 23 -pix_fmt yuv420p"
names=(); cmds=()
add() { names+=("$1"); cmds+=("$2"); }
add plain "ffmpeg -y -nostdin -v error -i $src -c:v libx264 -preset veryfast -crf 23 -c:a aac -b:a 128k -movflags +faststart plain.mp4"
add plain_v "ffmpeg -y -nostdin -v error -i $src -an -c:v libx264 -preset veryfast -crf 23 -movflags +faststart plain_v.mp4"
add decode "ffmpeg -nostdin -v error -t $t -an -i $src -f null -"
for v in edit zoom grade video; do
    add "f_$v" "ffmpeg -nostdin -v error -t $t -an -i $src -filter_complex_script $v.txt -map [vout] -f null -"
done
for v in edit zoom grade video; do
    add "x_$v" "ffmpeg -y -nostdin -v error -t $t -an -i $src -filter_complex_script $v.txt -map [vout] $X -movflags +faststart x_$v.mp4"
done
add audio "ffmpeg -y -nostdin -v error -t $t -vn -sn -dn -i $src -filter_complex_script audio.txt -map [aout] -c:a aac -b:a 128k -ar 48000 -ac 2 audio.m4a"
add measure "ffmpeg -nostdin -v error -t $t -vn -sn -dn -i $src -filter_complex_script measure.txt -map [aout] -f null -"
add check "ffmpeg -nostdin -v error -t $t -vn -sn -dn -i $src -filter_complex_script check.txt -map [aout] -f null -"
add delivered "ffmpeg -nostdin -v error -vn -sn -dn -i styled.mp4 -filter_complex_script delivered.txt -map [aout] -f null -"
add restyled "ffmpeg -y -nostdin -v error -i styled.mp4 -c:v libx264 -preset veryfast -crf 23 -c:a aac -b:a 128k -movflags +faststart restyled.mp4"
add restyled_v "ffmpeg -y -nostdin -v error -i styled.mp4 -an -c:v libx264 -preset veryfast -crf 23 -movflags +faststart restyled_v.mp4"
add dec_out "ffmpeg -nostdin -v error -an -i styled.mp4 -f null -"

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
declare -A walls cpus
for i in $(seq "$runs"); do
    for k in "${!names[@]}"; do
        # shellcheck disable=SC2086
        /usr/bin/time -f "%e %U %S" -o t.txt ${cmds[$k]} >/dev/null 2>last.log
        read -r w u s <t.txt
        walls[$k]+="$w "
        cpus[$k]+="$(awk -v u="$u" -v s="$s" 'BEGIN{printf "%.2f", u+s}') "
        echo "run $i ${names[$k]}: wall $w s, user $u s, sys $s s" >&2
    done
done
median() { tr ' ' '\n' | grep . | sort -n | awk '{v[NR]=$1} END{ if (NR%2) print v[(NR+1)/2]; else printf "%.2f\n", (v[NR/2]+v[NR/2+1])/2 }'; }
pc=$(echo "${cpus[0]}" | median)
{
    echo "Source \`$(basename "$src")\`, style \`$(basename "$style")\`, binary \`$bin\`; $runs rounds, interleaved; load average $load_start at start, $(cut -d' ' -f1-3 /proc/loadavg) at end; $(date -u +%Y-%m-%dT%H:%MZ)."
    echo
    echo "| piece | wall runs (s) | CPU runs (s) | median CPU | CPU / plain |"
    echo "|---|---|---|---|---|"
    for k in "${!names[@]}"; do
        c=$(echo "${cpus[$k]}" | median)
        awk -v n="${names[$k]}" -v w="${walls[$k]}" -v cr="${cpus[$k]}" -v c="$c" -v pc="$pc" \
            'BEGIN{printf "| %s | %s| %s| %.2f s | %.2fx |\n", n, w, cr, c, c/pc}'
    done
} | tee result.md
