#!/usr/bin/env python3
"""Peak memory of a command and of every process it starts (issue 4: "memory bounded").

Usage: memtree.py [--interval 0.2] [--scratch DIR] [--json OUT] -- CMD ARGS...

Runs CMD, and every --interval seconds walks /proc for CMD's process tree (children,
grandchildren: every process whose parent chain reaches CMD). For each process it keeps
the last VmHWM read from /proc/<pid>/status (the kernel's own peak resident set of that
process over its whole life, so a peak between two samples is not missed as long as the
process is still alive at one sample after it) and its command line. It also records the
peak of the tree's summed VmRSS (what the job holds at one instant) and, with --scratch,
the peak disk usage (allocated blocks) of the files under DIR, unnamed ones the tree holds
open included.

A process that lives shorter than one interval may be missed; one that exits between two
samples is reported with its last sampled VmHWM (a lower bound on its peak). /usr/bin/time
-v reports the largest waited-for child only, so this sampler is the per-process view.

Writes one JSON object (to --json, else to stderr; CMD keeps stdout): {"cmd", "exit", "wall_s", "samples", "tree_rss_peak_kib",
"scratch_peak_bytes", "procs": [{"pid", "ppid", "name", "cmd", "hwm_kib", "cpu_s" (user + system seconds at the last sample), "first_s",
"last_s"}], "timeline": [[seconds, CMD's own VmRSS KiB, the tree's summed VmRSS KiB], ...]}.
"""

import argparse
import json
import os
import subprocess
import sys
import time


def read_status(pid):
    out = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                k, _, v = line.partition(":")
                if k in ("PPid", "VmHWM", "VmRSS", "Name"):
                    out[k] = v.strip()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    return out


def cpu_s(pid):
    """user + system CPU seconds of a live process so far (/proc/<pid>/stat), or None."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    # Fields after "(comm)": state is index 0, utime 11, stime 12 (man 5 proc: 14, 15).
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return [a.decode(errors="replace") for a in f.read().split(b"\0") if a]
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return []


def kib(v):
    return int(v.split()[0]) if v else 0


def du_bytes(root):
    total = 0
    stack = [root]
    while stack:
        d = stack.pop()
        try:
            with os.scandir(d) as it:
                for e in it:
                    try:
                        if e.is_dir(follow_symlinks=False):
                            stack.append(e.path)
                        else:
                            total += e.stat(follow_symlinks=False).st_blocks * 512
                    except FileNotFoundError:
                        pass
        except (FileNotFoundError, NotADirectoryError):
            pass
    return total


def open_unlinked_bytes(root, pids):
    """Disk blocks of the files under `root` that the processes `pids` hold open but that
    have no name any more (the analysis' unnamed scratch files: O_TMPFILE, or created and
    unlinked at once), which a walk of the directory cannot see. Each file counted once."""
    prefix = os.path.abspath(root).rstrip("/") + "/"
    seen = {}
    for p in pids:
        fd_dir = f"/proc/{p}/fd"
        try:
            fds = os.listdir(fd_dir)
        except (FileNotFoundError, PermissionError, ProcessLookupError):
            continue
        for fd in fds:
            path = f"{fd_dir}/{fd}"
            try:
                target = os.readlink(path)
                if not (target.startswith(prefix) and target.endswith(" (deleted)")):
                    continue
                st = os.stat(path)
            except (FileNotFoundError, PermissionError, ProcessLookupError):
                continue
            seen[(st.st_dev, st.st_ino)] = st.st_blocks * 512
    return sum(seen.values())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--interval", type=float, default=0.2)
    ap.add_argument("--scratch", default=None)
    ap.add_argument("--json", default=None)
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
    if not cmd:
        ap.error("no command")
    t0 = time.monotonic()
    child = subprocess.Popen(cmd)
    root = child.pid
    procs = {}  # pid -> record
    tree_peak = 0
    scratch_peak = 0
    samples = 0
    timeline = []  # [seconds, VmRSS of CMD itself in KiB, summed VmRSS of the tree]
    while True:
        alive = child.poll() is None
        now = time.monotonic() - t0
        # One pass over /proc: the parent of every process, then the tree under root.
        parent = {}
        status = {}
        for d in os.listdir("/proc"):
            if not d.isdigit():
                continue
            st = read_status(int(d))
            if st is None:
                continue
            parent[int(d)] = int(st.get("PPid", "0"))
            status[int(d)] = st
        tree = set()
        if alive:
            tree.add(root)
        changed = True
        while changed:
            changed = False
            for p, pp in parent.items():
                if p not in tree and pp in tree:
                    tree.add(p)
                    changed = True
        rss_sum = 0
        for p in tree:
            st = status[p]
            if st.get("VmHWM") is None:  # a zombie: no memory left to read
                continue
            rec = procs.get(p)
            if rec is None:
                rec = procs[p] = {
                    "pid": p,
                    "ppid": parent.get(p, 0),
                    "name": st.get("Name", ""),
                    "cmd": cmdline(p),
                    "hwm_kib": 0,
                    "first_s": round(now, 2),
                }
            if rec["name"] != st.get("Name", ""):  # sampled between fork and exec
                rec["name"] = st.get("Name", "")
                rec["cmd"] = cmdline(p)
            rec["hwm_kib"] = max(rec["hwm_kib"], kib(st.get("VmHWM")))
            # CPU at the last sample the process was alive (misses at most one interval).
            c = cpu_s(p)
            if c is not None:
                rec["cpu_s"] = round(c, 2)
            rec["last_s"] = round(now, 2)
            rss_sum += kib(st.get("VmRSS"))
        tree_peak = max(tree_peak, rss_sum)
        if alive and root in status:
            timeline.append([round(now, 1), kib(status[root].get("VmRSS")), rss_sum])
        if a.scratch:
            scratch_peak = max(
                scratch_peak, du_bytes(a.scratch) + open_unlinked_bytes(a.scratch, tree)
            )
        samples += 1
        if not alive:
            break
        time.sleep(a.interval)
    res = {
        "cmd": cmd,
        "exit": child.returncode,
        "wall_s": round(time.monotonic() - t0, 2),
        "samples": samples,
        "tree_rss_peak_kib": tree_peak,
        "scratch_peak_bytes": scratch_peak,
        "procs": sorted(procs.values(), key=lambda r: r["first_s"]),
        "timeline": timeline,
    }
    text = json.dumps(res, indent=1)
    if a.json:
        with open(a.json, "w") as f:
            f.write(text + "\n")
    else:
        print(text, file=sys.stderr)
    sys.exit(0 if child.returncode == 0 else 1)


if __name__ == "__main__":
    main()
