#!/usr/bin/env python3
"""Self-test of the benchmark harnesses (not a benchmark result).

1. Metric functions on hand-made cases.
2. End to end: a stand-in `stylecut` written into a temp dir echoes the synthetic ground truth as
   an analysis document (and refuses audio-only files, to exercise the muxing path); score.py must
   then give F1 = 1, type accuracy 1 and duration error 0 on the synthetic transitions.
3. speed.py render mode with a stand-in `apply` that transcodes, one repeat on a short clip.
Needs the synthetic suite (bench/synth/generate.py). Exit code 0 = all passed.

Usage: bench/.venv/bin/python bench/score/selftest.py
"""
import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
import metrics as M  # noqa: E402
import tools as T  # noqa: E402

FAKE_ANALYZE = r'''#!/usr/bin/env python3
import json, sys, pathlib
p = pathlib.Path(sys.argv[2])
if sys.argv[1] != "analyze" or p.suffix in (".wav", ".flac", ".mp3", ".ogg"):
    sys.exit(1)
side = p.with_suffix(".gt.json")
gt = json.loads(side.read_text()) if side.exists() else {}
fps = 25.0
tr = [{"type": "cut", "start_s": c["frame"] / fps, "duration_ms": 0, "easing": "linear",
       "confidence": 1.0} for c in gt.get("cuts", [])]
tr += [{"type": t["expected_type"], "start_s": t["start"], "duration_ms": round(t["duration"] * 1000),
        "easing": "linear", "confidence": 1.0} for t in gt.get("transitions", [])]
beats = [{"time_s": b, "confidence": 1.0, "band": "bass"} for b in gt.get("beats", [])]
print(json.dumps({"duration_s": 5.0, "frame_rate": fps, "shots": [], "transitions": tr,
                  "tempo_bpm": gt.get("tempo_bpm", 120.0), "beats": beats,
                  "loudness": {"integrated_lufs": None, "range_lu": None, "true_peak_dbtp": None},
                  "speech_segments": [], "motion": [], "color_grade": {}}))
'''
FAKE_APPLY = """#!/bin/sh
exec ffmpeg -y -v error -i "$4" -c:v libx264 -preset ultrafast -c:a aac "$6"
"""


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    return bool(cond)


def metric_cases():
    gt = {"fps": 25.0, "cuts": [1.0, 3.0], "gradual": [{"start": 2.0, "end": 2.4,
                                                        "expected_type": "dissolve"}]}
    hc = M.score_hard_cuts([1.04, 2.2, 3.2], gt)  # 1 frame off, inside gradual, 5 frames off
    gr = M.score_gradual([{"start": 1.96, "end": 2.4, "type": "dissolve"}], gt)
    return [check(hc == {"tp": 1, "fp": 1, "fn": 1}, "hard cuts: ±1 frame, gradual span ignored"),
            check(gr["tp"] == 1 and gr["type_hits"] == 1 and abs(gr["dur_err"][0] - 1) < 1e-6,
                  "gradual: overlap match, type, duration error in frames"),
            check(M.tempo_verdict(121, [120]) == (True, ""), "tempo within 4 %"),
            check(M.tempo_verdict(60, [120]) == (False, "/2"), "tempo octave label"),
            check(M.beat_f_measure([6, 7, 8, 9, 10], [6, 7, 8, 9, 10])[0] == 1.0, "beat F"),
            check(M.vad_agreement([(0, 1)], [(0, 1)], 2.0) == (1.0, 1.0), "VAD agreement"),
            *transnet_cases(gt)]


def transnet_cases(gt):
    """TransNetV2 scenes (inclusive frames, as predictions_to_scenes returns them) -> cuts/spans:
    one hard cut at frame 25 (1.0 s), one 10-frame run 50..59 over the true 50..59 gradual."""
    bounds = T.transnet_boundaries([[0, 24], [25, 50], [60, 99]], 25.0)
    grad = T.transnet_gradual(bounds, gt)
    gr = M.score_gradual(grad, gt)
    return [check([b["cut"] for b in bounds] == [1.0, 2.4], "TransNetV2: cut = next scene start"),
            check(len(grad) == 1 and gr["tp"] == 1 and grad[0]["start"] == 2.0
                  and grad[0]["end"] == 2.4, "TransNetV2: span of the above-threshold frames")]


def end_to_end(tmp):
    fake = tmp / "stylecut"
    fake.write_text(FAKE_ANALYZE)
    fake.chmod(0o755)
    out = tmp / "score"
    subprocess.run([sys.executable, str(HERE / "score.py"), "--stylecut", str(fake), "--out",
                    str(out), "--only", "video", "music"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    md = (out / "results.md").read_text()
    raw = json.loads((out / "results.json").read_text())
    line = next(l for l in md.splitlines() if l.startswith("| synth-transitions | stylecut"))
    grad = [l for l in md.splitlines() if l.startswith("| synth-transitions | stylecut")][-1]
    drum120 = next(l for l in md.splitlines() if l.startswith("| drums-120bpm"))
    muxed = list((out / "muxed").glob("drums-*.black.mkv"))
    return [check(line.rstrip(" |").endswith("1.000"), "e2e: hard-cut F1 1.000 on synth"),
            check("| 1.000 | 1.00 | 0.0 | 0.0 |" in grad, "e2e: gradual F1, types, durations"),
            check(len(muxed) == 10 and "120.0 ✓" in drum120,
                  "e2e: refused audio muxed with black video and analysed"),
            check(not raw.get("stylecut_errors"), "e2e: no stand-in errors")]


def render_mode(tmp):
    fake = tmp / "apply"
    fake.write_text(FAKE_APPLY)
    fake.chmod(0o755)
    style = tmp / "style.json"
    style.write_text("{}")
    clip = ROOT / "bench/out/synth/captions/captions-on.mp4"
    proc = subprocess.run([sys.executable, str(ROOT / "bench/speed/speed.py"), "render",
                           "--stylecut", str(fake), "--style", str(style), "--clip", str(clip),
                           "--out", str(tmp / "speed"), "--repeats", "1"],
                          capture_output=True, text=True, check=False)
    return [check(proc.returncode == 0 and "stylecut apply --style" in proc.stdout,
                  "speed render mode runs both contestants")]


def main():
    with tempfile.TemporaryDirectory() as d:
        results = metric_cases() + end_to_end(Path(d)) + render_mode(Path(d))
    print(f"{sum(results)} passed, {len(results) - sum(results)} failed")
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
