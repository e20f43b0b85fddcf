//! Pacing: turn the source's shots into an edit decision list whose cut rate matches the
//! template's `cut_frequency` (cuts per minute of output). Rules (see `docs/APPLY.md`):
//!
//! 1. Every source shot starts as one piece; the source's own cuts are kept.
//! 2. Too few cuts: first drop dead air (gaps between speech, when the source has speech
//!    and no music) as jump cuts, longest gap first; then, with the template's motion,
//!    cut out the stretches that move least like it where the rate allows
//!    ([`trim_unlike_motion`]); then split the longest pieces near their middle. Pieces
//!    cut out of one continuous shot alternate a punch-in framing so every new cut is
//!    visible.
//! 3. Too many cuts: drop the weakest pieces (short, no speech, motion least like the
//!    template's) while that brings the rate closer to the target, keeping at least 40 %
//!    of the source; where no single piece can go without breaking a word, a run of
//!    neighbouring pieces whose outer edges lie outside speech goes instead.
//! 4. No edit point that breaks the audio (a jump cut, a dropped piece, a beat move) lies
//!    inside a word: inside a speech segment (80 ms margin) unless in one of the pauses
//!    between words the analysis found inside it (`speech_pauses`); speech protection wins
//!    over beat snapping. Splits keep the audio continuous, so they prefer pauses but may
//!    fall inside continuous speech (a punch-in on the speaker: the picture cuts, the words
//!    run on).
//! 5. With music (`beats` not empty) split points are beats (more than two beat intervals
//!    away from every beat, where the tracker found none, any time as without music); the
//!    source's own cuts are moved onto beats by removing the beat interval that holds them
//!    (the music keeps its phase); jump edges snap to the nearest beat.
//!
//! The rate pacing aims at is the one the extractor will measure on the output: joins
//! minus one over the output duration, where every join that becomes a transition
//! (`primary`/`secondary` duration, at most 40 % of the shorter neighbour, as
//! `transitions.rs` plans it) shortens the output by its overlap.

use serde::{Deserialize, Serialize};
use stylecut_analysis::video::camera;
use stylecut_types::{CameraTrack, ShotMotion, Span};

use super::motion;

/// Margin around speech segments that no audio-breaking edit may enter, seconds.
pub const SPEECH_MARGIN_S: f64 = 0.08;
/// How far an edit point may lie outside a measured pause and still count as in it: half
/// of the pause detector's 10 ms level frame (its ends are known to that precision).
pub const PAUSE_SLACK_S: f64 = 0.005;
/// Silence kept on each side of removed dead air, seconds.
pub const DEAD_AIR_PAD_S: f64 = 0.25;
/// Shortest stretch of dead air worth removing (after padding), seconds.
pub const DEAD_AIR_MIN_S: f64 = 0.5;
/// Share of the source duration that dropping pieces must keep.
pub const MIN_KEEP_SHARE: f64 = 0.4;
/// Whether an audio edit at `t` would break a word: inside a speech segment (with
/// [`SPEECH_MARGIN_S`]) and not in one of the pauses between words inside it (with
/// [`PAUSE_SLACK_S`]).
pub fn breaks_word(t: f64, speech: &[Span], pauses: &[Span]) -> bool {
    speech
        .iter()
        .any(|s| t > s.start_s - SPEECH_MARGIN_S && t < s.end_s + SPEECH_MARGIN_S)
        && !pauses
            .iter()
            .any(|p| t >= p.start_s - PAUSE_SLACK_S && t <= p.end_s + PAUSE_SLACK_S)
}

/// Why a piece starts where it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// A shot of the source (or the start of the video).
    Shot,
    /// Cut inside a continuous shot to raise the cut rate.
    Split,
    /// After removed dead air or a dropped piece.
    JumpCut,
    /// Moved onto a beat.
    Beat,
}

/// A source-time piece of the edit.
#[derive(Debug, Clone, PartialEq)]
pub struct Piece {
    pub in_s: f64,
    pub out_s: f64,
    pub shot: usize,
    pub origin: Origin,
    pub punch_in: bool,
    locked: bool,
}

impl Piece {
    pub fn new(in_s: f64, out_s: f64, shot: usize) -> Self {
        Piece {
            in_s,
            out_s,
            shot,
            origin: Origin::Shot,
            punch_in: false,
            locked: false,
        }
    }
    pub fn len(&self) -> f64 {
        self.out_s - self.in_s
    }
}

/// What pacing knows about the source.
pub struct PacingInput<'a> {
    pub speech: &'a [Span],
    /// Pauses between words inside `speech` (the analysis' `speech_pauses`).
    pub pauses: &'a [Span],
    /// Beat times (seconds); empty when the source has no music.
    pub beats: Vec<f64>,
    pub motion: &'a [ShotMotion],
    /// The source's camera track and frame rate: a piece's motion is read over its own
    /// span ([`motion::SourceMotion::segment`]; an empty track: its shot's summary).
    pub track: &'a CameraTrack,
    pub fps: f64,
    /// Shortest piece the plan may create, seconds.
    pub min_len_s: f64,
    /// One output frame, seconds (beat tolerance).
    pub frame_s: f64,
    /// Overlap of the template's primary and secondary transition, seconds (0 for cuts):
    /// join `k` uses the secondary when `k % 4 == 3` (see `transitions::style_for_join`).
    pub join_overlap_s: [f64; 2],
    /// The template's (`motion_intensity`, `zoom_usage`): dropping prefers pieces whose
    /// own motion is least like it. None: prefer dropping pieces with little motion.
    pub target_motion: Option<(f64, f64)>,
}

