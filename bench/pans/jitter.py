#!/usr/bin/env python3
"""Pan and moving-crop geometry: how far a rendered pan's (or moving reframe window's)
picture sits from the exact path, frame by frame.

A still pattern (Gaussian dots, sigma 3 px, on a dense grid off the pixel grid, over the
whole source SW x SH) is run through each candidate filter chain (ffmpeg, `-loop 1`, 4:2:0
in and out of the chain
(so `crop` works on 4:2:0, as in the render), raw 8-bit luma out, no encoder). Every visible dot's centroid in output frame n is
compared with where the exact move puts it (continuous coordinates: pixel i covers [i, i+1)):

* pan (`--mode pan`, the plan's `Motion::Pan`): the source scaled to ZW x ZH
  (ZW = even(PW * zoom)), the PW x PH window at x = (ZW - PW) * n / LAST (left to right),
  vertically centred: out = u * ZW / SW - x(n);
* moving reframe window (`--mode window`): a CW x SH window of the source (CW = the
  crop's width, even), its left edge moving linearly from X0 to X1 source px over the
  segment, scaled to PW x PH: out = (u - X(n)) * PW / CW.

Per candidate, over all frames: the picture's horizontal error (the mean error of the
visible dots) -- its largest absolute value and its largest frame-to-frame change (the
judder: an exact move has 0) --, the largest single-dot error, and the share of frames whose
picture does not move (under 0.05 px) while the exact path moves. Prints a Markdown table.

Usage: jitter.py [--mode pan|window] [--src 1280x720] [--out-size 1280x720] [--frames 150]
                 [--zoom 1.05] [--x0 0] [--x1 200] [--cw 406] [--only NAMES] [NAME=CHAIN ...]
`band` (session 15) is the render's form since then (graph::moving_window).
CHAIN placeholders: {SW} {SH} {PW} {PH} {ZW} {ZH} {LAST} {CW} {X0} {X1} {DX} (= X1 - X0).
"""
import argparse
import math
import os
import subprocess
import sys

import importlib.util

import numpy as np

# The dot centroid and the ffmpeg frame reader of the push-in harness, shared (both
# measure dots on 8-bit luma of a still looped through filters).
_spec = importlib.util.spec_from_file_location(
    "pushin_jitter", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pushin", "jitter.py"))
_pushin = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_pushin)
centroid = _pushin.centroid

PAN = {
    # main e5b7018 (graph.rs, Motion::Pan): 4:2:0 crop at whole pixels, corner rounded
    # down to even ones
    "main": "scale={ZW}:{ZH},crop={PW}:{PH}:x=(iw-ow)*n/{LAST}:y=(ih-oh)/2",
    # luma at the nearest whole pixel (`exact=1`: chroma at half its grid)
    "crop-exact": "scale={ZW}:{ZH},crop={PW}:{PH}:x=(iw-ow)*n/{LAST}:y=(ih-oh)/2:exact=1",
    # window 2 px wider at an even corner, the remaining 0..2 px by perspective (bilinear)
    "perspective": "scale={ZW}:{ZH},crop={PW2}:{PH}:x='min(2*floor({DZ}*n/{LAST}/2),{DZ}-2)':y=(ih-oh)/2,"
    "perspective=x0='{F}':y0=0:x1='W+{F}':y1=0:x2='{F}':y2=H:x3='W+{F}':y3=H:eval=frame,"
    "crop={PW}:{PH}:0:0",
}
WINDOW = {
    # main: crop of the source at the path's corner (rounded down to even), scaled
    "main": "crop=w={CW}:h={SH}:x='{X0}+{DX}*n/{LAST}':y=0,scale={PW}:{PH}",
    "crop-exact": "crop=w={CW}:h={SH}:x='{X0}+{DX}*n/{LAST}':y=0:exact=1,scale={PW}:{PH}",
    "perspective": "crop=w={CW2}:h={SH}:x='min(2*floor(({X0}+{DX}*n/{LAST})/2),{SW}-{CW2})':y=0,"
    "perspective=x0='{FW}':y0=0:x1='W+{FW}':y1=0:x2='{FW}':y2=H:x3='W+{FW}':y3=H:eval=frame,"
    "crop={CW}:{SH}:0:0,scale={PW}:{PH}",
}


