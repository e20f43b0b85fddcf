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
confidence against reliability, and, with `--fit`, the logistic fits of the per-field models
that `crates/style/src/extract.rs` implements (features computed here exactly as there), with
leave-one-source-out AUC so that the fit is judged on material it did not see.

Usage:
  nice -n 10 bench/.venv/bin/python bench/score/confidence.py --stylecut BIN [--fit]
      [--media ../shared/media] [--synth bench/out/synth] [--out bench/out/confidence]
Writes OUT/confidence.md and OUT/windows.json (every window: checks, features, confidence).
"""
import argparse
import json
import math
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import groundtruth as G  # noqa: E402
import metrics as M  # noqa: E402

EXCERPTS_S = (3.0, 6.0, 12.0)
BANDS = ((0.0, 0.6, "< 0.6 (poor)"), (0.6, 0.85, "0.6–0.85"), (0.85, 1.01, "> 0.85 (reliable)"))
FAMILY = {"cut": "cut", "cut_from_black": "cut", "cut_to_black": "cut", "fade_in": "fade",
          "fade_out": "fade", "fade": "fade", "dissolve": "dissolve", "wipe": "wipe",
          "slide": "slide", "zoom": "zoom"}
SPEECH_GLOB = "speech/**/*"
AUDIO_SUFFIXES = (".wav", ".flac", ".ogg", ".mp3")


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def md_table(headers, rows):
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


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
def features(doc):
    """The evidence `extract::extraction_confidence` reads, computed from the analysis JSON."""
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
        "motion": float(motion_level),
    }


def run_stylecut(binary, window_path):
    proc = subprocess.run([binary, "analyze", str(window_path)], capture_output=True, text=True,
                          check=False, timeout=600)
    if proc.returncode != 0:
        raise RuntimeError(f"analyze {window_path}: {proc.stderr.strip()[-300:]}")
    doc = json.loads(proc.stdout)
    style = json.loads(subprocess.run([binary, "extract", "--from-analysis", "-"],
                                      input=proc.stdout, capture_output=True, text=True,
                                      check=True).stdout)
    return doc, style


def checks_for(src, inside, dur, doc, style):
    out = {}
    if src["kind"] == "video":
        n_true, n_pred = len(inside), len(doc.get("transitions") or [])
        out["cut_frequency"] = abs(n_pred - n_true) <= 0.1 * n_true + 1e-9
        prim = primary_families(inside)
        if prim is not None:
            out["primary_transition"] = style.get("primary_transition") in prim
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
def cut_design(f):
    return [math.log(f["duration_s"]), f["min_transition_conf"], f["mean_transition_conf"],
            math.log1p(f["transitions"]), f["motion"]]


def tempo_design(f):
    return [math.log(f["duration_s"]), f["mean_beat_conf"], math.log1p(f["beats"]),
            f["music_ratio"]]


def fit(rows, field, design):
    """Logistic fit of P(field right | features), with leave-one-source-out AUC."""
    from sklearn.linear_model import LogisticRegression
    sel = [r for r in rows if field in r["checks"]]
    x = np.array([design(r["features"]) for r in sel])
    y = np.array([r["checks"][field] for r in sel], dtype=int)
    groups = [r["source"] for r in sel]
    if len(set(y)) < 2:
        return {"field": field, "n": len(sel), "note": "one class only; nothing to fit"}
    model = LogisticRegression(C=1.0, max_iter=2000).fit(x, y)
    held = np.zeros(len(sel))
    for g in sorted(set(groups)):
        train = [i for i, gg in enumerate(groups) if gg != g]
        test = [i for i, gg in enumerate(groups) if gg == g]
        if len(set(y[train])) < 2:
            held[test] = y[train].mean()
            continue
        m = LogisticRegression(C=1.0, max_iter=2000).fit(x[train], y[train])
        held[test] = m.predict_proba(x[test])[:, 1]
    return {"field": field, "n": len(sel), "positives": int(y.sum()),
            "intercept": float(model.intercept_[0]),
            "coef": [float(c) for c in model.coef_[0]],
            "auc_in_sample": auc(model.predict_proba(x)[:, 1].tolist(), y.tolist()),
            "auc_leave_one_source_out": auc(held.tolist(), y.tolist())}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    root = Path(__file__).resolve().parents[2]
    ap.add_argument("--stylecut", required=True)
    ap.add_argument("--media", type=Path, default=root.parent / "shared" / "media")
    ap.add_argument("--synth", type=Path, default=root / "bench" / "out" / "synth")
    ap.add_argument("--out", type=Path, default=root / "bench" / "out" / "confidence")
    ap.add_argument("--fit", action="store_true", help="also fit the per-field models")
    args = ap.parse_args()
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
            doc, style = run_stylecut(args.stylecut, wpath)
            checks = checks_for(src, inside, dur, doc, style)
            if not checks:
                continue
            rows.append({"source": src["name"], "set": src["set"], "window": name,
                         "start_s": start, "length_s": dur, "checks": checks,
                         "reliable": all(checks.values()), "features": features(doc),
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
             f"\nROC AUC of confidence for 'reliable': {auc(conf, rel):.3f}\n",
             "## Checks per field\n",
             md_table(["field", "windows checked", "right", "share"], field_rows(rows)),
             "\n## Least reliable windows with the highest confidence\n",
             md_table(["window", "set", "confidence", "failed checks"],
                      [[r["window"], r["set"], f"{r['confidence']:.3f}",
                        ", ".join(k for k, v in r["checks"].items() if not v)]
                       for r in sorted((r for r in rows if not r["reliable"]),
                                       key=lambda r: -r["confidence"])[:15]])]
    if args.fit:
        fits = [fit(rows, "cut_frequency", cut_design),
                fit(rows, "primary_transition", cut_design),
                fit(rows, "tempo_bpm", tempo_design)]
        (args.out / "fits.json").write_text(json.dumps(fits, indent=1))
        lines += ["\n## Logistic fits (features as in extract.rs)\n", "```",
                  json.dumps(fits, indent=1), "```"]
    text = "\n".join(lines) + "\n"
    (args.out / "confidence.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
