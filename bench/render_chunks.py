#!/usr/bin/env python3
"""Replays the render of edit plans (`stylecut plan ... > plan.json`) and times it: the
one-process render (`ffmpeg_args` + `filtergraph`) or the chunked render (`chunks`: the
audio chunks' sound, each chunk's video, then the join), exactly as `apply::render` runs them, without the loudness
measuring pass (the same in both: `{measured}` is filled with `anull`). Reports per run the
wall time, the CPU time (user + sys of the ffmpeg children) and the peak RSS of each ffmpeg
process (ru_maxrss from wait4), and keeps the output for comparison.

Usage: render_chunks.py [--rounds N] [--keep DIR] NAME=PLAN.json [NAME=PLAN.json ...]
Plans are run interleaved, round after round (noisy shared machine: compare side by side).
A plan without `chunks` runs as one process.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time


def graph_path(p):
    """apply::render's escape_graph_path: option level, then graph level."""
    o = "".join("\\" + c if c in "\\':" else c for c in p)
    return "".join("\\" + c if c in "\\'[],;" else c for c in o)


def fill(s, scratch, out):
    return s.replace("{output}", out).replace("{scratch}", scratch)


def run_ffmpeg(args):
    """Runs ffmpeg, returns (wall s, cpu s, maxrss KiB)."""
    cmd = ["ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-y", "-nostats"] + args
    t0 = time.monotonic()
    p = subprocess.Popen(cmd)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.monotonic() - t0
    if status != 0:
        raise SystemExit(f"ffmpeg failed ({status}): {' '.join(cmd)}")
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss


def render(plan, out):
    scratch = tempfile.mkdtemp(prefix="render-chunks-")
    g = lambda s: fill(s, graph_path(scratch), out).replace("{measured}", "anull")
    a = lambda v: [fill(x, scratch, out) for x in v]
    procs = []
    t0 = time.monotonic()
    try:
        ch = plan.get("chunks")
        if not ch:
            open(os.path.join(scratch, "graph.txt"), "w").write(g(plan["filtergraph"]))
            procs.append(("render", run_ffmpeg(a(plan["ffmpeg_args"]))))
        else:
            fmt = plan["format"]
            # The sound chunk by chunk first (apply::render's edit_audio_chunks): each audio
            # chunk's graph is written as it is (no slot to fill), its PCM goes to
            # audioNNN.wav, and the join reads them through audio.ffconcat. Plans written
            # before session 9 have none: their join reads the source.
            audio = ch.get("audio_chunks") or []
            for i, c in enumerate(audio):
                open(os.path.join(scratch, f"audio{i:03}.txt"), "w").write(c["graph"])
                procs.append((f"audio{i}", run_ffmpeg(a(c["ffmpeg_args"]))))
            if audio:
                open(os.path.join(scratch, "audio.ffconcat"), "w").write(
                    "ffconcat version 1.0\n"
                    + "".join(f"file 'audio{i:03}.wav'\n" for i in range(len(audio))))
            lst = "ffconcat version 1.0\n"
            for i, c in enumerate(ch["chunks"]):
                open(os.path.join(scratch, f"chunk{i:03}.txt"), "w").write(g(c["graph"]))
                procs.append((f"chunk{i}", run_ffmpeg(a(c["ffmpeg_args"]))))
                d = c["frames"] * fmt["fps_den"] / fmt["fps_num"]
                lst += f"file 'chunk{i:03}.ts'\nduration {d:.6f}\n"
            open(os.path.join(scratch, "chunks.ffconcat"), "w").write(lst)
            open(os.path.join(scratch, "join.txt"), "w").write(g(ch["join_graph"]))
            procs.append(("join", run_ffmpeg(a(ch["join_args"]))))
    finally:
        shutil.rmtree(scratch)
    return time.monotonic() - t0, procs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--keep", default=None, help="directory for the outputs (NAME.mp4)")
    ap.add_argument("plans", nargs="+")
    o = ap.parse_args()
    keep = o.keep or tempfile.mkdtemp(prefix="render-chunks-out-")
    os.makedirs(keep, exist_ok=True)
    plans = [(n, json.load(open(p))) for n, p in (x.split("=", 1) for x in o.plans)]
    res = {n: [] for n, _ in plans}
    for r in range(o.rounds):
        for n, p in plans:
            load = open("/proc/loadavg").read().split()[0]
            wall, procs = render(p, os.path.join(keep, f"{n}.mp4"))
            cpu = sum(x[1] for _, x in procs)
            peak = max(x[2] for _, x in procs) / 1024
            res[n].append((wall, cpu, peak))
            detail = ", ".join(f"{k} {v[2] / 1024:.0f}" for k, v in procs)
            print(f"round {r} {n}: wall {wall:.1f} s, cpu {cpu:.1f} s, peak RSS {peak:.0f} MiB "
                  f"(load {load}; per process MiB: {detail})", flush=True)
    print("\n| plan | processes | wall s (median) | CPU s (median) | largest peak RSS MiB |")
    print("|---|---|---|---|---|")
    med = statistics.median
    for n, p in plans:
        ch = p.get("chunks")
        k = len(ch["chunks"]) + len(ch.get("audio_chunks") or []) + 1 if ch else 1
        w = med([x[0] for x in res[n]])
        c = med([x[1] for x in res[n]])
        m = max(x[2] for x in res[n])
        print(f"| {n} | {k} | {w:.1f} | {c:.1f} | {m:.0f} |")


if __name__ == "__main__":
    main()
