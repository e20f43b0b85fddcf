//! The edit decision list: pieces quantised to whole output frames, joins with their
//! transitions, output timeline placement and the `max_duration_seconds` cap.
//!
//! Invariants the filtergraph relies on: every segment is exactly `frames` output frames
//! long and its audio exactly as many 48 kHz samples as those frames last; a transition of
//! `f` frames overlaps the two neighbours by `f` frames of video and the same time of
//! audio, so picture and sound stay in sync across every join.

use serde::{Deserialize, Serialize};
use stylecut_types::Span;

use super::format::{CropWindow, OutputFormat};
use super::motion::Motion;
use super::pacing::{breaks_word, Origin, Piece, SPEECH_MARGIN_S};
use super::reframe::CropKey;
use super::transitions::PlannedTransition;

/// One segment of the output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Segment {
    /// Source in point, seconds (on the source frame grid).
    pub src_in_s: f64,
    /// Source out point, `src_in_s + frames / fps`.
    pub src_out_s: f64,
    /// Source window the picture is taken from: frames with `video_in_s <= pts <
    /// video_out_s`. It follows the piece's own boundaries (a quarter source frame early),
    /// so a segment never shows a frame of the neighbouring shot, even where the audio in
    /// point was moved by frame quantisation.
    pub video_in_s: f64,
    pub video_out_s: f64,
    /// Length in output frames.
    pub frames: u64,
    /// Where the segment starts on the output timeline, seconds.
    pub out_start_s: f64,
    /// Index of the source shot it comes from.
    pub shot: usize,
    pub origin: Origin,
    /// Crop window (fractions of the display frame), including punch-ins.
    pub crop: CropWindow,
    /// Keys of a crop window that moves inside the segment (see `reframe`); empty: the
    /// window stays at `crop`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub crop_path: Vec<CropKey>,
    pub punch_in: bool,
    pub motion: Motion,
    /// Index into the plan's LUTs.
    pub lut: Option<usize>,
    /// Output frames at the segment's head that repeat the previous segment's last moments
    /// at this segment's framing: the overlap of a transition at a split (the two pieces
    /// of one continuous shot), which crosses the same source time at two framings (see
    /// `planner::transitions_at_splits`). 0 elsewhere.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub repeat_frames: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// How far the sound of a segment that ends at a source cut, with no segment continuing it,
/// may run past the cut, seconds: twice the millisecond a `1/1000` time base rounds the
/// cut's time stamp to.
pub const CUT_END_SLACK_S: f64 = 0.002;

/// Whole output frames of every piece. In points snap to the source frame grid, except
/// where a piece continues the previous one (a split): there the in point is the previous
/// out point exactly, so the sound runs on without a gap (the picture takes the nearest
/// source frame, at most half a source frame away).
///
/// A piece that ends at a source cut (`cuts`: the shots' ends) with no piece continuing it
/// (the next shot dropped, or the edit's end) gets its frames rounded down rather than to
/// the nearest when the nearest would run its sound more than [`CUT_END_SLACK_S`] past the
/// cut: before, up to half an output frame of the dropped shot's sound (18 ms of
/// `bikes.mp4`'s cut at 5.48 s at 24 fps) ended the segment. The picture never crossed (its
/// window is the piece's own, see [`Segment::video_in_s`]). Where the next piece continues
/// across the cut (two consecutive shots) the sound runs on and nothing is dropped.
pub fn quantize(
    pieces: &[Piece],
    fmt: &OutputFormat,
    src_fps: f64,
    base: CropWindow,
    cuts: &[f64],
) -> Vec<Segment> {
    let mut out: Vec<Segment> = Vec::with_capacity(pieces.len());
    let mut prev: Option<(f64, f64)> = None; // (piece out, segment out)
    let q = 0.25 / if src_fps > 0.0 { src_fps } else { 25.0 };
    for (i, p) in pieces.iter().enumerate() {
        let a = match prev {
            Some((pout, sout)) if (pout - p.in_s).abs() < 1e-9 => sout,
            _ if src_fps > 0.0 => (p.in_s * src_fps).round() / src_fps,
            _ => p.in_s,
        };
        let mut frames = fmt.s_to_frames(p.out_s - a);
        let continued = pieces
            .get(i + 1)
            .is_some_and(|n| (n.in_s - p.out_s).abs() < 1e-9);
        let at_cut = cuts.iter().any(|&c| (c - p.out_s).abs() < 1e-6);
        if !continued && at_cut && a + fmt.frames_to_s(frames) > p.out_s + CUT_END_SLACK_S {
            frames = frames.saturating_sub(1);
        }
        if frames == 0 {
            prev = None;
            continue;
        }
        let src_out_s = a + fmt.frames_to_s(frames);
        prev = Some((p.out_s, src_out_s));
        out.push(Segment {
            src_in_s: a,
            src_out_s,
            video_in_s: (p.in_s - q).max(0.0),
            video_out_s: p.out_s - q,
            frames,
            out_start_s: 0.0,
            shot: p.shot,
            origin: p.origin,
            crop: base,
            crop_path: Vec::new(),
            punch_in: p.punch_in,
            motion: Motion::None,
            lut: None,
            repeat_frames: 0,
        });
    }
    out
}

