#!/usr/bin/env bash
# Byte comparison of two stylecut builds' `analyze` JSON on every music, speech and
# loudness file of ../shared/media (session 12: the streamed audio analysis must not change
# any result). `stylecut analyze` takes videos only, so each audio file is muxed once, its
# audio stream copied bit for bit, under a 64×36 black picture at 5 fps (cached under
# OUT/src/). Build B runs twice: as is, and with STYLECUT_SPILL_AFTER=0 so even these
# short files take the spilled-spectrogram path.
#
# Usage: bench/score/audio_json_diff.sh BIN_A BIN_B [OUT]   (OUT default bench/out/audio-json-diff)
# Prints one line per file (same / DIFFERENT) and a total; exit status 1 if any differ.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
media="$root/../shared/media"
a=$1; b=$2; out=${3:-$root/bench/out/audio-json-diff}
mkdir -p "$out/src" "$out/json"
same=0; diff=0; failed=0
while IFS= read -r -u 3 rel; do
    key=$(echo "$rel" | tr '/' '_')
    src="$out/src/$key.mkv"
    if [ ! -s "$src" ]; then
        ffmpeg -nostdin -hide_banner -v error -y -f lavfi -i color=black:s=64x36:r=5 -i "$media/$rel" \
            -map 0:v -map 1:a:0 -c:v libx264 -preset ultrafast -c:a copy -shortest "$src" \
            || { echo "$rel: cannot mux"; failed=$((failed+1)); continue; }
    fi
    ja="$out/json/$key.a.json"; jb="$out/json/$key.b.json"; js="$out/json/$key.b-spill.json"
    "$a" analyze "$src" >"$ja" 2>/dev/null || { echo "$rel: A failed"; failed=$((failed+1)); continue; }
    "$b" analyze "$src" >"$jb" 2>/dev/null || { echo "$rel: B failed"; failed=$((failed+1)); continue; }
    STYLECUT_SPILL_AFTER=0 "$b" analyze "$src" >"$js" 2>/dev/null || { echo "$rel: B (spilled) failed"; failed=$((failed+1)); continue; }
    if cmp -s "$ja" "$jb" && cmp -s "$ja" "$js"; then
        echo "same       $rel ($(wc -c <"$ja") bytes)"; same=$((same+1))
    else
        echo "DIFFERENT  $rel"; diff=$((diff+1))
    fi
done 3< <(cd "$media" && find music speech loudness -type f \
    \( -iname '*.wav' -o -iname '*.mp3' -o -iname '*.flac' -o -iname '*.ogg' \) | sort)
echo "total: $same identical, $diff different, $failed failed"
[ "$diff" -eq 0 ] && [ "$failed" -eq 0 ]
