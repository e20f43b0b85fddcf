#!/usr/bin/env python3
"""Punch-in cuts inside a moving picture, and zooms that are no cut (session 24).

A punch-in cut is an editor's jump to a tighter (or wider) framing of the same continuing
picture: the planner's punch-in splits alternate the plain and a 1.25x framing inside one
long shot. Session 23 reads them between still frames (`cuts::punch_in_cut`); this set
checks them over moving pictures. Every clip is 640x360 at 25 fps, 50 frames, rendered in
Python (OpenCV) from a span of a shared video (decoded from the file's start, never seeked;
centre-cropped to 16:9 and scaled to a canvas wide enough for the camera's whole travel)
through a virtual camera: a view of 960 canvas pixels across at zoom 1 (so the tight
framings of up to 1.6x are scaled up by at most 1.07), moving along a seeded direction at
V output px per frame, plus a seeded hand-held shake (the mean-reverting random walk of
`pan_cuts.py`), each frame cut out with `cv2.getRectSubPix` and `cv2.resize(INTER_AREA)`;
fast moves are motion-blurred (the mean of 5 renders over half the frame's time, a
180-degree shutter). Subject motion comes from the spans themselves (hands working, a bird
moving, the wanna explainer's animated graphics, BBB's bunny).

Camera motions: `steady` (no move, no shake), `shake` (hand-held shake), `slowpan` (3 px per
frame and a light shake), `fastpan` (14 px per frame, blurred, light shake).

Kinds (the event at frame 25):

* `punch-in` / `punch-out`: the view's zoom steps by a seeded 1.1-1.6 between frames 24 and
  25 (in: tighter after; out: wider after), on every other clip with a seeded reposition of
  2-6 % of the width; the camera's move and the picture's own motion go on. Truth: a cut at
  frame 25.
* `zoom-smooth` (no cut): an optical or crash zoom of a seeded 1.2-1.6 spread over 3-8
  frames (smoothstep), in or out, over a steady, shaken or slowly panning camera.
* `push-in` (no cut): a constant-rate push-in of 0.4-0.9 % per frame over the whole clip,
  steady or shaken.
* `shake` (no cut): a strong hand-held shake alone.
* `whip` (no cut): a whip pan of 60-120 px per frame for 4-6 frames around frame 25,
  blurred, with a light shake; still before and after.

Two halves, different sources, spans and seeds: `--set tune` (seed 2401: BBB 3 s, the
cockatoo 1 s, issue-195's hands 20.5 s, wannaworktogether 41 s) for designing the rule,
and `--set heldout` (seed 2402: testvideo 3.5 s, GoldenEye 4.8 s, issue-195's two women
7.5 s, wannaworktogether 79 s), scored only at the start and at the end.

  generate: bench/.venv/bin/python bench/synth/punch_cuts.py gen [--set tune|heldout] [--out DIR]
  score:    bench/.venv/bin/python bench/synth/punch_cuts.py score [--set tune|heldout] [--out DIR] NAME=BIN ...
            (BIN `psd:content` or `psd:adaptive` runs PySceneDetect's detector instead)

`gen` writes DIR/<clip>.mp4 and DIR/manifest.json (default DIR bench/out/punch-cuts-<set>).
`score` runs `BIN analyze` on every clip (cached as DIR/<clip>.<NAME>.json) and prints per
kind, camera motion and build: cuts found within one frame of the truth, and boundaries
reported where there is none (false); every miss and false boundary is listed on stderr.
"""
import argparse
import json
import math
import random
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np

from pan_cuts import found_and_false, read_boundaries  # same scoring as the pan sets

