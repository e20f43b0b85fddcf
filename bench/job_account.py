#!/usr/bin/env python3
"""Where a job's CPU goes next to a plain transcode's (issue 4), piece by piece.

Runs, interleaved, RUNS rounds (default 3) of:
  plain     ffmpeg -i SRC -c:v libx264 -preset veryfast -crf 23 -c:a aac -b:a 128k
            -movflags +faststart OUT          (render_speed.sh's plain transcode)
  plain_v   the same without the sound (-an): the plain transcode's picture share
  plain_a   the same without the picture (-vn): its sound share
  BIN ...   `BIN apply --style STYLE --quality medium SRC -o OUT` for each binary given,
            with every ffmpeg / ffprobe child timed by bench/ffmpeg_timed.sh
and prints the medians (CPU = user + sys) of each process class of the job:
analysis (probes, picture decode, sound decode), the render's picture encode, its seek
tries, its sound passes (measuring pass, check passes, AAC encode, delivered measure,
re-encodes), the mux, and the rest (the stylecut process itself: per-frame analysers,
VAD, plan, plus the wrappers' own shell time, a few ms a process), as a Markdown table with
each piece over the plain transcode's CPU. Wall medians too, for the whole commands.

Usage: bench/job_account.py [--runs N] [--style STYLE] [--src SRC] BIN [BIN ...]
  (defaults: style bench/out/render_speed/style-cuts0.json, source the BBB 30 s webm)
"""
import argparse
import os
import resource
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MEDIA = os.path.join(ROOT, "..", "shared", "media")

# Process classes, first match wins: (name, test on the logged argument string).
CLASSES = [
    ("analysis: ffprobe (streams, completeness)", lambda t, a: t == "ffprobe"),
    ("analysis: picture decode", lambda t, a: "-skip_loop_filter" in a),
    ("analysis: sound decode", lambda t, a: "-f f32le" in a),
    ("render: seek tries", lambda t, a: "-noaccurate_seek" in a),
    ("render: sound measuring pass", lambda t, a: "measure." in a),
    ("render: sound check passes", lambda t, a: "check." in a),
    ("render: sound delivered measure", lambda t, a: "delivered." in a),
    ("render: sound AAC encode (and re-encodes)", lambda t, a: "sound.txt" in a),
    ("render: mux", lambda t, a: "-c copy" in a),
    # (the logged arguments are cut at 160 characters: the input options identify it)
    ("render: picture encode", lambda t, a: "-copyts" in a or "libx264" in a),
]
OTHER = "other ffmpeg"
SELF = "stylecut process (analysers, VAD, plan) and wrappers"


def timed(cmd, env=None):
    """Runs cmd; returns (wall, cpu of it and its reaped descendants)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   check=True)
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def classify(log):
    """Sums the wrapper log's CPU per class."""
    out = {}
    with open(log) as f:
        for line in f:
            p = line.split(" ", 6)
            if len(p) < 7:
                continue
            user, sys_, tool, args = float(p[3]), float(p[4]), p[5], p[6]
            name = next((n for n, test in CLASSES if test(tool, args)), OTHER)
            out[name] = out.get(name, 0.0) + user + sys_
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=int(os.environ.get("RUNS", "3")))
    ap.add_argument("--style", default=os.path.join(ROOT, "bench/out/render_speed/style-cuts0.json"))
    ap.add_argument("--src", default=os.path.join(MEDIA, "video/moviepy-bbb/big_buck_bunny_0_30.webm"))
    ap.add_argument("bins", nargs="+")
    a = ap.parse_args()
    out = os.path.join(ROOT, "bench/out/job_account")
    os.makedirs(out, exist_ok=True)
    enc = ["-c:v", "libx264", "-preset", "veryfast", "-crf", "23"]
    snd = ["-c:a", "aac", "-b:a", "128k"]
    ff = ["ffmpeg", "-y", "-nostdin", "-v", "error", "-i", a.src]
    plains = {
        "plain": ff + enc + snd + ["-movflags", "+faststart", f"{out}/plain.mp4"],
        "plain_v": ff + ["-an"] + enc + ["-movflags", "+faststart", f"{out}/plain_v.mp4"],
        "plain_a": ff + ["-vn"] + snd + ["-movflags", "+faststart", f"{out}/plain_a.m4a"],
    }
    rows = {}  # contestant -> list of (wall, cpu, {class: cpu})
    load0 = open("/proc/loadavg").read().split()[:3]
    t0 = time.strftime("%H:%M", time.gmtime())
    for r in range(a.runs):
        for name, cmd in plains.items():
            w, c = timed(cmd)
            rows.setdefault(name, []).append((w, c, {}))
            print(f"run {r + 1} {name}: wall {w:.2f} s, cpu {c:.2f} s", file=sys.stderr)
        for i, b in enumerate(a.bins):
            log = f"{out}/ff-{i}.log"
            if os.path.exists(log):
                os.remove(log)
            env = dict(os.environ, STYLECUT_FFMPEG=f"{ROOT}/bench/ffmpeg_timed.sh",
                       STYLECUT_FFPROBE=f"{ROOT}/bench/ffprobe_timed.sh", FFTIMED_LOG=log)
            w, c = timed([b, "apply", "--style", a.style, "--quality", "medium", a.src,
                          "-o", f"{out}/job-{i}.mp4"], env)
            pieces = classify(log)
            pieces[SELF] = c - sum(pieces.values())
            rows.setdefault(b, []).append((w, c, pieces))
            print(f"run {r + 1} {b}: wall {w:.2f} s, cpu {c:.2f} s", file=sys.stderr)
    med = lambda xs: statistics.median(xs) if xs else 0.0
    pc = med([c for _, c, _ in rows["plain"]])
    load1 = open("/proc/loadavg").read().split()[:3]
    print(f"Source `{os.path.basename(a.src)}`, style `{os.path.basename(a.style)}`; {a.runs} "
          f"rounds, interleaved, {t0}–{time.strftime('%H:%M', time.gmtime())} UTC; `nproc` "
          f"{os.cpu_count()}; load average {' '.join(load0)} at the start, {' '.join(load1)} "
          "at the end. CPU = user + sys (children included), medians.")
    print()
    print("| contestant | median wall | median CPU | CPU / plain |")
    print("|---|---|---|---|")
    for name, v in rows.items():
        w, c = med([x[0] for x in v]), med([x[1] for x in v])
        print(f"| `{name}` | {w:.2f} s | {c:.2f} s | {c / pc:.2f}× |")
    print()
    names = [n for n, _ in CLASSES] + [OTHER, SELF]
    bins = a.bins
    print("| piece of the job (median CPU) | " + " | ".join(f"`{b}`" for b in bins) + " |")
    print("|---|" + "---|" * len(bins))
    for n in names:
        vals = [med([x[2].get(n, 0.0) for x in rows[b]]) for b in bins]
        if not any(vals):
            continue
        print(f"| {n} | " + " | ".join(f"{v:.2f} s ({v / pc:.3f}×)" for v in vals) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