impl PacingInput<'_> {
    /// Whether `t` lies where the beat tracker found no beat: none within two beat
    /// intervals (their median; 1 s each with a single beat), or no beats at all. There a
    /// split may fall at any time, as without music (`big_buck_bunny_0_30.webm`: music from
    /// the start, three beats found at 20.5–22.1 s; before session 21 its pieces away from
    /// them were never split, and a 90-cuts-a-minute template gave that clip 8 a minute).
    pub fn off_beat_track(&self, t: f64) -> bool {
        if self.beats.is_empty() {
            return true;
        }
        let mut gaps: Vec<f64> = self.beats.windows(2).map(|w| w[1] - w[0]).collect();
        gaps.sort_by(f64::total_cmp);
        let reach = 2.0 * gaps.get(gaps.len() / 2).copied().unwrap_or(1.0);
        self.beats.iter().all(|&b| (b - t).abs() > reach)
    }

    /// Whether an audio edit at `t` would break a word ([`breaks_word`]).
    pub fn in_speech(&self, t: f64) -> bool {
        breaks_word(t, self.speech, self.pauses)
    }
    fn speech_share(&self, a: f64, b: f64) -> f64 {
        let ov: f64 = self
            .speech
            .iter()
            .map(|s| (s.end_s.min(b) - s.start_s.max(a)).max(0.0))
            .sum();
        ov / (b - a).max(1e-6)
    }
    /// The motion the extractor reads on the source over `[a, b)`: the shot's summary, or
    /// the span's own camera where the track covers it.
    fn shot_motion(&self, a: f64, b: f64) -> Option<ShotMotion> {
        motion::SourceMotion {
            shots: self.motion,
            track: self.track,
            fps: self.fps,
        }
        .over(a, b)
    }
    fn object_motion(&self, a: f64, b: f64) -> Option<f64> {
        self.shot_motion(a, b).map(|m| m.object_motion)
    }
    /// How much a piece's motion is worth keeping, 0.5..2. With a template: the product
    /// of `2 − |piece − template| / 100` for `motion_intensity` and `zoom_usage` (the
    /// piece's shot scored on the extractor's scales), halved, so pieces moving like the
    /// template are kept and the others dropped first; unknown motion is neutral (1.5 per
    /// factor). Without: `1 + object motion / 100`.
    pub fn motion_value(&self, a: f64, b: f64) -> f64 {
        let m = self.shot_motion(a, b);
        let Some((intensity, zoom)) = self.target_motion else {
            return 1.0 + m.map_or(0.0, |m| m.object_motion) / 100.0;
        };
        let fit = |d: Option<f64>| 2.0 - d.map_or(50.0, |d| d.abs().min(100.0)) / 100.0;
        let mi = m
            .as_ref()
            .map(|m| camera::motion_intensity(std::slice::from_ref(m)) - intensity);
        let zu = m
            .as_ref()
            .map(|m| camera::zoom_usage(std::slice::from_ref(m)) - zoom);
        fit(mi) * fit(zu) / 2.0
    }
    /// `motion_intensity` (0..100) the extractor reads on the source over `[a, b)` as one
    /// shot ([`Self::shot_motion`]; unknown motion reads as still, as the planner predicts it).
    pub fn span_intensity(&self, a: f64, b: f64) -> f64 {
        self.shot_motion(a, b)
            .map_or(0.0, |m| camera::motion_intensity(std::slice::from_ref(&m)))
    }
    /// `motion_intensity` of the edit of `pieces`, each piece read over its own span as one
    /// shot and weighted by its length (the extractor's duration weighting), before the
    /// crop window and any planned move.
    pub fn kept_intensity(&self, pieces: &[Piece]) -> f64 {
        let total: f64 = pieces.iter().map(Piece::len).sum();
        if total <= 0.0 {
            return 0.0;
        }
        pieces
            .iter()
            .map(|x| x.len() * self.span_intensity(x.in_s, x.out_s))
            .sum::<f64>()
            / total
    }
    /// Output overlap of the transition at join `k` between pieces `a` and `b`: none where
    /// `b` continues `a` ([`continues`]: a split's transition crosses one moment, the next
    /// segment starting its length early, so the output keeps the pieces' length; see
    /// `planner::transitions_at_splits`).
    fn overlap(&self, k: usize, a: &Piece, b: &Piece) -> f64 {
        if continues(a, b) {
            return 0.0;
        }
        let d = self.join_overlap_s[usize::from(k % 4 == 3)];
        d.min(0.4 * a.len().min(b.len())).max(0.0)
    }
    /// Cuts per minute the extractor will measure on the edit of `pieces`.
    pub fn rate(&self, pieces: &[Piece]) -> f64 {
        let total: f64 = pieces.iter().map(Piece::len).sum();
        let overlaps: f64 = pieces
            .windows(2)
            .enumerate()
            .map(|(k, w)| self.overlap(k, &w[0], &w[1]))
            .sum();
        rate_over(pieces.len(), total - overlaps)
    }
    fn near_beat(&self, t: f64) -> bool {
        self.beats.iter().any(|b| (b - t).abs() <= self.frame_s)
    }
}

/// Whether piece `b` continues piece `a` in the source: the same shot, `b` starting where
/// `a` ends (a split; its two sides are one continuous stretch of picture and sound).
pub fn continues(a: &Piece, b: &Piece) -> bool {
    a.shot == b.shot && (b.in_s - a.out_s).abs() < 1e-9
}

/// Cuts per minute of a piece list (transitions ignored).
pub fn rate(pieces: &[Piece]) -> f64 {
    rate_over(pieces.len(), pieces.iter().map(Piece::len).sum())
}

fn rate_over(n: usize, total: f64) -> f64 {
    if n < 2 || total <= 0.0 {
        return 0.0;
    }
    (n - 1) as f64 * 60.0 / total
}

/// Pieces from shots, clipped to `0..end_s`.
pub fn from_shots(shots: &[Span], end_s: f64) -> Vec<Piece> {
    let mut out: Vec<Piece> = Vec::new();
    for (i, s) in shots.iter().enumerate() {
        let (a, b) = (s.start_s.max(0.0), s.end_s.min(end_s));
        if b - a > 1e-3 {
            out.push(Piece::new(a, b, i));
        }
    }
    if out.is_empty() && end_s > 0.0 {
        out.push(Piece::new(0.0, end_s, 0));
    }
    out
}

