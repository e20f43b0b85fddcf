#!/usr/bin/env python3
"""Table of the peaks memtree.py recorded, one row per process role, one column per run.

Usage: memreport.py SHORT.json LONG.json [--minutes 1 10] [--label NAME]

Each process of a run is given a role from its command line (stylecut itself, ffprobe,
the analysis picture decode, the analysis audio decode, the loudness measuring pass, the
stabiliser's detect pass, the render, a chunked render's audio chunks, video chunks and join); the table gives each role's largest VmHWM (MiB)
in both runs, the number of such processes, and the growth per minute of source between
the two runs: (long - short) / (long minutes - short minutes). Also the tree's summed
VmRSS peak and the scratch directory's peak disk usage.
"""

import argparse
import json


def role(p, root_pid=None):
    c = p["cmd"]
    name = p["name"]
    # The root of the tree is the command itself (the stylecut job), whatever name the
    # first sample caught (a sample between fork and exec reads the sampler's own name).
    if p["pid"] == root_pid or name.startswith("stylecut") or (c and c[0].endswith("stylecut")):
        return "stylecut (the job's own process)"
    if name == "ffprobe" or (c and c[0].endswith("ffprobe")):
        return "ffprobe"
    if name == "ffmpeg" or (c and c[0].endswith("ffmpeg")):
        if "rawvideo" in c:
            return "ffmpeg: analysis picture decode"
        if "f32le" in c:
            return "ffmpeg: analysis audio decode"
        # The render's graph scripts name the pass (render.rs / chunks.rs file names).
        script = next((a.rsplit("/", 1)[-1] for a in c if a.endswith(".txt")), "")
        if script == "measure.txt":
            return "ffmpeg: loudness measuring pass"
        if script.startswith("audio") and "wav" in c:
            return "ffmpeg: render audio chunk (sound edit to PCM)"
        if "-vn" in c and "null" in c:
            return "ffmpeg: loudness measuring pass"
        if "-an" in c and "null" in c:
            return "ffmpeg: stabiliser detect pass"
        if "-progress" in c and "mpegts" in c:
            return "ffmpeg: render chunk (video encode)"
        if "-progress" in c and "concat" in c:
            return "ffmpeg: render join (video copied, audio encode)"
        if "-progress" in c:
            return "ffmpeg: render (encode)"
        return "ffmpeg: other"
    return name or "?"


ORDER = [
    "stylecut (the job's own process)",
    "ffprobe",
    "ffmpeg: analysis picture decode",
    "ffmpeg: analysis audio decode",
    "ffmpeg: loudness measuring pass",
    "ffmpeg: stabiliser detect pass",
    "ffmpeg: render (encode)",
    "ffmpeg: render audio chunk (sound edit to PCM)",
    "ffmpeg: render chunk (video encode)",
    "ffmpeg: render join (video copied, audio encode)",
    "ffmpeg: other",
]


def peaks(run):
    out = {}
    pids = {p["pid"] for p in run["procs"]}
    roots = [p["pid"] for p in run["procs"] if p["ppid"] not in pids]
    for p in run["procs"]:
        r = role(p, roots[0] if roots else None)
        mib = p["hwm_kib"] / 1024
        n, m = out.get(r, (0, 0.0))
        out[r] = (n + 1, max(m, mib))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("short")
    ap.add_argument("long")
    ap.add_argument("--minutes", type=float, nargs=2, default=[1.0, 10.0])
    ap.add_argument("--label", default="")
    a = ap.parse_args()
    s = json.load(open(a.short))
    l = json.load(open(a.long))
    ps, pl = peaks(s), peaks(l)
    dm = a.minutes[1] - a.minutes[0]
    m0, m1 = (f"{m:g} min" for m in a.minutes)
    if a.label:
        print(f"{a.label}\n")
    print(f"| process | n ({m0} / {m1}) | peak RSS MiB, {m0} | peak RSS MiB, {m1} | growth MiB per source minute |")
    print("|---|---|---|---|---|")
    roles = [r for r in ORDER if r in ps or r in pl] + sorted(
        r for r in set(ps) | set(pl) if r not in ORDER
    )
    for r in roles:
        ns, vs = ps.get(r, (0, 0.0))
        nl, vl = pl.get(r, (0, 0.0))
        print(f"| {r} | {ns} / {nl} | {vs:.1f} | {vl:.1f} | {(vl - vs) / dm:+.2f} |")
    ts, tl = s["tree_rss_peak_kib"] / 1024, l["tree_rss_peak_kib"] / 1024
    print(f"| whole tree at one instant (sum of VmRSS) | | {ts:.1f} | {tl:.1f} | {(tl - ts) / dm:+.2f} |")
    ss, sl = s["scratch_peak_bytes"] / 2**20, l["scratch_peak_bytes"] / 2**20
    print(f"| scratch disk peak (MiB) | | {ss:.1f} | {sl:.1f} | {(sl - ss) / dm:+.2f} |")
    print(f"| wall s (loaded machine, not a speed result) | | {s['wall_s']:.0f} | {l['wall_s']:.0f} | |")
    print(f"| exit status | | {s['exit']} | {l['exit']} | |")


if __name__ == "__main__":
    main()
