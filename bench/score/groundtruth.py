"""Load the shared and synthetic ground truth into one normalised shape.

Video: {"path", "set", "fps", "cuts": [s], "gradual": [{"type", "expected_type", "start", "end"}],
        "extra": raw GT dict}. Times in seconds; `end` is exclusive (end of the last frame).
Music: {"path", "set", "tempo": [bpm, ...accepted alternatives], "beats": [s] or None}.
"""
import json
from fractions import Fraction
from pathlib import Path

# Shared gradual-transition names -> the engine's transition types (analysis.rs).
SHARED_GRADUAL_TYPES = {"fade_in_from_black": "fade_in", "fade_in": "fade_in",
                        "fade_out": "fade_out", "dissolve": "dissolve"}
MEDIA_SUFFIXES = (".mp4", ".webm", ".mkv", ".mov")


def fps_of(gt):
    rate = gt.get("frame_rate") or gt.get("frame_rate_nominal")
    return float(Fraction(rate))


def _gradual_from_frames(kind, start_frame, end_frame, fps, expected):
    return {"type": kind, "expected_type": expected,
            "start": start_frame / fps, "end": (end_frame + 1) / fps}


def normalise_video_gt(gt, path, set_name):
    fps = fps_of(gt)
    cuts, gradual = [], []
    for c in gt.get("cuts", []):
        cuts.append(c["time"] if "time" in c else c["frame"] / fps)
    events = list(gt.get("transitions", [])) + list(gt.get("segments", []))
    for t in events:
        kind = t.get("type")
        if kind in ("cut", "cut_from_black", "cut_to_black"):
            cuts.append(t["time"] if "time" in t else t["frame"] / fps)
        elif "duration_frames" in t:  # synthetic
            gradual.append(_gradual_from_frames(kind, t["start_frame"], t["end_frame"], fps,
                                                t["expected_type"]))
        elif kind in SHARED_GRADUAL_TYPES:
            gradual.append(_gradual_from_frames(kind, t["start_frame"], t["end_frame"], fps,
                                                SHARED_GRADUAL_TYPES[kind]))
    return {"path": str(path), "name": Path(path).name, "set": set_name, "fps": fps,
            "cuts": sorted(cuts), "gradual": gradual, "extra": gt}


def shared_videos(media):
    """Every shared video with a `*.shots.json` ground truth."""
    out = []
    for gt_path in sorted(media.glob("video/**/*.shots.json")):
        gt = json.loads(gt_path.read_text())
        video = gt_path.parent / gt["media"]
        out.append(normalise_video_gt(gt, video, "real"))
    return out


def synth_manifest(synth):
    path = synth / "manifest.json"
    return json.loads(path.read_text())["sets"] if path.exists() else {}


def synth_videos(synth, sets=("transitions", "motion", "captions")):
    """Synthetic videos; transitions form one set, the cut-free ones a negative set."""
    out = []
    manifest = synth_manifest(synth)
    for s in sets:
        for rel in manifest.get(s, []):
            clip = synth / rel
            gt = json.loads(clip.with_suffix(".gt.json").read_text())
            has_events = gt.get("cuts") or gt.get("transitions")
            set_name = "synth-transitions" if has_events else "synth-no-cut"
            out.append(normalise_video_gt(gt, clip, set_name))
    return out


def robust_videos(robust):
    """Cut-free robustness clips (generate.py --only robust): set `synth-robust`."""
    out = []
    for rel in synth_manifest(robust).get("robust", []):
        clip = robust / rel
        gt = json.loads(clip.with_suffix(".gt.json").read_text())
        out.append(normalise_video_gt(gt, clip, "synth-robust"))
    return out


def synth_clips(synth, set_name):
    """(path, raw GT) of one synthetic set (grades, motion, captions)."""
    return [(synth / rel, json.loads((synth / rel).with_suffix(".gt.json").read_text()))
            for rel in synth_manifest(synth).get(set_name, [])]


def _tempi(gt):
    values = [gt.get(k) for k in ("tempo_bpm", "tempo_bpm_metadata",
                                  "tempo_bpm_from_beats_median_ibi")]
    return [float(v) for v in values if v]


def shared_music(media):
    out = []
    for gt_path in sorted(media.glob("music/**/*.gt.json")):
        gt = json.loads(gt_path.read_text())
        out.append({"path": str(gt_path.parent / gt["audio"]), "name": gt["audio"],
                    "set": "real", "tempo": _tempi(gt), "beats": gt.get("beats")})
    return out


def synth_music(synth):
    out = []
    for rel in synth_manifest(synth).get("drums", []):
        gt = json.loads((synth / rel).with_suffix(".gt.json").read_text())
        out.append({"path": str(synth / rel), "name": gt["audio"], "set": "synth",
                    "tempo": _tempi(gt), "beats": gt["beats"]})
    return out


def loudness_refs(media):
    base = media / "loudness" / "ebu-tech3341-3342"
    expected = json.loads((base / "expected.json").read_text())["expected"]
    return [{"path": str(base / name), "name": name, **exp} for name, exp in expected.items()]


def vad_refs(media):
    """Files with silero-VAD v6 segments measured by the media helper (reference, not truth)."""
    index = json.loads((media / "index.json").read_text())
    out = []
    for f in index["files"]:
        ref = f.get("measured_speech_silero_vad_v6")
        if ref is not None:
            out.append({"path": str(media / f["path"]), "name": Path(f["path"]).name,
                        "duration": f.get("duration_s"), "segments": ref["segments"]})
    return out


def loudness_measured(media):
    """Files with ffmpeg ebur128 numbers stored in index.json (a reference tool, not truth)."""
    index = json.loads((media / "index.json").read_text())
    return [{"path": str(media / f["path"]), "name": Path(f["path"]).name,
             **f["measured_loudness_ffmpeg_ebur128"]}
            for f in index["files"] if f.get("measured_loudness_ffmpeg_ebur128")]