/// Applies rules 2–5 towards `target_cpm`; returns the new pieces and notes.
pub fn pace(mut p: Vec<Piece>, target_cpm: f64, inp: &PacingInput) -> (Vec<Piece>, Vec<String>) {
    let mut notes = Vec::new();
    let before = (p.len(), inp.rate(&p));
    if inp.rate(&p) < target_cpm * 0.97 {
        if inp.beats.is_empty() && !inp.speech.is_empty() {
            let n = remove_dead_air(&mut p, target_cpm, inp);
            if n > 0 {
                notes.push(format!(
                    "pacing: removed {} of dead air as jump cuts",
                    counted(n, "stretch", "stretches")
                ));
            }
        }
        let n = trim_unlike_motion(&mut p, target_cpm, inp);
        if n > 0 {
            notes.push(format!(
                "pacing: cut out {} moving least like the template as jump cuts",
                counted(n, "stretch", "stretches")
            ));
        }
        let n = split_long(&mut p, target_cpm, inp);
        alternate_framing(&mut p);
        if n > 0 {
            notes.push(format!(
                "pacing: split {} inside shots (alternating punch-in framing{})",
                counted(n, "time", "times"),
                if inp.beats.is_empty() {
                    ""
                } else {
                    ", on beats"
                }
            ));
        }
    } else if inp.rate(&p) > target_cpm * 1.03 {
        let n = drop_weakest(&mut p, target_cpm, inp);
        if n > 0 {
            notes.push(format!(
                "pacing: dropped the {} to slow the cut rate",
                counted(n, "weakest piece", "weakest pieces")
            ));
        }
    }
    if !inp.beats.is_empty() {
        let n = snap_to_beats(&mut p, inp);
        notes.push(format!(
            "pacing: moved {} onto beats",
            counted(n, "cut", "cuts")
        ));
    }
    notes.push(format!(
        "pacing: {} at {:.1} cuts/min -> {} at {:.1} cuts/min (target {:.1})",
        counted(before.0, "piece", "pieces"),
        before.1,
        counted(p.len(), "piece", "pieces"),
        inp.rate(&p),
        target_cpm
    ));
    (p, notes)
}

/// Output seconds of the edit of `pieces`: transition overlaps subtracted as
/// [`PacingInput::rate`] does, except at joins the planner will make hard cuts because the
/// crossfaded audio would blend words (speech within the overlap before the out point or
/// after the in point, as `planner::plan_transitions` decides). Under a cap the edit's
/// length must be known to the frame's order: counting those overlaps made `wannaworktogether.mp4`
/// (sung throughout) plan 1–2 s too long, which the final cap then cut back into a word.
pub fn output_len(pieces: &[Piece], inp: &PacingInput) -> f64 {
    let total: f64 = pieces.iter().map(Piece::len).sum();
    let speech_in = |a: f64, b: f64| inp.speech.iter().any(|s| s.start_s < b && s.end_s > a);
    let overlaps: f64 = pieces
        .windows(2)
        .enumerate()
        .map(|(k, w)| {
            let d = inp.overlap(k, &w[0], &w[1]);
            if d > 0.0
                && (speech_in(w[0].out_s - d, w[0].out_s) || speech_in(w[1].in_s, w[1].in_s + d))
            {
                0.0
            } else {
                d
            }
        })
        .sum();
    total - overlaps
}

/// Cuts per minute of the edit of `pieces` over [`output_len`].
pub fn capped_rate(pieces: &[Piece], inp: &PacingInput) -> f64 {
    rate_over(pieces.len(), output_len(pieces, inp))
}

/// [`pace`] under a duration cap of `cap_s` output seconds (issue 4, session 22). The
/// source was paced over more than the cap can hold (`2 * cap + 5` s), so the kept part's
/// rate was whatever the first `cap_s` seconds of that plan happened to get (on
/// `wannaworktogether.mp4`: 21.5 cuts/min for 30, 42.6 for 60). Here the kept span is
/// decided first and paced on its own:
///
/// 1. pace the whole working span as [`pace`] does (dead air, trims, splits or drops);
/// 2. keep the first `cap_s` seconds of output ([`truncate_to`]), then move the end back
///    outside speech ([`end_outside_speech`]): the last piece ends in a gap between words, or
///    the edit ends at an earlier piece's end that is outside speech;
/// 3. pace the kept pieces again: too few cuts, split the longest (on beats with music, as
///    rule 5) while that brings the rate nearer the target; too many, undo the splits of
///    step 1 (shortest joined piece first, which keeps the length), then drop the weakest
///    (rule 3; the edit then ends before the cap).
///
/// Where the kept edit still misses the target by more than 10 % (the round trip's
/// tolerance), a note says why: a cap too short to hold one cut at the target's rate, or no
/// piece long enough to split.
pub fn pace_capped(
    p: Vec<Piece>,
    target_cpm: f64,
    cap_s: f64,
    inp: &PacingInput,
) -> (Vec<Piece>, Vec<String>) {
    let (mut p, mut notes) = pace(p, target_cpm, inp);
    let cap = cap_s;
    if output_len(&p, inp) <= cap || cap <= 0.0 {
        return (p, notes);
    }
    truncate_to(&mut p, cap, inp);
    end_outside_speech(&mut p, inp);
    let before = (p.len(), capped_rate(&p, inp));
    let mut n_split = 0;
    let mut n_drop = 0;
    let mut n_merge = 0;
    if before.1 < target_cpm * 0.97 {
        n_split = split_nearer(&mut p, target_cpm, inp);
        alternate_framing(&mut p);
    } else if before.1 > target_cpm * 1.03 {
        n_merge = merge_splits(&mut p, target_cpm, inp);
        alternate_framing(&mut p);
        if capped_rate(&p, inp) > target_cpm * 1.03 {
            n_drop = drop_weakest(&mut p, target_cpm, inp);
        }
    }
    let after = capped_rate(&p, inp);
    let out = output_len(&p, inp);
    notes.push(format!(
        "pacing: under the {cap_s:.2} s cap: {} kept at {:.1} cuts/min{}{}{} -> {} at {:.1} cuts/min over {out:.2} s (target {target_cpm:.1})",
        counted(before.0, "piece", "pieces"),
        before.1,
        if n_split > 0 { format!(", split {}", counted(n_split, "more time", "more times")) } else { String::new() },
        if n_merge > 0 { format!(", undid {}", counted(n_merge, "split", "splits")) } else { String::new() },
        if n_drop > 0 { format!(", dropped {}", counted(n_drop, "piece", "pieces")) } else { String::new() },
        counted(p.len(), "piece", "pieces"),
        after,
    ));
    if target_cpm > 0.0 && (after - target_cpm).abs() > 0.1 * target_cpm {
        let one_cut = 60.0 / out.max(1e-9);
        let why = if target_cpm * out / 60.0 < 1.0 {
            format!(
                "{out:.2} s hold {:.2} cuts at the target's rate; one cut is {one_cut:.1} cuts/min",
                target_cpm * out / 60.0
            )
        } else if after < target_cpm {
            format!(
                "no kept piece is long enough to split (at least {:.2} s each side{})",
                inp.min_len_s,
                if inp.beats.is_empty() {
                    ""
                } else {
                    ", on a beat"
                }
            )
        } else {
            "no piece can go without breaking a word or the share of material kept".into()
        };
        notes.push(format!(
            "pacing: under the cap the edit misses the target by more than 10 %: {why}"
        ));
    }
    (p, notes)
}

