#!/usr/bin/env python3
"""Two `bench/qa_sweep.py` runs side by side (session 27).

For every case in both runs' `results.json`: whether the plans are byte-identical (`cmp`
of `case.plan.json`), the joins that carry a transition (xfade of f > 0 frames) and how many
of those are splits (the next segment continues the previous one in the source: same shot,
its sound starting where the previous one's ends: a transition there blends the shot with
itself), target / plan / output cuts per minute and the failing checks of each run.

Usage (from the repo root):
  bench/.venv/bin/python bench/qa_compare.py bench/out/qa_sweep/main bench/out/qa_sweep/NEW
Prints a Markdown table and the per-check counts of each run.
"""

from __future__ import annotations

import filecmp
import json
import sys
from pathlib import Path


def joins(plan_path: Path):
    """(transitions with frames, of which at splits, splits) of a plan."""
    if not plan_path.exists():
        return None
    plan = json.loads(plan_path.read_text())
    segs = plan["segments"]
    n_tr = n_split_tr = n_split = 0
    for t in plan["transitions"]:
        k = t["after_segment"]
        split = (k + 1 < len(segs) and segs[k]["shot"] == segs[k + 1]["shot"]
                 and abs(segs[k + 1]["src_in_s"] - segs[k]["src_out_s"]) < 1e-9)
        n_split += split
        if t.get("frames", 0) > 0:
            n_tr += 1
            n_split_tr += split
    return n_tr, n_split_tr, n_split


def main():
    a, b = Path(sys.argv[1]), Path(sys.argv[2])
    ra = {r["case"]: r for r in json.loads((a / "results.json").read_text())}
    rb = {r["case"]: r for r in json.loads((b / "results.json").read_text())}
    print(f"| case | plan | transitions (at splits) {a.name} | {b.name} | target cpm | "
          f"plan cpm {a.name} → {b.name} | output cpm {a.name} → {b.name} | "
          f"failing {a.name} | failing {b.name} |")
    print("|---|---|---|---|---|---|---|---|---|")
    counts = {a.name: {}, b.name: {}}
    for case in ra:
        if case not in rb:
            continue
        pa, pb = a / f"{case}.plan.json", b / f"{case}.plan.json"
        same = ("identical" if pa.exists() and pb.exists() and filecmp.cmp(pa, pb, shallow=False)
                else ("differs" if pa.exists() and pb.exists() else "-"))
        ja, jb = joins(pa), joins(pb)
        fa = [k for k, v in ra[case].get("checks", {}).items() if v]
        fb = [k for k, v in rb[case].get("checks", {}).items() if v]
        for name, f in ((a.name, fa), (b.name, fb)):
            for k in f:
                counts[name][k] = counts[name].get(k, 0) + 1
        ca, cb = ra[case].get("cpm", {}), rb[case].get("cpm", {})
        js = lambda j: f"{j[0]} ({j[1]} of {j[2]} splits)" if j else "-"  # noqa: E731
        print(f"| {case} | {same} | {js(ja)} | {js(jb)} | {ca.get('target_cpm', '')} | "
              f"{ca.get('plan_cpm', '')} → {cb.get('plan_cpm', '')} | "
              f"{ca.get('output_cpm', '')} → {cb.get('output_cpm', '')} | "
              f"{', '.join(fa)} | {', '.join(fb)} |")
    print()
    for name, c in counts.items():
        print(f"{name}: failing outputs per check: "
              + (", ".join(f"{k} {v}" for k, v in sorted(c.items())) or "none"))


if __name__ == "__main__":
    main()
