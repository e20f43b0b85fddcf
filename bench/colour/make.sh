#!/usr/bin/env bash
# Colour-management test sources (session 7): the same pictures encoded as
#   a) untagged BT.601 limited range (what every shared clip is),
#   b) BT.709 limited range, tagged bt709 (pixels converted with the 709 matrix),
#   c) BT.709 full range, tagged bt709 + pc (yuvj420p, pixels really full range),
#   d) HLG BT.2020 10-bit (libx265), from the same pictures through linear light,
#   e) PQ BT.2020 10-bit (libx265), reference white at 203 cd/m² (ITU-R BT.2408), with
#      HDR10 metadata (mastering display 1000 cd/m², MaxCLL 203) in the stream's SEI,
#   f) the same PQ pictures without HDR10 metadata (session 8),
#   g) SDR with BT.2020 primaries, 10-bit (libx265): BT.2020 transfer and NCL matrix,
#   h) SDR with Display P3 primaries (smpte432), BT.709 transfer and matrix, 8-bit (session 11).
# The reference is a lossless R'G'B' intermediate (ffv1 gbrp) of each picture, so every
# variant can be judged against the same R'G'B' values.
# Usage: bench/colour/make.sh [OUT_DIR]   (default bench/out/colour; needs ../shared/media)
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${1:-bench/out/colour}
MEDIA=${MEDIA:-../shared/media}
mkdir -p "$OUT"
FF=(ffmpeg -hide_banner -nostdin -v error -y)
X264=(-c:v libx264 -preset medium -crf 12 -an)

# R'G'B' references: 6 s of Big Buck Bunny (9..15 s, a hard cut at 11.79 s) at 640x360,
# and 5 s of SMPTE HD colour bars with a moving test pattern strip (testsrc2).
# The BBB decode reads the untagged VP8 as BT.601 limited (explicitly).
"${FF[@]}" -ss 9 -t 6 -i "$MEDIA/video/moviepy-bbb/big_buck_bunny_0_30.webm" -an \
  -vf "scale=640:360:flags=bicubic:in_color_matrix=bt601:in_range=tv,format=gbrp" \
  -c:v ffv1 "$OUT/bbb-ref.mkv"
"${FF[@]}" -f lavfi -i "smptehdbars=s=640x240:r=25:d=5" -f lavfi -i "testsrc2=s=640x120:r=25:d=5" \
  -filter_complex "[0:v][1:v]vstack,format=gbrp" -c:v ffv1 "$OUT/bars-ref.mkv"

for p in bbb bars; do
  REF="$OUT/$p-ref.mkv"
  # a) untagged, BT.601 limited
  "${FF[@]}" -i "$REF" -vf "scale=out_color_matrix=bt601:out_range=tv,format=yuv420p" \
    "${X264[@]}" "$OUT/$p-a-untagged.mp4"
  # b) BT.709 limited, tagged
  "${FF[@]}" -i "$REF" -vf "scale=out_color_matrix=bt709:out_range=tv,format=yuv420p" \
    "${X264[@]}" -colorspace bt709 -color_primaries bt709 -color_trc bt709 -color_range tv \
    "$OUT/$p-b-bt709.mp4"
  # c) BT.709 full range, tagged (yuvj420p)
  "${FF[@]}" -i "$REF" -vf "scale=out_color_matrix=bt709:out_range=pc,format=yuvj420p" \
    "${X264[@]}" -colorspace bt709 -color_primaries bt709 -color_trc bt709 -color_range pc \
    "$OUT/$p-c-bt709-full.mp4"
  # d) HLG BT.2020 10-bit: sRGB-ish R'G'B' (BT.709 transfer assumed) to linear, BT.709 to
  #    BT.2020 primaries, HLG transfer, BT.2020 NCL matrix, limited range, 10 bit (one zscale).
  "${FF[@]}" -i "$REF" -vf "zscale=tin=bt709:pin=bt709:min=gbr:rin=full:t=arib-std-b67:p=bt2020:m=2020_ncl:r=tv:npl=100,format=yuv420p10le" \
    -c:v libx265 -preset medium -crf 12 -an -tag:v hvc1 \
    -x265-params "log-level=error:colorprim=bt2020:transfer=arib-std-b67:colormatrix=bt2020nc:range=limited" \
    -colorspace bt2020nc -color_primaries bt2020 -color_trc arib-std-b67 -color_range tv \
    "$OUT/$p-d-hlg2020.mp4"
  # e/f) PQ BT.2020 10-bit: the R'G'B' to linear light with SDR white at 203 cd/m²
  #      (npl=203), BT.2020 primaries, PQ transfer, BT.2020 NCL matrix, limited range.
  X265PQ="log-level=error:colorprim=bt2020:transfer=smpte2084:colormatrix=bt2020nc:range=limited"
  PQVF="zscale=tin=bt709:pin=bt709:min=gbr:rin=full:t=smpte2084:p=bt2020:m=2020_ncl:r=tv:npl=203,format=yuv420p10le"
  PQTAGS=(-colorspace bt2020nc -color_primaries bt2020 -color_trc smpte2084 -color_range tv)
  "${FF[@]}" -i "$REF" -vf "$PQVF" -c:v libx265 -preset medium -crf 12 -an -tag:v hvc1 \
    -x265-params "$X265PQ:hdr10=1:max-cll=203,100:master-display=G(13250,34500)B(7500,3000)R(34000,16000)WP(15635,16450)L(10000000,1)" \
    "${PQTAGS[@]}" "$OUT/$p-e-pq2020.mp4"
  "${FF[@]}" -i "$REF" -vf "$PQVF" -c:v libx265 -preset medium -crf 12 -an -tag:v hvc1 \
    -x265-params "$X265PQ" "${PQTAGS[@]}" "$OUT/$p-f-pq2020-nometa.mp4"
  # g) BT.2020 SDR 10-bit: to linear light, BT.709 to BT.2020 primaries, BT.2020 transfer.
  "${FF[@]}" -i "$REF" -vf "zscale=tin=bt709:pin=bt709:min=gbr:rin=full:t=2020_10:p=bt2020:m=2020_ncl:r=tv,format=yuv420p10le" \
    -c:v libx265 -preset medium -crf 12 -an -tag:v hvc1 \
    -x265-params "log-level=error:colorprim=bt2020:transfer=bt2020-10:colormatrix=bt2020nc:range=limited" \
    -colorspace bt2020nc -color_primaries bt2020 -color_trc bt2020-10 -color_range tv \
    "$OUT/$p-g-sdr2020.mp4"
  # h) Display P3 SDR 8-bit (smpte432 primaries, BT.709 transfer and matrix).
  "${FF[@]}" -i "$REF" -vf "zscale=tin=bt709:pin=bt709:min=gbr:rin=full:t=bt709:p=smpte432:m=709:r=tv,format=yuv420p" \
    "${X264[@]}" -colorspace bt709 -color_primaries smpte432 -color_trc bt709 -color_range tv \
    "$OUT/$p-h-p3.mp4"
done
ls -la "$OUT"
