#!/bin/bash
# usage: run.sh BIN TAG STYLE SRC... ; renders each SRC with STYLE, prints I/TP of the MP4 and CPU (user sys wall)
BIN=$1; TAG=$2; ST=$3; shift 3
for s in "$@"; do k=${s#src-}; k=${k%.*}-${ST%.style.json}
  /usr/bin/time -f "%U %S %e" -o $TAG-$k.time nice -n 10 $BIN apply --resolution 480p --style $ST --plan-out $TAG-$k.plan.json -o $TAG-$k.mp4 $s > $TAG-$k.log 2>&1
  r=$(ffmpeg -nostats -i $TAG-$k.mp4 -map 0:a -af ebur128=peak=true -f null - 2>&1 | grep -A16 Summary | awk '/I:/{i=$2}/Peak:/{p=$2}END{print "I="i" TP="p}')
  echo "$TAG $k $r cpu(user sys wall)=$(cat $TAG-$k.time)"
done