/// Whether segment `b` continues segment `a` in the source: the same shot, `b`'s sound
/// starting where `a`'s ends (a split, [`quantize`] joins its in point exactly), or
/// `b.repeat_frames` before it (a split crossed by a transition).
pub fn continues(a: &Segment, b: &Segment) -> bool {
    a.shot == b.shot && (b.src_in_s + b.repeat_s() - a.src_out_s).abs() < 1e-9
}

impl Segment {
    /// Source seconds of [`Segment::repeat_frames`] (output frames last as long as the
    /// source time they show).
    pub fn repeat_s(&self) -> f64 {
        if self.repeat_frames == 0 {
            0.0
        } else {
            (self.src_out_s - self.src_in_s) * self.repeat_frames as f64 / self.frames as f64
        }
    }
}

/// Output length in frames of segments joined by `trans` (one per join).
pub fn total_frames(segs: &[Segment], trans: &[PlannedTransition]) -> u64 {
    let s: u64 = segs.iter().map(|s| s.frames).sum();
    let t: u64 = trans.iter().map(|t| t.frames).sum();
    s.saturating_sub(t)
}

/// Most frames a transition between `a` and `b` may take: 40 % of the shorter, as cut
/// (without the frames a segment repeats at its head, [`Segment::repeat_frames`]).
pub fn max_transition_frames(a: &Segment, b: &Segment) -> u64 {
    let own = |s: &Segment| s.frames - s.repeat_frames;
    (own(a).min(own(b)) as f64 * 0.4).floor() as u64
}

/// Shortens the end of the edit so it lasts at most `max_frames` output frames: whole
/// segments go first, then the last one is trimmed (never below `min_frames`).
pub fn cap(
    segs: &mut Vec<Segment>,
    trans: &mut Vec<PlannedTransition>,
    fmt: &OutputFormat,
    max_frames: u64,
    min_frames: u64,
) {
    loop {
        clamp_last_transition(segs, trans, fmt);
        let total = total_frames(segs, trans);
        if total <= max_frames || segs.is_empty() {
            break;
        }
        let excess = total - max_frames;
        let last = segs.len() - 1;
        let join = if last > 0 { trans[last - 1].frames } else { 0 };
        if segs[last].frames >= excess + min_frames.max(join) || last == 0 {
            let f = segs[last].frames.saturating_sub(excess).max(1);
            segs[last].frames = f;
            segs[last].src_out_s = segs[last].src_in_s + fmt.frames_to_s(f);
            segs[last].video_out_s = segs[last]
                .video_out_s
                .min(segs[last].src_out_s + 2.0 / fmt.fps());
        } else {
            segs.pop();
            trans.pop();
        }
    }
}

/// How far before the duration limit a clean segment boundary may lie and still be
/// preferred to a later speech gap, seconds (at most a quarter of the edit).
pub const END_REACH_S: f64 = 2.0;

/// Where a speech-safe end lies.
#[derive(Debug, Clone, Copy, PartialEq)]
enum End {
    /// After the whole segment `k`.
    Boundary(usize),
    /// Inside segment `j`, after `f` of its frames.
    Gap(usize, u64),
}