def smooth_crop(ow, oh, x, y, q=4, masked=False):
    """Python copy of `graph::moving_crop_x`: the window's corner x(n) (input pixels, an
    expression of n) quantised to 1/q px, K = round(q x); luma from the whole-pixel crops at
    floor(K/q) and +1 mixed by (K mod q)/q, chroma from the crops at 2 floor(K/2q) and +2
    mixed by (K mod 2q)/2q, one instance per weight, switched on by its frame's `enable`.
    masked=False: the mixing by `mix` (session 14); masked=True: by `maskedmerge` with one
    constant mask frame per weight, m = 256 w (the plan's form since session 15)."""
    k = f"round({q}*({x}))"
    parts = [f"split=3[ma][mb][md];[ma]crop={ow}:{oh}:x='floor({k}/{q})':y={y}:exact=1[m0];"
             f"[mb]crop={ow}:{oh}:x='floor({k}/{q})+1':y={y}:exact=1,split={q - 1}"
             + "".join(f"[mb{i}]" for i in range(1, q)) + ";"
             f"[md]crop={ow}:{oh}:x='2*floor({k}/{2 * q})+2':y={y},split={2 * q - 1}"
             + "".join(f"[md{j}]" for j in range(1, 2 * q)) + ";"]
    if masked:
        def wt(num, den):
            return 256 * num // den
        for j in range(1, 2 * q):
            luma = wt(j, q) if j < q else 0
            parts.append(f"color=c=black:s={ow}x{oh}:r=1:d=1,format=yuv420p,"
                         f"lutyuv=y={luma}:u={wt(j, 2 * q)}:v={wt(j, 2 * q)}"
                         + (f",split=2[mk{j}][mq{j}];" if j < q else f"[mq{j}];"))
    cur = "m0"
    for i in range(1, q):
        if masked:
            parts.append(f"[{cur}][mb{i}][mk{i}]maskedmerge=planes=1:enable='eq(mod({k},{q}),{i})'[ml{i}];")
        else:
            parts.append(f"[{cur}][mb{i}]mix=weights='{q - i} {i}':planes=1:enable='eq(mod({k},{q}),{i})'[ml{i}];")
        cur = f"ml{i}"
    for j in range(1, 2 * q):
        nxt = f"mc{j}"
        if masked:
            parts.append(f"[{cur}][md{j}][mq{j}]maskedmerge=planes=6:enable='eq(mod({k},{2 * q}),{j})'"
                         + ("" if j == 2 * q - 1 else f"[{nxt}];"))
        else:
            parts.append(f"[{cur}][md{j}]mix=weights='{2 * q - j} {j}':planes=6:enable='eq(mod({k},{2 * q}),{j})'"
                         + ("" if j == 2 * q - 1 else f"[{nxt}];"))
        cur = nxt
    return "".join(parts)


def band_window(full, exact, target, corner, q=4, grid=4):
    """Python copy of `graph::moving_window` on one axis (session 15's reframe window): a
    whole-pixel band of the source (corner on a `grid`-px grid) holding the window, scaled
    so the window is `target` px, the window cut out of it at 1/q px (`smooth_crop`, masked as the plan since session 15).
    `corner`: the window's left edge, source px, an expression of n. Returns the chain."""
    top = full & ~1
    first = 2 * math.ceil(exact / 2) + grid + 2
    first = min(first + (top - first) % grid, top)

    def size(b):
        extra = b * target / exact - target
        z = target + 2 * max(int(math.floor(extra / 2 + 0.5)), 0)
        return b, z, target * b / z

    fits = [size(b) for b in (first + grid * i for i in range(32)) if b <= top]
    fits = [c for c in fits if c[2] <= exact + 1e-9 and c[0] - c[2] >= grid]
    pick = next((c for c in fits if exact - c[2] <= 0.25), None) or (
        max(fits, key=lambda c: c[2]) if fits else size(top))
    band, z, win = pick
    # the harness' window is `exact` px wide at `corner`: its centre, then the drawn corner
    x = f"st(0,clip(({corner})+{exact / 2:.6f}-{win / 2:.6f},0,{full - win:.6f}))"
    pos = f"clip({grid}*floor(ld(0)/{grid}),0,{top - band})"
    rel = f"{x};clip((ld(0)-{pos})*{z / band:.6f},0,{z - target})"
    return (f"crop=w={band}:h=ih:x='{x};{pos}':y=0,scale={z}:{{PH}},format=yuv420p,"
            + smooth_crop(target, "{PH}", rel, 0, masked=True))


