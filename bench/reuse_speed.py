#!/usr/bin/env python3
"""Jobs on videos analysed before (docs/ARCHITECTURE.md, "Each stored video is measured once").

Starts `stylecut serve` (MAX_CONCURRENT_JOBS=1) on a fresh data directory, uploads a template
and two sources, and runs, one after the other:

  A  source 1 + template   both measured (the first job on each video)
  B  source 2 + template   the template reused, source 2 measured
  C  source 1 + template   both reused (a source restyled, or a job run again)

and the same three with STYLECUT_B's build when given (its own server and data directory,
interleaved per round), so a build without reuse shows what each job costs measured afresh.
Reports each job's `processing_time_seconds` (median of RUNS rounds; every round uses a new
data directory) and the worker's CPU over the job (user + sys of the server process tree,
read from /proc around the job).

Usage: bench/.venv/bin/python bench/reuse_speed.py BIN [--b BIN_B] [--runs N]
        [--template F] [--sources F1 F2] [--config JSON]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MEDIA = os.path.join(ROOT, "..", "shared", "media")


def tree_cpu(pid):
    """User + system seconds of `pid` and its waited-for children (ffmpeg runs under it)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    tck = os.sysconf("SC_CLK_TCK")
    # utime stime cutime cstime = fields 14-17 (1-based), here offset by the split.
    return sum(int(x) for x in fields[11:15]) / tck


class Server:
    def __init__(self, binary):
        self.dir = tempfile.TemporaryDirectory()
        env = dict(os.environ, BIND="127.0.0.1:0", DATA_DIR=os.path.join(self.dir.name, "data"),
                   MAX_CONCURRENT_JOBS="1", LOG_LEVEL="warn")
        self.p = subprocess.Popen([binary, "serve"], env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, text=True)
        for line in self.p.stdout:
            if "listening on" in line:
                self.base = line.strip().split("listening on ")[1]
                break
        else:
            raise SystemExit(f"{binary} serve did not start")

    def req(self, method, path, body=None, ctype="application/json"):
        r = urllib.request.Request(self.base + path, data=body, method=method,
                                   headers={"Content-Type": ctype} if body else {})
        with urllib.request.urlopen(r, timeout=600) as resp:
            return json.load(resp)

    def upload(self, path):
        boundary = "stylecutbench"
        with open(path, "rb") as f:
            data = f.read()
        name = os.path.basename(path)
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
                f"Content-Type: application/octet-stream\r\n\r\n").encode() + data + \
            f"\r\n--{boundary}--\r\n".encode()
        v = self.req("POST", "/api/v1/videos/upload", body, f"multipart/form-data; boundary={boundary}")
        return v["data"]["video_id"]

    def job(self, video, template, config):
        cpu0 = tree_cpu(self.p.pid)
        j = self.req("POST", "/api/v1/jobs", json.dumps(
            {"video_id": video, "template_video_id": template, "config": config}).encode())
        jid = j["data"]["job_id"]
        while True:
            r = self.req("GET", f"/api/v1/jobs/{jid}/result")["data"]
            if r["status"] in ("completed", "failed", "cancelled"):
                break
            time.sleep(0.05)
        if r["status"] != "completed":
            raise SystemExit(f"job {jid}: {r}")
        return r["processing_time_seconds"], tree_cpu(self.p.pid) - cpu0

    def close(self):
        self.p.terminate()
        self.p.wait(timeout=60)
        self.dir.cleanup()


def round_of(binary, template, sources, config):
    s = Server(binary)
    try:
        t = s.upload(template)
        v1, v2 = s.upload(sources[0]), s.upload(sources[1])
        return [s.job(v1, t, config), s.job(v2, t, config), s.job(v1, t, config)]
    finally:
        s.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bin")
    ap.add_argument("--b", help="a second build, run interleaved")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--template", default=os.path.join(MEDIA, "video/openboard-cc/wannaworktogether.mp4"))
    ap.add_argument("--sources", nargs=2, default=[
        os.path.join(MEDIA, "video/moviepy-bbb/big_buck_bunny_0_30.webm"),
        os.path.join(MEDIA, "video/pyscenedetect/issue-195-aspect-ratio.mp4")])
    ap.add_argument("--config", default='{"quality": "medium"}')
    a = ap.parse_args()
    config = json.loads(a.config)
    builds = [("this build", a.bin)] + ([("STYLECUT_B", a.b)] if a.b else [])
    res = {name: [] for name, _ in builds}
    for k in range(a.runs):
        for name, binary in builds:
            r = round_of(binary, a.template, a.sources, config)
            res[name].append(r)
            print(f"round {k + 1} {name}: " + ", ".join(f"{w:.2f} s wall / {c:.2f} s CPU" for w, c in r),
                  file=sys.stderr)
    labels = ["A  source 1 + template (both new)", "B  source 2 + template (template seen)",
              "C  source 1 + template (both seen)"]
    print("| job | " + " | ".join(f"{n}: wall (median) | {n}: CPU (median)" for n, _ in builds) + " |")
    print("|---|" + "---|---|" * len(builds))
    for i, label in enumerate(labels):
        cells = []
        for name, _ in builds:
            ws = [r[i][0] for r in res[name]]
            cs = [r[i][1] for r in res[name]]
            cells += [f"{statistics.median(ws):.2f} s ({' '.join(f'{w:.2f}' for w in ws)})",
                      f"{statistics.median(cs):.2f} s"]
        print(f"| {label} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