FPS = 25
W, H = 640, 360
FRAMES = 50
AT = 25  # first frame of the new framing
VIEW = 960  # canvas px across the view at zoom 1
MEDIA = Path("/work/shared/media/video")
SETS = {
    "tune": (2401, [
        ("bbb3", "moviepy-bbb/big_buck_bunny_0_30.webm", 3.0),
        ("cockatoo1", "imageio-cockatoo/cockatoo.mp4", 1.0),
        ("issue195-20", "pyscenedetect/issue-195-aspect-ratio.mp4", 20.5),
        ("wanna41", "openboard-cc/wannaworktogether.mp4", 41.0),
    ]),
    "heldout": (2402, [
        ("testvideo3", "pyscenedetect/testvideo.mp4", 3.5),
        ("goldeneye4", "pyscenedetect/goldeneye-vfr-drop3.mp4", 4.8),
        ("issue195-7", "pyscenedetect/issue-195-aspect-ratio.mp4", 7.5),
        ("wanna79", "openboard-cc/wannaworktogether.mp4", 79.0),
    ]),
}
MOTIONS = {  # speed (output px/frame), shake kick (output px), blurred
    "steady": (0.0, 0.0, False),
    "shake": (0.0, 3.0, False),
    "slowpan": (3.0, 1.2, False),
    "fastpan": (14.0, 1.2, True),
    # The negative controls' own: a strong shake alone, and the light shake under a whip.
    "shake-strong": (0.0, 5.0, False),
    "whip": (0.0, 1.2, False),
}
PUNCH_MOTIONS = ("steady", "shake", "slowpan", "fastpan")
ENCODE = ["-an", "-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-pix_fmt", "yuv420p",
          "-r", str(FPS)]


def shake_path(rng, kick):
    """Mean-reverting random walk (velocity kept 0.7, pull 0.1), output px, per frame."""
    pos, vel, out = [0.0, 0.0], [0.0, 0.0], []
    for _ in range(FRAMES):
        for k in range(2):
            vel[k] = 0.7 * vel[k] + rng.gauss(0, kick) - 0.1 * pos[k]
            pos[k] = max(-30.0, min(30.0, pos[k] + vel[k]))
        out.append((pos[0], pos[1]))
    return out


