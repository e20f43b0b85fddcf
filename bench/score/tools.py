"""Runners for the peers (PySceneDetect, librosa, pyloudnorm, ffmpeg ebur128) and our engine."""
import json
import re
import subprocess
from pathlib import Path

import numpy as np

LIBROSA_SR = 22050  # librosa's default analysis rate
VIDEO_SUFFIXES = {".mp4", ".webm", ".mkv", ".mov", ".avi"}


# ---------------------------------------------------------------- PySceneDetect
def scenedetect_cuts(path, detector):
    """Cut times (s) of PySceneDetect 0.7 with default settings; detector 'content'|'adaptive'."""
    from scenedetect import AdaptiveDetector, ContentDetector, detect
    det = ContentDetector() if detector == "content" else AdaptiveDetector()
    scenes = detect(str(path), det)
    return [start.get_seconds() for start, _ in scenes[1:]]


# ---------------------------------------------------------------- librosa
def librosa_warmup():
    """librosa 0.11 spends ~10 s JIT-compiling (numba) on its first beat_track call."""
    import librosa
    noise = np.random.default_rng(0).standard_normal(LIBROSA_SR * 3).astype(np.float32)
    librosa.beat.beat_track(y=noise, sr=LIBROSA_SR)


def load_audio(path, sr=LIBROSA_SR):
    """Mono float audio; decoded by ffmpeg so that mp4/webm/ogg/mp3 all work the same way."""
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-vn", "-ac", "1",
                          "-ar", str(sr), "-f", "f32le", "-"], check=True,
                         capture_output=True).stdout
    return np.frombuffer(raw, dtype="<f4")


def librosa_beats(path):
    import librosa
    y = load_audio(path)
    tempo, beats = librosa.beat.beat_track(y=y, sr=LIBROSA_SR, units="time")
    return float(np.atleast_1d(tempo)[0]), [float(b) for b in beats]


# ---------------------------------------------------------------- loudness
def pyloudnorm_measure(path):
    import pyloudnorm
    import soundfile
    data, rate = soundfile.read(str(path))
    meter = pyloudnorm.Meter(rate)
    return {"integrated_lufs": float(meter.integrated_loudness(data)),
            "range_lu": float(meter.loudness_range(data))}


def ffmpeg_ebur128(path):
    """ffmpeg's ebur128 filter summary (integrated, LRA, true peak)."""
    err = subprocess.run(["ffmpeg", "-nostats", "-i", str(path), "-vn", "-filter_complex",
                          "ebur128=peak=true", "-f", "null", "-"],
                         capture_output=True, text=True, check=False).stderr
    summary = err[err.rfind("Summary:"):]

    def grab(label):
        m = re.search(label + r":\s+(-?[\d.]+|-inf)", summary)
        return float(m.group(1)) if m else None
    return {"integrated_lufs": grab("I"), "range_lu": grab("LRA"), "true_peak_dbtp": grab("Peak")}