/// Makes the capped edit end outside speech (never mid-word). Runs after [`cap`], so the
/// edit already fits the limit; it only moves the end earlier. Rules, in order:
///
/// "Outside speech" is outside the speech segments (±[`SPEECH_MARGIN_S`]) or in one of the
/// pauses between words inside them (`pauses`, [`breaks_word`]).
///
/// 1. the end as capped is outside speech: keep it;
/// 2. else the latest segment boundary (end of a whole segment) outside speech, if it lies
///    within [`END_REACH_S`] (and a quarter of the edit) before the capped end;
/// 3. else the latest speech-safe point before the capped end: the last frame of a speech
///    gap (between segments, or a pause inside one) inside a segment of the edit (which is
///    shortened, keeping at least `min_frames` and more than its incoming transition) or a
///    boundary outside speech, whichever is later;
/// 4. else (speech without any gap) the capped end stays, and the note says so.
///
/// Returns a note when the end moved or could not be moved.
pub fn end_outside_speech(
    segs: &mut Vec<Segment>,
    trans: &mut Vec<PlannedTransition>,
    fmt: &OutputFormat,
    speech: &[Span],
    pauses: &[Span],
    min_frames: u64,
) -> Option<String> {
    let in_speech = |t: f64| breaks_word(t, speech, pauses);
    let last = segs.len().checked_sub(1)?;
    if !in_speech(segs[last].src_out_s) {
        return None;
    }
    let total = total_frames(segs, trans);
    // Output frames before segment j starts (its incoming transition overlaps them).
    let start_of = |j: usize| {
        let before: u64 = segs[..j].iter().map(|s| s.frames).sum();
        let joins: u64 = trans[..j].iter().map(|t| t.frames).sum();
        before.saturating_sub(joins)
    };
    let len_of = |e: End| match e {
        End::Boundary(k) => start_of(k) + segs[k].frames,
        End::Gap(j, f) => start_of(j) + f,
    };
    let mut cands: Vec<End> = (0..last)
        .filter(|&k| !in_speech(segs[k].src_out_s))
        .map(End::Boundary)
        .collect();
    for (j, sg) in segs.iter().enumerate() {
        let join = if j > 0 { trans[j - 1].frames } else { 0 };
        let lo = min_frames.max(join + 1);
        // Latest frame-exact end inside each gap: the gap's end (or the segment's), on
        // the output frame grid, still after the gap's start. Gaps between segments end
        // where the next segment (less the margin) starts; a pause ends where it ends.
        let between = std::iter::once(f64::NEG_INFINITY)
            .chain(speech.iter().map(|s| s.end_s + SPEECH_MARGIN_S + 1e-3))
            .map(|g0| {
                let g1 = speech
                    .iter()
                    .map(|s| s.start_s - SPEECH_MARGIN_S - 1e-3)
                    .filter(|&t| t >= g0)
                    .fold(f64::INFINITY, f64::min);
                (g0, g1)
            });
        let inside = pauses.iter().map(|p| (p.start_s, p.end_s));
        let best = between
            .chain(inside)
            .filter(|&(g0, _)| g0 < sg.src_out_s)
            .filter_map(|(g0, g1)| {
                let g1 = g1.min(sg.src_out_s);
                let f = ((g1 - sg.src_in_s) * fmt.fps() + 1e-6).floor().max(0.0) as u64;
                let t = sg.src_in_s + fmt.frames_to_s(f);
                (f >= lo && f < sg.frames && t >= g0 && !in_speech(t)).then_some(f)
            })
            .max();
        if let Some(f) = best {
            cands.push(End::Gap(j, f));
        }
    }
    let near = cands
        .iter()
        .copied()
        .filter(|e| matches!(e, End::Boundary(_)))
        .filter(|&e| total.saturating_sub(len_of(e)) <= fmt.s_to_frames(END_REACH_S).min(total / 4))
        .max_by_key(|&e| len_of(e));
    let Some(end) = near.or_else(|| cands.iter().copied().max_by_key(|&e| len_of(e))) else {
        return Some("duration: the end falls in continuous speech (no gap to end in)".into());
    };
    let (keep, frames) = match end {
        End::Boundary(k) => (k + 1, segs[k].frames),
        End::Gap(j, f) => (j + 1, f),
    };
    segs.truncate(keep);
    trans.truncate(keep - 1);
    let sg = &mut segs[keep - 1];
    if frames != sg.frames {
        sg.frames = frames;
        sg.src_out_s = sg.src_in_s + fmt.frames_to_s(frames);
        sg.video_out_s = sg.video_out_s.min(sg.src_out_s + 2.0 / fmt.fps());
    }
    clamp_last_transition(segs, trans, fmt);
    let kind = match end {
        End::Boundary(_) => "a segment boundary",
        End::Gap(..) => "a speech gap",
    };
    Some(format!(
        "duration: ends {:.2} s early at {kind}, not mid-word",
        fmt.frames_to_s(total - total_frames(segs, trans))
    ))
}

