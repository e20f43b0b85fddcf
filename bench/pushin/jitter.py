#!/usr/bin/env python3
"""Push-in geometry: how far a rendered push-in's picture sits from the exact zoom.

A still test pattern (Gaussian dots on a dark ground, W x H) is zoomed by each candidate
filter chain into W x H frames (ffmpeg, `-loop 1`, raw 8-bit luma out, no encoder), and every
dot's centroid is compared with where an exact zoom about the picture's centre puts it:
`out = (p - W/2) * z(n) + W/2` (continuous coordinates, pixel i covers [i, i+1)), with the
plan's linear zoom path `z(n) = 1 + (Z - 1) * n / (N - 1)`.

Per candidate it prints, over all frames: the RMS and largest dot position error (px), the
largest per-frame drift of the picture's centre (the mean error of the dots: the whole picture
shifted) and the jitter: the largest frame-to-frame change of that drift and of the zoom error
(a smooth zoom changes both slowly; whole-pixel rounding makes them jump).

Usage: jitter.py [--size 1280x720] [--frames 219] [--zoom 1.5] [--fps 30] NAME=CHAIN ...
CHAIN may use {W} {H} {Z1} (= Z - 1) {LAST} (= N - 1) {FPS} {CX} {CY} (= W/2 - 1/2, H/2 - 1/2)
{ZP} (perspective's zoom of the frame: its `on` counts from 1). Default candidates: the
`zoompan` form of the plan (main) and the candidates of session 11.
"""
import argparse
import subprocess
import sys

import numpy as np

DEFAULTS = {
    "zoompan": "zoompan=z=1+{Z1}*on/{LAST}:x=iw/2-iw/zoom/2:y=ih/2-ih/zoom/2:d=1:s={W}x{H}:fps={FPS}/1",
    # perspective maps pixel indices (pixel i's centre at i): the source point sent to the
    # output's corner index 0 / W is (W/2 - 1/2) -/+ (W/2 -/+ 1/2) / z; `on` counts from 1.
    "perspective": "perspective=x0='{CX}-{CX}/{ZP}':y0='{CY}-{CY}/{ZP}'"
    ":x1='{CX}+({CX}+1)/{ZP}':y1='{CY}-{CY}/{ZP}'"
    ":x2='{CX}-{CX}/{ZP}':y2='{CY}+({CY}+1)/{ZP}'"
    ":x3='{CX}+({CX}+1)/{ZP}':y3='{CY}+({CY}+1)/{ZP}':eval=frame",
    # the whole picture scaled to W*z (sides moved in steps of 4 px, so the centred crop
    # starts on an even column and row: 4:2:0 crop rounds down to the chroma grid)
    "scale+crop": "scale=w='{W}+4*round({W}*{Z1}*n/{LAST}/4)':h='{H}+4*round({H}*{Z1}*n/{LAST}/4)'"
    ":eval=frame,crop={W}:{H}:x='2*round({W}*{Z1}*n/{LAST}/4)':y='2*round({H}*{Z1}*n/{LAST}/4)'",
}


def pattern(w, h, sigma=3.0):
    """Dots on a 9 x 5 grid inside the part of the picture that stays visible at 1.6x."""
    xs = np.linspace(w / 2 - 0.28 * w, w / 2 + 0.28 * w, 9) + 0.37  # off the pixel grid
    ys = np.linspace(h / 2 - 0.28 * h, h / 2 + 0.28 * h, 5) - 0.21
    pts = np.array([(x, y) for y in ys for x in xs])
    yy, xx = np.mgrid[0:h, 0:w] + 0.5
    img = np.zeros((h, w))
    for x, y in pts:
        img += np.exp(-((xx - x) ** 2 + (yy - y) ** 2) / (2 * sigma**2))
    return (16 + 219 * np.clip(img, 0, 1)).round().astype(np.uint8), pts


def centroid(frame, x, y, r):
    h, w = frame.shape
    x0, x1 = max(int(x - r), 0), min(int(x + r) + 1, w)
    y0, y1 = max(int(y - r), 0), min(int(y + r) + 1, h)
    win = frame[y0:y1, x0:x1].astype(float) - 16.0
    win[win < 8] = 0  # ground and coding noise out
    yy, xx = np.mgrid[y0:y1, x0:x1] + 0.5
    s = win.sum()
    return (xx * win).sum() / s, (yy * win).sum() / s


