"""Frame-by-frame difference of two video graphs on one source (decoded yuv420p, filters only).

Usage: python look.py SRC GRAPH_A GRAPH_B WIDTH HEIGHT FRAMES
Prints mean / p99 / max absolute and mean signed (A - B) code differences per plane.
(docs/BENCHMARKS.md, "Render speed (apply)", "Session 4"; needs numpy.)
"""
import subprocess
import sys

import numpy as np

src, ga, gb = sys.argv[1:4]
w, h, n = int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])


def frames(graph):
    cmd = ["ffmpeg", "-v", "error", "-nostdin", "-t", "31", "-i", src,
           "-filter_complex_script", graph, "-map", "[vout]", "-frames:v", str(n),
           "-f", "rawvideo", "-pix_fmt", "yuv420p", "-"]
    b = subprocess.run(cmd, capture_output=True, check=True).stdout
    return np.frombuffer(b, np.uint8).reshape(-1, w * h * 3 // 2).astype(np.int16)


a, b = frames(ga), frames(gb)
k = min(len(a), len(b))
a, b = a[:k], b[:k]
planes = {"Y": slice(0, w * h), "Cb": slice(w * h, w * h * 5 // 4), "Cr": slice(w * h * 5 // 4, None)}
print(f"{k} frames")
for name, s in planes.items():
    d = a[:, s] - b[:, s]
    print(f"{name}: mean |d| {np.abs(d).mean():.3f}, p99 {np.percentile(np.abs(d), 99):.0f}, "
          f"max {np.abs(d).max()}, mean d {d.mean():+.3f}")