/// Keeps the last join within 40 % of its shorter neighbour (a cut when that is 0).
fn clamp_last_transition(segs: &[Segment], trans: &mut [PlannedTransition], fmt: &OutputFormat) {
    let n = segs.len();
    if let (Some(t), true) = (trans.last_mut(), n >= 2) {
        let m = max_transition_frames(&segs[n - 2], &segs[n - 1]);
        if t.frames > m {
            t.frames = m;
            t.duration_s = fmt.frames_to_s(m);
            if m == 0 {
                t.xfade = None;
                t.kind = "cut".into();
            }
        }
    }
}

/// Sets every segment's `out_start_s`; returns the output duration in seconds.
pub fn place(segs: &mut [Segment], trans: &[PlannedTransition], fmt: &OutputFormat) -> f64 {
    let mut at = 0u64;
    for (i, s) in segs.iter_mut().enumerate() {
        if i > 0 {
            at -= trans[i - 1].frames.min(at);
        }
        s.out_start_s = fmt.frames_to_s(at);
        at += s.frames;
    }
    fmt.frames_to_s(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt() -> OutputFormat {
        OutputFormat {
            width: 640,
            height: 360,
            fps_num: 30,
            fps_den: 1,
            aspect: "16:9".into(),
            letterbox: false,
        }
    }

    fn join(k: usize, frames: u64) -> PlannedTransition {
        PlannedTransition {
            after_segment: k,
            kind: if frames > 0 { "dissolve" } else { "cut" }.into(),
            xfade: (frames > 0).then(|| "fade".into()),
            frames,
            duration_s: frames as f64 / 30.0,
            easing: "linear".into(),
        }
    }

    #[test]
    fn quantises_to_frames_and_source_grid() {
        let p = vec![Piece::new(0.013, 1.0, 0), Piece::new(1.0, 2.51, 1)];
        let s = quantize(&p, &fmt(), 25.0, CropWindow::FULL, &[]);
        assert_eq!(s[0].src_in_s, 0.0);
        assert_eq!(s[0].frames, 30);
        assert_eq!(s[1].frames, 45);
        // The second piece continues the first: no gap, no overlap.
        assert_eq!(s[1].src_in_s, s[0].src_out_s);
        assert!((s[1].src_out_s - 2.5).abs() < 1e-9);
    }

    #[test]
    fn sound_never_runs_past_a_cut_into_a_dropped_shot() {
        // bikes.mp4 under the fade template: shots cut at 5.48 and 9.68 s, the shots between
        // dropped. At 24 fps the nearest frame count ran 2.458 s from 3.04 (18 ms of the
        // next shot's sound); rounded down it ends 24 ms before the cut.
        let fmt24 = OutputFormat {
            fps_num: 24,
            ..fmt()
        };
        let p = vec![Piece::new(3.04, 5.48, 1), Piece::new(7.48, 9.68, 3)];
        let cuts = [3.04, 5.48, 7.48, 9.68, 12.0];
        let s = quantize(&p, &fmt24, 25.0, CropWindow::FULL, &cuts);
        for (sg, p) in s.iter().zip(&p) {
            assert!(sg.src_out_s <= p.out_s + CUT_END_SLACK_S, "{sg:?}");
            assert!(p.out_s - sg.src_out_s < 1.0 / 24.0, "{sg:?}");
        }
        assert_eq!((s[0].frames, s[1].frames), (58, 52));
        // Without the cuts (a jump cut inside a shot) the nearest count stays: 59 frames.
        let s = quantize(&p, &fmt24, 25.0, CropWindow::FULL, &[]);
        assert_eq!((s[0].frames, s[1].frames), (59, 53));
        // Two consecutive shots: the sound runs on across the cut, nothing is dropped.
        let p = vec![Piece::new(3.04, 5.48, 1), Piece::new(5.48, 7.48, 2)];
        let s = quantize(&p, &fmt24, 25.0, CropWindow::FULL, &cuts);
        assert_eq!(s[0].frames, 59);
        assert_eq!(s[1].src_in_s, s[0].src_out_s);
    }

    #[test]
    fn placement_and_cap_account_for_transitions() {
        let p = vec![
            Piece::new(0.0, 2.0, 0),
            Piece::new(2.0, 4.0, 1),
            Piece::new(4.0, 6.0, 2),
        ];
        let mut s = quantize(&p, &fmt(), 30.0, CropWindow::FULL, &[]);
        let mut t = vec![join(0, 15), join(1, 0)];
        assert_eq!(total_frames(&s, &t), 165);
        let d = place(&mut s, &t, &fmt());
        assert!((d - 5.5).abs() < 1e-9);
        assert!((s[1].out_start_s - 1.5).abs() < 1e-9);
        assert!((s[2].out_start_s - 3.5).abs() < 1e-9);
        cap(&mut s, &mut t, &fmt(), 120, 15);
        assert_eq!(total_frames(&s, &t), 120);
        assert_eq!(s.len(), 3);
        assert_eq!(s[2].frames, 15);
        cap(&mut s, &mut t, &fmt(), 80, 15);
        assert_eq!(total_frames(&s, &t), 80);
        assert_eq!(s.len(), 2);
        assert!(t[0].frames as f64 <= 0.4 * s[1].frames as f64);
    }
    fn span(a: f64, b: f64) -> Span {
        Span {
            start_s: a,
            end_s: b,
        }
    }

    fn capped(
        cuts: &[f64],
        speech: &[Span],
        pauses: &[Span],
        max_s: f64,
    ) -> (Vec<Segment>, Option<String>) {
        let p: Vec<Piece> = cuts
            .windows(2)
            .enumerate()
            .map(|(i, w)| Piece::new(w[0], w[1], i))
            .collect();
        let mut s = quantize(&p, &fmt(), 30.0, CropWindow::FULL, &[]);
        let mut t: Vec<PlannedTransition> = (0..s.len() - 1).map(|k| join(k, 0)).collect();
        cap(&mut s, &mut t, &fmt(), (max_s * 30.0) as u64, 15);
        let note = end_outside_speech(&mut s, &mut t, &fmt(), speech, pauses, 15);
        assert!(total_frames(&s, &t) as f64 <= max_s * 30.0);
        (s, note)
    }

    fn end_s(s: &[Segment]) -> f64 {
        s.last().unwrap().src_out_s
    }

    #[test]
    fn duration_cap_ends_at_a_nearby_boundary_not_mid_word() {
        // The 7 s limit falls inside the speech 5.7..8; the cut at 5.5 s is 1.5 s back.
        let speech = [span(4.0, 4.6), span(5.7, 8.0)];
        let (s, note) = capped(&[0.0, 3.0, 5.5, 9.0], &speech, &[], 7.0);
        assert_eq!(s.len(), 2);
        assert!((end_s(&s) - 5.5).abs() < 1e-9, "{}", end_s(&s));
        assert!(note.unwrap().contains("segment boundary"));
    }

    #[test]
    fn duration_cap_ends_in_a_speech_gap_when_no_boundary_is_near() {
        // The only boundary (4 s) is 8 s before the 12 s limit: end in the pause 9.3..9.8.
        let speech = [span(4.5, 9.3), span(9.8, 15.0)];
        let (s, note) = capped(&[0.0, 4.0, 20.0], &speech, &[], 12.0);
        let e = end_s(&s);
        assert!(
            e > 9.3 + SPEECH_MARGIN_S && e < 9.8 - SPEECH_MARGIN_S,
            "{e}"
        );
        assert!(
            (e - 9.7).abs() < 1.0 / 30.0 + 1e-9,
            "latest frame of the gap: {e}"
        );
        assert!(note.unwrap().contains("speech gap"));
        // Without the pause the earlier boundary is the only clean end.
        let (s, _) = capped(&[0.0, 4.0, 20.0], &[span(4.5, 15.0)], &[], 12.0);
        assert!((end_s(&s) - 4.0).abs() < 1e-9);
    }

    #[test]
    fn duration_cap_outside_speech_or_without_gaps_is_unchanged() {
        let (s, note) = capped(&[0.0, 4.0, 20.0], &[span(1.0, 3.0)], &[], 12.0);
        assert!((end_s(&s) - 12.0).abs() < 1e-9 && note.is_none());
        let (s, note) = capped(&[0.0, 20.0], &[span(0.0, 20.0)], &[], 12.0);
        assert!((end_s(&s) - 12.0).abs() < 1e-9);
        assert!(note.unwrap().contains("continuous speech"));
    }

    #[test]
    fn duration_cap_ends_in_a_pause_between_words() {
        // One segment of continuous speech with a pause between words at 10.2..10.45: the
        // 12 s cap ends in the pause rather than mid-word (main kept the capped end).
        let (s, note) = capped(&[0.0, 20.0], &[span(0.0, 20.0)], &[span(10.2, 10.45)], 12.0);
        let e = end_s(&s);
        assert!((10.2..=10.45).contains(&e), "{e}");
        assert!((e - 10.4333).abs() < 1e-3, "latest frame of the pause: {e}");
        assert!(note.unwrap().contains("speech gap"));
    }
}
