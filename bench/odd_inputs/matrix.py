#!/usr/bin/env python3
"""Runs analyze / extract / apply-as-source / apply-as-template on every input of the
odd-input matrix with one stylecut binary; writes one JSON line per run."""
import json, os, subprocess, sys, time, glob

BIN = sys.argv[1]
OUT = sys.argv[2]
only = sys.argv[3:]  # optional input names
IN = os.environ.get("ODD_IN", "/tmp/s8c/in")  # inputs directory
STYLE = "/tmp/s6/style24.json"
SRC = f"{IN}/src.mp4"
TIMEOUT = 150
ENV = {k: v for k, v in os.environ.items() if k != "RUST_BACKTRACE"}
os.makedirs(OUT, exist_ok=True)

def probe(path):
    r = subprocess.run(["ffprobe", "-v", "error", "-show_entries",
                        "format=duration:stream=codec_type,duration,start_time,width,height,r_frame_rate,avg_frame_rate,nb_frames",
                        "-of", "json", path], capture_output=True, text=True)
    try:
        return json.loads(r.stdout)
    except Exception:
        return None

def check_output(path):
    if not os.path.exists(path):
        return {"exists": False}
    p = probe(path) or {}
    d = {"exists": True, "size": os.path.getsize(path)}
    d["format_duration"] = float(p.get("format", {}).get("duration", "nan"))
    for s in p.get("streams", []):
        k = s["codec_type"]
        d[k] = {"dur": float(s.get("duration", "nan")), "start": float(s.get("start_time", "nan"))}
        if k == "video":
            d[k].update(w=s.get("width"), h=s.get("height"), fps=s.get("avg_frame_rate"), n=s.get("nb_frames"))
    r = subprocess.run(["ffmpeg", "-v", "error", "-i", path, "-f", "null", "-"], capture_output=True, text=True)
    d["decode_ok"] = r.returncode == 0 and not r.stderr.strip()
    d["decode_err"] = r.stderr.strip()[-300:]
    if "video" in d and "audio" in d:
        d["av_end_diff"] = round((d["video"]["start"] + d["video"]["dur"]) - (d["audio"]["start"] + d["audio"]["dur"]), 3)
    return d

def run(name, cmd, outfile=None):
    t = time.time()
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT, env=ENV)
        rc, so, se = r.returncode, r.stdout, r.stderr
    except subprocess.TimeoutExpired as e:
        rc, so, se = "TIMEOUT", (e.stdout or b"").decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or ""), (e.stderr or b"").decode(errors="replace") if isinstance(e.stderr, bytes) else (e.stderr or "")
    el = round(time.time() - t, 1)
    # the error line: last non-progress lines of stderr
    lines = [l for l in se.replace("\r", "\n").splitlines() if l.strip() and "[" not in l[:3]]
    rec = {"input": name, "cmd": cmd[1], "rc": rc, "secs": el, "stderr": "\n".join(lines[-6:])[-800:],
           "panic": "panicked" in se}
    if cmd[1] == "analyze" and rc == 0:
        try:
            a = json.loads(so)
            rec["summary"] = {k: a.get(k) for k in ("duration_s", "width", "height", "frame_rate", "tempo_bpm")}
            rec["summary"]["shots"] = len(a.get("shots", []))
            rec["summary"]["lufs"] = a.get("loudness", {}).get("integrated_lufs")
            rec["summary"]["speech"] = len(a.get("speech_segments", []))
        except Exception as e:
            rec["summary"] = f"bad json: {e}"
    if cmd[1] == "extract" and rc == 0:
        try:
            s = json.loads(so)
            rec["summary"] = {k: s.get(k) for k in ("aspect_ratio", "frame_rate", "cut_frequency", "tempo_bpm", "source_duration_seconds", "extraction_confidence", "use_subtitles")}
            rec["summary"]["norm"] = s.get("audio_style", {}).get("normalization_level")
        except Exception as e:
            rec["summary"] = f"bad json: {e}"
    if outfile:
        rec["output"] = check_output(outfile)
    return rec

names = sorted(os.path.basename(p) for p in glob.glob(f"{IN}/*"))
if only:
    names = [n for n in names if n in only]
with open(f"{OUT}/results.jsonl", "a") as fh:
    for n in names:
        path = f"{IN}/{n}"
        base = n.replace(".", "_")
        jobs = [
            ("analyze", [BIN, "analyze", path], None),
            ("extract", [BIN, "extract", path], None),
            ("apply-src", [BIN, "apply", "--style", STYLE, path, "-o", f"{OUT}/{base}.src.mp4"], f"{OUT}/{base}.src.mp4"),
            ("apply-tpl", [BIN, "apply", "--template", path, SRC, "-o", f"{OUT}/{base}.tpl.mp4"], f"{OUT}/{base}.tpl.mp4"),
        ]
        for label, cmd, of in jobs:
            rec = run(n, cmd, of)
            rec["label"] = label
            fh.write(json.dumps(rec) + "\n"); fh.flush()
            print(n, label, rec["rc"], rec["secs"], rec["stderr"].splitlines()[-1][:150] if rec["stderr"] else "", flush=True)
