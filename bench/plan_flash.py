#!/usr/bin/env python3
"""Stray frames of another shot in a plan (issue 4, session 25): "flashes".

For each case (the 43 of `bench/qa_sweep.py` and the round-trip pairs of
`bench/score/roundtrip.py`, 5 pairs and the 2 sensitivity runs) this runs `stylecut plan`
(no render) and `stylecut analyze SOURCE` (its `shots`, cached per source), reads the
source's packet time stamps (ffprobe, cached) and replays, frame by frame, which source
frame each output frame of each segment shows, the way the render's graph picks it:
`trim=start=video_in_s:end=video_out_s` (frames with video_in_s <= pts < video_out_s),
`setpts=PTS-src_in_s`, `fps=OUT:start_time=0` (output frame n shows the last kept frame
whose time rounds, to the nearest output tick, to n or before; before the first kept frame
the first one), `tpad` clone, `trim=end_frame=frames`.

Per segment it reports
  flash N    a run of 1..N output frames (N = 1, 2, 3) at the segment's head or tail showing
             a source shot other than the segment's own (the shot most of its frames show):
             a visible one-frame "flash" of the neighbouring shot
  cut inside a source cut between two runs of at least 4 frames each inside the segment (the
             plan keeps a whole stretch across a cut: the cut stays a cut)
  span N     the plan's source span [src_in_s, src_out_s) (the sound's) crosses a source cut
             by less than N output frames at either end
  hard end   of those, ends where the sound does not run on into the neighbouring segment
             (a dropped stretch follows or precedes) and crosses by more than 2 ms
and per transition (xfade of f > 0 frames)
  self-blend the blended frames of the two neighbours come from one shot although the two
             segments' own shots differ (a flash inside the overlap).
  split blend the second segment continues the first in the source (same shot, its sound
             starting where the first's ends: a punch-in split), so the transition blends
             the shot with itself `f` frames apart (session 27: such a join is a hard cut).
  split over one moment (counted, not a defect; session 28): a split whose second segment
             starts the transition's length early (`repeat_frames` = `f`), so the overlap
             shows one moment at two framings; `repeat off` counts those whose repeat does
             not end exactly where the first segment ends (a defect).

Usage (from the repo root):
  /work/main/bench/.venv/bin/python bench/plan_flash.py --stylecut BIN --out DIR \
      [--analysis-bin BIN] [--only SUBSTR ...] [--media /work/shared/media]

`--render SOURCE [--style S.json | --template T]` instead renders SOURCE with the picture
untouched (`apply` with colour, motion and framing off, transitions off: the output shows
source frames, scaled) and checks it frame by frame: each output frame's best-matching
source frame (32x18 grey thumbnails, each to zero mean and unit spread, least mean
squared difference) against the frame the
replay above says it shows; it counts output frames whose best match lies in another shot
than the replayed frame's (a flash the replay missed) and frames off by more than one
source frame.

Writes DIR/plans/*.plan.json, DIR/flash.json and prints one line per case with flashes and
the totals. `--analysis-bin` (default: --stylecut) measures the source shots, so two builds'
plans can be counted against the same cuts.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "bench" / "score"))
import qa_sweep as Q  # noqa: E402
import roundtrip as R  # noqa: E402


def run(cmd):
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True)
    return r


def packet_times(path: Path, cache: Path) -> list[float]:
    """Video packet time stamps on the render's time line (sorted: presentation order):
    seconds from the container's start time, as `-copyts -start_at_zero` reads them (a
    video stream may start after it: BBB's WebM video at 3 ms)."""
    f = cache / (path.name + ".pts.json")
    if f.exists():
        return json.loads(f.read_text())
    r = run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
             "packet=pts_time", "-of", "csv=p=0", path])
    ts = sorted(float(x.strip().rstrip(",")) for x in r.stdout.split() if x.strip()
                and x.strip().rstrip(",") != "N/A")
    f0 = run(["ffprobe", "-v", "error", "-show_entries", "format=start_time", "-of",
              "csv=p=0", path]).stdout.strip()
    t0 = float(f0) if f0 not in ("", "N/A") else (ts[0] if ts else 0.0)
    ts = [t - t0 for t in ts]
    f.write_text(json.dumps(ts))
    return ts