# ---------------------------------------------------------------- stylecut
class Stylecut:
    """`stylecut analyze FILE` runner. Audio-only files are tried directly, and when the CLI
    refuses them they are muxed (stream copy, lossless) with a black video into WORKDIR."""

    def __init__(self, binary, workdir, timeout_s=900):
        self.binary = str(binary)
        self.workdir = Path(workdir)
        self.timeout_s = timeout_s
        self.audio_direct = None  # learned on the first audio file
        self.errors = {}

    def analyze(self, path):
        path = Path(path)
        if path.suffix.lower() in VIDEO_SUFFIXES:
            return self._run(path)
        if self.audio_direct is not False:
            doc = self._run(path, quiet=True)
            if doc is not None:
                self.audio_direct = True
                return doc
            self.audio_direct = False
        return self._run(self._mux_black(path))

    def _run(self, path, quiet=False):
        try:
            proc = subprocess.run([self.binary, "analyze", str(path)], capture_output=True,
                                  text=True, timeout=self.timeout_s, check=False)
        except subprocess.TimeoutExpired:
            self.errors[str(path)] = "timeout"
            return None
        if proc.returncode == 0:
            try:
                return json.loads(proc.stdout)
            except json.JSONDecodeError as e:
                self.errors[str(path)] = f"bad JSON: {e}"
                return None
        if not quiet:
            self.errors[str(path)] = proc.stderr.strip()[-300:]
        return None

    def _mux_black(self, audio):
        self.workdir.mkdir(parents=True, exist_ok=True)
        out = self.workdir / (audio.stem + ".black.mkv")
        if not out.exists():
            subprocess.run(["ffmpeg", "-y", "-v", "error", "-f", "lavfi", "-i",
                            "color=black:s=320x180:r=25", "-i", str(audio), "-map", "0:v",
                            "-map", "1:a", "-c:v", "libx264", "-preset", "ultrafast",
                            "-c:a", "copy", "-shortest", str(out)], check=True)
        return out


def stylecut_cuts(doc):
    """Hard cuts from an analysis document: `cut` transitions, else shot starts."""
    trans = doc.get("transitions") or []
    if trans:
        return [t["start_s"] for t in trans if t["type"] == "cut"]
    return [s["start_s"] for s in (doc.get("shots") or [])[1:]]


def stylecut_gradual(doc):
    return [{"start": t["start_s"], "end": t["start_s"] + t["duration_ms"] / 1000.0,
             "type": t["type"]} for t in (doc.get("transitions") or []) if t["type"] != "cut"]


# ---------------------------------------------------------------- torch peers (optional venv)
class TorchPeers:
    """TransNetV2 and silero-vad, run by torch_peers.py under the optional torch venv's python
    (bench/setup.sh --torch). Each call is one subprocess over all files, writing JSON."""

    RUNNER = Path(__file__).resolve().parent / "torch_peers.py"

    def __init__(self, python, workdir):
        self.python = str(python)
        self.workdir = Path(workdir)

    def start(self, cmd, paths):
        self.workdir.mkdir(parents=True, exist_ok=True)
        dest = self.workdir / f"torch-{cmd}.json"
        dest.unlink(missing_ok=True)
        proc = subprocess.Popen([self.python, str(self.RUNNER), cmd, str(dest), *map(str, paths)])
        return proc, dest

    def wait(self, started, label):
        proc, dest = started
        if proc.wait() != 0 or not dest.exists():
            print(f"{label}: torch_peers.py failed (rc {proc.returncode}); its rows read 'error'",
                  flush=True)
            return {"versions": None, "results": {}}
        return json.loads(dest.read_text())

    def run(self, cmd, paths, label):
        return self.wait(self.start(cmd, paths), label)


def transnet_boundaries(scenes, fps):
    """Boundaries between consecutive scenes of TransNetV2.predictions_to_scenes (inclusive
    [start, end] frames; a scene ends on the first frame above the threshold and the next starts
    on the first frame below it again). Cut time = first frame of the next scene; span = the
    above-threshold frames [end of scene, start of next scene)."""
    return [{"cut": b[0] / fps, "start": a[1] / fps, "end": b[0] / fps, "frames": b[0] - a[1]}
            for a, b in zip(scenes, scenes[1:])]


def transnet_gradual(bounds, gt):
    """As for PySceneDetect, every boundary that is not a true hard cut is a gradual candidate,
    spanning its above-threshold frames. No type, and no start/duration error: the single-frame
    head that predictions_to_scenes reads marks 1-3 frames in the middle of a transition (measured
    on the synthetic xfades), not its extent."""
    from metrics import match_points
    _, unmatched = match_points([b["cut"] for b in bounds], gt["cuts"], gt["fps"])
    return [{"start": bounds[i]["start"], "end": bounds[i]["end"], "type": None}
            for i in unmatched]
