"""Replaces every grade chain (`hue=s=…,format=bgr24,lutrgb=…,format=yuv420p,hue=s=…`) of a
stylecut video graph by one YUV -> YUV `lut3d` whose 33³ cube is *measured*: every grid point
(Y, Cb, Cr) is run through that segment's own chain as a constant 2x2 block of a synthetic
yuv420p frame, and the chain's output there becomes the cube entry (+0.5 code: lut3d's 8-bit
output measured half a code low without it). The planes are relabelled, not converted:
R <- Y, G <- Cb, B <- Cr (`mergeplanes=0x010200:gbrp`; gbrp's planes are G, B, R) and back
(`mergeplanes=0x020001:yuv444p`), with nearest-neighbour chroma to and from 4:4:4.

Usage: python measured_cubes.py GRAPH_IN GRAPH_OUT CUBE_DIR [SIZE]
(docs/BENCHMARKS.md, "Render speed (apply)", "Session 4"; needs numpy.)
"""
import os
import re
import subprocess
import sys

import numpy as np

src, out, cube_dir = sys.argv[1], sys.argv[2], sys.argv[3]
n = int(sys.argv[4]) if len(sys.argv) > 4 else 33
os.makedirs(cube_dir, exist_ok=True)
graph = open(src).read()
chain = re.compile(
    r"(?:hue=s=[0-9.]+,)?format=bgr24,lutrgb=r='[^']*':g='[^']*':b='[^']*',format=yuv420p"
    r"(?:,hue=s=[0-9.]+)?"
)
codes = np.rint(np.linspace(0, 255, n)).astype(np.uint8)
yi, ui, vi = (a.ravel() for a in np.meshgrid(codes, codes, codes, indexing="ij"))
side = int(np.ceil(np.sqrt(n**3)))


def blocks(a):
    p = np.zeros(side * side, np.uint8)
    p[: a.size] = a
    return p.reshape(side, side)


frame = np.concatenate(
    [blocks(yi).repeat(2, 0).repeat(2, 1).ravel(), blocks(ui).ravel(), blocks(vi).ravel()]
).tobytes()
count = 0


def replace(m):
    global count
    w = 2 * side
    r = subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", f"{w}x{w}",
         "-i", "-", "-vf", m.group(0), "-f", "rawvideo", "-pix_fmt", "yuv420p", "-"],
        input=frame, capture_output=True, check=True,
    )
    o = np.frombuffer(r.stdout, np.uint8).astype(float)
    y = o[: w * w].reshape(w, w)[::2, ::2].ravel()[: n**3]
    u = o[w * w : w * w + side * side][: n**3]
    v = o[w * w + side * side :][: n**3]
    lut = (np.stack([y, u, v], -1).reshape(n, n, n, 3) + 0.5) / 255  # [Y, Cb, Cr]
    path = os.path.join(cube_dir, f"yuv{count}_{n}.cube")
    with open(path, "w") as fh:
        fh.write(f"LUT_3D_SIZE {n}\n")
        for c in range(n):  # B (= Cr) slowest, R (= Y) fastest
            for b in range(n):
                for a in range(n):
                    fh.write("%.6f %.6f %.6f\n" % tuple(np.clip(lut[a, b, c], 0, 1)))
    count += 1
    return (
        f"scale=flags=neighbor,format=yuv444p,mergeplanes=0x010200:gbrp,lut3d=file={path},"
        "mergeplanes=0x020001:yuv444p,scale=flags=neighbor,format=yuv420p"
    )


open(out, "w").write(chain.sub(replace, graph))
print(count, "grade chains replaced", file=sys.stderr)
