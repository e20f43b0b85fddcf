#!/usr/bin/env python3
"""Calibration of `extraction_confidence` against measured extraction errors (issue 3).

"Calibrated so that low values really mark unreliable extractions": every clip with ground truth
(shared videos with a shots GT, the synthetic transition and no-cut clips, annotated music, the
synthetic drums, speech without music) is cut into windows of several lengths (the whole clip,
and excerpts of 3, 6 and 12 s at two offsets), so the same material appears both with little
and with enough evidence. For each window the harness runs `stylecut analyze`, then
`stylecut extract --from-analysis`, and checks the StyleJSON fields that have ground truth:

* `cut_frequency`: the number of shot boundaries (hard cuts and gradual transitions) within
  10 % of the true number in the window (so exact below 10 boundaries);
* `primary_transition`: equal to the most frequent true family (any of a tie), when the window
  holds at least one boundary;
* `tempo_bpm`: within 4 % of an accepted tempo for annotated music (excerpts shorter than four
  beats of the true tempo are skipped), and null for speech-only and soundless clips.

An extraction is *reliable* when every applicable check passes. The report gives the reliable
share per confidence band (the contract: > 0.85 reliable, < 0.6 poor), the ROC AUC of
confidence against reliability and the Brier score, and, with `--fit`, the fits of the
per-field models that `crates/style/src/extract.rs` implements (features computed here
exactly as there), scored in sample, leaving one source out and leaving one whole set out,
so that the fit is judged on material it did not see. `--models s4` fits session 4's
models (no motion term, no beat jitter) instead, for comparison.

Usage:
  nice -n 10 bench/.venv/bin/python bench/score/confidence.py --stylecut BIN [--fit]
      [--models current|s4]
      [--media ../shared/media] [--synth bench/out/synth] [--out bench/out/confidence]
Writes OUT/confidence.md and OUT/windows.json (every window: checks, features, confidence).
"""
import argparse
import json
import math
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import groundtruth as G  # noqa: E402
import metrics as M  # noqa: E402
from score import log, md_table  # noqa: E402

EXCERPTS_S = (3.0, 6.0, 12.0)
BEAT_JITTER_FULL = 0.1  # inter-beat CV that counts as no steady pulse at all
BANDS = ((0.0, 0.6, "< 0.6 (poor)"), (0.6, 0.85, "0.6–0.85"), (0.85, 1.01, "> 0.85 (reliable)"))
FAMILY = {"cut": "cut", "cut_from_black": "cut", "cut_to_black": "cut", "fade_in": "fade",
          "fade_out": "fade", "fade": "fade", "dissolve": "dissolve", "wipe": "wipe",
          "slide": "slide", "zoom": "zoom"}
SPEECH_GLOB = "speech/**/*"
AUDIO_SUFFIXES = (".wav", ".flac", ".ogg", ".mp3")


def probe_duration(path):
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration",
                          "-of", "csv=p=0", str(path)], capture_output=True, text=True,
                         check=True).stdout.strip()
    return float(out)


def cut_window(src, start, dur, out, audio_only):
    """Re-encode [start, start+dur) of `src` (output-side seek: exact, and safe on clips with
    few keyframes). Audio-only sources get a black picture so `analyze` takes them."""
    if out.exists():
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    cmd = ["ffmpeg", "-y", "-v", "error"]
    if audio_only:
        cmd += ["-f", "lavfi", "-i", "color=black:s=320x180:r=25", "-i", str(src),
                "-ss", f"{start:.3f}", "-t", f"{dur:.3f}", "-map", "0:v", "-map", "1:a",
                "-shortest"]
    else:
        cmd += ["-i", str(src), "-ss", f"{start:.3f}", "-t", f"{dur:.3f}", "-map", "0:v:0",
                "-map", "0:a:0?"]
    cmd += ["-c:v", "libx264", "-preset", "ultrafast", "-crf", "16", "-c:a", "aac", "-b:a",
            "192k", str(out)]
    subprocess.run(cmd, check=True)


