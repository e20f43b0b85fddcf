"""Shots and transitions of two stylecut builds on every video the benchmarks use (shared
media with ground truth, the synthetic suite, seed 11, the robustness set, round-trip
outputs, every other shared video): prints the files whose cuts/transitions differ.
Usage (from the repo root): bench/.venv/bin/python bench/score/shots_diff.py BASE_BIN NEW_BIN
Paths: ../shared/media, bench/out/synth, bench/out/synth-robust/robust, bench/out/synth-seed11,
bench/out/roundtrip-s9-main (those present). Also counts the files whose whole analysis JSON
is byte-identical (a stricter check, for changes that must not move any number)."""
import json, subprocess, sys
from pathlib import Path
sys.path.insert(0, "bench/score")
import groundtruth as G
a, b = sys.argv[1], sys.argv[2]
media = Path("../shared/media"); synth = Path("bench/out/synth"); robust = Path("bench/out/synth-robust/robust")
clips = [g["path"] for g in G.shared_videos(media) + G.synth_videos(synth) + G.robust_videos(robust) + G.synth_videos(Path("bench/out/synth-seed11"))]
clips += [str(p) for p in sorted(Path("bench/out/roundtrip-s9-main").glob("*.mp4"))]
clips += [str(p) for p in sorted((media / "video").rglob("*.mp4")) if str(p) not in clips]
def an(binary, p):
    r = subprocess.run(["nice", "-n", "5", binary, "analyze", p], capture_output=True, text=True)
    try:
        d = json.loads(r.stdout)
    except Exception:
        return ("error", r.stderr[-300:]), r.stdout
    return (d["transitions"], d["shots"]), r.stdout
same = 0
whole = 0
for p in clips:
    (x, xs), (y, ys) = an(a, p), an(b, p)
    whole += xs == ys
    if x == y:
        same += 1
    else:
        print("DIFF", p)
        xt = {(t["type"], t["start_s"]) for t in x[0]}; yt = {(t["type"], t["start_s"]) for t in y[0]}
        print("  only base:", sorted(xt - yt)); print("  only new:", sorted(yt - xt))
print(f"{same}/{len(clips)} identical")
print(f"{whole}/{len(clips)} whole analysis JSON byte-identical")
