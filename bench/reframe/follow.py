#!/usr/bin/env python3
"""Does a planned reframe window follow the action, and smoothly?

For each segment of one or more plans (`stylecut plan` JSON) whose window is narrower
(shorter) than the frame, the window centre on every output frame is the piecewise-linear
path of its `crop_path` keys (the fixed `crop` centre when it has none), on the axis that
moves. Two action centres are compared with it at each source time the segment shows:

* `saliency`: the analysis' saliency centres (`stylecut analyze` JSON; the planner's own
  input, every 0.25 s);
* `motion` (independent of stylecut): the centroid of the absolute difference of
  consecutive frames (8 fps, 160 px wide luma, differences under 12 codes left out), per
  frame pair with enough changed pixels.

Per plan it prints: the share of action centres inside the window (`in`), and inside its
central 60 % (`well in`); and the path's smoothness: direction reversals per output minute
(a reversal: the centre's velocity changes sign between moves of at least 0.5 % of the
frame), the largest speed (frame widths per second) and the share of the centre's
frame-to-frame motion energy above 1 Hz (`hf`: a hunting window that swings back and forth
within a second or two has a large one; a glide from one place to another a small one).

Usage: follow.py SOURCE ANALYSIS.json PLAN.json [PLAN.json ...]
"""
import json
import subprocess
import sys

import numpy as np


def motion_centres(src, axis):
    w = 160
    probe = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                            "stream=width,height", "-of", "csv=p=0", src],
                           check=True, capture_output=True, text=True).stdout.split(",")
    sw, sh = int(probe[0]), int(probe[1])
    h = max(2, int(round(w * sh / sw / 2)) * 2)
    raw = subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-i", src, "-vf",
                          f"fps=8,scale={w}:{h},format=gray", "-f", "rawvideo", "-"],
                         check=True, capture_output=True).stdout
    fr = np.frombuffer(raw, np.uint8).reshape(-1, h, w).astype(np.int16)
    out = []
    for i in range(1, len(fr)):
        d = np.abs(fr[i] - fr[i - 1]).astype(float)
        d[d < 12] = 0
        if (d > 0).mean() < 0.002:
            continue
        yy, xx = np.mgrid[0:h, 0:w]
        c = ((xx + 0.5) * d).sum() / d.sum() / w if axis == "x" else ((yy + 0.5) * d).sum() / d.sum() / h
        out.append(((i - 0.5) / 8.0, c))
    return out


def path_at(keys, n):
    fr = np.array([k[0] for k in keys], float)
    v = np.array([k[1] for k in keys], float)
    return np.interp(n, fr, v)


def main():
    src, ana = sys.argv[1], json.load(open(sys.argv[2]))
    plans = sys.argv[3:]
    cache = {}
    print("| plan | segments | output s | centre | in | well in | reversals/min | max speed w/s | hf share |")
    print("|---|---|---|---|---|---|---|---|---|")
    for pf in plans:
        p = json.load(open(pf))
        fps = p["format"]["fps_num"] / p["format"]["fps_den"]
        rows = {"saliency": [0, 0, 0], "motion": [0, 0, 0]}
        rev, secs, vmax, hf_num, hf_den, nseg = 0, 0.0, 0.0, 0.0, 0.0, 0
        for s in p["segments"]:
            c = s["crop"]
            axis = "x" if c["w"] < 0.999 else ("y" if c["h"] < 0.999 else None)
            if axis is None:
                continue
            nseg += 1
            size = c["w"] if axis == "x" else c["h"]
            key = "cx" if axis == "x" else "cy"
            keys = [(k["frame"], k[key]) for k in s.get("crop_path", [])] or [(0, c[key])]
            n = np.arange(s["frames"])
            centre = path_at(keys, n)
            secs += s["frames"] / fps
            v = np.diff(centre) * fps
            if len(v):
                vmax = max(vmax, float(np.abs(v).max()))
            # reversals between moves of at least 0.5 % of the frame
            moves, acc, d = [], 0.0, 0
            for dv in np.diff(centre):
                sgn = np.sign(dv)
                if sgn == 0:
                    continue
                if sgn != d and d != 0:
                    moves.append((d, acc))
                    acc = 0.0
                d = sgn
                acc += abs(dv)
            if d != 0:
                moves.append((d, acc))
            big = [m for m in moves if m[1] >= 0.005]
            rev += sum(1 for a, b in zip(big, big[1:]) if a[0] != b[0])
            if len(centre) > 8:
                dv = np.diff(centre)
                spec = np.abs(np.fft.rfft(dv - dv.mean())) ** 2
                f = np.fft.rfftfreq(len(dv), 1 / fps)
                hf_num += spec[f > 1.0].sum()
                hf_den += spec.sum()
            if axis not in cache:
                cache[axis] = motion_centres(src, axis)
            sal = [(q["t_s"], q[axis]) for q in ana.get("saliency", [])]
            for name, pts in (("saliency", sal), ("motion", cache[axis])):
                for t, x in pts:
                    if not (s["video_in_s"] <= t < s["video_out_s"]):
                        continue
                    w = path_at(keys, (t - s["src_in_s"]) * fps)
                    rows[name][0] += 1
                    rows[name][1] += abs(x - w) <= size / 2
                    rows[name][2] += abs(x - w) <= 0.3 * size
        for name, (tot, inside, well) in rows.items():
            share = lambda k: f"{100 * k / tot:.0f} % ({k}/{tot})" if tot else "—"
            hf = f"{100 * hf_num / hf_den:.0f} %" if hf_den > 0 else "—"
            print(f"| {pf.split('/')[-1]} | {nseg} | {secs:.1f} | {name} | {share(inside)} | {share(well)} | "
                  f"{60 * rev / secs if secs else 0:.1f} | {vmax:.3f} | {hf} |")


if __name__ == "__main__":
    main()