def windows_of(duration):
    """(start, length) of the whole clip and of excerpts at two offsets."""
    out = [(0.0, duration)]
    for length in EXCERPTS_S:
        if length < duration * 0.8:
            out.append((0.0, length))
            out.append((round((duration - length) / 2.0, 3), length))
    return out


class Sources:
    """Every source with ground truth, normalised to what the checks need."""

    def __init__(self, media, synth):
        self.items = []
        for gt in G.shared_videos(media) + G.synth_videos(synth, ("transitions",)):
            boundaries = [(t, "cut") for t in gt["cuts"]]
            boundaries += [(g["start"], FAMILY.get(g["expected_type"], g["expected_type"]),
                            g["end"]) for g in gt["gradual"]]
            self.items.append({"path": gt["path"], "name": gt["name"], "kind": "video",
                               "set": gt["set"], "fps": gt["fps"], "boundaries": boundaries,
                               "tempo": None, "music": None})
        for m in G.shared_music(media) + G.synth_music(synth):
            self.items.append({"path": m["path"], "name": m["name"], "kind": "music",
                               "set": f"music-{m['set']}", "fps": 25.0, "boundaries": [],
                               "tempo": m["tempo"], "music": True})
        for p in sorted(media.glob(SPEECH_GLOB)):
            if p.suffix.lower() in AUDIO_SUFFIXES:
                self.items.append({"path": str(p), "name": p.name, "kind": "speech",
                                   "set": "speech", "fps": 25.0, "boundaries": [],
                                   "tempo": None, "music": False})


def gt_in_window(src, start, dur, clip_duration):
    """Boundaries inside the window, or None when a cut edge of the window falls inside a
    gradual transition or within a frame of a cut (the excerpt would hold half an event)."""
    tol = 1.5 / src["fps"]
    end = start + dur
    edges = [e for e in (start, end) if 0.0 < e < clip_duration - 1e-6]
    inside = []
    for b in src["boundaries"]:
        b_start, b_end = b[0], (b[2] if len(b) > 2 else b[0])
        if any(b_start - tol <= e <= b_end + tol for e in edges):
            return None
        if start + tol < b_start < end - tol:
            inside.append(b[1])
    return inside


def primary_families(families):
    if not families:
        return None
    counts = Counter(families)
    top = max(counts.values())
    return sorted(f for f, c in counts.items() if c == top)


# --------------------------------------------------------------------- features (as in Rust)
def beat_jitter(beats):
    """Irregularity of the beat grid (as `extract::beat_jitter`): the coefficient of variation
    of the inter-beat intervals over BEAT_JITTER_FULL, capped at 1; 1 (no evidence of a
    steady pulse) with fewer than three beats."""
    t = sorted(b["time_s"] for b in beats)
    if len(t) < 3:
        return 1.0
    ibi = np.diff(t)
    mean = float(np.mean(ibi))
    if mean <= 0.0:
        return 1.0
    return min(float(np.std(ibi)) / mean / BEAT_JITTER_FULL, 1.0)


def features(doc, style):
    """The evidence `extract::extraction_confidence` reads, computed from the analysis JSON
    (motion intensity is the StyleJSON field, i.e. `camera::motion_intensity`, rounded to
    0.1 there)."""
    trans = doc.get("transitions") or []
    beats = doc.get("beats") or []
    audio = doc.get("audio") or {}
    motion = doc.get("motion") or []
    dur = float(doc["duration_s"])
    conf = [t["confidence"] for t in trans]
    motion_level = (np.median([math.hypot(m["pan_speed"], m["tilt_speed"]) + m["object_motion"]
                               for m in motion]) if motion else 0.0)
    return {
        "duration_s": dur,
        "shots": len(doc.get("shots") or []),
        "transitions": len(trans),
        "min_transition_conf": min(conf) if conf else 1.0,
        "mean_transition_conf": float(np.mean(conf)) if conf else 1.0,
        "has_audio": bool(audio.get("has_audio")),
        "music_ratio": float(audio.get("music_ratio") or 0.0),
        "tempo": doc.get("tempo_bpm"),
        "beats": len(beats),
        "mean_beat_conf": float(np.mean([b["confidence"] for b in beats])) if beats else 0.0,
        "beat_jitter": beat_jitter(beats),
        "motion": float(motion_level),
        "motion_intensity": float(style.get("motion_intensity") or 0.0) / 100.0,
    }


