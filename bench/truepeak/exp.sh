#!/bin/bash
# exp.sh SRC GAIN: AAC true peak after limiter variants
S=$1; G=$2
tp(){ ffmpeg -nostats -i $1 -af ebur128=peak=true -f null - 2>&1 | grep -A16 Summary | awk '/I:/{i=$2}/Peak:/{p=$2}END{print "I="i" TP="p}'; }
for v in "A:alimiter=limit=0.841395:attack=10:release=100:level=0:latency=1" \
         "B:aresample=192000,alimiter=limit=0.891251:attack=10:release=100:level=0:latency=1,aresample=48000" \
         "C:aresample=192000,alimiter=limit=0.841395:attack=10:release=100:level=0:latency=1,aresample=48000" \
         "D:aresample=192000,alimiter=limit=0.794328:attack=10:release=100:level=0:latency=1,aresample=48000"; do
  k=${v%%:*}; f=${v#*:}
  /usr/bin/time -f "%U" -o e.t nice -n 10 ffmpeg -v error -y -i $S -vn -af "aresample=48000,volume=${G}dB,$f,aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo" -c:a aac -b:a 128k -ac 2 e-$k.m4a
  echo "$S $k cpu=$(cat e.t) aac: $(tp e-$k.m4a)"
done
