#!/usr/bin/env python3
"""Side-by-side timing in one run (the machine is noisy: read ratios, not absolute times).

analyze mode: bare `ffmpeg -i CLIP -f null -` decode vs `stylecut analyze CLIP` vs
              PySceneDetect (ContentDetector, defaults) + librosa beat_track on the same clip.
render mode:  plain ffmpeg transcode (libx264 veryfast crf 23 + aac) vs
              `stylecut apply --style S CLIP -o OUT` (or `--template T`).
Each contestant runs REPEATS times, interleaved; the median wall time is reported with the
real-time factor (clip duration / wall time) and peak RSS. The clip, unless given, is a 60 s
(--clip-seconds) 1080p30 H.264+AAC file made from the shared Big Buck Bunny excerpt (looped and
upscaled); use --clip-seconds 600 --repeats 1 for issue 4's 10-minute memory check.

Usage:
  nice -n 10 bench/.venv/bin/python bench/speed/speed.py analyze [--stylecut BIN] [--clip F]
  nice -n 10 bench/.venv/bin/python bench/speed/speed.py render [--stylecut BIN
      (--style S.json | --template T.mp4)] [--clip F]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPEATS = 3
CLIP_SECONDS = 60
BBB_SECONDS = 30  # length of the shared Big Buck Bunny excerpt
PEER_SCRIPT = """
import sys, time
sys.path.insert(0, {score_dir!r})
import tools
tools.librosa_warmup()  # numba JIT compile, excluded from the timing (done before the clock)
t0 = time.perf_counter()
tools.scenedetect_cuts({clip!r}, "content")
tools.librosa_beats({clip!r})
print(time.perf_counter() - t0)
"""


def make_clip(media, out, seconds=CLIP_SECONDS):
    """1080p30 H.264 + AAC from the shared 30 s BBB excerpt (looped, upscaled)."""
    clip = out / f"bbb-1080p30-{seconds}s.mp4"
    if not clip.exists():
        out.mkdir(parents=True, exist_ok=True)
        loops = -(-seconds // BBB_SECONDS) - 1  # extra passes over the source
        subprocess.run(["nice", "-n", "10", "ffmpeg", "-y", "-v", "error",
                        "-stream_loop", str(loops),
                        "-i", str(media / "video/moviepy-bbb/big_buck_bunny_0_30.webm"),
                        "-t", str(seconds), "-vf", "scale=1920:1080:flags=bicubic,fps=30",
                        "-c:v", "libx264", "-preset", "veryfast", "-crf", "20",
                        "-c:a", "aac", "-b:a", "160k", "-movflags", "+faststart", str(clip)],
                       check=True)
    return clip


def duration_of(clip):
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration",
                          "-of", "csv=p=0", str(clip)], capture_output=True, text=True, check=True)
    return float(out.stdout)


def timed(cmd, inner_time=False):
    """(wall seconds, peak RSS MiB) of one child process. With inner_time the child prints its
    own timing on the last stdout line (used for the Python peers, to exclude the warm-up)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    stdout = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"failed: {' '.join(map(str, cmd))}")
    if inner_time:
        wall = float(stdout.strip().splitlines()[-1])
    return wall, usage.ru_maxrss / 1024


def contestants(args, clip, out):
    if args.mode == "analyze":
        c = {"ffmpeg decode (-f null)": (["ffmpeg", "-v", "error", "-i", str(clip), "-f", "null",
                                          "-"], False)}
        if args.stylecut:
            c["stylecut analyze"] = ([str(args.stylecut), "analyze", str(clip)], False)
        script = PEER_SCRIPT.format(score_dir=str(Path(__file__).resolve().parents[1] / "score"),
                                    clip=str(clip))
        c["PySceneDetect Content + librosa beat_track"] = ([sys.executable, "-c", script], True)
        return c
    c = {"ffmpeg transcode (x264 veryfast crf 23 + aac)": (
        ["ffmpeg", "-y", "-v", "error", "-i", str(clip), "-c:v", "libx264", "-preset", "veryfast",
         "-crf", "23", "-c:a", "aac", "-movflags", "+faststart", str(out / "transcode.mp4")],
        False)}
    if args.stylecut:
        style = ["--style", str(args.style)] if args.style else ["--template", str(args.template)]
        c["stylecut apply " + style[0]] = ([str(args.stylecut), "apply", *style, str(clip), "-o",
                                            str(out / "apply.mp4")], False)
    return c


def main():
    root = Path(__file__).resolve().parents[2]
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("mode", choices=["analyze", "render"])
    ap.add_argument("--stylecut", type=Path)
    ap.add_argument("--style", type=Path, help="StyleJSON for render mode")
    ap.add_argument("--template", type=Path, help="template video for render mode")
    ap.add_argument("--clip", type=Path)
    ap.add_argument("--media", type=Path, default=root.parent / "shared" / "media")
    ap.add_argument("--out", type=Path, default=root / "bench" / "out" / "speed")
    ap.add_argument("--repeats", type=int, default=REPEATS)
    ap.add_argument("--clip-seconds", type=int, default=CLIP_SECONDS,
                    help="length of the generated clip (600 for the 10-minute memory check)")
    args = ap.parse_args()
    if args.mode == "render" and args.stylecut and not (args.style or args.template):
        ap.error("render mode with --stylecut needs --style or --template")
    args.out.mkdir(parents=True, exist_ok=True)
    clip = args.clip or make_clip(args.media, args.out, args.clip_seconds)
    seconds = duration_of(clip)
    runs = {name: [] for name in contestants(args, clip, args.out)}
    for _ in range(args.repeats):  # interleaved, so slow phases of the machine hit everyone
        for name, (cmd, inner) in contestants(args, clip, args.out).items():
            runs[name].append(timed(cmd, inner))
            print(f"{name}: {runs[name][-1][0]:.2f} s", file=sys.stderr, flush=True)
    base = statistics.median(w for w, _ in next(iter(runs.values())))
    rows = []
    for name, rs in runs.items():
        med = statistics.median(w for w, _ in rs)
        rows.append([name, f"{med:.2f}", " / ".join(f"{w:.2f}" for w, _ in rs),
                     f"{seconds / med:.1f}×", f"{med / base:.2f}",
                     f"{max(m for _, m in rs):.0f}"])
    if not args.stylecut:
        ours = {"analyze": "stylecut analyze", "render": "stylecut apply"}[args.mode]
        rows.insert(1, [ours, "not yet measured", "", "", "", ""])
    head = ["contestant", "median s", "runs s", "real-time factor",
            "ratio to first row", "peak RSS MiB"]
    table = "\n".join(["| " + " | ".join(head) + " |", "|" + "---|" * len(head)] +
                      ["| " + " | ".join(r) + " |" for r in rows])
    text = (f"Clip: `{clip.name}` ({seconds:.1f} s), {args.repeats} runs each, interleaved.\n\n"
            + table + "\n")
    print(text)
    (args.out / f"{args.mode}.md").write_text(text)
    (args.out / f"{args.mode}.json").write_text(json.dumps(runs, indent=1))


if __name__ == "__main__":
    main()