def run_stylecut(binary, window_path, cache_dir):
    """Analysis (cached per binary build: path, size and mtime) and StyleJSON of a window."""
    st = Path(binary).stat()
    key = f"{Path(binary).name}-{st.st_size}-{int(st.st_mtime)}"
    cached = cache_dir / key / (window_path.name + ".json")
    if cached.exists():
        text = cached.read_text()
    else:
        proc = subprocess.run([binary, "analyze", str(window_path)], capture_output=True,
                              text=True, check=False, timeout=600)
        if proc.returncode != 0:
            raise RuntimeError(f"analyze {window_path}: {proc.stderr.strip()[-300:]}")
        text = proc.stdout
        cached.parent.mkdir(parents=True, exist_ok=True)
        cached.write_text(text)
    style = json.loads(subprocess.run([binary, "extract", "--from-analysis", "-"],
                                      input=text, capture_output=True, text=True,
                                      check=True).stdout)
    return json.loads(text), style


def checks_for(src, inside, dur, doc, style):
    out = {}
    if src["kind"] == "video":
        n_true, n_pred = len(inside), len(doc.get("transitions") or [])
        out["cut_frequency"] = abs(n_pred - n_true) <= 0.1 * n_true + 1e-9
        prim = primary_families(inside)
        if prim is not None:
            out["primary_transition"] = (style.get("primary_transition") or {}).get("type") in prim
    if src["kind"] == "music" and src["tempo"]:
        slowest = min(src["tempo"])
        if dur >= 4 * 60.0 / slowest:
            ok, _ = M.tempo_verdict(style.get("tempo_bpm"), src["tempo"])
            out["tempo_bpm"] = bool(ok)
    if src["kind"] == "speech":
        out["tempo_bpm"] = style.get("tempo_bpm") is None
    return out


def auc(scores, labels):
    pos = [s for s, l in zip(scores, labels) if l]
    neg = [s for s, l in zip(scores, labels) if not l]
    if not pos or not neg:
        return None
    wins = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


def band_rows(rows, key):
    out = []
    for lo, hi, label in BANDS:
        sel = [r for r in rows if lo <= r[key] < hi]
        rel = sum(r["reliable"] for r in sel)
        out.append([label, len(sel), rel, f"{rel / len(sel):.2f}" if sel else "—",
                    f"{np.mean([r[key] for r in sel]):.2f}" if sel else "—"])
    return out


def field_rows(rows):
    out = []
    for field in ("cut_frequency", "primary_transition", "tempo_bpm"):
        sel = [r for r in rows if field in r["checks"]]
        ok = sum(r["checks"][field] for r in sel)
        out.append([field, len(sel), ok, f"{ok / len(sel):.2f}" if sel else "—"])
    return out


# --------------------------------------------------------------------- fitting (--fit)
# The per-field models of `extract::extraction_confidence`, each applied where it is in Rust
# (the primary-transition model only when boundaries were found, the tempo model only when
# there is audio):
# * cut_frequency: the count is right when the boundary errors (misses + false ones) stay
#   within the 10 % tolerance, floor(0.1 n); errors are Poisson with mean a + b·n + c·m
#   (m = motion intensity / 100: fast motion is where the detectors miss wipes and slides
#   and find transitions that are not there), so P = PoissonCDF(floor(0.1 n); a + b·n + c·m).
# * primary_transition: the measured share (logistic intercept only).
# * tempo_bpm: logistic on tempo_design (with the beat grid's jitter).
# `--models s4` refits the session-4 models (no motion term, no beat jitter) for comparison.
MODEL_SET = {"name": "current"}


def cut_design(f):
    if MODEL_SET["name"] == "s4":
        return [1.0, float(f["transitions"])]
    return [1.0, float(f["transitions"]), f["motion_intensity"]]


def tempo_design(f):
    has = 1.0 if f["tempo"] is not None else 0.0
    x = [has, has * math.log(f["duration_s"]), has * f["music_ratio"]]
    if MODEL_SET["name"] == "s4":
        return x
    return x + [has * f["beat_jitter"]]