def decode(base, cw, ch):
    """FRAMES frames of `base` at 25 fps, centre-cropped to 16:9, scaled to cw x ch."""
    _, path, start = base
    vf = (f"trim=start={start:.3f},setpts=PTS-STARTPTS,fps={FPS},scale='iw*sar':ih,setsar=1,"
          f"crop='min(iw,ih*16/9)':'min(ih,iw*9/16)',scale={cw}:{ch}:flags=bicubic")
    raw = subprocess.run(["ffmpeg", "-v", "error", "-t", f"{start + FRAMES / FPS + 0.5:.3f}",
                          "-i", str(MEDIA / path), "-vf", vf, "-frames:v", str(FRAMES),
                          "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
                         check=True, capture_output=True).stdout
    frames = np.frombuffer(raw, np.uint8).reshape(-1, ch, cw, 3)
    if len(frames) < FRAMES:
        raise SystemExit(f"{base}: {len(frames)} frames")
    return frames


def render(frames, cam, blur, out):
    """cam(t) -> (cx, cy, zoom) in canvas px at frame time t (float); writes the clip."""
    enc = subprocess.Popen(["ffmpeg", "-y", "-v", "error", "-f", "rawvideo", "-pix_fmt", "rgb24",
                            "-s", f"{W}x{H}", "-r", str(FPS), "-i", "-", *ENCODE, str(out)],
                           stdin=subprocess.PIPE)
    for i in range(FRAMES):
        ts = [i + (k / 4 - 0.5) * 0.5 for k in range(5)] if blur(i) else [i]
        acc = np.zeros((H, W, 3), np.float32)
        for t in ts:
            cx, cy, z = cam(t)
            vw = VIEW / z
            patch = cv2.getRectSubPix(frames[i], (int(round(vw)), int(round(vw * 9 / 16))),
                                      (float(cx), float(cy)))
            acc += cv2.resize(patch, (W, H), interpolation=cv2.INTER_AREA).astype(np.float32)
        enc.stdin.write((acc / len(ts) + 0.5).clip(0, 255).astype(np.uint8).tobytes())
    enc.stdin.close()
    if enc.wait():
        raise SystemExit(f"encode {out} failed")


def camera(rng, motion, zoom_at, repo=(0.0, 0.0), whip=None):
    """Camera path: canvas size and cam(t) -> (cx, cy, zoom). `zoom_at(t)` is the zoom;
    `repo` (output px) is added from frame AT on; `whip` = (speed, frames) moves the view
    fast around frame AT."""
    speed, kick, _ = MOTIONS[motion]
    ang = rng.uniform(0, 2 * math.pi)
    ux, uy = math.cos(ang), math.sin(ang)
    s = VIEW / W  # canvas px per output px at zoom 1
    shake = shake_path(rng, kick) if kick else [(0.0, 0.0)] * FRAMES
    travel = speed * FRAMES
    if whip:
        travel += whip[0] * whip[1]
    cw = int(VIEW + s * (abs(ux) * travel + 2 * 40 + 2 * abs(repo[0])) + 40)
    cw = max(cw, int((VIEW * 9 / 16 + s * (abs(uy) * travel + 2 * 40 + 2 * abs(repo[1])) + 40)
                     * 16 / 9))
    cw = max(1280, cw + cw % 2)
    ch = cw * 9 // 16
    ch += ch % 2
    # Start so that the whole travel stays inside the canvas.
    x0 = cw / 2 - ux * s * travel / 2
    y0 = ch / 2 - uy * s * travel / 2

    def along(t):
        k = speed * t
        if whip:
            v, n = whip
            a = AT - n / 2
            k += v * min(max(t - a, 0.0), n)
        return k

    def cam(t):
        i = min(FRAMES - 1, max(0, int(math.floor(t))))
        j = min(FRAMES - 1, i + 1)
        f = t - math.floor(t)
        sx = shake[i][0] * (1 - f) + shake[j][0] * f
        sy = shake[i][1] * (1 - f) + shake[j][1] * f
        k = along(t)
        rx, ry = repo if t >= AT - 0.5 else (0.0, 0.0)
        return (x0 + s * (ux * k + sx + rx), y0 + s * (uy * k + sy + ry), zoom_at(t))

    return cw, ch, cam


def gen(out, which):
    seed, bases = SETS[which]
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    clips = []

    def make(name, kind, motion, base, zoom_at, truth, repo=(0.0, 0.0), whip=None, extra=None):
        cw, ch, cam = camera(rng, motion, zoom_at, repo, whip)
        frames = decode(base, cw, ch)
        blurred = MOTIONS[motion][2] or whip is not None
        if whip:
            v, n = whip
            blur = lambda i: AT - n / 2 - 1 <= i <= AT + n / 2 + 1  # noqa: E731
        else:
            blur = lambda i: blurred  # noqa: E731
        render(frames, cam, blur, out / f"{name}.mp4")
        clips.append({"clip": f"{name}.mp4", "kind": kind, "motion": motion, "base": base[0],
                      "cuts": truth, **(extra or {})})

    for base in bases:
        for motion in PUNCH_MOTIONS:
            for direction in ("in", "out"):
                scale = round(rng.uniform(1.1, 1.6), 3)
                repo = (0.0, 0.0)
                if rng.random() < 0.5:
                    a = rng.uniform(0, 2 * math.pi)
                    r = rng.uniform(0.02, 0.06) * W
                    repo = (r * math.cos(a), r * math.sin(a))
                before, after = (1.0, scale) if direction == "in" else (scale, 1.0)
                zoom_at = (lambda b, a: lambda t: b if t < AT - 0.5 else a)(before, after)
                tag = f"{scale:.2f}{'r' if repo != (0.0, 0.0) else ''}"
                make(f"punch-{direction}-{base[0]}-{motion}-{tag}", f"punch-{direction}", motion,
                     base, zoom_at, [AT], repo,
                     extra={"scale": scale, "repo": [round(repo[0], 1), round(repo[1], 1)]})
        # Negative controls.
        for direction in ("in", "out"):
            total = rng.uniform(1.2, 1.6)
            n = rng.randint(3, 8)
            motion = rng.choice(["steady", "shake", "slowpan"])
            a = AT - n / 2

            def zoom_at(t, total=total, n=n, a=a, direction=direction):
                u = min(max((t - a) / n, 0.0), 1.0)
                u = u * u * (3 - 2 * u)
                g = total ** u
                return g if direction == "in" else total / g

            make(f"zoom-smooth-{direction}-{base[0]}-{motion}-{n}f{total:.2f}", "zoom-smooth",
                 motion, base, zoom_at, [], extra={"scale": round(total, 3), "frames": n})
        rate = rng.uniform(0.004, 0.009)
        motion = rng.choice(["steady", "shake"])
        make(f"push-in-{base[0]}-{motion}-{rate * 100:.2f}", "push-in", motion, base,
             lambda t, rate=rate: math.exp(rate * t), [], extra={"rate": round(rate, 4)})
        # Strong shake alone: a kick of 5 px.
        make(f"shake-{base[0]}", "shake", "shake-strong", base, lambda t: 1.0, [])
        v, n = rng.uniform(60, 120), rng.randint(4, 6)
        make(f"whip-{base[0]}-{v:.0f}x{n}", "whip", "whip", base, lambda t: 1.0, [],
             whip=(v, n), extra={"speed": round(v, 1), "frames": n})
    (out / "manifest.json").write_text(json.dumps({"fps": FPS, "set": which, "clips": clips},
                                                  indent=1))
    print(f"{len(clips)} clips in {out}")


def score(out, builds):
    man = json.loads((out / "manifest.json").read_text())
    fps = man["fps"]
    rows = {}
    for name, binary in builds:
        for c in man["clips"]:
            got = read_boundaries(out, c["clip"], name, binary, fps)
            found, false = found_and_false(got, c["cuts"])
            key = (c["kind"], c["motion"], name)
            r = rows.setdefault(key, [0, 0, 0, 0])
            r[0] += found
            r[1] += len(c["cuts"])
            r[2] += false
            r[3] += 1
            if (c["cuts"] and not found) or false:
                print(f"{name}: {c['clip']}: {got}", file=sys.stderr)
    names = [n for n, _ in builds]
    print("| kind | camera | " + " | ".join(f"{n}: cuts found, false" for n in names) + " |")
    print("|---|---|" + "---|" * len(names))
    keys = sorted({(k, m) for k, m, _ in rows}, key=lambda k: (not k[0].startswith("punch"), k))
    totals = {n: [0, 0, 0, 0] for n in names}
    for kind, motion in keys:
        cells = []
        for n in names:
            f, t, fa, clips = rows.get((kind, motion, n), [0, 0, 0, 0])
            for j, x in enumerate((f, t, fa, clips)):
                totals[n][j] += x
            cells.append(f"{f}/{t}, {fa}" if t else f"–, {fa} on {clips}")
        print(f"| {kind} | {motion} | " + " | ".join(cells) + " |")
    print("| **all** | | " + " | ".join(f"**{totals[n][0]}/{totals[n][1]}, {totals[n][2]}**"
                                          for n in names) + " |")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("cmd", choices=["gen", "score"])
    ap.add_argument("builds", nargs="*", help="NAME=BIN (score)")
    ap.add_argument("--set", choices=list(SETS), default="tune",
                    help="tune: the half the rule is designed on; heldout: scored at the start "
                    "and the end only")
    ap.add_argument("--out", type=Path)
    args = ap.parse_intermixed_args()
    if args.out is None:
        args.out = Path(__file__).resolve().parents[1] / "out" / f"punch-cuts-{args.set}"
    if args.cmd == "gen":
        gen(args.out, args.set)
    else:
        score(args.out, [b.split("=", 1) for b in args.builds])


if __name__ == "__main__":
    main()
