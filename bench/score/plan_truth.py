#!/usr/bin/env python3
"""Shot boundaries of our own renders against their plans (issues 3 and 4, session 28).

Every output of `bench/qa_sweep.py` comes with its plan (`CASE.plan.json`, the EDL), so
the true joins of the output are known. This runs `stylecut analyze CASE.mp4` with the
binary under test and compares its transitions with the plan's joins:

  truth      every join between segment k and k+1 of the plan, at the output time
             segs[k+1].out_start_s (a hard cut: the first frame of the new segment; a
             transition of `frames` > 0: its window [s, s + duration_s]). A join is
               shot    the next segment is another source shot or not contiguous in the
                       source (a shot change, or a stretch removed);
               split   the same shot continuing in the source with another framing (a
                       punch-in / punch-out: a hard cut between two crops of one shot);
               seamless  the same shot continuing with the same crop: the picture does
                       not change there, so it is no boundary (left out of the truth).
  matching   a hard-cut truth matches a read `cut` within ±1 output frame (`--tol`
             frames); a transition truth matches any read boundary whose span
             [start_s, start_s + duration_ms] comes within one frame of its window;
             one read boundary matches at most one truth (nearest first).
  scores     per case and per half: boundaries (any kind) TP / FP / FN, P, R, F1; hard
             cuts alone (cut truths vs read cuts, a read cut matched to a transition
             truth counts as neither); kind agreement on matched transitions; and the
             same with splits left out ("shot joins": the truth reduced to shot changes
             and read boundaries at splits not counted either way).
  detail     every false and missed boundary with its output time, the segment and
             source time it lies in, and the read type and confidence.

The cases are split by SOURCE video before any tuning (session 28): the tuning half is
every case of `wanna`, `bikes`, `asp`, `tv`, `cock`; the held-out half every case of
`gold`, `rot`, `chid`, `bbb` (templates do not matter: the source is what is on screen).

Usage (from the repo root):
  bench/.venv/bin/python bench/score/plan_truth.py --sweep bench/out/qa_sweep/main \
      --stylecut BIN [--half tuning|heldout|all] [--only CASE_SUBSTR ...] [--detail]
      [--json OUT.json]

Analyses are cached in SWEEP/analysis-<binary name>/CASE.json (delete to redo).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

TUNING = {"wanna", "bikes", "asp", "tv", "cock"}
HELDOUT = {"gold", "rot", "chid", "bbb"}


def source_of(case: str) -> str:
    return case.split("-")[0]


def half_of(case: str) -> str:
    s = source_of(case)
    return "tuning" if s in TUNING else ("heldout" if s in HELDOUT else "?")


def analyze(binary: str, mp4: Path, cache: Path) -> dict | None:
    cache.parent.mkdir(parents=True, exist_ok=True)
    if cache.exists():
        return json.loads(cache.read_text())
    r = subprocess.run(["nice", "-n", "10", binary, "analyze", str(mp4)], capture_output=True,
                       text=True)
    try:
        d = json.loads(r.stdout)
    except ValueError:
        print(f"analyze failed on {mp4}: {r.stderr[-300:]}", file=sys.stderr)
        return None
    slim = {k: d[k] for k in ("shots", "transitions", "duration_s", "frame_rate")}
    cache.write_text(json.dumps(slim))
    return slim


def same_crop(a: dict, b: dict) -> bool:
    ca, cb = a["crop"], b["crop"]
    if a.get("crop_path") or b.get("crop_path"):
        return False
    return all(abs(ca[k] - cb[k]) < 1e-6 for k in ca)


def truth(plan: dict) -> list[dict]:
    segs = plan["segments"]
    fps = plan["format"]["fps_num"] / plan["format"]["fps_den"]
    by_k = {t["after_segment"]: t for t in plan["transitions"]}
    out = []
    for k in range(len(segs) - 1):
        a, b = segs[k], segs[k + 1]
        t = by_k.get(k, {"kind": "cut", "frames": 0, "duration_s": 0.0})
        contiguous = a["shot"] == b["shot"] and abs(b["src_in_s"] - a["src_out_s"]) < 0.5 / fps
        if not contiguous:
            cls = "shot"
        elif same_crop(a, b) and t.get("frames", 0) == 0:
            cls = "seamless"
        else:
            cls = "split"
        s = b["out_start_s"]
        d = t["duration_s"] if t.get("frames", 0) > 0 else 0.0
        out.append({"k": k, "t": s, "end": s + d, "kind": t["kind"] if d > 0 else "cut",
                    "cls": cls})
    return out


def read_boundaries(an: dict) -> list[dict]:
    out = []
    for t in an["transitions"]:
        s = t["start_s"]
        d = t["duration_ms"] / 1000.0
        out.append({"t": s, "end": s + d, "type": t["type"], "conf": t.get("confidence")})
    return out


def locate(plan: dict, t: float):
    segs = plan["segments"]
    fps = plan["format"]["fps_num"] / plan["format"]["fps_den"]
    j = 0
    for i, s in enumerate(segs):
        if s["out_start_s"] <= t + 1e-9:
            j = i
    s = segs[j]
    dur = s["frames"] / fps
    u = (t - s["out_start_s"]) / dur if dur > 0 else 0.0
    src = s["video_in_s"] + u * (s["video_out_s"] - s["video_in_s"])
    return j, src


def match(tr: list[dict], rd: list[dict], frame: float, tol: float):
    """Greedy nearest matching: pairs (truth index, read index)."""
    cands = []
    for i, a in enumerate(tr):
        for j, b in enumerate(rd):
            if a["end"] > a["t"] or b["end"] > b["t"]:
                # a span on either side: overlap within one frame
                gap = max(a["t"] - b["end"], b["t"] - a["end"], 0.0)
                if gap <= frame + 1e-6:
                    cands.append((gap + abs(a["t"] - b["t"]) * 1e-3, i, j))
            else:
                d = abs(a["t"] - b["t"])
                if d <= tol * frame + 1e-6:
                    cands.append((d, i, j))
    cands.sort()
    ti, rj, pairs = set(), set(), []
    for _, i, j in cands:
        if i in ti or j in rj:
            continue
        ti.add(i)
        rj.add(j)
        pairs.append((i, j))
    return pairs


def prf(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def score_case(plan: dict, an: dict, tol: float) -> dict:
    fps = plan["format"]["fps_num"] / plan["format"]["fps_den"]
    frame = 1.0 / fps
    allt = truth(plan)
    tr = [x for x in allt if x["cls"] != "seamless"]
    rd = read_boundaries(an)
    pairs = match(tr, rd, frame, tol)
    mt = {i for i, _ in pairs}
    mr = {j for _, j in pairs}
    res = {"truth": len(tr), "read": len(rd), "tp": len(pairs), "fp": len(rd) - len(mr),
           "fn": len(tr) - len(mt), "splits": sum(x["cls"] == "split" for x in tr),
           "seamless": sum(x["cls"] == "seamless" for x in allt)}
    # hard cuts only
    tc = [i for i, x in enumerate(tr) if x["kind"] == "cut"]
    rc = [j for j, b in enumerate(rd) if b["type"] == "cut"]
    cut_tp = sum(1 for i, j in pairs if tr[i]["kind"] == "cut" and rd[j]["type"] == "cut")
    matched_to_trans = sum(1 for i, j in pairs if tr[i]["kind"] != "cut" and rd[j]["type"] == "cut")
    res["cut"] = {"tp": cut_tp, "fp": len(rc) - cut_tp - matched_to_trans,
                  "fn": len(tc) - cut_tp}
    # kind agreement on matched transitions
    kinds = [(tr[i]["kind"], rd[j]["type"]) for i, j in pairs if tr[i]["kind"] != "cut"]
    res["kind_ok"] = sum(1 for a, b in kinds if a == b or (a == "fade" and b.startswith("fade")))
    res["kind_n"] = len(kinds)
    # shot joins only (splits neither true nor false)
    split_t = {i for i, x in enumerate(tr) if x["cls"] == "split"}
    split_r = {j for i, j in pairs if i in split_t}
    res["shot"] = {"tp": sum(1 for i, _ in pairs if i not in split_t),
                   "fn": sum(1 for i, x in enumerate(tr) if x["cls"] == "shot" and i not in mt),
                   "fp": res["fp"]}
    res["split_found"] = len(split_r)
    det = []
    for j, b in enumerate(rd):
        if j not in mr:
            seg, src = locate(plan, b["t"])
            det.append({"what": "false", "t": round(b["t"], 3), "type": b["type"],
                        "dur": round(b["end"] - b["t"], 3), "conf": b["conf"], "seg": seg,
                        "src": round(src, 3)})
    for i, a in enumerate(tr):
        if i not in mt:
            seg, src = locate(plan, a["t"] + 1e-4)
            det.append({"what": "missed", "t": round(a["t"], 3), "type": a["kind"],
                        "cls": a["cls"], "dur": round(a["end"] - a["t"], 3), "seg": seg,
                        "src": round(src, 3)})
    res["detail"] = sorted(det, key=lambda x: x["t"])
    return res


def add(acc: dict, r: dict):
    for k in ("truth", "read", "tp", "fp", "fn", "splits", "split_found", "kind_ok", "kind_n"):
        acc[k] = acc.get(k, 0) + r[k]
    for g in ("cut", "shot"):
        a = acc.setdefault(g, {"tp": 0, "fp": 0, "fn": 0})
        for k in ("tp", "fp", "fn"):
            a[k] += r[g][k]


def fmt(acc: dict) -> str:
    p, r, f = prf(acc["tp"], acc["fp"], acc["fn"])
    cp, cr, cf = prf(acc["cut"]["tp"], acc["cut"]["fp"], acc["cut"]["fn"])
    sp, sr, sf = prf(acc["shot"]["tp"], acc["shot"]["fp"], acc["shot"]["fn"])
    return (f"boundaries truth {acc['truth']} read {acc['read']} TP {acc['tp']} FP {acc['fp']} "
            f"FN {acc['fn']} P {p:.3f} R {r:.3f} F1 {f:.3f} | hard cuts TP {acc['cut']['tp']} "
            f"FP {acc['cut']['fp']} FN {acc['cut']['fn']} F1 {cf:.3f} | shot joins TP "
            f"{acc['shot']['tp']} FN {acc['shot']['fn']} R {sr:.3f} | splits found "
            f"{acc['split_found']}/{acc['splits']} | transition kind "
            f"{acc['kind_ok']}/{acc['kind_n']}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sweep", required=True)
    ap.add_argument("--stylecut", required=True)
    ap.add_argument("--half", default="all", choices=["tuning", "heldout", "all"])
    ap.add_argument("--only", nargs="*", default=None)
    ap.add_argument("--tol", type=float, default=1.0, help="hard-cut tolerance, frames")
    ap.add_argument("--detail", action="store_true")
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    sweep = Path(args.sweep)
    cache = sweep / f"analysis-{Path(args.stylecut).name}"
    plans = sorted(sweep.glob("*.plan.json"))
    rows, acc = [], {}
    for pl in plans:
        case = pl.name[: -len(".plan.json")]
        if case.startswith("selftest"):
            continue
        h = half_of(case)
        if args.half != "all" and h != args.half:
            continue
        if args.only and not any(o in case for o in args.only):
            continue
        mp4 = sweep / f"{case}.mp4"
        if not mp4.exists():
            continue
        plan = json.loads(pl.read_text())
        an = analyze(args.stylecut, mp4, cache / f"{case}.json")
        if an is None:
            continue
        r = score_case(plan, an, args.tol)
        r["case"], r["half"] = case, h
        rows.append(r)
        add(acc.setdefault(h, {}), r)
        add(acc.setdefault("all", {}), r)
        p, rc, f = prf(r["tp"], r["fp"], r["fn"])
        print(f"{case:32s} {h:8s} truth {r['truth']:3d} (splits {r['splits']}) read "
              f"{r['read']:3d} TP {r['tp']:3d} FP {r['fp']:3d} FN {r['fn']:3d} F1 {f:.3f}",
              flush=True)
        if args.detail:
            for x in r["detail"]:
                print("    ", json.dumps(x))
    for h in ("tuning", "heldout", "all"):
        if h in acc:
            print(f"{h:8s} {len([r for r in rows if h in ('all', r['half'])]):2d} cases: "
                  f"{fmt(acc[h])}")
    if args.json:
        Path(args.json).write_text(json.dumps({"rows": rows, "totals": acc}, indent=1))


if __name__ == "__main__":
    main()
