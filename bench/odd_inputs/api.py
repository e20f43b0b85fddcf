#!/usr/bin/env python3
"""Job API end to end on odd inputs: upload each (as source, with base.mp4 as the
template, and as template with src.mp4 as the source), create a job, poll it; check the
stored blobs afterwards."""
import json, os, subprocess, sys, time, urllib.request, uuid, shutil, hashlib

BIN = sys.argv[1]
DATA = sys.argv[2]
names = sys.argv[3:]
IN = os.environ.get("ODD_IN", "/tmp/s8c/in")  # inputs directory
shutil.rmtree(DATA, ignore_errors=True)
env = {k: v for k, v in os.environ.items() if k != "RUST_BACKTRACE"}
env["MAX_CONCURRENT_JOBS"] = "1"
srv = subprocess.Popen([BIN, "serve", "--bind", "127.0.0.1:0", "--data-dir", DATA],
                       stdout=subprocess.PIPE, stderr=open(DATA + ".server.log", "w"), env=env, text=True)
base = None
for line in srv.stdout:
    if "listening on" in line:
        base = line.strip().split("listening on ")[1]
        break
print("server", base, "pid", srv.pid, flush=True)

def req(method, path, body=None, ctype=None):
    r = urllib.request.Request(base + path, data=body, method=method)
    if ctype:
        r.add_header("Content-Type", ctype)
    try:
        with urllib.request.urlopen(r, timeout=60) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()

def upload(path, filename=None):
    b = uuid.uuid4().hex
    fn = filename or os.path.basename(path)
    data = open(path, "rb").read()
    body = (f"--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{fn}\"\r\n"
            f"Content-Type: application/octet-stream\r\n\r\n").encode() + data + f"\r\n--{b}--\r\n".encode()
    st, out = req("POST", "/api/v1/videos/upload", body, f"multipart/form-data; boundary={b}")
    return st, json.loads(out)

def job(src, tpl, config=None):
    body = {"video_id": src}
    if tpl:
        body["template_video_id"] = tpl
    if config:
        body["config"] = config
    st, out = req("POST", "/api/v1/jobs", json.dumps(body).encode(), "application/json")
    j = json.loads(out)
    if st != 200:
        return {"create": st, "error": j.get("error")}
    jid = j["data"]["job_id"]
    t0 = time.time()
    while True:
        st, out = req("GET", f"/api/v1/jobs/{jid}/result")
        d = json.loads(out)["data"]
        if d["status"] in ("completed", "failed", "cancelled"):
            break
        if time.time() - t0 > 180:
            return {"job": jid, "status": "HANG", "progress": d["progress_percent"], "stage": d["current_stage"]}
        time.sleep(0.5)
    res = {"job": jid, "status": d["status"], "error": d.get("error"), "secs": round(time.time() - t0, 1)}
    if d["status"] == "completed" and d.get("output_video_url"):
        st, out = req("GET", f"/api/v1/jobs/{jid}/output")
        p = f"{DATA}.{jid}.mp4"
        open(p, "wb").write(out)
        pr = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", p], capture_output=True, text=True)
        dec = subprocess.run(["ffmpeg", "-v", "error", "-i", p, "-f", "null", "-"], capture_output=True, text=True)
        res["output"] = {"bytes": len(out), "duration": pr.stdout.strip(), "decode_ok": dec.returncode == 0 and not dec.stderr.strip()}
        os.remove(p)
    return res

def sha(p):
    return hashlib.sha256(open(p, "rb").read()).hexdigest()

results = []
st, b = upload(f"{IN}/base.mp4")
tpl_id = b["data"]["video_id"]
st, s = upload(f"{IN}/src.mp4")
src_id = s["data"]["video_id"]
for n in names:
    st, u = upload(f"{IN}/{n}", filename=n if n.split(".")[-1] in ("mp4", "mov", "avi", "mkv", "webm") else n + ".mp4")
    rec = {"input": n, "upload": st, "upload_error": u.get("error"), "metadata": (u.get("data") or {}).get("metadata")}
    if st == 200:
        vid = u["data"]["video_id"]
        rec["as_source"] = job(vid, tpl_id)
        rec["as_template"] = job(src_id, vid)
    results.append(rec)
    print(json.dumps(rec), flush=True)
# stored objects: every upload still there and unchanged
blobs = os.path.join(DATA, "blobs")
print("staging left:", os.listdir(os.path.join(blobs, ".staging")))
print("uploads:", len(os.listdir(os.path.join(blobs, "uploads"))), "outputs:", len(os.listdir(os.path.join(blobs, "outputs"))) if os.path.isdir(os.path.join(blobs, "outputs")) else 0)
print("base intact:", sha(f"{IN}/base.mp4") == sha(os.path.join(blobs, "uploads", tpl_id + ".mp4")))
srv.terminate()
srv.wait(timeout=30)
print("server exit", srv.returncode)
