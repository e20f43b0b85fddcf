# The pieces of the tempo-under-clipping matrices, sourced by gen.sh and gen_heldout.sh:
# SRC[name]=file for the annotated music of ../shared/media and the synthetic drum patterns
# in $D; creates $OUT.
M=$(cd "$(dirname "$0")/../.." && pwd)/../shared/media/music
mkdir -p "$OUT"
declare -A SRC=(
  [techno]=$M/essentia/techno_loop.mp3 [808]=$M/beatnet/808kick120bpm.mp3
  [hains]=$M/hainsworth/hains001.flac [country]=$M/gtzan/country.00000.wav
  [waltz]=$M/ballroom/Media-105901.wav [cuidado]=$M/cuidado/cuidado_FallaCancion.flac
  [simac]=$M/simac/simac_01_H_mikri_Rallou.flac [madmom]=$M/madmom/sample.wav
  [jazz]=$M/jtd/barronk-allgodschildren-drummondrrileyb-1990-8b77c067.wav
  [trumpet]=$M/librosa/sorohanro_-_solo-trumpet-06.hq.ogg )
for d in "$D"/drums-*bpm.wav; do SRC[$(basename "$d" .wav)]=$d; done
