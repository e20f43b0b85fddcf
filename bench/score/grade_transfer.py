#!/usr/bin/env python3
"""Grade transfer against truth (issue 4): shots A and B get the same known ffmpeg grade;
graded A is the template, ungraded B the source, graded B the truth. Reports the mean CIEDE2000
between each method's output and graded B:
  - identity (source left untouched: the scale of the task),
  - color-matcher 0.6 Reinhard and MKL (colour-distribution matching, reference = graded A),
  - `stylecut apply --template gradedA.mp4 B.mp4 -o OUT` when --stylecut is given (frames compared
    at the same timestamps, so the apply must not re-time the source). By default only the colour
    dimension is applied (`--config` with every other `apply` switch off): the template's other
    dimensions (a pan or push-in, its frame rate) move or re-time the picture, and a pixel
    comparison would count that as colour error. `--dimensions all` runs the default apply.
Grades: the ffmpeg grades (synth/grades) and known slider values of the documented grade model
(synth/model-grades).
Needs the synthetic grades set (bench/synth/generate.py).

Usage: nice -n 10 bench/.venv/bin/python bench/score/grade_transfer.py [--stylecut BIN]
"""
import argparse
import json
import subprocess
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import groundtruth as G  # noqa: E402

FRAME_W, FRAME_H = 320, 180  # comparison resolution
SAMPLE_TIMES = (0.2, 0.9, 1.6, 2.3)  # s, inside the 3 s grade clips
PAIRS = [(0, 1), (1, 2), (2, 0)]  # (template base, source base) of synth/grades


def frames(path):
    out = []
    for t in SAMPLE_TIMES:
        raw = subprocess.run(["ffmpeg", "-v", "error", "-ss", str(t), "-i", str(path),
                              "-frames:v", "1", "-vf", f"scale={FRAME_W}:{FRAME_H}",
                              "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
                             capture_output=True, check=True).stdout
        out.append(np.frombuffer(raw, np.uint8).reshape(FRAME_H, FRAME_W, 3).astype(np.float64))
    return out


def srgb_to_lab(rgb):
    """sRGB 0..255 -> CIE L*a*b* (D65)."""
    c = rgb / 255.0
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    m = np.array([[0.4124564, 0.3575761, 0.1804375],
                  [0.2126729, 0.7151522, 0.0721750],
                  [0.0193339, 0.1191920, 0.9503041]])
    xyz = lin @ m.T / np.array([0.95047, 1.0, 1.08883])
    eps, kappa = 216 / 24389, 24389 / 27
    f = np.where(xyz > eps, np.cbrt(xyz), (kappa * xyz + 16) / 116)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]),
                     200 * (f[..., 1] - f[..., 2])], axis=-1)


