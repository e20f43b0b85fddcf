#!/usr/bin/env python3
"""CIEDE2000 between the pictures of two videos, frame by frame (session 7, colour).

Each file is decoded by ffmpeg to R'G'B' (rgb24) at a common size. How a file is decoded:
  --how tags     the file's own colour tags, made explicit (matrix from color_space,
                 range from color_range / yuvj; untagged = BT.601 limited; HLG/PQ are
                 converted to BT.709 SDR with zscale, the inverse of make.sh's (d), (e), (f))
  --how default  what a bare `scale=W:H:flags=area,format=rgb24` does (stylecut's
                 analysis decode on main)
The reference (first file) is always decoded by its tags. Prints mean and p99 CIEDE2000
over all pixels of all compared frames (sRGB → Lab D65, as lut_yuv::lab does).
  --vf CHAIN     any decode chain ({w}, {h}: the size), e.g. stylecut's HDR tone-map
Usage: measure.py REF TEST [--how tags|default] [--vf CHAIN] [--frames N] [--size 320x180]
"""
import argparse, json, subprocess, sys
import numpy as np

def probe(path):
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
        "stream=pix_fmt,color_range,color_space,color_transfer,color_primaries,width,height",
        "-of", "json", path], capture_output=True, check=True).stdout
    return json.loads(out)["streams"][0]

def tag_filter(s, w, h):
    pf = s.get("pix_fmt", "")
    rng = s.get("color_range", "unknown")
    full = rng == "pc" or pf.startswith("yuvj")
    spc = s.get("color_space", "unknown")
    trc = s.get("color_transfer", "unknown")
    if pf.startswith("gbr") or pf.startswith("rgb") or pf.startswith("bgr"):
        return f"scale={w}:{h}:flags=area,format=rgb24"
    if trc in ("arib-std-b67", "smpte2084"):
        # The exact inverse of make.sh's (d) and (e/f): PQ's SDR white sits at 203 cd/m².
        t, npl = ("arib-std-b67", 100) if trc == "arib-std-b67" else ("smpte2084", 203)
        return (f"zscale=w={w}:h={h}:filter=bilinear:tin={t}:min=2020_ncl:pin=bt2020:"
                f"rin={'full' if full else 'limited'}:t=bt709:m=gbr:p=bt709:r=full:npl={npl},format=gbrp,format=rgb24")
    m = {"bt709": "bt709", "bt2020nc": "bt2020", "bt2020c": "bt2020", "fcc": "fcc",
         "smpte240m": "smpte240m"}.get(spc, "bt601")
    return (f"scale={w}:{h}:flags=area:in_color_matrix={m}:in_range={'pc' if full else 'tv'},"
            f"format=rgb24")

def frames(path, vf, w, h, n):
    out = subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-i", path, "-frames:v", str(n),
        "-vf", vf, "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], capture_output=True, check=True).stdout
    a = np.frombuffer(out, np.uint8)
    return a.reshape(-1, h, w, 3)

def lab(rgb):
    c = rgb.astype(np.float64) / 255.0
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    M = np.array([[0.4124564, 0.3575761, 0.1804375],
                  [0.2126729, 0.7151522, 0.0721750],
                  [0.0193339, 0.1191920, 0.9503041]])
    xyz = lin @ M.T / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6/29) ** 3, np.cbrt(xyz), xyz / (3 * (6/29) ** 2) + 4/29)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]),
                     200 * (f[..., 1] - f[..., 2])], -1)

def ciede2000(p, q):
    L1, a1, b1 = p[..., 0], p[..., 1], p[..., 2]
    L2, a2, b2 = q[..., 0], q[..., 1], q[..., 2]
    C1, C2 = np.hypot(a1, b1), np.hypot(a2, b2)
    Cm = (C1 + C2) / 2
    G = 0.5 * (1 - np.sqrt(Cm ** 7 / (Cm ** 7 + 25.0 ** 7)))
    a1p, a2p = (1 + G) * a1, (1 + G) * a2
    C1p, C2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p = np.degrees(np.arctan2(b1, a1p)) % 360
    h2p = np.degrees(np.arctan2(b2, a2p)) % 360
    dL, dC = L2 - L1, C2p - C1p
    dh = h2p - h1p
    dh = np.where(dh > 180, dh - 360, np.where(dh < -180, dh + 360, dh))
    dh = np.where(C1p * C2p == 0, 0, dh)
    dH = 2 * np.sqrt(C1p * C2p) * np.sin(np.radians(dh) / 2)
    Lm, Cmp = (L1 + L2) / 2, (C1p + C2p) / 2
    hs = h1p + h2p
    hm = np.where(C1p * C2p == 0, hs,
         np.where(np.abs(h1p - h2p) <= 180, hs / 2, np.where(hs < 360, (hs + 360) / 2, (hs - 360) / 2)))
    T = (1 - 0.17 * np.cos(np.radians(hm - 30)) + 0.24 * np.cos(np.radians(2 * hm))
         + 0.32 * np.cos(np.radians(3 * hm + 6)) - 0.20 * np.cos(np.radians(4 * hm - 63)))
    dth = 30 * np.exp(-((hm - 275) / 25) ** 2)
    Rc = 2 * np.sqrt(Cmp ** 7 / (Cmp ** 7 + 25.0 ** 7))
    Sl = 1 + 0.015 * (Lm - 50) ** 2 / np.sqrt(20 + (Lm - 50) ** 2)
    Sc, Sh = 1 + 0.045 * Cmp, 1 + 0.015 * Cmp * T
    Rt = -np.sin(np.radians(2 * dth)) * Rc
    return np.sqrt((dL / Sl) ** 2 + (dC / Sc) ** 2 + (dH / Sh) ** 2 + Rt * (dC / Sc) * (dH / Sh))

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ref"); ap.add_argument("test")
    ap.add_argument("--how", default="tags", choices=["tags", "default"])
    ap.add_argument("--frames", type=int, default=48)
    ap.add_argument("--size", default="320x180")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--vf", help="decode the test file with this filter chain instead ({w} and {h} "
                    "are replaced by the size; it must end in R'G'B' at that size)")
    a = ap.parse_args()
    w, h = map(int, a.size.split("x"))
    r = frames(a.ref, tag_filter(probe(a.ref), w, h), w, h, a.frames)
    vf = tag_filter(probe(a.test), w, h) if a.how == "tags" else f"scale={w}:{h}:flags=area,format=rgb24"
    if a.vf:
        vf = a.vf.replace("{w}", str(w)).replace("{h}", str(h)) + ",format=rgb24"
    t = frames(a.test, vf, w, h, a.frames)
    n = min(len(r), len(t))
    de = ciede2000(lab(r[:n]), lab(t[:n])).ravel()
    res = {"frames": n, "mean": float(de.mean()), "p99": float(np.percentile(de, 99)),
           "mean_rgb_ref": r[:n].reshape(-1, 3).mean(0).round(2).tolist(),
           "mean_rgb_test": t[:n].reshape(-1, 3).mean(0).round(2).tolist()}
    print(json.dumps(res) if a.json else
          f"{a.test}: frames {n} mean ΔE {res['mean']:.3f} p99 {res['p99']:.3f} "
          f"rgb ref {res['mean_rgb_ref']} test {res['mean_rgb_test']}")

if __name__ == "__main__":
    main()