/// Shortest last piece [`truncate_to`] keeps (seconds), as `edl::cap` keeps at least 0.5 s
/// of the segment it trims.
pub const CAP_MIN_LAST_S: f64 = 0.5;

/// Keeps the first `cap_s` output seconds of `p`: the piece the cap falls in is shortened
/// to end there (or dropped when less than [`CAP_MIN_LAST_S`] or `min_len_s`, whichever is
/// shorter, of it would stay: a short last piece is better than an edit far shorter than
/// the cap asked for, e.g. 1.2 s of a 2 s cap when the cap falls 0.8 s into a shot).
pub fn truncate_to(p: &mut Vec<Piece>, cap_s: f64, inp: &PacingInput) {
    let Some(i) = (0..p.len()).find(|&i| output_len(&p[..=i], inp) > cap_s) else {
        return;
    };
    p.truncate(i + 1);
    // output_len grows with the last piece's out point: bisect for the cap.
    let (mut lo, mut hi) = (p[i].in_s, p[i].out_s);
    for _ in 0..50 {
        let mid = 0.5 * (lo + hi);
        p[i].out_s = mid;
        if output_len(p, inp) > cap_s {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    p[i].out_s = lo;
    if p[i].len() < inp.min_len_s.min(CAP_MIN_LAST_S) && i > 0 {
        p.pop();
    }
}

/// Moves the end of the edit back so it is not inside a word ([`breaks_word`]): to the
/// latest point of the last piece that lies in a gap between speech segments (outside
/// their margins) or in a pause between words and leaves the piece `min_len_s`, else the
/// same in the piece before, and so on (a piece's own end counts when it is outside
/// speech). Points keep two output frames from a gap's edges so the frame grid cannot
/// round them into a word. Unchanged when no such point exists (`edl::end_outside_speech`
/// notes it).
pub fn end_outside_speech(p: &mut Vec<Piece>, inp: &PacingInput) {
    let Some(last) = p.len().checked_sub(1) else {
        return;
    };
    if !inp.in_speech(p[last].out_s) {
        return;
    }
    let pad = 2.0 * inp.frame_s;
    // (start, end) of every stretch an end may fall in.
    let mut starts: Vec<f64> = inp.speech.iter().map(|s| s.start_s).collect();
    starts.sort_by(f64::total_cmp);
    let gaps: Vec<(f64, f64)> = std::iter::once(f64::NEG_INFINITY)
        .chain(inp.speech.iter().map(|s| s.end_s + SPEECH_MARGIN_S))
        .map(|g0| {
            let g1 = starts
                .iter()
                .map(|t| t - SPEECH_MARGIN_S)
                .find(|&t| t > g0)
                .unwrap_or(f64::INFINITY);
            (g0, g1)
        })
        .chain(inp.pauses.iter().map(|q| (q.start_s, q.end_s)))
        .collect();
    for j in (0..=last).rev() {
        let x = &p[j];
        let lo = x.in_s + if j == 0 { inp.frame_s } else { inp.min_len_s };
        let own = (j < last).then_some(x.out_s);
        let inside = gaps.iter().filter_map(|&(g0, g1)| {
            let t = (g1 - pad).min(x.out_s);
            if t >= g0 + pad {
                Some(t)
            } else {
                // A gap narrower than the padding: its middle.
                let m = 0.5 * (g0 + g1);
                (m <= x.out_s).then_some(m)
            }
        });
        let best = own
            .into_iter()
            .chain(inside)
            .filter(|&t| t >= lo && t <= x.out_s && !inp.in_speech(t))
            .fold(f64::NEG_INFINITY, f64::max);
        if best.is_finite() {
            p.truncate(j + 1);
            p[j].out_s = best;
            return;
        }
    }
}

/// Joins pieces that a split made out of one continuous stretch (the same shot, one
/// ending where the next starts), the pair with the shortest joined length first, while
/// that brings the rate nearer the target. The edit keeps its length and its sound.
fn merge_splits(p: &mut Vec<Piece>, target: f64, inp: &PacingInput) -> usize {
    let mut n = 0;
    loop {
        let r = capped_rate(p, inp);
        if r <= target * 1.03 {
            break;
        }
        let Some(i) = (1..p.len())
            .filter(|&i| {
                p[i].origin == Origin::Split
                    && p[i].shot == p[i - 1].shot
                    && (p[i - 1].out_s - p[i].in_s).abs() < 1e-9
            })
            .min_by(|&a, &b| (p[a].out_s - p[a - 1].in_s).total_cmp(&(p[b].out_s - p[b - 1].in_s)))
        else {
            break;
        };
        let mut trial = p.clone();
        trial[i - 1].out_s = trial[i].out_s;
        trial.remove(i);
        if (capped_rate(&trial, inp) - target).abs() >= (r - target).abs() {
            break;
        }
        *p = trial;
        n += 1;
    }
    n
}

/// [`split_long`] that stops before a split that would leave the rate further from the
/// target than it is (a short edit where one more cut overshoots by more than it misses).
fn split_nearer(p: &mut Vec<Piece>, target: f64, inp: &PacingInput) -> usize {
    let mut n = 0;
    loop {
        let r = capped_rate(p, inp);
        if r >= target * 0.97 {
            break;
        }
        let mut trial = p.clone();
        let k = split_long_once(&mut trial, inp);
        if k == 0 || (capped_rate(&trial, inp) - target).abs() >= (target - r).abs() {
            break;
        }
        *p = trial;
        n += 1;
    }
    n
}

/// Removes gaps between speech segments, longest first, until the rate is reached.
fn remove_dead_air(p: &mut Vec<Piece>, target: f64, inp: &PacingInput) -> usize {
    let start = p.first().map_or(0.0, |x| x.in_s);
    let end = p.last().map_or(0.0, |x| x.out_s);
    let mut edges = vec![start];
    for s in inp.speech {
        edges.push(s.start_s);
        edges.push(s.end_s);
    }
    edges.push(end);
    let mut gaps: Vec<(f64, f64)> = edges
        .chunks(2)
        .filter_map(|c| {
            let (a, b) = (c[0] + DEAD_AIR_PAD_S, c.get(1)? - DEAD_AIR_PAD_S);
            (b - a >= DEAD_AIR_MIN_S).then_some((a, b))
        })
        .filter(|&(a, b)| inp.object_motion(a, b).is_none_or(|m| m < 40.0))
        .collect();
    gaps.sort_by(|x, y| (y.1 - y.0).total_cmp(&(x.1 - x.0)));
    let mut n = 0;
    for (a, b) in gaps {
        if inp.rate(p) >= target * 0.97 {
            break;
        }
        let mut next = Vec::with_capacity(p.len() + 1);
        for piece in p.drain(..) {
            if piece.out_s <= a || piece.in_s >= b {
                next.push(piece);
                continue;
            }
            if piece.in_s < a {
                next.push(Piece {
                    out_s: a,
                    ..piece.clone()
                });
            }
            if piece.out_s > b {
                next.push(Piece {
                    in_s: b,
                    origin: Origin::JumpCut,
                    punch_in: !piece.punch_in,
                    ..piece
                });
            }
        }
        next.retain(|x| x.len() >= inp.min_len_s * 0.5);
        *p = next;
        n += 1;
    }
    n
}

/// Kept material whose `motion_intensity` ([`PacingInput::kept_intensity`]) is within this
/// many points of the template's is not trimmed (the planner's motion tolerance, see
/// `motion::assign`).
pub const TRIM_TOLERANCE: f64 = 5.0;
/// A trim must bring the kept material's `motion_intensity` at least this many points
/// nearer the template's.
pub const TRIM_MIN_GAIN: f64 = 1.0;
/// Grid of the points a trim may cut at without music, seconds (with music: the beats).
pub const TRIM_GRID_S: f64 = 0.5;
/// Candidate trims checked against the rate (a split of the trimmed edit on a copy) each
/// round, best first: bounds the work on a long source.
const TRIM_TRIES: usize = 64;

/// Relative distance of a rate to the target, 0 within the 3 % band pacing aims at.
fn rate_miss(r: f64, target: f64) -> f64 {
    let e = (r - target).abs() / target.max(1e-9);
    if e <= 0.03 {
        0.0
    } else {
        e
    }
}

/// Too few cuts and the template's motion known: before splitting, cuts out the stretches
/// that move least like the template (session 21), so the kept material reads nearer its
/// `motion_intensity`: a calm template loses the liveliest stretches, a lively one the
/// stillest ("dead air" of the picture). A stretch lies inside one piece, between two
/// points of the grid (beats with music, else every [`TRIM_GRID_S`] and the piece's ends);
/// it is `min_len` to one target shot length (60 / target s) long and leaves nothing or at
/// least `min_len` on each side; both of its ends are outside words (rule 4; the start and
/// end of the edit excepted); the edit keeps [`MIN_KEEP_SHARE`] of the source. A stretch
/// inside a piece adds a jump cut, one at a piece's end only shortens the edit.
///
/// The cut rate wins over the motion: each round ranks the stretches by the rate the
/// splits would then reach (its distance to the target, 0 within the 3 % band; estimated
/// as the fewest cuts that reach 97 % of the target over the shorter edit), then by how
/// near the template the kept material's intensity ([`PacingInput::kept_intensity`]) comes,
/// then the shorter; the first whose edit stays at or under 103 % of the target and whose
/// splits (run on a copy, with the moves onto beats when there is music) reach a rate at
/// least as near the target as they reach on the untrimmed edit is cut.
/// Runs while the kept material is more than [`TRIM_TOLERANCE`] points off the template
/// and a stretch gains [`TRIM_MIN_GAIN`] points.
fn trim_unlike_motion(p: &mut Vec<Piece>, target: f64, inp: &PacingInput) -> usize {
    let Some((goal, _)) = inp.target_motion else {
        return 0;
    };
    let source_len: f64 = p.iter().map(Piece::len).sum();
    let max_cut = (60.0 / target.max(1e-9)).max(2.0 * inp.min_len_s);
    let settled = |q: &[Piece]| {
        let mut c = q.to_vec();
        split_long(&mut c, target, inp);
        if !inp.beats.is_empty() {
            snap_to_beats(&mut c, inp);
        }
        rate_miss(inp.rate(&c), target)
    };
    // The rate the splits reach on `cuts` cuts over `dur` seconds of pieces, estimated
    // (transition overlaps ignored).
    let estimate = |cuts: usize, dur: f64| {
        let need = (0.97 * target * dur / 60.0).ceil().max(0.0) as usize;
        rate_miss(cuts.max(need) as f64 * 60.0 / dur.max(1e-9), target)
    };
    // The rate the splits reach without any trim: no trim may end further from the target.
    let before = settled(p);
    let mut n = 0;
    loop {
        let len: f64 = p.iter().map(Piece::len).sum();
        let reads: Vec<f64> = p
            .iter()
            .map(|x| inp.span_intensity(x.in_s, x.out_s))
            .collect();
        let weighted: f64 = p.iter().zip(&reads).map(|(x, e)| x.len() * e).sum();
        let miss = (weighted / len.max(1e-9) - goal).abs();
        if miss <= TRIM_TOLERANCE || inp.rate(p) >= target * 0.97 {
            break;
        }
        // (estimated rate miss, motion miss after, length cut, piece, a, b)
        let mut cands: Vec<(f64, f64, f64, usize, f64, f64)> = Vec::new();
        for (i, x) in p.iter().enumerate() {
            let points = trim_points(x, inp);
            for (j, &a) in points.iter().enumerate() {
                let edit_start = i == 0 && a <= x.in_s + 1e-9;
                if !edit_start && inp.in_speech(a) {
                    continue;
                }
                for &b in &points[j + 1..] {
                    let cut = b - a;
                    if cut > max_cut + 1e-9 {
                        break;
                    }
                    let (head, tail) = (a - x.in_s, x.out_s - b);
                    let short = |r: f64| r > 1e-9 && r < inp.min_len_s - 1e-9;
                    if cut < inp.min_len_s - 1e-9
                        || (head <= 1e-9 && tail <= 1e-9)
                        || short(head)
                        || short(tail)
                        || len - cut < MIN_KEEP_SHARE * source_len - 1e-9
                    {
                        continue;
                    }
                    let edit_end = i + 1 == p.len() && tail <= 1e-9;
                    if !edit_end && inp.in_speech(b) {
                        continue;
                    }
                    let rest = |u: f64, v: f64| {
                        if v - u > 1e-9 {
                            (v - u) * inp.span_intensity(u, v)
                        } else {
                            0.0
                        }
                    };
                    let w = weighted - x.len() * reads[i] + rest(x.in_s, a) + rest(b, x.out_s);
                    let after = (w / (len - cut) - goal).abs();
                    if after <= miss - TRIM_MIN_GAIN {
                        let cuts = p.len() - 1 + usize::from(head > 1e-9 && tail > 1e-9);
                        cands.push((estimate(cuts, len - cut), after, cut, i, a, b));
                    }
                }
            }
        }
        cands.sort_by(|x, y| {
            x.0.total_cmp(&y.0)
                .then(x.1.total_cmp(&y.1))
                .then(x.2.total_cmp(&y.2))
        });
        let chosen = cands
            .into_iter()
            .take(TRIM_TRIES)
            .find_map(|(_, _, _, i, a, b)| {
                let trial = trimmed(p, i, a, b);
                (inp.rate(&trial) <= target * 1.03 && settled(&trial) <= before + 1e-9)
                    .then_some(trial)
            });
        let Some(trial) = chosen else { break };
        *p = trial;
        n += 1;
    }
    n
}

/// Where a trim may cut inside `x`: its ends and, inside it, the beats (with music) or a
/// [`TRIM_GRID_S`] grid; in order.
fn trim_points(x: &Piece, inp: &PacingInput) -> Vec<f64> {
    let mut pts = vec![x.in_s];
    if inp.beats.is_empty() {
        let first = (x.in_s / TRIM_GRID_S).floor() as i64 + 1;
        pts.extend(
            (first..)
                .map(|k| k as f64 * TRIM_GRID_S)
                .take_while(|&t| t < x.out_s - 1e-6)
                .filter(|&t| t > x.in_s + 1e-6),
        );
    } else {
        pts.extend(
            inp.beats
                .iter()
                .copied()
                .filter(|&t| t > x.in_s + 1e-6 && t < x.out_s - 1e-6),
        );
    }
    pts.push(x.out_s);
    pts
}

/// `p` with `[a, b)` cut out of piece `i`: what follows the cut starts with a jump.
fn trimmed(p: &[Piece], i: usize, a: f64, b: f64) -> Vec<Piece> {
    let x = &p[i];
    let mut out: Vec<Piece> = p[..i].to_vec();
    if a > x.in_s + 1e-9 {
        out.push(Piece {
            out_s: a,
            ..x.clone()
        });
    }
    if b < x.out_s - 1e-9 {
        let jump = !out.is_empty();
        out.push(Piece {
            in_s: b,
            origin: if jump { Origin::JumpCut } else { x.origin },
            punch_in: if a > x.in_s + 1e-9 {
                !x.punch_in
            } else {
                x.punch_in
            },
            ..x.clone()
        });
    }
    if let Some(next) = p.get(i + 1) {
        let mut next = next.clone();
        if b >= x.out_s - 1e-9 && !out.is_empty() {
            next.origin = Origin::JumpCut;
        }
        out.push(next);
        out.extend(p[i + 2..].iter().cloned());
    }
    out
}

/// Makes pieces that continue one another in the source (same shot, the next starts
/// where the previous ends) alternate framing. Splitting a piece flips the framing of its
/// second half, which can then meet an earlier split's piece with that same framing: the
/// same picture on both sides is a cut nobody sees.
fn alternate_framing(p: &mut [Piece]) {
    for i in 1..p.len() {
        let (prev, cur) = (&p[i - 1], &p[i]);
        if cur.shot == prev.shot && (cur.in_s - prev.out_s).abs() < 1e-6 {
            p[i].punch_in = !p[i - 1].punch_in;
        }
    }
}

/// Splits the longest splittable piece until the target rate is reached.
fn split_long(p: &mut Vec<Piece>, target: f64, inp: &PacingInput) -> usize {
    let mut n = 0;
    while inp.rate(p) < target * 0.97 {
        if split_long_once(p, inp) == 0 {
            break;
        }
        n += 1;
    }
    n
}

/// Splits the longest splittable piece once ([`split_point`]; pieces with no split point
/// are locked and the next longest tried). Returns 1 when it split, 0 when nothing can.
fn split_long_once(p: &mut Vec<Piece>, inp: &PacingInput) -> usize {
    loop {
        let Some(i) = p
            .iter()
            .enumerate()
            .filter(|(_, x)| !x.locked && x.len() >= 2.0 * inp.min_len_s)
            .max_by(|a, b| a.1.len().total_cmp(&b.1.len()))
            .map(|(i, _)| i)
        else {
            return 0;
        };
        match split_point(&p[i], inp) {
            Some(t) => {
                let second = Piece {
                    in_s: t,
                    origin: Origin::Split,
                    punch_in: !p[i].punch_in,
                    ..p[i].clone()
                };
                p[i].out_s = t;
                p.insert(i + 1, second);
                return 1;
            }
            None => p[i].locked = true,
        }
    }
}

/// Best split point of a piece: a beat (with music) or any time, nearest the middle,
/// leaving at least `min_len_s` on both sides. Points outside speech (around segments or
/// in the middle of a pause between words) win; a split inside
/// continuous speech is allowed as a last resort because a split keeps the audio running
/// (only the framing changes), so no word is lost.
///
/// A split's transition (if any) crosses one moment at two framings, ending on the split
/// point (`planner::transitions_at_splits`, session 28), so it has no span whose ends need
/// a calm picture: the middle rule decides (from session 7 to 26 a split that got a
/// transition, which then crossed two moments, moved towards a calm picture).
fn split_point(x: &Piece, inp: &PacingInput) -> Option<f64> {
    let (lo, hi) = (x.in_s + inp.min_len_s, x.out_s - inp.min_len_s);
    let mid = 0.5 * (x.in_s + x.out_s);
    let mut cands: Vec<f64> = {
        let mut c = vec![mid];
        for s in inp.speech {
            c.push(s.start_s - SPEECH_MARGIN_S - 0.02);
            c.push(s.end_s + SPEECH_MARGIN_S + 0.02);
        }
        c.extend(inp.pauses.iter().map(|p| 0.5 * (p.start_s + p.end_s)));
        // With music: the beats, and any time only away from the beat track.
        c.retain(|&t| inp.off_beat_track(t));
        c.extend(inp.beats.iter().copied());
        c
    };
    cands.retain(|&t| t >= lo && t <= hi);
    let best = |c: &mut dyn Iterator<Item = f64>| {
        c.min_by(|a, b| (a - mid).abs().total_cmp(&(b - mid).abs()))
    };
    best(&mut cands.iter().copied().filter(|&t| !inp.in_speech(t)))
        .or_else(|| best(&mut cands.iter().copied()))
}

/// Drops low-value pieces while that moves the rate towards the target (rule 3): up to
/// [`EXACT_DROP_MAX`] pieces by the exact search [`best_subset`], past it by
/// [`drop_greedy`].
fn drop_weakest(p: &mut Vec<Piece>, target: f64, inp: &PacingInput) -> usize {
    if p.len() > EXACT_DROP_MAX {
        return drop_greedy(p, target, inp);
    }
    match best_subset(p, target, inp) {
        Some(kept) => {
            let n = p.len() - kept.len();
            *p = kept;
            n
        }
        None => 0,
    }
}

/// The greedy drop of [`drop_weakest`] for lists longer than [`EXACT_DROP_MAX`].
///
/// First the weakest single piece whose removal breaks no word (rule 3). When no single
/// piece can go closer to the target (on a talk edited with cutaways every source cut
/// lies inside speech, so removing any one piece would join two halves of words), a
/// **run** of neighbouring pieces goes instead: the run whose outer edges are outside
/// speech (or are the start or end of the edit), with the lowest mean score, that moves the
/// rate closer. Its inner cuts, which lie in speech, disappear with it, so the words
/// stay whole and the edit keeps the source's clean cuts. Measured on
/// `issue-195-aspect-ratio.mp4` (six shots, five cuts, three of them inside speech, by the
/// spectral speech detector of sessions 4–11) under the Big Buck Bunny template (6
/// cuts/min): 12.4 → 10.7 cuts/min with single pieces only (nothing else could go), 8.5
/// with runs.
fn drop_greedy(p: &mut Vec<Piece>, target: f64, inp: &PacingInput) -> usize {
    let total: f64 = p.iter().map(Piece::len).sum();
    let score = |x: &Piece| piece_value(x, inp);
    let mut n = 0;
    loop {
        let r = inp.rate(p);
        if r <= target * 1.03 || p.len() < 2 {
            break;
        }
        let kept: f64 = p.iter().map(Piece::len).sum();
        // The edit that removing pieces `i..=j` creates must not break a word.
        let clean = |i: usize, j: usize| {
            let left_ok = i == 0 || !inp.in_speech(p[i - 1].out_s);
            let right_ok = j + 1 == p.len() || !inp.in_speech(p[j + 1].in_s);
            left_ok && right_ok
        };
        let closer = |i: usize, j: usize| {
            let mut trial = p.clone();
            trial.drain(i..=j);
            ((inp.rate(&trial) - target).abs() < (r - target).abs()).then_some(trial)
        };
        let single = (0..p.len())
            .filter(|&i| kept - p[i].len() >= MIN_KEEP_SHARE * total && clean(i, i))
            .min_by(|&a, &b| score(&p[a]).total_cmp(&score(&p[b])))
            .and_then(|i| closer(i, i).map(|t| (i, t)));
        let chosen = single.or_else(|| {
            let mut runs: Vec<(f64, usize, usize)> = Vec::new();
            for i in 0..p.len() {
                let mut len = 0.0;
                let mut sum = 0.0;
                for j in i..p.len() {
                    len += p[j].len();
                    sum += score(&p[j]);
                    if kept - len < MIN_KEEP_SHARE * total || (i == 0 && j + 1 == p.len()) {
                        break;
                    }
                    if j > i && clean(i, j) {
                        runs.push((sum / (j - i + 1) as f64, i, j));
                    }
                }
            }
            runs.sort_by(|a, b| a.0.total_cmp(&b.0).then((a.2 - a.1).cmp(&(b.2 - b.1))));
            runs.into_iter()
                .find_map(|(_, i, j)| closer(i, j).map(|t| (i, t)))
        });
        let Some((i, mut trial)) = chosen else { break };
        if i < trial.len() && i > 0 {
            trial[i].origin = Origin::JumpCut;
        }
        n += p.len() - trial.len();
        *p = trial;
    }
    n
}

/// Up to this many pieces, [`drop_weakest`] tries every subset ([`best_subset`]); past it,
/// the greedy drop (2^14 subsets of at most 14 pieces take a few milliseconds).
pub const EXACT_DROP_MAX: usize = 14;

/// What a piece is worth keeping: its length, tripled by speech, times how much its motion
/// is like the template's ([`PacingInput::motion_value`]).
fn piece_value(x: &Piece, inp: &PacingInput) -> f64 {
    x.len() * (1.0 + 2.0 * inp.speech_share(x.in_s, x.out_s)) * inp.motion_value(x.in_s, x.out_s)
}

/// The subset of `p` (in order) whose measured rate is nearest `target`, among those that
/// keep [`MIN_KEEP_SHARE`] of the length and break no word: two kept pieces that do not
/// follow each other in the source meet at a jump whose both ends are outside words, and an
/// edit that no longer starts (ends) where the source does starts (ends) outside a word.
/// Subsets within 3 % of the target are equal on rate and the most valuable
/// ([`piece_value`]) wins; otherwise the nearest rate, then the value. None when no subset
/// is nearer the target than `p` itself.
///
/// The greedy drop cannot see pairs: on `issue-195-aspect-ratio.mp4` under the Big Buck
/// Bunny template (6 cuts/min) every single drop moves the rate by little, and it stopped
/// at 10.0 cuts/min, while two shots joined at a pause reach 5.5.
fn best_subset(p: &[Piece], target: f64, inp: &PacingInput) -> Option<Vec<Piece>> {
    let n = p.len();
    let total: f64 = p.iter().map(Piece::len).sum();
    let err = |r: f64| (r - target).abs() / target.max(1e-9);
    let band = |e: f64| if e <= 0.03 { 0.0 } else { e };
    let values: Vec<f64> = p.iter().map(|x| piece_value(x, inp)).collect();
    let mut best: Option<(f64, f64, u32)> = None;
    let mut trial: Vec<Piece> = Vec::with_capacity(n);
    for mask in 1u32..(1 << n) {
        let idx: Vec<usize> = (0..n).filter(|&i| mask & (1 << i) != 0).collect();
        let kept: f64 = idx.iter().map(|&i| p[i].len()).sum();
        if kept < MIN_KEEP_SHARE * total - 1e-9 {
            continue;
        }
        let (first, last) = (idx[0], idx[idx.len() - 1]);
        let clean_ends = (first == 0 || !inp.in_speech(p[first].in_s))
            && (last + 1 == n || !inp.in_speech(p[last].out_s));
        let clean_joins = idx.windows(2).all(|w| {
            w[1] == w[0] + 1 || (!inp.in_speech(p[w[0]].out_s) && !inp.in_speech(p[w[1]].in_s))
        });
        if !clean_ends || !clean_joins {
            continue;
        }
        trial.clear();
        trial.extend(idx.iter().map(|&i| p[i].clone()));
        let e = band(err(inp.rate(&trial)));
        let v: f64 = idx.iter().map(|&i| values[i]).sum();
        let better = best.is_none_or(|(be, bv, _)| e < be - 1e-12 || (e <= be + 1e-12 && v > bv));
        if better {
            best = Some((e, v, mask));
        }
    }
    let (e, _, mask) = best?;
    if e >= band(err(inp.rate(p))) || mask == (1 << n) - 1 {
        return None;
    }
    let idx: Vec<usize> = (0..n).filter(|&i| mask & (1 << i) != 0).collect();
    let mut out: Vec<Piece> = idx.iter().map(|&i| p[i].clone()).collect();
    for (k, w) in idx.windows(2).enumerate() {
        if w[1] != w[0] + 1 {
            out[k + 1].origin = Origin::JumpCut;
        }
    }
    Some(out)
}

/// Moves the edit points between pieces onto beats (rule 5). Returns how many moved.
fn snap_to_beats(p: &mut [Piece], inp: &PacingInput) -> usize {
    let mut moved = 0;
    for i in 0..p.len().saturating_sub(1) {
        let (out, inn) = (p[i].out_s, p[i + 1].in_s);
        let continuous = (out - inn).abs() < 1e-6;
        if continuous && inp.near_beat(out) {
            continue;
        }
        let before = inp.beats.iter().rev().find(|&&b| b <= out).copied();
        let after = inp.beats.iter().find(|&&b| b >= inn).copied();
        let (Some(bb), Some(ba)) = (before, after) else {
            continue;
        };
        let ok = (continuous && ba - bb <= 1.2
            || !continuous && out - bb <= 0.6 && ba - inn <= 0.6)
            && !inp.in_speech(bb)
            && !inp.in_speech(ba)
            && bb - p[i].in_s >= inp.min_len_s * 0.5
            && p[i + 1].out_s - ba >= inp.min_len_s * 0.5;
        if ok {
            p[i].out_s = bb;
            p[i + 1].in_s = ba;
            if p[i + 1].origin == Origin::Shot {
                p[i + 1].origin = Origin::Beat;
            }
            moved += 1;
        }
    }
    moved
}

/// "1 piece", "3 pieces": a count with its noun, for the plan's notes.
fn counted(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
#[path = "pacing_tests.rs"]
mod tests;