def analysis(binary, path: Path, cache: Path) -> dict:
    f = cache / (path.name + ".analysis.json")
    if f.exists():
        return json.loads(f.read_text())
    r = run(["nice", "-n", "10", binary, "analyze", path])
    if r.returncode != 0:
        raise SystemExit(f"analyze {path}: {r.stderr[-400:]}")
    doc = json.loads(r.stdout)
    keep = {"shots": doc["shots"], "transitions": doc.get("transitions", []),
            "frame_rate": doc.get("frame_rate")}
    f.write_text(json.dumps(keep))
    return keep


def rnd(x: float) -> int:
    """av_rescale_q_rnd with AV_ROUND_NEAR_INF: halves away from zero."""
    return int(x + 0.5) if x >= 0 else -int(-x + 0.5)


def f6(x: float) -> float:
    return round(x * 1e6) / 1e6


def shown_frames(seg: dict, pts: list[float], fps: float) -> list[float]:
    """Source time of the frame each output frame of `seg` shows (see the module doc)."""
    a, b = f6(seg["video_in_s"]), f6(seg["video_out_s"])
    kept = [t for t in pts if a - 1e-7 <= t < b - 1e-7]
    if not kept:
        return []
    ticks = [rnd((t - seg["src_in_s"]) * fps) for t in kept]
    out, j = [], 0
    for n in range(seg["frames"]):
        while j + 1 < len(kept) and ticks[j + 1] <= n:
            j += 1
        out.append(kept[j])
    return out


def shot_of(t: float, starts: list[float]) -> int:
    k = 0
    for i, s in enumerate(starts):
        if t >= s - 5e-4:
            k = i
    return k


