#!/usr/bin/env bash
# ffprobe under bench/ffmpeg_timed.sh (see there).
FFTIMED_TOOL=ffprobe exec "$(dirname "$0")/ffmpeg_timed.sh" "$@"
