#!/usr/bin/env python3
"""Filter CPU of the pan's forms: user + sys of one ffmpeg (`-threads 1 -filter_threads 1
-filter_complex_threads 1`) running N frames of a still 4:2:0 picture (a testsrc2 frame,
looped: the PNG decode is the `none` row) through each form, no encoder.

Usage: cpu.py WxH ZOOM [FRAMES] [RUNS] [FORMS]; prints per form and run the CPU seconds and
ms per frame, then the medians above `none`.
"""
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(__file__))
from jitter import even, filter_cpu, smooth_crop, still_png  # noqa: E402

size, zoom = sys.argv[1], float(sys.argv[2])
n = int(sys.argv[3]) if len(sys.argv) > 3 else 300
runs = int(sys.argv[4]) if len(sys.argv) > 4 else 2
w, h = map(int, size.split("x"))
zw, zh = even(w * zoom), even(h * zoom)
dz, last = zw - w, n - 1
out = "bench/out/pans"
src = still_png(out, size)
f = f"({dz}*(in-1)/{last}-min(2*floor({dz}*(in-1)/{last}/2),{dz}-2))"
forms = {
    "none": "null",
    "main": f"scale={zw}:{zh},crop={w}:{h}:x=(iw-ow)*n/{last}:y=(ih-oh)/2",
    "mix": f"scale={zw}:{zh}," + smooth_crop(w, h, f"{dz}*n/{last}", "2*floor((ih-oh)/4)"),
    "mix8": f"scale={zw}:{zh}," + smooth_crop(w, h, f"{dz}*n/{last}", "2*floor((ih-oh)/4)", q=8),
    "masked": f"scale={zw}:{zh},"
    + smooth_crop(w, h, f"{dz}*n/{last}", "2*floor((ih-oh)/4)", masked=True),
    "perspective": f"scale={zw}:{zh},crop={w + 2}:{h}:x='min(2*floor({dz}*n/{last}/2),{dz}-2)':y=(ih-oh)/2,"
    f"perspective=x0='{f}':y0=0:x1='W+{f}':y1=0:x2='{f}':y2=H:x3='W+{f}':y3=H:eval=frame,crop={w}:{h}:0:0",
}
names = sys.argv[5].split(",") if len(sys.argv) > 5 else list(forms)
res = filter_cpu(src, n, forms, names, runs, f"{size} zoom {zoom}")
base = statistics.median(res["none"]) if "none" in res else 0.0
for name, v in res.items():
    print(f"| {size} | {name} | {' '.join(f'{x:.2f}' for x in v)} | {1000 * (statistics.median(v) - base) / n:.2f} ms/frame |")