def runs(xs: list[int]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for x in xs:
        if out and out[-1][0] == x:
            out[-1] = (x, out[-1][1] + 1)
        else:
            out.append((x, 1))
    return out


def check(plan: dict, an: dict, pts: list[float]) -> dict:
    fps = plan["format"]["fps_num"] / plan["format"]["fps_den"]
    starts = [s["start_s"] for s in an["shots"]]
    cuts = starts[1:]
    res = {"segments": len(plan["segments"]), "flash": {1: [], 2: [], 3: []},
           "cut_inside": [], "span": {1: [], 2: [], 3: []}, "span_hard": [], "self_blend": [],
           "empty": []}
    shown = []
    for k, seg in enumerate(plan["segments"]):
        fr = shown_frames(seg, pts, fps)
        if not fr:
            res["empty"].append(k)
            shown.append([])
            continue
        shots = [shot_of(t, starts) for t in fr]
        shown.append(shots)
        rs = runs(shots)
        home = max(set(shots), key=shots.count)
        desc = f"seg {k} src {seg['src_in_s']:.3f}-{seg['src_out_s']:.3f} runs {rs}"
        for n in (1, 2, 3):
            head = rs[0][0] != home and rs[0][1] <= n and len(rs) > 1
            tail = rs[-1][0] != home and rs[-1][1] <= n and len(rs) > 1
            if head or tail:
                res["flash"][n].append(desc)
        inner = [r for r in rs if r[1] >= 4]
        if len(inner) > 1:
            res["cut_inside"].append(desc)
        a, b = seg["src_in_s"], seg["src_out_s"]
        segs_ = plan["segments"]
        for c in cuts:
            if not (a + 1e-6 < c < b - 1e-6):
                continue
            head = c - a < b - c
            x = c - a if head else b - c
            # The sound runs on into the neighbouring segment (consecutive shots): no sound
            # of a dropped stretch is heard.
            cont = (k > 0 and abs(segs_[k - 1]["src_out_s"] - a) < 1e-6) if head else \
                (k + 1 < len(segs_) and abs(segs_[k + 1]["src_in_s"] - b) < 1e-6)
            if not cont and x > 0.002 and x < 1 / fps:
                res["span_hard"].append(f"seg {k} {'head' if head else 'tail'} "
                                        f"{x * 1000:.1f} ms across the cut at {c:.4f}")
        for n in (1, 2, 3):
            w = n / fps
            if any(a + 1e-6 < c < b - 1e-6 and min(c - a, b - c) < w - 1e-9 for c in cuts):
                res["span"][n].append(f"seg {k} src {a:.4f}-{b:.4f} cuts "
                                      f"{[round(c, 4) for c in cuts if a < c < b]}")
    segs = plan["segments"]
    res["split_blend"] = []
    res["split_moment"] = []
    for t in plan["transitions"]:
        f = t.get("frames", 0)
        k = t["after_segment"]
        if (f > 0 and k + 1 < len(segs) and segs[k]["shot"] == segs[k + 1]["shot"]
                and abs(segs[k + 1]["src_in_s"] - segs[k]["src_out_s"]) < 1e-9):
            res["split_blend"].append(f"join {k} ({f} frames {t['kind']}): shot "
                                      f"{segs[k]['shot']} split at {segs[k]['src_out_s']:.3f}")
        rep = segs[k + 1].get("repeat_frames", 0) if k + 1 < len(segs) else 0
        if f > 0 and rep > 0:
            b = segs[k + 1]
            d = (b["src_out_s"] - b["src_in_s"]) * rep / b["frames"]
            ok = (rep == f and segs[k]["shot"] == b["shot"]
                  and abs(b["src_in_s"] + d - segs[k]["src_out_s"]) < 1e-6)
            res["split_moment"].append(ok)
        if f <= 0 or k + 1 >= len(segs) or not shown[k] or not shown[k + 1]:
            continue
        ha = max(set(shown[k]), key=shown[k].count)
        hb = max(set(shown[k + 1]), key=shown[k + 1].count)
        if ha == hb:
            continue  # a split of one shot: blending it with itself is the plan's choice
        tail, head = shown[k][-f:], shown[k + 1][:f]
        if any(x == y for x, y in zip(tail, head)):
            res["self_blend"].append(f"join {k} ({f} frames): tail {runs(tail)} head {runs(head)}")
    return res


def cases(media: Path, out: Path, synth: Path, mux_dir: Path):
    """(name, source path, plan arguments) of every qa_sweep case and round-trip pair."""
    sdir = out / "styles"
    sdir.mkdir(parents=True, exist_ok=True)
    for k, s in Q.styles().items():
        (sdir / f"{k}.json").write_text(json.dumps(s, indent=1))
    subs = out / "subs"
    subs.mkdir(exist_ok=True)
    link = subs / "asp.mp4"
    if not link.exists():
        link.symlink_to(media / Q.SRC["asp"])
    (subs / "asp.srt").write_text(Q.SRT)
    for case, skey, mode, what, extra, config in Q.CASES:
        base = skey.split("+")[0]
        spath = link if skey == "asp+srt" else media / Q.SRC[base]
        args = []
        if mode == "style":
            args += ["--style", sdir / f"{what}.json"]
        else:
            args += ["--template", media / Q.SRC[what]]
        if config is not None:
            cf = out / f"{case}.config.json"
            cf.write_text(json.dumps(config))
            args += ["--config", cf]
        yield case, media / Q.SRC[base], spath, args + extra

    def resolve(rel):
        if rel.startswith("mux:"):
            picture, sound = (media / p for p in rel[4:].split("+"))
            m = mux_dir / f"mux-{picture.stem}+{sound.stem}.mkv"
            if not m.exists():
                m = out / m.name
                if not m.exists():
                    subprocess.run(["ffmpeg", "-y", "-v", "error", "-i", str(picture), "-i",
                                    str(sound), "-map", "0:v:0", "-map", "1:a:0", "-c:v",
                                    "copy", "-c:a", "flac", "-shortest", str(m)], check=True)
            return m
        return synth / rel[6:] if rel.startswith("synth:") else media / rel

    for i, (tmpl, src) in enumerate(R.PAIRS):
        s = resolve(src)
        yield f"roundtrip-pair{i}", s, s, ["--template", resolve(tmpl)]
    t1, t2, src = (resolve(p) for p in R.SENSITIVITY)
    for k, t in enumerate((t1, t2)):
        yield f"roundtrip-sensitivity{k}", src, src, ["--template", t]


def thumbs(path: Path, w=32, h=18):
    """(time on the -copyts -start_at_zero time line, grey w×h thumbnail) of every frame."""
    r = subprocess.run(["ffmpeg", "-v", "info", "-nostats", "-copyts", "-start_at_zero", "-i",
                        str(path), "-an", "-vf",
                        f"scale={w}:{h}:flags=area,format=gray,showinfo",
                        "-fps_mode", "passthrough", "-f", "rawvideo", "-"],
                       capture_output=True)
    import re

    import numpy as np
    ts = [float(m.group(1)) for m in re.finditer(rb"pts_time:\s*([-0-9.e]+)", r.stderr)]
    px = np.frombuffer(r.stdout, dtype=np.uint8)
    n = min(len(ts), len(px) // (w * h))
    x = px[: n * w * h].reshape(n, w * h).astype(np.float64)
    # Each thumbnail to zero mean and unit spread: the output's colour conversion and
    # grade move levels, which in a fade would match a brighter or darker source frame.
    x = (x - x.mean(axis=1, keepdims=True)) / (x.std(axis=1, keepdims=True) + 1.0)
    return np.array(ts[:n]), x


def verify_render(a, out: Path, cache: Path):
    import numpy as np
    src = Path(a.render)
    o = out / f"render-{src.stem}.mp4"
    pl = out / f"render-{src.stem}.plan.json"
    cf = out / "render-config.json"
    cf.write_text(json.dumps({"apply": {"color": False, "motion": False, "framing": False,
                                        "transitions": False}}))
    cmd = ["nice", "-n", "10", a.stylecut, "apply", src, "-o", o, "--plan-out", pl,
           "--config", cf]
    cmd += ["--style", a.style] if a.style else ["--template", a.template]
    cmd += a.extra or []
    r = run(cmd)
    if r.returncode != 0:
        raise SystemExit(r.stderr[-500:])
    plan = json.loads(pl.read_text())
    an = analysis(a.analysis_bin or a.stylecut, src, cache)
    pts = packet_times(src, cache)
    starts = [s["start_s"] for s in an["shots"]]
    fps = plan["format"]["fps_num"] / plan["format"]["fps_den"]
    st, sth = thumbs(src)
    _, oth = thumbs(o)
    expect = []
    for seg in plan["segments"]:
        expect += shown_frames(seg, pts, fps)
    n = min(len(expect), len(oth))
    wrong_shot, near, alike, off = [], 0, 0, []
    for i in range(n):
        d = ((sth - oth[i]) ** 2).mean(axis=1)
        j = int(d.argmin())
        k = int(np.abs(st - expect[i]).argmin())
        if abs(j - k) <= 1:
            near += 1
        elif d[k] <= 1.5 * d[j] + 0.02:
            alike += 1  # the replayed frame matches about as well (a still or slow picture)
        else:
            off.append((i, round(float(st[j]), 3), round(expect[i], 3)))
        # Another shot's frame only when it matches clearly better than the replayed frame.
        if shot_of(st[j], starts) != shot_of(expect[i], starts) and d[j] < 0.5 * d[k]:
            wrong_shot.append((i, round(float(st[j]), 3), round(expect[i], 3)))
    print(f"render {src.name}: {n} output frames ({len(oth)} decoded, {len(expect)} planned), "
          f"{len(plan['segments'])} segments; best match within one source frame of the "
          f"replayed frame: {near}, replayed frame about as close: {alike}, clearly "
          f"another frame: {len(off)} {off[:6]}; best match clearly in another shot: "
          f"{len(wrong_shot)} {wrong_shot[:10]}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--stylecut", required=True)
    ap.add_argument("--analysis-bin", default=None)
    ap.add_argument("--out", required=True)
    ap.add_argument("--media", default="/work/shared/media")
    ap.add_argument("--synth", default="/work/main/bench/out/synth")
    ap.add_argument("--mux-dir", default="/work/main/bench/out/roundtrip-s24")
    ap.add_argument("--only", nargs="*", default=None)
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--render", default=None)
    ap.add_argument("--style", default=None)
    ap.add_argument("--template", default=None)
    ap.add_argument("--extra", nargs="*", default=None,
                    help="more `apply` arguments, e.g. --extra=--letterbox")
    a = ap.parse_args()
    out = Path(a.out).resolve()
    cache = out / "cache"
    plans = out / "plans"
    cache.mkdir(parents=True, exist_ok=True)
    plans.mkdir(parents=True, exist_ok=True)
    if a.render:
        return verify_render(a, out, cache)
    abin = a.analysis_bin or a.stylecut
    results = {}
    tot = {"segments": 0, "flash1": 0, "flash2": 0, "flash3": 0, "cut_inside": 0,
           "span1": 0, "span2": 0, "span3": 0, "self_blend": 0, "split_blend": 0, "empty": 0,
           "span_hard": 0, "cases_with_flash3": 0, "split_moment": 0, "repeat_off": 0}
    for case, src_real, spath, args in cases(Path(a.media), out, Path(a.synth),
                                             Path(a.mux_dir)):
        if a.only and not any(o in case for o in a.only):
            continue
        pf = plans / f"{case}.plan.json"
        r = run(["nice", "-n", "10", a.stylecut, "plan", spath, *args])
        if r.returncode != 0:
            results[case] = {"refused": r.stderr.strip().splitlines()[-1:]}
            print(f"{case}: no plan ({results[case]['refused']})", flush=True)
            continue
        pf.write_text(r.stdout)
        plan = json.loads(r.stdout)
        an = analysis(abin, src_real, cache)
        pts = packet_times(src_real, cache)
        res = check(plan, an, pts)
        results[case] = res
        tot["segments"] += res["segments"]
        for n in (1, 2, 3):
            tot[f"flash{n}"] += len(res["flash"][n])
            tot[f"span{n}"] += len(res["span"][n])
        tot["cut_inside"] += len(res["cut_inside"])
        tot["self_blend"] += len(res["self_blend"])
        tot["split_blend"] += len(res["split_blend"])
        tot["split_moment"] += len(res["split_moment"])
        tot["repeat_off"] += res["split_moment"].count(False)
        tot["span_hard"] += len(res["span_hard"])
        tot["empty"] += len(res["empty"])
        tot["cases_with_flash3"] += bool(res["flash"][3])
        line = (f"{case}: {res['segments']} segs, flash<=1/2/3 "
                f"{len(res['flash'][1])}/{len(res['flash'][2])}/{len(res['flash'][3])}, "
                f"cut inside {len(res['cut_inside'])}, span<1/2/3 "
                f"{len(res['span'][1])}/{len(res['span'][2])}/{len(res['span'][3])}, "
                f"hard sound end > 2 ms across {len(res['span_hard'])}, "
                f"self-blend {len(res['self_blend'])}, split blend {len(res['split_blend'])}, "
                f"split over one moment {len(res['split_moment'])} "
                f"(repeat off {res['split_moment'].count(False)})")
        print(line, flush=True)
        if a.verbose:
            for d in (res["flash"][3] + res["cut_inside"] + res["span"][3] + res["span_hard"]
                      + res["self_blend"] + res["split_blend"]):
                print("   ", d)
    (out / "flash.json").write_text(json.dumps({"totals": tot, "cases": results}, indent=1))
    print("TOTAL", json.dumps(tot))


if __name__ == "__main__":
    main()