def poisson_cdf(k, mean):
    term = total = math.exp(-mean)
    for i in range(1, k + 1):
        term *= mean / i
        total += term
    return total


def count_right(params, f):
    mean = sum(p * x for p, x in zip(params, cut_design(f)))
    return poisson_cdf(int(math.floor(0.1 * f["transitions"] + 1e-9)), max(mean, 1e-9))


MODELS = {
    "cut_frequency": ("poisson", lambda f: True),
    "primary_transition": ("share", lambda f: f["transitions"] > 0),
    "tempo_bpm": ("logit", lambda f: f["has_audio"]),
}
FIT_C = 10.0  # weak L2 regularisation of the tempo logit (sklearn's inverse strength)


def _fit(sel, field, kind):
    y = np.array([r["checks"][field] for r in sel], dtype=float)
    if kind == "share":
        return [float(min(max(y.mean(), 0.02), 0.98))]
    if kind == "poisson":
        from scipy.optimize import minimize
        feats = [r["features"] for r in sel]

        def nll(p):
            if min(p) < 0:
                return 1e9
            pr = np.clip([count_right(p, f) for f in feats], 1e-6, 1 - 1e-6)
            return -float(np.sum(y * np.log(pr) + (1 - y) * np.log(1 - pr)))
        res = minimize(nll, [0.1] * len(cut_design(feats[0])), method="Nelder-Mead",
                       options={"maxiter": 4000, "xatol": 1e-6, "fatol": 1e-8})
        return [float(v) for v in res.x]
    from sklearn.linear_model import LogisticRegression
    x = np.array([tempo_design(r["features"]) for r in sel])
    m = LogisticRegression(C=FIT_C, max_iter=5000).fit(x, y.astype(int))
    return [float(m.intercept_[0]), *[float(c) for c in m.coef_[0]]]


def _prob(field, model, f):
    kind = MODELS[field][0]
    if kind == "share":
        return model[0]
    if kind == "poisson":
        return count_right(model, f)
    z = model[0] + sum(c * v for c, v in zip(model[1:], tempo_design(f)))
    return 1.0 / (1.0 + math.exp(-z))


def scored(scored_rows, label):
    """The band table, ROC AUC and Brier score of windows scored by one set of models."""
    rel = [r["reliable"] for r in scored_rows]
    return [md_table(["confidence", "windows", "reliable", "share reliable",
                      "mean confidence"], band_rows(scored_rows, "confidence")),
            f"\nROC AUC ({label}): {auc([r['confidence'] for r in scored_rows], rel):.3f}; "
            f"Brier: {brier(scored_rows):.4f}\n"]


def predict(models, f):
    """The product of the applicable per-field probabilities, at most 0.98 (as in Rust)."""
    p = 1.0
    for field, (_, applies) in MODELS.items():
        if applies(f):
            p *= _prob(field, models[field], f)
    return min(p, 0.98)


def fit_all(rows, exclude=None, key="source"):
    models = {}
    for field, (kind, applies) in MODELS.items():
        sel = [r for r in rows if field in r["checks"] and applies(r["features"])
               and r[key] != exclude]
        models[field] = _fit(sel, field, kind)
    return models


def held_out(rows, key):
    """Every window scored by models fitted without its group (`key`: source or set)."""
    held = {}
    for group in sorted(set(r[key] for r in rows)):
        m = fit_all(rows, exclude=group, key=key)
        for i, r in enumerate(rows):
            if r[key] == group:
                held[i] = predict(m, r["features"])
    return [dict(r, confidence=held[i]) for i, r in enumerate(rows)]


def fit_report(rows):
    """Fitted constants for extract.rs, the fitted product in sample, and the held-out checks
    (leave one source out; leave one set out, a harsher one: a whole kind of material
    unseen)."""
    models = fit_all(rows)
    fitted = [dict(r, confidence=predict(models, r["features"])) for r in rows]
    return models, fitted, held_out(rows, "source"), held_out(rows, "set")