def even(v):
    return max(int(round(v / 2)), 1) * 2


def pattern(w, h, step=24.0, sigma=3.0):
    xs = np.arange(step / 2, w - step / 4, step) + 0.37
    ys = np.arange(step / 2, h - step / 4, step) - 0.21
    img = np.zeros((h, w))
    yy, xx = np.mgrid[0:h, 0:w] + 0.5
    r = int(4 * sigma)
    for x in xs:
        for y in ys:
            x0, x1 = max(int(x) - r, 0), min(int(x) + r + 1, w)
            y0, y1 = max(int(y) - r, 0), min(int(y) + r + 1, h)
            img[y0:y1, x0:x1] += np.exp(-((xx[y0:y1, x0:x1] - x) ** 2 + (yy[y0:y1, x0:x1] - y) ** 2)
                                        / (2 * sigma**2))
    pts = np.array([(x, y) for y in ys for x in xs])
    return (16 + 219 * np.clip(img, 0, 1)).round().astype(np.uint8), pts


def run(chain, pgm, w, h, n):
    return _pushin.gray_frames(pgm, f"format=yuv420p,{chain},format=yuv420p,format=gray", w, h, n)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", default="pan", choices=["pan", "window"])
    ap.add_argument("--src", default="1280x720")
    ap.add_argument("--out-size", default="1280x720")
    ap.add_argument("--frames", type=int, default=150)
    ap.add_argument("--zoom", type=float, default=1.05)
    ap.add_argument("--x0", type=float, default=100.0)
    ap.add_argument("--x1", type=float, default=160.0)
    ap.add_argument("--cw", type=int, default=406)
    ap.add_argument("--out", default="bench/out/pans")
    ap.add_argument("--only")
    ap.add_argument("chains", nargs="*")
    a = ap.parse_args()
    sw, sh = map(int, a.src.split("x"))
    pw, ph = map(int, a.out_size.split("x"))
    os.makedirs(a.out, exist_ok=True)
    img, pts = pattern(sw, sh)
    pgm = _pushin.write_pgm(os.path.join(a.out, f"dots-{sw}x{sh}.pgm"), img)
    last = a.frames - 1
    zw, zh = even(pw * a.zoom), even(ph * a.zoom)
    dz = zw - pw
    dx = a.x1 - a.x0
    v = dict(SW=sw, SH=sh, PW=pw, PH=ph, ZW=zw, ZH=zh, LAST=last, CW=a.cw, X0=a.x0, X1=a.x1,
             DX=dx, DZ=dz, PW2=pw + 2, CW2=a.cw + 2,
             F=f"({dz}*(in-1)/{last}-min(2*floor({dz}*(in-1)/{last}/2),{dz}-2))",
             FW=f"(({a.x0}+{dx}*(in-1)/{last})-min(2*floor(({a.x0}+{dx}*(in-1)/{last})/2),{sw}-{a.cw + 2}))")
    PAN["mix"] = "scale={ZW}:{ZH}," + smooth_crop(pw, ph, f"{dz}*n/{last}", "2*floor((ih-oh)/4)")
    WINDOW["mix"] = smooth_crop(a.cw, sh, f"{a.x0}+{dx}*n/{last}", "0") + ",scale={PW}:{PH}"
    PAN["masked"] = "scale={ZW}:{ZH}," + smooth_crop(pw, ph, f"{dz}*n/{last}", "2*floor((ih-oh)/4)", masked=True)
    WINDOW["masked"] = (smooth_crop(a.cw, sh, f"{a.x0}+{dx}*n/{last}", "0", masked=True)
                        + ",scale={PW}:{PH}")
    # session 15: the band, scaled, then the sub-pixel cut (graph::moving_window)
    WINDOW["band"] = band_window(sw, a.cw, pw, f"{a.x0}+{dx}*n/{last}")
    base = PAN if a.mode == "pan" else WINDOW
    cands = dict(c.split("=", 1) for c in a.chains) if a.chains else dict(base)
    if a.only:
        cands = {k: c for k, c in cands.items() if k in a.only.split(",")}
    if a.mode == "pan":
        sx, sy = zw / sw, zh / sh
        print(f"pan: source {sw}x{sh} -> {zw}x{zh}, window {pw}x{ph} moving {dz} px over "
              f"{a.frames} frames ({dz / last:.3f} px/frame)")
    else:
        sx = sy = pw / a.cw
        print(f"window: source {sw}x{sh}, window {a.cw}x{sh} from x {a.x0} to {a.x1} over "
              f"{a.frames} frames ({dx / last * pw / a.cw:.3f} output px/frame) -> {pw}x{ph}")
    print("| form | max picture error px | max jump error px/frame | max dot error px | frames standing still |")
    print("|---|---|---|---|---|")
    for name, chain in cands.items():
        chain = chain.format(**v)
        frames = run(chain, pgm, pw, ph, a.frames)
        errs, worst = [], 0.0
        for k, fr in enumerate(frames):
            if a.mode == "pan":
                x = dz * k / last
                ex, ey = pts[:, 0] * sx - x, pts[:, 1] * sy - (zh - ph) / 2
            else:
                x = a.x0 + dx * k / last
                ex, ey = (pts[:, 0] - x) * sx, pts[:, 1] * sy
            r = 4 * 3.0 * sx
            keep = (ex > r + 2) & (ex < pw - r - 2) & (ey > r + 2) & (ey < ph - r - 2)
            got = np.array([centroid(fr, x_, y_, r) for x_, y_ in zip(ex[keep], ey[keep])])
            e = got[:, 0] - ex[keep]
            errs.append(e.mean())
            worst = max(worst, np.abs(np.hypot(e, got[:, 1] - ey[keep])).max())
        errs = np.array(errs)
        jump = np.abs(np.diff(errs))
        exact_step = (dz if a.mode == "pan" else dx * sx) / last
        # the picture moves by the exact step plus the change of its error
        disp = exact_step - np.diff(errs)
        still = float((np.abs(disp) < 0.05).mean())
        print(f"| {name} | {np.abs(errs).max():.3f} | {jump.max():.3f} | {worst:.3f} | {100 * still:.0f} % |")
        sys.stdout.flush()
        if os.environ.get("DUMP"):
            np.savetxt(os.path.join(a.out, f"{a.mode}-{name}.txt"), errs, fmt="%.4f")


