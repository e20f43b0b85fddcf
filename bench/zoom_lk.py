#!/usr/bin/env python3
"""An independent reading of a picture's scale change, per region (session 19).

Is a zoom that `stylecut` reads a change of the picture's scale (a camera zoom or dolly:
the background at the frame's edges moves outwards too) or object motion (a subject
approaching over a still background)? This script reads it with another method than the
engine's: OpenCV corner features (`goodFeaturesToTrack`, up to 400) of the first frame of
each window, tracked frame by frame at the video's own resolution by pyramidal
Lucas-Kanade with a forward-backward check (0.5 px at 640 px width), then a similarity
transform (scale, rotation, translation) fitted by RANSAC (1.5 px at 640 px) to the
tracked features of each region:

  all     every tracked feature (the dominant, RANSAC-consistent motion)
  ring    features in the outer 20 % band of the frame
  centre  features in the centre half (in each direction)
  top     features in the top 30 % of the frame

Per window it prints the scale rate (log2/s) and inliers/features of each region; at the
end per region the median over windows and the mean weighted by inliers (windows whose
fit failed or has under 6 features are left out).

Usage: bench/.venv/bin/python bench/zoom_lk.py FILE START_S END_S [WINDOW_S]
(WINDOW_S default 0.5). Needs `opencv` (installed in bench/.venv with scenedetect-headless).
"""

import sys

import cv2
import numpy as np

REGIONS = ("all", "ring", "centre", "top")


def region_masks(x, y):
    return {
        "all": np.ones(len(x), bool),
        "ring": (x < 0.2) | (x > 0.8) | (y < 0.2) | (y > 0.8),
        "centre": (x > 0.25) & (x < 0.75) & (y > 0.25) & (y < 0.75),
        "top": y < 0.3,
    }


def similarity(p, q, w):
    if len(p) < 6:
        return None
    m, inl = cv2.estimateAffinePartial2D(
        p, q, method=cv2.RANSAC, ransacReprojThreshold=1.5 * w / 640, maxIters=4000,
        confidence=0.999,
    )
    if m is None:
        return None
    return float(np.hypot(m[0, 0], m[1, 0])), int(inl.sum()), len(p)


def main():
    path, t0, t1 = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
    dt = float(sys.argv[4]) if len(sys.argv) > 4 else 0.5
    cap = cv2.VideoCapture(path)
    fps = cap.get(cv2.CAP_PROP_FPS)
    cap.set(cv2.CAP_PROP_POS_MSEC, t0 * 1000)
    frames = []
    while True:
        ok, f = cap.read()
        if not ok or cap.get(cv2.CAP_PROP_POS_MSEC) / 1000 > t1 + 1e-3:
            break
        frames.append(cv2.cvtColor(f, cv2.COLOR_BGR2GRAY))
    if not frames:
        sys.exit("no frames decoded")
    h, w = frames[0].shape
    step = max(1, int(round(dt * fps)))
    rates = {r: [] for r in REGIONS}
    for i in range(0, len(frames) - step, step):
        p0 = cv2.goodFeaturesToTrack(frames[i], 400, 0.01, w / 64)
        if p0 is None:
            continue
        p, good = p0.copy(), np.ones(len(p0), bool)
        for j in range(i, i + step):
            q, st, _ = cv2.calcOpticalFlowPyrLK(frames[j], frames[j + 1], p, None,
                                                winSize=(21, 21), maxLevel=3)
            r, st2, _ = cv2.calcOpticalFlowPyrLK(frames[j + 1], frames[j], q, None,
                                                 winSize=(21, 21), maxLevel=3)
            back = np.linalg.norm(r - p, axis=2)[:, 0]
            good &= (st[:, 0] == 1) & (st2[:, 0] == 1) & (back < 0.5 * w / 640)
            p = q
        a, b = p0[good][:, 0], p[good][:, 0]
        masks = region_masks(a[:, 0] / w, a[:, 1] / h)
        cells = []
        for name in REGIONS:
            s = similarity(a[masks[name]], b[masks[name]], w)
            if s is None:
                cells.append(f"{name} -")
                continue
            rate = np.log2(s[0]) / (step / fps)
            rates[name].append((rate, s[1]))
            cells.append(f"{name} {rate:+.3f}/s {s[1]}/{s[2]}")
        print(f"{t0 + i / fps:7.2f}-{t0 + (i + step) / fps:7.2f}  " + " | ".join(cells))
    out = []
    for name in REGIONS:
        v = rates[name]
        if not v:
            out.append(f"{name} -")
            continue
        r = np.array([x for x, _ in v])
        n = np.array([k for _, k in v], float)
        out.append(f"{name} median {np.median(r):+.3f} weighted {np.sum(r * n) / n.sum():+.3f} "
                   f"(windows {len(v)})")
    print("log2/s: " + " | ".join(out))


if __name__ == "__main__":
    main()