def brier(rows):
    return float(np.mean([(r["confidence"] - float(r["reliable"])) ** 2 for r in rows]))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    root = Path(__file__).resolve().parents[2]
    ap.add_argument("--stylecut", required=True)
    ap.add_argument("--media", type=Path, default=root.parent / "shared" / "media")
    ap.add_argument("--synth", type=Path, default=root / "bench" / "out" / "synth")
    ap.add_argument("--out", type=Path, default=root / "bench" / "out" / "confidence")
    ap.add_argument("--fit", action="store_true", help="also fit the per-field models")
    ap.add_argument("--models", choices=("current", "s4"), default="current",
                    help="model set to fit: as in extract.rs now, or session 4's (comparison)")
    args = ap.parse_args()
    MODEL_SET["name"] = args.models
    args.out.mkdir(parents=True, exist_ok=True)
    rows = []
    for src in Sources(args.media, args.synth).items:
        duration = probe_duration(src["path"])
        audio_only = Path(src["path"]).suffix.lower() in AUDIO_SUFFIXES
        for start, dur in windows_of(duration):
            inside = gt_in_window(src, start, dur, duration)
            if inside is None:
                continue
            name = f"{Path(src['path']).stem}@{start:.2f}+{dur:.2f}.mp4"
            wpath = args.out / "windows" / src["set"] / name
            cut_window(src["path"], start, dur, wpath, audio_only)
            log(f"{src['set']} {name}")
            doc, style = run_stylecut(args.stylecut, wpath, args.out / "analyses")
            checks = checks_for(src, inside, dur, doc, style)
            if not checks:
                continue
            rows.append({"source": src["name"], "set": src["set"], "window": name,
                         "start_s": start, "length_s": dur, "checks": checks,
                         "reliable": all(checks.values()), "features": features(doc, style),
                         "confidence": style["extraction_confidence"]})
    (args.out / "windows.json").write_text(json.dumps(rows, indent=1))
    conf = [r["confidence"] for r in rows]
    rel = [r["reliable"] for r in rows]
    lines = [f"# extraction_confidence against measured errors\n",
             f"Binary: `{args.stylecut}`; {len(rows)} windows from "
             f"{len(set(r['source'] for r in rows))} sources; reliable (every check passes): "
             f"{sum(rel)}.\n",
             "## Reliable share per confidence band\n",
             md_table(["confidence", "windows", "reliable", "share reliable", "mean confidence"],
                      band_rows(rows, "confidence")),
             f"\nROC AUC of confidence for 'reliable': {auc(conf, rel):.3f}; Brier score: "
             f"{brier(rows):.4f}\n",
             "## Checks per field\n",
             md_table(["field", "windows checked", "right", "share"], field_rows(rows)),
             "\n## Least reliable windows with the highest confidence\n",
             md_table(["window", "set", "confidence", "failed checks"],
                      [[r["window"], r["set"], f"{r['confidence']:.3f}",
                        ", ".join(k for k, v in r["checks"].items() if not v)]
                       for r in sorted((r for r in rows if not r["reliable"]),
                                       key=lambda r: -r["confidence"])[:15]])]
    if args.fit:
        models, fitted, loso, loseto = fit_report(rows)
        (args.out / "fits.json").write_text(json.dumps(models, indent=1))
        lines += ["\n## Refit\n",
                  "In sample: every window scored by the models fitted on all windows "
                  "(models as in extract.rs).\n",
                  *scored(fitted, "in sample"),
                  "### Leave one source out\n",
                  "Each source's windows scored by models fitted without that source.\n",
                  *scored(loso, "held out"),
                  "### Leave one set out\n",
                  "Each set's windows (real videos, synthetic transitions, no-cut clips, real "
                  "music, synthetic drums, speech) scored by models fitted without that set.\n",
                  *scored(loseto, "held out"),
                  "Constants for `crates/style/src/extract.rs` (cut_frequency: Poisson mean "
                  "a + b·n + c·m; primary_transition: share; tempo_bpm: intercept, "
                  "coefficients):\n",
                  "```", json.dumps(models, indent=1), "```"]
    text = "\n".join(lines) + "\n"
    (args.out / "confidence.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