def gray_frames(image, graph, w, h, n, fps=30):
    """The still `image` looped at `fps` through `graph` (one input; it must end in
    `format=gray` at `w × h`): `n` frames as a numpy array, no encoder in between."""
    cmd = ["ffmpeg", "-v", "error", "-nostdin", "-loop", "1", "-framerate", str(fps), "-i", image,
           "-frames:v", str(n), "-filter_complex", graph, "-f", "rawvideo", "-"]
    raw = subprocess.run(cmd, check=True, capture_output=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(-1, h, w)


def write_pgm(path, img):
    """`img` (8-bit, rows × columns) as a binary PGM at `path`; returns `path`."""
    with open(path, "wb") as f:
        f.write(f"P5 {img.shape[1]} {img.shape[0]} 255\n".encode())
        f.write(img.tobytes())
    return path


def run(chain, png, w, h, n, fps):
    return gray_frames(png, f"format=yuv420p,{chain},scale={w}:{h},format=gray", w, h, n, fps)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", default="1280x720")
    ap.add_argument("--frames", type=int, default=219)
    ap.add_argument("--zoom", type=float, default=1.5)
    ap.add_argument("--fps", type=int, default=30)
    ap.add_argument("--out", default="bench/out/pushin")
    ap.add_argument("--only", help="comma-separated names of the default candidates to run")
    ap.add_argument("chains", nargs="*")
    a = ap.parse_args()
    w, h = map(int, a.size.split("x"))
    import os
    os.makedirs(a.out, exist_ok=True)
    img, pts = pattern(w, h)
    png = write_pgm(os.path.join(a.out, f"pattern-{w}x{h}.pgm"), img)
    last = a.frames - 1
    cands = dict(c.split("=", 1) for c in a.chains) if a.chains else dict(DEFAULTS)
    if a.only:
        cands = {k: v for k, v in cands.items() if k in a.only.split(",")}
    print(f"pattern {w}x{h}, {len(pts)} dots, {a.frames} frames, zoom 1 -> {a.zoom} (linear), {a.fps} fps")
    print("| form | RMS error px | max error px | max centre drift px | max centre jump px/frame | max zoom error % | max zoom-error jump % |")
    print("|---|---|---|---|---|---|---|")
    for name, chain in cands.items():
        chain = chain.format(W=w, H=h, Z1=f"{a.zoom - 1:.6f}", LAST=last, FPS=a.fps,
                             CX=f"{w / 2 - 0.5}", CY=f"{h / 2 - 0.5}",
                             ZP=f"(1+{a.zoom - 1:.6f}*(on-1)/{last})")
        frames = run(chain, png, w, h, a.frames, a.fps)
        errs, drift, zerr = [], [], []
        for k, fr in enumerate(frames):
            z = 1 + (a.zoom - 1) * k / last
            exp = (pts - [w / 2, h / 2]) * z + [w / 2, h / 2]
            got = np.array([centroid(fr, x, y, 4 * 3.0 * z) for x, y in exp])
            e = got - exp
            errs.append(np.hypot(e[:, 0], e[:, 1]))
            drift.append(e.mean(axis=0))
            # zoom actually shown: least squares of (got - c) against (p - c)
            d = (pts - [w / 2, h / 2]).ravel()
            g = (got - got.mean(axis=0)).ravel()
            zerr.append((d @ g) / (d @ d) / z - 1)
        errs = np.array(errs)
        drift = np.array(drift)
        zerr = np.array(zerr)
        jump = np.hypot(*np.diff(drift, axis=0).T)
        print(f"| {name} | {np.sqrt((errs ** 2).mean()):.3f} | {errs.max():.3f} | "
              f"{np.hypot(*drift.T).max():.3f} | {jump.max():.3f} | {100 * np.abs(zerr).max():.3f} | "
              f"{100 * np.abs(np.diff(zerr)).max():.3f} |")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
