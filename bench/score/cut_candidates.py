"""Every hard-cut candidate (STYLECUT_DEBUG_CUTS=1 of `stylecut analyze`) on the clips with
shot ground truth, labelled T (a true cut within 1.5 frames), G (inside a ground-truth
gradual transition) or F (false), plus any extra files (label ?). Writes JSON next to
--out and prints the candidates that are not plain true cuts.
Usage: bench/.venv/bin/python bench/score/cut_candidates.py BIN OUT.json [EXTRA.mp4 ...]"""
import json, os, subprocess, sys
from pathlib import Path
sys.path.insert(0, "bench/score")
import groundtruth as G
binary = sys.argv[1]
media = Path("../shared/media"); synth = Path("bench/out/synth"); robust = Path("bench/out/synth-robust/robust")
clips = G.shared_videos(media) + G.synth_videos(synth) + G.robust_videos(robust) + G.synth_videos(Path("bench/out/synth-seed11"))
extra = [Path(p) for p in sys.argv[3:]]
out = []
def run(path):
    env = dict(os.environ, STYLECUT_DEBUG_CUTS="1")
    r = subprocess.run([binary, "analyze", str(path)], env=env, capture_output=True, text=True)
    return [dict(kv.split("=") for kv in l.split()[1:]) for l in r.stderr.splitlines() if l.startswith("cutdbg")]
for gt in clips:
    fps = gt["fps"]
    for c in run(gt["path"]):
        t = float(c["pts"])
        true = any(abs(t - g) <= 1.5 / fps for g in gt["cuts"])
        ingrad = any(g["start"] - 1/fps <= t <= g["end"] + 1/fps for g in gt["gradual"]) if gt["gradual"] and isinstance(gt["gradual"][0], dict) else False
        out.append({"clip": gt["name"], "set": gt["set"], "label": "T" if true else ("G" if ingrad else "F"), **c})
for p in extra:
    for c in run(p):
        out.append({"clip": p.name, "set": "extra", "label": "?", **c})
json.dump(out, open(sys.argv[2], "w"), indent=0)
for o in out:
    if o["label"] != "T" or o.get("sweep") == "true":
        print(o)
