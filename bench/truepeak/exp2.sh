#!/bin/bash
# exp2.sh SRC GAIN: AAC (128k) true peak / loudness after a 4x-oversampled alimiter at -1-H dBFS, H in 0.5..2.5
S=$1; G=$2
tp(){ ffmpeg -nostats -i $1 -af ebur128=peak=true -f null - 2>&1 | grep -A16 Summary | awk '/I:/{i=$2}/Peak:/{p=$2}END{print "I="i" TP="p}'; }
for H in 0.5 1.0 1.5 2.0 2.5; do L=$(python3 -c "print(f'{10**((-1-$H)/20):.6f}')")
  nice -n 10 ffmpeg -v error -y -i $S -vn -af "aresample=48000,volume=${G}dB,aresample=192000,alimiter=limit=$L:attack=10:release=100:level=0:latency=1,aresample=48000,aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo" -c:a aac -b:a 128k -ac 2 e2.m4a
  echo "$S g=$G H=$H aac: $(tp e2.m4a)"
done
