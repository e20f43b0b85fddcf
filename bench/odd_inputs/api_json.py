#!/usr/bin/env python3
"""Bad JSON / parameters against the job API: expected stable codes."""
import json, os, subprocess, sys, urllib.request, uuid, shutil
BIN, DATA = sys.argv[1], sys.argv[2]
shutil.rmtree(DATA, ignore_errors=True)
env = {k: v for k, v in os.environ.items() if k != "RUST_BACKTRACE"}
srv = subprocess.Popen([BIN, "serve", "--bind", "127.0.0.1:0", "--data-dir", DATA], stdout=subprocess.PIPE,
                       stderr=open(DATA + ".server.log", "w"), env=env, text=True)
for line in srv.stdout:
    if "listening on" in line:
        base = line.strip().split("listening on ")[1]; break
def req(method, path, body=None, ctype=None):
    r = urllib.request.Request(base + path, data=body, method=method)
    if ctype: r.add_header("Content-Type", ctype)
    try:
        with urllib.request.urlopen(r, timeout=60) as resp: return resp.status, resp.read()
    except urllib.error.HTTPError as e: return e.code, e.read()
b = uuid.uuid4().hex
data = open("/tmp/s8c/in/base.mp4", "rb").read()
body = (f"--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"base.mp4\"\r\n\r\n").encode() + data + f"\r\n--{b}--\r\n".encode()
st, out = req("POST", "/api/v1/videos/upload", body, f"multipart/form-data; boundary={b}")
vid = json.loads(out)["data"]["video_id"]
style = json.load(open("/tmp/s6/style24.json"))
cases = [
    ("not json", b"{\"video_id\": ", "VALIDATION_ERROR"),
    ("empty body", b"", "VALIDATION_ERROR"),
    ("array", b"[]", "VALIDATION_ERROR"),
    ("no video_id", json.dumps({}).encode(), "MISSING_FIELD"),
    ("video_id number", json.dumps({"video_id": 5}).encode(), "VALIDATION_ERROR"),
    ("unknown video", json.dumps({"video_id": "vid_nope"}).encode(), "VIDEO_NOT_FOUND"),
    ("traversal id", json.dumps({"video_id": "../../etc/passwd"}).encode(), "VIDEO_NOT_FOUND"),
    ("unknown template", json.dumps({"video_id": vid, "template_video_id": "vid_x"}).encode(), "VIDEO_NOT_FOUND"),
    ("unknown config key", json.dumps({"video_id": vid, "config": {"bogus": 1}}).encode(), "VALIDATION_ERROR"),
    ("quality bad", json.dumps({"video_id": vid, "config": {"quality": "ultra"}}).encode(), "VALIDATION_ERROR"),
    ("max_duration 0", json.dumps({"video_id": vid, "config": {"max_duration_seconds": 0}}).encode(), "VALIDATION_ERROR"),
    ("max_duration -1", json.dumps({"video_id": vid, "config": {"max_duration_seconds": -1}}).encode(), "VALIDATION_ERROR"),
    ("max_duration 1e308", json.dumps({"video_id": vid, "config": {"max_duration_seconds": 1e308}}).encode(), "ok?"),
    ("max_duration string", json.dumps({"video_id": vid, "config": {"max_duration_seconds": "5"}}).encode(), "VALIDATION_ERROR"),
    ("resolution 4k", json.dumps({"video_id": vid, "config": {"resolution": "4k"}}).encode(), "VALIDATION_ERROR"),
    ("style_json bad fps", json.dumps({"video_id": vid, "config": {"style_json": {**style, "frame_rate": 0}}}).encode(), "VALIDATION_ERROR"),
    ("style_json partial", json.dumps({"video_id": vid, "config": {"style_json": {"version": "1.0"}}}).encode(), "VALIDATION_ERROR"),
    ("apply switch string", json.dumps({"video_id": vid, "config": {"apply": {"color": "yes"}}}).encode(), "VALIDATION_ERROR"),
    ("webhook ftp", json.dumps({"video_id": vid, "webhook_url": "ftp://x"}).encode(), "VALIDATION_ERROR"),
    ("config null", json.dumps({"video_id": vid, "config": None}).encode(), "ok?"),
    ("huge number", b'{"video_id": "' + vid.encode() + b'", "config": {"max_duration_seconds": 1e999}}', "VALIDATION_ERROR"),
]
for name, body, want in cases:
    st, out = req("POST", "/api/v1/jobs", body, "application/json")
    try: j = json.loads(out)
    except Exception: j = {"raw": out[:100].decode(errors="replace")}
    code = (j.get("error") or {}).get("code") if isinstance(j, dict) else None
    print(json.dumps({"case": name, "http": st, "code": code, "want": want, "detail": ((j.get("error") or {}).get("detail") or "")[:120] if isinstance(j, dict) else ""}))
    if st == 200:
        jid = j["data"]["job_id"]; req("POST", f"/api/v1/jobs/{jid}/cancel")
for path in ["/api/v1/jobs?page=0", "/api/v1/jobs?page_size=1000", "/api/v1/jobs?page=abc", "/api/v1/jobs?page=99999999999999999999", "/api/v1/jobs/job_nope", "/api/v1/jobs/..%2F..%2Fetc/output", "/api/v1/jobs/job_nope/output"]:
    st, out = req("GET", path)
    try: j = json.loads(out); code = (j.get("error") or {}).get("code")
    except Exception: code = "non-json " + out[:60].decode(errors="replace")
    print(json.dumps({"get": path, "http": st, "code": code}))
srv.terminate(); srv.wait(timeout=30); print("server exit", srv.returncode)
