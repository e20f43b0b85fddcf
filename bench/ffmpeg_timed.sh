#!/usr/bin/env bash
# Times every ffmpeg / ffprobe process of a stylecut job (the stage timings of
# STYLECUT_TIMINGS leave child processes out). Use as the job's ffmpeg and ffprobe:
#
#   STYLECUT_FFMPEG=bench/ffmpeg_timed.sh STYLECUT_FFPROBE=bench/ffprobe_timed.sh \
#   FFTIMED_LOG=/tmp/ff.log STYLECUT_TIMINGS=1 stylecut apply ...
#
# Appends one line per process to $FFTIMED_LOG (default /tmp/ffmpeg_timed.log):
# start and end (Unix seconds), wall, user and system seconds, the tool, and its arguments
# with directories stripped, cut to 160 characters. FFTIMED_TOOL picks the tool (default
# ffmpeg); FFTIMED_BIN_DIR where it lives (default /usr/bin).
set -u
log=${FFTIMED_LOG:-/tmp/ffmpeg_timed.log}
tool=${FFTIMED_TOOL:-ffmpeg}
t0=$(date +%s.%N)
tf=$(mktemp)
/usr/bin/time -f "%e %U %S" -o "$tf" "${FFTIMED_BIN_DIR:-/usr/bin}/$tool" "$@"
rc=$?
t1=$(date +%s.%N)
tag=$(printf '%s ' "$@" | sed -e 's#/[^ ]*/##g' | cut -c1-160)
echo "$t0 $t1 $(tail -1 "$tf") $tool $tag" >>"$log"
rm -f "$tf"
exit $rc
