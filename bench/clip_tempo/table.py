"""Tempo of the annotated music and synthetic drums, clean and clipped/limited (gen.sh),
read by one or more builds of `audio_eval --files` (crates/analysis/examples/audio_eval.rs).

    python3 bench/clip_tempo/table.py [--variants orig,clip10,...] CLIP_DIR NAME=AUDIO_EVAL_BIN [NAME=BIN ...]

Prints per build a markdown table (✗ = more than 4 % from the annotated tempo) and the
count within 4 % per variant."""
import glob
import os
import re
import subprocess
import sys

M = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "media", "music")
D = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "out", "synth", "drums")
T = {"techno": 125, "808": 120, "hains": 100.16, "country": 85.53, "waltz": 84,
     "cuidado": 191.27, "simac": 74.34, "madmom": 87.5, "jazz": 290, "trumpet": 90}
ORIG = {"techno": M + "/essentia/techno_loop.mp3", "808": M + "/beatnet/808kick120bpm.mp3",
        "hains": M + "/hainsworth/hains001.flac", "country": M + "/gtzan/country.00000.wav",
        "waltz": M + "/ballroom/Media-105901.wav",
        "cuidado": M + "/cuidado/cuidado_FallaCancion.flac",
        "simac": M + "/simac/simac_01_H_mikri_Rallou.flac", "madmom": M + "/madmom/sample.wav",
        "jazz": M + "/jtd/barronk-allgodschildren-drummondrrileyb-1990-8b77c067.wav",
        "trumpet": M + "/librosa/sorohanro_-_solo-trumpet-06.hq.ogg"}
VARIANTS = ("orig", "clip10", "clip20", "clip30", "lim20", "lim30")


def main():
    global VARIANTS
    args = sys.argv[1:]
    if args and args[0] == "--variants":
        VARIANTS = tuple(args[1].split(","))
        args = args[2:]
    clip = args[0]
    for f in glob.glob(D + "/drums-*bpm.wav"):
        k = os.path.basename(f)[:-4]
        T[k] = int(re.findall(r"(\d+)bpm", k)[0])
        ORIG[k] = f
    files, truth = [], {}
    for k, f in ORIG.items():
        for v in VARIANTS:
            g = f if v == "orig" else f"{clip}/{k}_{v}.wav"
            files.append(g)
            truth[g] = (k, v)
    for spec in args[1:]:
        name, exe = spec.split("=", 1)
        out = subprocess.run(["nice", exe, "--files"] + files, capture_output=True,
                             text=True, check=True).stdout
        est = {m.group(1): float(m.group(2)) for m in
               (re.match(r"(\S+)\s+tempo\s+([\d.]+)", l) for l in out.splitlines()) if m}
        rows, ok = {}, {v: 0 for v in VARIANTS}
        for f, (k, v) in truth.items():
            e = est.get(f, 0.0)
            good = abs(e / T[k] - 1) <= 0.04
            ok[v] += good
            rows.setdefault(k, {})[v] = f"{e:.1f}" + ("" if good else " ✗")
        print(f"\n{name}\n\n| piece | truth | " + " | ".join(VARIANTS) + " |")
        print("|---|---|" + "---|" * len(VARIANTS))
        for k in sorted(rows, key=lambda k: (k.startswith("drums"), T[k])):
            print(f"| {k} | {T[k]} | " + " | ".join(rows[k][v] for v in VARIANTS) + " |")
        n = len(rows)
        print("| within 4 % | | " + " | ".join(f"{ok[v]}/{n}" for v in VARIANTS) + " |")
        print(f"\ntotal {sum(ok.values())}/{n * len(VARIANTS)}")


if __name__ == "__main__":
    main()
