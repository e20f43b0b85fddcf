#!/usr/bin/env python3
"""Visible part of each xfade transition of the synthetic suite, and stylecut's errors against it.

ffmpeg's shaped wipes (circles, barn doors, radial, diagonal, smooth edges) leave the first and
last frames of their nominal span identical to the outgoing or incoming shot. This renders every
`transitions/xfade-*` clip's transition again, same type, duration and offset, between two flat
colours, and takes as visible span the frames that differ from both colours (mean absolute
difference > 0.5 code values), written in the detector's convention: last pure-A frame to first
pure-B frame. zoomin is left at its nominal span (a zoomed flat colour does not change).

With --results (a `score.py` results.json), prints the duration and start errors (frames) of
stylecut's matched detections against the nominal and the visible spans.

Usage: bench/.venv/bin/python bench/synth/visible_spans.py [--synth DIR] [--results JSON]
"""
import argparse
import json
import subprocess
from pathlib import Path

import numpy as np

FPS = 25
W, H = 160, 90
COLOUR_A, COLOUR_B = "0xC03020", "0x2040C0"
THRESHOLD = 0.5  # mean absolute RGB difference (code values) that counts as visible


def visible_span(xfade, frames, start, total_a=60, total_b=60):
    """(last pure-A frame, first pure-B frame) of `xfade` over `frames` starting at `start`."""
    offset = (total_a - frames) / FPS
    graph = (f"color=c={COLOUR_A}:s={W}x{H}:r={FPS}:d={total_a / FPS},format=yuv420p[a];"
             f"color=c={COLOUR_B}:s={W}x{H}:r={FPS}:d={total_b / FPS},format=yuv420p[b];"
             f"[a][b]xfade=transition={xfade}:duration={frames / FPS}:offset={offset}[v]")
    raw = subprocess.run(["ffmpeg", "-v", "error", "-filter_complex", graph, "-map", "[v]",
                          "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
                         capture_output=True, check=True).stdout
    f = np.frombuffer(raw, np.uint8).reshape(-1, H, W, 3).astype(float)
    da = np.abs(f - f[0]).mean(axis=(1, 2, 3))
    db = np.abs(f - f[-1]).mean(axis=(1, 2, 3))
    vis = [i for i in range(len(f)) if da[i] > THRESHOLD and db[i] > THRESHOLD]
    # The clip's transition starts at `start`; the flat render's at total_a - frames.
    shift = start - (total_a - frames)
    return vis[0] - 1 + shift, vis[-1] + 1 + shift


def main():
    root = Path(__file__).resolve().parents[2]
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--synth", type=Path, default=root / "bench" / "out" / "synth")
    ap.add_argument("--results", type=Path, help="score.py results.json with stylecut docs")
    args = ap.parse_args()
    video = json.loads(args.results.read_text())["video"] if args.results else {}
    errs = {"dur_nominal": [], "dur_visible": [], "start_nominal": [], "start_visible": []}
    for gt_path in sorted((args.synth / "transitions").glob("xfade-*.gt.json")):
        gt = json.loads(gt_path.read_text())
        t = gt["transitions"][0]
        s, n = t["start_frame"], t["duration_frames"]
        vs, ve = (s, s + n) if t["type"] == "zoomin" else visible_span(t["type"], n, s)
        line = f"{gt['media']:28s} nominal {s}-{s + n} ({n})  visible {vs}-{ve} ({ve - vs})"
        doc = (video.get(gt["media"]) or {}).get("stylecut")
        if doc is not None:
            preds = [(round(p["start_s"] * FPS), round((p["start_s"] + p["duration_ms"] / 1000)
                                                          * FPS))
                     for p in doc.get("transitions") or [] if p["type"] != "cut"]
            hit = next(((a, b) for a, b in preds if a <= s + n + 1 and b >= s - 1), None)
            if hit is None:
                line += "  stylecut: missed"
            else:
                a, b = hit
                line += f"  stylecut {a}-{b} ({b - a})"
                errs["dur_nominal"].append(abs((b - a) - n))
                errs["dur_visible"].append(abs((b - a) - (ve - vs)))
                errs["start_nominal"].append(abs(a - s))
                errs["start_visible"].append(abs(a - vs))
        print(line)
    if errs["dur_nominal"]:
        mean = {k: sum(v) / len(v) for k, v in errs.items()}
        print(f"{len(errs['dur_nominal'])} matched: duration error nominal "
              f"{mean['dur_nominal']:.2f} / visible {mean['dur_visible']:.2f} frames, start "
              f"error nominal {mean['start_nominal']:.2f} / visible {mean['start_visible']:.2f}")


if __name__ == "__main__":
    main()
