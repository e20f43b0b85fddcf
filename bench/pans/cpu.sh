#!/usr/bin/env bash
# Filter CPU of the pan's forms (user + sys of one ffmpeg, -threads 1 -filter_threads 1),
# on N frames of a still 4:2:0 picture (a frame of testsrc2, looped), no encoder.
# Usage: bench/pans/cpu.sh WxH ZOOM [FRAMES] [RUNS]; prints "form cpu_s per_frame_ms".
set -euo pipefail
size=$1; zoom=$2; n=${3:-300}; runs=${4:-2}
w=${size%x*}; h=${size#*x}
even() { python3 -c "import sys; print(max(round(float(sys.argv[1])/2),1)*2)" "$1"; }
zw=$(even "$(python3 -c "print($w*$zoom)")"); zh=$(even "$(python3 -c "print($h*$zoom)")")
dz=$((zw - w)); last=$((n - 1))
out=${OUT:-bench/out/pans}; mkdir -p "$out"
src="$out/still-$size.png"
[ -f "$src" ] || ffmpeg -v error -nostdin -y -f lavfi -i "testsrc2=s=$size:r=30" -frames:v 1 "$src"
f="($dz*(in-1)/$last-min(2*floor($dz*(in-1)/$last/2),$dz-2))"
declare -A forms=(
  [none]="null"
  [main]="scale=$zw:$zh,crop=$w:$h:x=(iw-ow)*n/$last:y=(ih-oh)/2"
  [perspective]="scale=$zw:$zh,crop=$((w+2)):$h:x='min(2*floor($dz*n/$last/2),$dz-2)':y=(ih-oh)/2,perspective=x0='$f':y0=0:x1='W+$f':y1=0:x2='$f':y2=H:x3='W+$f':y3=H:eval=frame,crop=$w:$h:0:0"
)
for form in none main perspective; do
  for r in $(seq "$runs"); do
    /usr/bin/time -f "%U %S" -o "$out/t" ffmpeg -v error -nostdin -threads 1 -filter_threads 1 \
      -loop 1 -framerate 30 -i "$src" -frames:v "$n" -vf "format=yuv420p,${forms[$form]},format=yuv420p" -f null -
    read -r u s < "$out/t"
    python3 -c "u,s,n=$u,$s,$n; print(f'$size zoom $zoom $form run $r: {u+s:.2f} s, {1000*(u+s)/n:.2f} ms/frame')"
  done
done
