#!/usr/bin/env python3
"""Filter CPU of the moving reframe window's forms: user + sys of one ffmpeg (`-threads 1
-filter_threads 1 -filter_complex_threads 1`) running N frames of a still 4:2:0 picture (a
testsrc2 frame, looped: the PNG decode is the `none` row) through each form, no encoder.
The window (the source height, `aspect` wide) slides DX source px over the N frames and is
scaled to the output size the planner picks for that aspect (1920x1080 -> 9:16: 594x1056).

* main: 2332881's form, one `crop` at the path's corner (4:2:0: even px), then `scale`;
* band: session 15's `graph::moving_window` (`jitter.band_window`).

Usage: cpu.py SRC_WxH ASPECT_W:ASPECT_H OUT_WxH [FRAMES] [RUNS] [DX]; prints per form and
run the CPU seconds and ms per frame, then the medians above `none`.
"""
import os
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "pans"))
from jitter import band_window, filter_cpu, still_png  # noqa: E402

size, aspect, out_size = sys.argv[1], sys.argv[2], sys.argv[3]
n = int(sys.argv[4]) if len(sys.argv) > 4 else 300
runs = int(sys.argv[5]) if len(sys.argv) > 5 else 2
dx = float(sys.argv[6]) if len(sys.argv) > 6 else 120.0
w, h = map(int, size.split("x"))
pw, ph = map(int, out_size.split("x"))
a, b = map(int, aspect.split(":"))
exact = h * a / b
last = n - 1
x0 = (w - exact) / 2 - dx / 2
corner = f"{x0:.3f}+{dx}*n/{last}"
out = "bench/out/reframe"
src = still_png(out, size)
forms = {
    "none": "null",
    "main": f"crop=w=iw*{exact / w:.6f}:h=ih:x='{corner}':y=0,scale={pw}:{ph}",
    "band": band_window(w, exact, pw, corner).replace("{PH}", str(ph)),
}
res = filter_cpu(src, n, forms, list(forms), runs, f"{size} {aspect}")
base = statistics.median(res["none"])
for name, v in res.items():
    print(f"| {size} → {aspect} ({out_size}) | {name} | {' '.join(f'{x:.2f}' for x in v)} | "
          f"{1000 * (statistics.median(v) - base) / n:.2f} ms/frame |")