def still_png(out, size):
    """A testsrc2 frame of `size` as a PNG under `out` (made once): the cpu scripts' input."""
    os.makedirs(out, exist_ok=True)
    src = f"{out}/still-{size}.png"
    if not os.path.exists(src):
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", f"testsrc2=s={size}:r=30",
                        "-frames:v", "1", src], check=True)
    return src


def filter_cpu(src, n, forms, names, runs, label):
    """User + sys CPU seconds of one single-threaded ffmpeg running `n` frames of the still
    `src` through each form of `forms` (name -> filter chain, 4:2:0 in and out, no encoder),
    `runs` runs each; prints each run (prefixed by `label`) and returns name -> seconds."""
    res = {}
    for name in names:
        for r in range(runs):
            t0 = os.times()
            subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-threads", "1", "-filter_threads", "1",
                            "-filter_complex_threads", "1", "-loop", "1", "-framerate", "30", "-i", src,
                            "-frames:v", str(n), "-filter_complex",
                            f"format=yuv420p,{forms[name]},format=yuv420p", "-f", "null", "-"], check=True)
            t1 = os.times()
            cpu = (t1.children_user - t0.children_user) + (t1.children_system - t0.children_system)
            res.setdefault(name, []).append(cpu)
            print(f"{label} {name} run {r + 1}: {cpu:.2f} s, {1000 * cpu / n:.2f} ms/frame", flush=True)
    return res


if __name__ == "__main__":
    main()