def ciede2000(lab1, lab2):
    """Per-pixel CIEDE2000 (Sharma, Wu, Dalal 2005), kL = kC = kH = 1."""
    L1, a1, b1 = np.moveaxis(lab1, -1, 0)
    L2, a2, b2 = np.moveaxis(lab2, -1, 0)
    cbar = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    g = 0.5 * (1 - np.sqrt(cbar ** 7 / (cbar ** 7 + 25 ** 7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p = np.degrees(np.arctan2(b1, a1p)) % 360
    h2p = np.degrees(np.arctan2(b2, a2p)) % 360
    dLp, dCp = L2 - L1, c2p - c1p
    dh = h2p - h1p
    dh = np.where(dh > 180, dh - 360, np.where(dh < -180, dh + 360, dh))
    dh = np.where(c1p * c2p == 0, 0, dh)
    dHp = 2 * np.sqrt(c1p * c2p) * np.sin(np.radians(dh / 2))
    Lbar, cbarp = (L1 + L2) / 2, (c1p + c2p) / 2
    hsum = h1p + h2p
    hbar = np.where(np.abs(h1p - h2p) > 180, np.where(hsum < 360, hsum + 360, hsum - 360), hsum) / 2
    hbar = np.where(c1p * c2p == 0, hsum, hbar)
    t = (1 - 0.17 * np.cos(np.radians(hbar - 30)) + 0.24 * np.cos(np.radians(2 * hbar))
         + 0.32 * np.cos(np.radians(3 * hbar + 6)) - 0.20 * np.cos(np.radians(4 * hbar - 63)))
    sl = 1 + 0.015 * (Lbar - 50) ** 2 / np.sqrt(20 + (Lbar - 50) ** 2)
    sc, sh = 1 + 0.045 * cbarp, 1 + 0.015 * cbarp * t
    rt = (-2 * np.sqrt(cbarp ** 7 / (cbarp ** 7 + 25 ** 7))
          * np.sin(np.radians(60 * np.exp(-(((hbar - 275) / 25) ** 2)))))
    return np.sqrt((dLp / sl) ** 2 + (dCp / sc) ** 2 + (dHp / sh) ** 2
                   + rt * (dCp / sc) * (dHp / sh))


def mean_de(outputs, truths):
    return float(np.mean([ciede2000(srgb_to_lab(np.clip(o, 0, 255)), srgb_to_lab(t)).mean()
                          for o, t in zip(outputs, truths)]))


def color_matcher(sources, template, method):
    from color_matcher import ColorMatcher
    ref = np.concatenate(template, axis=0)  # all template frames as one reference image
    cm = ColorMatcher()
    return [cm.transfer(src=s, ref=ref, method=method) for s in sources]


# Job config of a colour-only apply: every other dimension switched off (docs/APPLY.md).
COLOUR_ONLY = {"apply": {"framing": False, "pacing": False, "transitions": False,
                         "motion": False, "audio": False, "subtitles": False}}


def stylecut_apply(binary, template_clip, source_clip, out, config=None):
    extra = ["--config", str(config)] if config else []
    subprocess.run([str(binary), "apply", *extra, "--template", str(template_clip),
                    str(source_clip), "-o", str(out)], check=True, capture_output=True)
    return frames(out)


def main():
    root = Path(__file__).resolve().parents[2]
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stylecut", type=Path)
    ap.add_argument("--synth", type=Path, default=root / "bench" / "out" / "synth")
    ap.add_argument("--out", type=Path, default=root / "bench" / "out" / "score")
    ap.add_argument("--dimensions", choices=["colour", "all"], default="colour",
                    help="apply only the colour dimension (default) or every dimension")
    ap.add_argument("--sets", nargs="+", choices=["grades", "model-grades"],
                    default=["grades", "model-grades"],
                    help="grade sets to run (both by default; one each lets two runs share the work)")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    config = None
    if args.dimensions == "colour":
        config = args.out / "colour-only.json"
        config.write_text(json.dumps(COLOUR_ONLY))
    jobs = [(set_name, prefix, grade)
            for set_name, prefix in (("grades", "grade"), ("model-grades", "model"))
            if set_name in args.sets
            for grade in sorted({gt["grade"]["name"]
                                 for _, gt in G.synth_clips(args.synth, set_name)} - {"neutral"})]
    methods = ["identity", "color-matcher reinhard", "color-matcher mkl", "stylecut apply"]
    scores = {m: [] for m in methods}
    rows = []
    for set_name, prefix, grade in jobs:
        d = args.synth / set_name
        for a, b in PAIRS:
            tmpl = frames(d / f"{prefix}-{a}-{grade}.mp4")
            src = frames(d / f"{prefix}-{b}-neutral.mp4")
            truth = frames(d / f"{prefix}-{b}-{grade}.mp4")
            res = {"identity": mean_de(src, truth),
                   "color-matcher reinhard": mean_de(color_matcher(src, tmpl, "reinhard"), truth),
                   "color-matcher mkl": mean_de(color_matcher(src, tmpl, "mkl"), truth)}
            if args.stylecut:
                out = args.out / f"apply-{prefix}-{grade}-{a}{b}.mp4"
                res["stylecut apply"] = mean_de(
                    stylecut_apply(args.stylecut, d / f"{prefix}-{a}-{grade}.mp4",
                                   d / f"{prefix}-{b}-neutral.mp4", out, config), truth)
            for m, v in res.items():
                scores[m].append(v)
            rows.append([f"{prefix}: {grade}", f"{a}→{b}", *(f"{res[m]:.2f}" if m in res else "not yet measured"
                                             for m in methods)])
            print(" | ".join(rows[-1]), file=sys.stderr, flush=True)
    rows.append(["**mean**", "", *(f"**{np.mean(scores[m]):.2f}**" if scores[m]
                                   else "not yet measured" for m in methods)])
    head = ["grade", "template→source", *methods]
    text = ("Mean CIEDE2000 to the truly graded source (lower is better; target ≤ 3 and below "
            f"both color-matcher methods). stylecut dimensions applied: {args.dimensions}. Frames at " + ", ".join(map(str, SAMPLE_TIMES)) +
            f" s, {FRAME_W}x{FRAME_H}.\n\n" +
            "\n".join(["| " + " | ".join(head) + " |", "|" + "---|" * len(head)] +
                      ["| " + " | ".join(r) + " |" for r in rows]) + "\n")
    print(text)
    (args.out / "grade_transfer.md").write_text(text)


if __name__ == "__main__":
    main()
