#!/usr/bin/env python3
"""Wall-clock timeline of one command and its child processes, sampled from /proc.

Usage: timeline.py [--interval 0.1] [--json OUT] -- COMMAND ARGS...

Every INTERVAL seconds it walks /proc, keeps every process descended from the command
(the command itself included) and records its cumulative CPU (utime + stime, of the
process's own threads; children are counted on their own rows) and its threads' CPU for
the root process. At the end it prints:

* one row per process: first / last seen (s from the start), wall, CPU, CPU / wall and
  a short command line (ffmpeg's output or `-f null` target and its graph script name);
* the busy cores over time (CPU seconds of all the tree's processes per bucket / bucket
  length), in 0.5 s buckets, so a phase that uses one core shows as ~1.0 and the x264
  encode as ~2.0 on this 2-core machine.

It never touches the command's files; the sampling costs ~1-2 % of one core.
"""
import json
import os
import subprocess
import sys
import time

TICK = os.sysconf("SC_CLK_TCK")


def stat(pid):
    """(parent pid, CPU seconds) of /proc/PID/stat; PID may be "pid/task/tid"."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            s = f.read()
    except OSError:
        return None
    rp = s.rfind(")")
    fields = s[rp + 2 :].split()
    ppid = int(fields[1])
    cpu = (int(fields[11]) + int(fields[12])) / TICK
    return ppid, cpu


def cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return [a.decode(errors="replace") for a in f.read().split(b"\0") if a]
    except OSError:
        return []


def short(cmd):
    if not cmd:
        return "?"
    name = os.path.basename(cmd[0])
    if "ffmpeg" not in name:
        return " ".join([name] + cmd[1:3])
    parts = []
    for flag in ("-filter_complex_script", "-lavfi"):
        if flag in cmd:
            parts.append(os.path.basename(cmd[cmd.index(flag) + 1]))
    ins = [os.path.basename(cmd[i + 1]) for i, a in enumerate(cmd) if a == "-i"]
    parts.append("in=" + ",".join(ins))
    if "-f" in cmd:
        fmts = [cmd[i + 1] for i, a in enumerate(cmd) if a == "-f"]
        parts.append("f=" + ",".join(fmts))
    parts.append("out=" + os.path.basename(cmd[-1]))
    return "ffmpeg " + " ".join(parts)


def main():
    argv = sys.argv[1:]
    interval, out, threads = 0.1, None, False
    tcpu = {}
    while argv and argv[0] != "--":
        if argv[0] == "--interval":
            interval = float(argv[1])
            argv = argv[2:]
        elif argv[0] == "--threads":
            threads = True
            argv = argv[1:]
        elif argv[0] == "--json":
            out = argv[1]
            argv = argv[2:]
        else:
            sys.exit(f"unknown option {argv[0]}")
    argv = argv[1:]
    t0 = time.monotonic()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL)
    root = proc.pid
    procs = {}  # pid -> dict(first, last, cpu0, cpu, cmd)
    samples = []  # (t, total cpu of the tree so far)
    finished_cpu = 0.0
    while True:
        t = time.monotonic() - t0
        parents = {}
        cpus = {}
        for d in os.listdir("/proc"):
            if not d.isdigit():
                continue
            st = stat(int(d))
            if st:
                parents[int(d)] = st[0]
                cpus[int(d)] = st[1]
        tree = set()
        for pid in parents:
            p, hops = pid, 0
            while p and hops < 20:
                if p == root:
                    tree.add(pid)
                    break
                p = parents.get(p, 0)
                hops += 1
        for pid in tree:
            r = procs.get(pid)
            if r is None or r.get("gone"):
                r = procs[pid] = {"first": t, "cpu": 0.0, "cmd": short(cmdline(pid))}
            r["last"] = t
            r["cpu"] = cpus[pid]
        for pid, r in procs.items():
            if pid not in tree and not r.get("gone"):
                r["gone"] = True
        if threads:
            try:
                for tid in os.listdir(f"/proc/{root}/task"):
                    st = stat(f"{root}/task/{tid}")
                    if st:
                        r = tcpu.setdefault(tid, {"first": None, "cpu0": st[1], "last": t})
                        if st[1] > r.get("cpu", r["cpu0"]):
                            if r["first"] is None:
                                r["first"] = t
                            r["last"] = t
                        r["cpu"] = st[1]
            except OSError:
                pass
        total = sum(r["cpu"] for r in procs.values())
        samples.append((t, total))
        if proc.poll() is not None:
            break
        time.sleep(interval)
    wall = time.monotonic() - t0
    rows = sorted(procs.items(), key=lambda kv: kv[1]["first"])
    print(f"total wall {wall:.2f} s, tree CPU (sampled) {samples[-1][1]:.2f} s, "
          f"exit {proc.returncode}, load {open('/proc/loadavg').read().split()[:3]}")
    print(f"{'start':>6} {'end':>6} {'wall':>6} {'cpu':>6} {'cpu/w':>5}  process")
    for pid, r in rows:
        w = max(r["last"] - r["first"], interval)
        print(f"{r['first']:6.2f} {r['last']:6.2f} {w:6.2f} {r['cpu']:6.2f} {r['cpu']/w:5.2f}  {r['cmd']}")
    if threads:
        print("root's threads (first / last time their CPU grew, CPU):")
        for tid, r in sorted(tcpu.items(), key=lambda kv: kv[1]["first"] or 1e9):
            if r["first"] is not None:
                print(f"  {tid:>7} {r['first']:6.2f} {r['last']:6.2f} {r['cpu']:6.2f}")
    print("busy cores per 0.5 s:")
    line, b, prev_t, prev_c = [], 0.5, 0.0, 0.0
    for t, c in samples:
        if t >= b:
            line.append(f"{b-0.5:5.1f}:{(c-prev_c)/(t-prev_t):4.2f}")
            prev_t, prev_c, b = t, c, b + 0.5
    for i in range(0, len(line), 8):
        print("  " + "  ".join(line[i : i + 8]))
    if out:
        with open(out, "w") as f:
            json.dump({"wall": wall, "procs": [dict(pid=p, **r) for p, r in rows],
                       "samples": samples}, f)


if __name__ == "__main__":
    main()
