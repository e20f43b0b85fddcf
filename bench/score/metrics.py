"""Matching and scoring functions (no I/O)."""
import numpy as np

CUT_TOLERANCE_FRAMES = 1  # hard cuts: +-1 frame
TEMPO_TOLERANCE = 0.04  # tempo within 4 %
OCTAVE_RATIOS = {"x2": 2.0, "/2": 0.5, "x3": 3.0, "/3": 1 / 3}
VAD_STEP_S = 0.01  # VAD agreement grid


def prf(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def match_points(pred, truth, fps, tol_frames=CUT_TOLERANCE_FRAMES):
    """Greedy one-to-one matching by frame distance. Returns (pairs, unmatched_pred)."""
    pf = [round(t * fps) for t in pred]
    tf = [round(t * fps) for t in truth]
    cands = sorted((abs(a - b), i, j) for i, a in enumerate(pf) for j, b in enumerate(tf)
                   if abs(a - b) <= tol_frames)
    used_p, used_t, pairs = set(), set(), []
    for _, i, j in cands:
        if i not in used_p and j not in used_t:
            used_p.add(i)
            used_t.add(j)
            pairs.append((i, j))
    return pairs, [i for i in range(len(pred)) if i not in used_p]


def inside_any(t, spans, fps, margin_frames=CUT_TOLERANCE_FRAMES):
    return any(s["start"] - margin_frames / fps <= t <= s["end"] + margin_frames / fps
               for s in spans)


def score_hard_cuts(pred_cuts, gt):
    """TP/FP/FN of hard cuts; predictions inside a GT gradual transition are ignored."""
    fps = gt["fps"]
    pred = [t for t in pred_cuts if not inside_any(t, gt["gradual"], fps)]
    pairs, _ = match_points(pred, gt["cuts"], fps)
    return {"tp": len(pairs), "fp": len(pred) - len(pairs), "fn": len(gt["cuts"]) - len(pairs)}


def score_gradual(pred_spans, gt):
    """Detection of gradual transitions by span overlap (GT span widened by 1 frame).

    pred_spans: [{"start", "end", "type" or None}]. Returns counts plus, for matched pairs,
    type hits and start/duration errors in frames.
    """
    fps = gt["fps"]
    margin = CUT_TOLERANCE_FRAMES / fps
    used, res = set(), {"tp": 0, "fp": 0, "fn": 0, "type_hits": 0, "typed": 0,
                        "dur_err": [], "start_err": []}
    for g in gt["gradual"]:
        hit = next((i for i, p in enumerate(pred_spans) if i not in used
                    and p["start"] <= g["end"] + margin and p["end"] >= g["start"] - margin),
                   None)
        if hit is None:
            res["fn"] += 1
            continue
        used.add(hit)
        res["tp"] += 1
        p = pred_spans[hit]
        if p.get("type") is not None:
            res["typed"] += 1
            res["type_hits"] += int(p["type"] == g["expected_type"])
            res["dur_err"].append(abs((p["end"] - p["start"]) - (g["end"] - g["start"])) * fps)
            res["start_err"].append(abs(p["start"] - g["start"]) * fps)
    res["fp"] = len(pred_spans) - len(used)
    return res


def untyped_gradual_preds(pred_cuts, gt):
    """For detectors without transition types: every detection that is not a GT hard cut."""
    _, unmatched = match_points(pred_cuts, gt["cuts"], gt["fps"])
    return [{"start": pred_cuts[i], "end": pred_cuts[i], "type": None} for i in unmatched]


def tempo_verdict(est, refs):
    """(within 4 % of any accepted tempo, octave error label or '')."""
    if est is None or not refs:
        return None, ""
    if any(abs(est / r - 1) <= TEMPO_TOLERANCE for r in refs):
        return True, ""
    ratio = est / refs[0]
    for label, k in OCTAVE_RATIOS.items():
        if abs(ratio / k - 1) <= TEMPO_TOLERANCE:
            return False, label
    return False, "other"


MIN_REF_BEATS = 4  # fewer annotated beats than this give no meaningful F-measure


def beat_f_measure(ref, est):
    """(F-measure, trimmed?). The standard protocol drops the first 5 s of both sequences;
    excerpts too short for that (madmom sample, jazz trio) are scored untrimmed."""
    import mir_eval
    ref, est = np.asarray(ref, dtype=float), np.asarray(est, dtype=float)
    ref_t = mir_eval.beat.trim_beats(ref)
    if len(ref_t) >= MIN_REF_BEATS:
        return float(mir_eval.beat.f_measure(ref_t, mir_eval.beat.trim_beats(est))), True
    if len(ref) >= MIN_REF_BEATS:
        return float(mir_eval.beat.f_measure(ref, est)), False
    return None, False


def segments_to_mask(segments, duration):
    n = int(np.ceil(duration / VAD_STEP_S))
    mask = np.zeros(n, dtype=bool)
    for a, b in segments:
        mask[int(a / VAD_STEP_S):int(np.ceil(b / VAD_STEP_S))] = True
    return mask


def vad_agreement(ref, est, duration):
    """(frame accuracy, speech IoU) on a 10 ms grid."""
    r, e = segments_to_mask(ref, duration), segments_to_mask(est, duration)
    union = np.logical_or(r, e).sum()
    iou = np.logical_and(r, e).sum() / union if union else 1.0
    return float((r == e).mean()), float(iou)
