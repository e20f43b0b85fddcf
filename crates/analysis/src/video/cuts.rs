//! Hard-cut detection over per-frame features.
//!
//! A cut at frame `i` (the first frame of the new shot) needs a frame-pair distance
//! `d[i]` that is (1) above an absolute floor, (2) well above the local level of change
//! around it (median of a ±12-frame window without the candidate, so a fast pan or a
//! long occlusion that keeps `d` high everywhere does not qualify), (3) a clear peak
//! over its neighbours (a blended frame straddling the cut is handled as a pair), and
//! (4) not a flash: when the picture returns to the pre-cut frame within three frames
//! the spike was a flash or a glitch, not a shot change; likewise the step back out of a
//! flash (the new frame matches one from just before the bright or dark frames) is no cut.
//! A step the picture keeps changing around (a whip pan, a subject sweeping across the
//! lens) is marked a sweep: it still bounds the gradual search, but is no cut; so is a
//! step into the clip's last frame, which no frame after it shows to hold.

use super::frame::{frame_dist, thumb_dist, FrameFeatures, THUMB_H, THUMB_W};
use super::gradual::camera_warp;
use super::zoomstep;

const WINDOW: usize = 12;
const ABS_FLOOR: f32 = 0.2;
const LOCAL_GAIN: f32 = 3.0;
const LOCAL_MARGIN: f32 = 0.08;
const PEAK_RATIO: f32 = 1.6;
const FLASH_LOOKAHEAD: usize = 3;
const FLASH_RETURN: f32 = 0.4;

/// A detected hard cut.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cut {
    /// Index of the first frame of the new shot.
    pub index: usize,
    /// 0..1, grows with the margin over the adaptive threshold.
    pub confidence: f32,
    /// The picture keeps changing by a cut's worth right before or after the step (see
    /// [`keeps_changing`]): a whip pan, a fast move, or the steep part of a short
    /// transition. Such a step still bounds the search for gradual transitions, but it is
    /// no cut of its own.
    pub sweep: bool,
}

/// `d[i]` = distance between frames `i − 1` and `i` (`d[0] = 0`).
pub fn pair_dists(f: &[FrameFeatures]) -> Vec<f32> {
    let mut d = vec![0.0; f.len()];
    for i in 1..f.len() {
        d[i] = frame_dist(&f[i - 1], &f[i]);
    }
    d
}

pub(crate) fn median(v: &mut [f32]) -> f32 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f32::total_cmp);
    v[v.len() / 2]
}

/// Adaptive threshold at frame `i`, excluding `skip` (the candidate frames).
fn threshold(d: &[f32], i: usize, skip: std::ops::RangeInclusive<usize>) -> f32 {
    let lo = i.saturating_sub(WINDOW).max(1);
    let hi = (i + WINDOW + 1).min(d.len());
    let mut w: Vec<f32> = (lo..hi)
        .filter(|j| !skip.contains(j))
        .map(|j| d[j])
        .collect();
    ABS_FLOOR.max(LOCAL_GAIN * median(&mut w) + LOCAL_MARGIN)
}

fn is_flash(f: &[FrameFeatures], before: usize, after: usize, strength: f32) -> bool {
    let returns = (1..=FLASH_LOOKAHEAD)
        .filter_map(|k| f.get(after + k))
        .any(|g| frame_dist(&f[before], g) < FLASH_RETURN * strength);
    // The end of a flash: `after` looks like a frame from before the spike again.
    let ends = (1..=FLASH_LOOKAHEAD)
        .filter_map(|k| before.checked_sub(k))
        .any(|j| frame_dist(&f[j], &f[after]) < FLASH_RETURN * strength);
    returns || ends
}

/// A step below this is a repeated frame (frame-rate conversion), not a picture change.
const REPEAT: f32 = 0.012;
/// Frames of change looked at on each side of a candidate cut.
const CONTINUE_SPAN: usize = 2;
/// Share of the candidate's change that the change just before or after it may reach.
const CONTINUE_SHARE: f32 = 0.42;
/// Share of the candidate's change that the change on each side of it may both reach.
/// Measured (docs/BENCHMARKS.md, session 8): at most 0.18 at the true cuts of the shared
/// and synthetic clips and of our round-trip outputs, 0.56 at a bird flapping out of a
/// held title picture that read as a cut.
const BOTH_SHARE: f32 = 0.4;

/// Change over `k` frames just before `first` (ending on `first - 1`) and just after
/// `last` (starting on `last`); one repeated frame (step below [`REPEAT`]) on each side
/// does not count as one of the `k`.
fn around(f: &[FrameFeatures], d: &[f32], first: usize, last: usize, k: usize) -> (f32, f32) {
    let (p, q) = around_ends(d, first, last, k, f.len());
    (
        frame_dist(&f[p], &f[first - 1]),
        frame_dist(&f[last], &f[q]),
    )
}

/// The frames [`around`] compares with `first - 1` (before) and with `last` (after).
fn around_ends(d: &[f32], first: usize, last: usize, k: usize, n: usize) -> (usize, usize) {
    let mut p = first - 1;
    let mut skipped = false;
    let mut steps = 0;
    while steps < k && p > 0 {
        if d[p] < REPEAT && !skipped {
            skipped = true;
        } else {
            steps += 1;
        }
        p -= 1;
    }
    let mut q = last;
    let mut skipped = false;
    let mut steps = 0;
    while steps < k && q + 1 < n {
        q += 1;
        if d[q] < REPEAT && !skipped {
            skipped = true;
        } else {
            steps += 1;
        }
    }
    (p, q)
}

/// Share of the candidate's change that the single frame step next to it must reach for
/// a change on that side alone to count as the move going on (see [`keeps_changing`]).
/// Measured (docs/BENCHMARKS.md, session 18): 0.39–0.54 at the one-sided sweeps of the
/// shared and synthetic clips, 0.28 at a cut out of a fast pan into a still shot.
const STEP_SHARE: f32 = 0.33;

/// The single frame steps right before `first` and right after `last`, a repeated frame
/// (step below [`REPEAT`]) on each side passed over.
fn side_steps(d: &[f32], first: usize, last: usize) -> (f32, f32) {
    let at = |j: usize| d.get(j).copied().unwrap_or(0.0);
    let before = match at(first - 1) {
        s if s < REPEAT && first >= 3 => at(first - 2),
        s => s,
    };
    let after = match at(last + 1) {
        s if s < REPEAT => at(last + 2),
        s => s,
    };
    (before, after)
}

/// A whip pan, a fast move or a subject sweeping across the lens: on one side of the
/// candidate the picture keeps changing by a cut's worth ([`ABS_FLOOR`]) and by a sizeable
/// share of the candidate's own change over the [`CONTINUE_SPAN`] frames, at a frame
/// step of at least [`STEP_SHARE`] of it (the move goes on at a pace like the candidate's);
/// or it keeps changing on **both** sides by [`BOTH_SHARE`] of the step, however weak the
/// step (a subject flapping out of a held picture, a jump inside a steady move). At a
/// cut, both shots are steady next to the junction, or one moves at a fraction of the
/// cut's change per frame (a cut out of a fast pan: two frames of the pan add up to half
/// the cut's change, one frame to 0.28 of it).
///
/// A one-sided move is not the move going on when a warp of the thumbnail (a translation
/// up to half the frame, or a zoom; `gradual::camera_explains`) explains that side's
/// change over the [`CONTINUE_SPAN`] frames, by less than half the frame, while none
/// explains the candidate step: a fast pan or tilt is one picture moving, which the warp
/// matches, and a cut out of it changes the picture, which no warp matches. A whip pan
/// moves half the frame or more over two frames (no warp matches its side, or only at
/// the end of the search range, as over a repeating pattern), a subject sweeping across the lens is no
/// warp of the whole picture, and a step that is itself a camera move stays a sweep.
/// Measured (docs/BENCHMARKS.md, session 22): the frame step reached 0.37–0.44 of the
/// cut at cuts out of blurred 38 px/frame hand-held tilts (`pan_cuts.py --set shake`),
/// over [`STEP_SHARE`]. The change on both sides ([`BOTH_SHARE`]) has no such excuse: a
/// hand-held close-up whose subject moves as a whole is matched by a warp on both sides
/// of its own jerks.
fn keeps_changing(
    f: &[FrameFeatures],
    d: &[f32],
    first: usize,
    last: usize,
    strength: f32,
) -> bool {
    let (before, after) = around(f, d, first, last, CONTINUE_SPAN);
    let (step_before, step_after) = side_steps(d, first, last);
    let goes_on = |change: f32, step: f32| {
        change >= ABS_FLOOR && change >= CONTINUE_SHARE * strength && step >= STEP_SHARE * strength
    };
    if before.min(after) >= BOTH_SHARE * strength {
        return true;
    }
    let on_before = goes_on(before, step_before);
    let on_after = goes_on(after, step_after);
    if !(on_before || on_after) {
        return false;
    }
    // The move that goes on is the camera's over one picture, and the step is no camera
    // move: a cut out of (or into) a pan or tilt.
    let (p, q) = around_ends(d, first, last, CONTINUE_SPAN, f.len());
    if camera_warp(&f[first - 1].thumb(), &f[last].thumb()).is_some() {
        return true;
    }
    // A warp at the end of the search range (half the frame) is a move of half the frame
    // or more over the two frames: a whip, not a pan seen going on.
    let pans = |a: usize, b: usize| {
        camera_warp(&f[a].thumb(), &f[b].thumb()).is_some_and(|(_, dx, dy)| {
            dx.unsigned_abs() < THUMB_W as u32 / 2 && dy.unsigned_abs() < THUMB_H as u32 / 2
        })
    };
    let moving_before = on_before && !pans(p, first - 1);
    if moving_before && !on_after && lands(f, d, first, last, strength) {
        return false;
    }
    moving_before || (on_after && !pans(last, q))
}

/// Largest change over the [`CONTINUE_SPAN`] frames after a step out of a move, as a share
/// of the step, for the move to have stopped dead at the step (see [`lands`]). Measured
/// (docs/BENCHMARKS.md, session 26): 0.09–0.19 at the four cuts out of the hand-held
/// jitter draw's fast tilts over the cockatoo that read as sweeps, 0.55 or more at every
/// step of that draw read as a sweep where there is no cut.
const LAND_SHARE: f32 = 0.3;

/// A step out of a move that no warp of the whole picture follows (over the
/// [`CONTINUE_SPAN`] frames before it) and that is itself no warp is a cut when the move
/// stops dead at the step: the [`CONTINUE_SPAN`] frames after it change by under
/// [`LAND_SHARE`] of the step. A subject's fast move (the cockatoo's head in a tight
/// hand-held view, `pan_cuts.py --set jitter`) slows down over frames, while a cut right
/// after it brings a new picture that holds from its first frame. The landing of a whip
/// pan is the same picture moved, which the warp of the step follows
/// ([`keeps_changing`]'s first test), so it stays a sweep.
///
/// The move must also have been going on before the frames it is seen over: the
/// [`CONTINUE_SPAN`] frames before those change by a cut's worth ([`ABS_FLOOR`]) too
/// ([`move_before`]). A fast pan that starts blurred changes little from one blurred
/// frame to the next, so its second frame reads as a move into it that stops dead
/// (the drift set's `start-bbb19-left42b`, `tests/blur_onset.rs`); it began two frames
/// before the step, out of a held picture.
///
/// A fade's ramp is no subject's move either: the end of a fade-in out of a solid frame
/// (black, white, a colour card) brightens or darkens the picture over frames that no warp
/// follows and lands on the new shot, which may hold (an eased 21-frame `fadeblack` into
/// panning bikes, `tests/fade_through_black.rs`, read a cut at its last step). A step
/// whose frames before rise out of a solid frame ([`ramps_from_colour`]), or that lands
/// on a solid frame (the last step of a fade-out), is left to the sweep rule.
fn lands(f: &[FrameFeatures], d: &[f32], first: usize, last: usize, strength: f32) -> bool {
    let (_, after) = around(f, d, first, last, CONTINUE_SPAN);
    after < LAND_SHARE * strength
        && move_before(f, d, first, last) >= ABS_FLOOR
        && !f[last].is_solid()
        && ramps_from_colour(f, first).is_none()
}

/// Largest step of mean luma (0..1) against a ramp's direction that still counts as part
/// of it (encoder noise; one 8-bit level is 0.004).
const RAMP_SLACK: f32 = 0.004;
/// Longest ramp out of a solid frame looked back over (seconds).
const RAMP_SECONDS: f64 = 2.0;

/// The frame index of the solid frame the frames before `first` rise out of, if any: walking
/// back from `first - 1`, the mean luma moves steadily towards that of a solid frame
/// ([`FrameFeatures::is_solid`]: black, white, a colour card) reached within
/// [`RAMP_SECONDS`], each step back moving by at most [`RAMP_SLACK`] the other way (the
/// fade-in half of a fade through a colour). The direction is the first step's.
fn ramps_from_colour(f: &[FrameFeatures], first: usize) -> Option<usize> {
    if first < 2 {
        return None;
    }
    let top = first - 1;
    let rising = f[top].luma_mean >= f[top - 1].luma_mean;
    let mut j = top;
    while j > 0 && f[top].pts_s - f[j].pts_s <= RAMP_SECONDS {
        if f[j].is_solid() {
            return (j < top).then_some(j);
        }
        let back = f[j - 1].luma_mean - f[j].luma_mean;
        if (rising && back > RAMP_SLACK) || (!rising && back < -RAMP_SLACK) {
            return None;
        }
        j -= 1;
    }
    (f[j].is_solid() && j < top).then_some(j)
}

/// Change over the [`CONTINUE_SPAN`] frames before the ones [`around`] looks at before
/// `first` (0 when the clip starts first).
fn move_before(f: &[FrameFeatures], d: &[f32], first: usize, last: usize) -> f32 {
    let (p, _) = around_ends(d, first, last, CONTINUE_SPAN, f.len());
    if p == 0 {
        return 0.0;
    }
    around(f, d, p + 1, p + 1, CONTINUE_SPAN).0
}

/// Smallest frame-pair distance of a punch-in cut ([`punch_in_cut`]).
const PUNCH_FLOOR: f32 = 0.03;
/// Smallest change of the thumbnail's layout (4 × [`thumb_dist`], as in [`frame_dist`])
/// of a punch-in cut.
const PUNCH_LAYOUT: f32 = 0.08;
/// Largest frame-pair distance next to a punch-in cut ([`STILL_SPAN`] frames each side):
/// the picture holds still on both sides.
const STILL: f32 = 0.015;
/// Frames looked at on each side of a punch-in cut.
const STILL_SPAN: usize = 3;

/// A cut between two framings of one still picture (a punch-in or a pull-out in one
/// frame): the pair distance stays under [`ABS_FLOOR`] because the colours stay (the
/// histogram term of [`frame_dist`] is what keeps reframings and camera moves from reading
/// as shot changes), but the layout changes by [`PUNCH_LAYOUT`] or more in one frame, the
/// picture holds still on both sides (every step within [`STILL_SPAN`] frames under
/// [`STILL`]), and a zoom of the picture (with a shift; [`camera_warp`]) explains the new
/// frame: a camera does not zoom by a tenth or more in one frame between two still
/// frames, an editor's punch-in does. Session 23: the plan's punch-in splits of a still
/// picture (the EBU ChID test card at 1:1) stepped by 0.09–0.10, and none read as a cut
/// (issue-195 letterboxed at 9:16, 0.045–0.08, is still not read: the warp does not
/// match the bars).
fn punch_in_cut(f: &[FrameFeatures], d: &[f32], i: usize) -> bool {
    if i < STILL_SPAN + 1 || i + STILL_SPAN >= d.len() || d[i] < PUNCH_FLOOR {
        return false;
    }
    let still = (i - STILL_SPAN..i)
        .chain(i + 1..=i + STILL_SPAN)
        .all(|j| d[j] < STILL);
    if !still || 4.0 * thumb_dist(&f[i - 1], &f[i]) < PUNCH_LAYOUT {
        return false;
    }
    if is_flash(f, i - 1, i, d[i]) {
        return false;
    }
    camera_warp(&f[i - 1].thumb(), &f[i].thumb()).is_some_and(|(z, _, _)| z != 1.0)
}

/// Smallest frame-pair distance of a punch-in cut in a moving picture ([`zoom_step_cut`]).
const STEP_FLOOR: f32 = 0.02;
/// Smallest layout change (4 × [`thumb_dist`]) of a punch-in cut in a moving picture.
const STEP_LAYOUT: f32 = 0.05;
/// Share of the layout change of each neighbouring pair that the step's must exceed
/// ([`zoom_step_cut`]'s first, cheap test).
const STEP_PEAK: f32 = 1.2;
/// Smallest zoom step (log2) of a punch-in cut in a moving picture: 1.09×. A cut out of
/// a blurred 44 px/frame tilt into the hand-held cockatoo (`pan_cuts.py --set tilt`) fits
/// a zoom of 1.07× one frame after the cut; the punch-ins of `punch_cuts.py` step by 1.1×
/// or more.
const STEP_ZOOM: f32 = 0.125;
/// Largest error of the zoom fit, as a share of the best shift's. The true punch-ins of
/// `punch_cuts.py` fit at 0.50 or under; the cockatoo's one jump between two source frames
/// (a no-cut clip), seen in a 4:3 crop inside pillarbox bars (`bars.py`), fits a 1.17×
/// pull-out at 0.597: the limit sits between (was 0.6, lead, session 24).
const STEP_FIT: f32 = 0.55;
/// Largest zoom of each neighbouring pair, as a share of the step's (log2).
const STEP_NEIGHBOUR: f32 = 0.35;

/// The pairs next to step `i` that [`zoom_step_cut`] compares it with: `(b, a)`, the pair
/// `b − 1 → b` before it and `a − 1 → a` after it. A repeated frame (a step under
/// [`REPEAT`], as a frame-rate conversion writes) is passed over on each side, as
/// [`side_steps`] does: in a 30 fps picture written at 60 fps every other pair repeats a
/// frame, so the plain neighbours read no change and no zoom, and a smooth zoom (an
/// animated logo growing over several source frames) looked like an editor's punch-in at
/// every source frame (session 28: six false punch-in cuts in our own 60 fps render of
/// `wannaworktogether`, four of them in 0.4 s of its title animation).
fn neighbour_pairs(d: &[f32], i: usize) -> (usize, usize) {
    let before = if d[i - 1] < REPEAT && i >= 4 {
        i - 2
    } else {
        i - 1
    };
    let after = if d[i + 1] < REPEAT && i + 2 < d.len() {
        i + 2
    } else {
        i + 1
    };
    (before, after)
}

/// `STYLECUT_DEBUG_CUTS=1` line of a [`zoom_step_cut`] candidate.
fn debug_zoom_step(f: &[FrameFeatures], i: usize, what: &str) {
    if debug_cuts() {
        eprintln!("cutdbg pts={:.4} zoom-step {what}", f[i].pts_s);
    }
}

/// A punch-in (or pull-out) cut in a moving picture: the framing steps in one frame while
/// the camera or the subject moves, so the still test of [`punch_in_cut`] fails. The
/// layout changes by [`PUNCH_LAYOUT`] or more and by [`STEP_PEAK`] × the change of each
/// neighbouring pair; a zoom of at least [`STEP_ZOOM`] (log2) with a shift explains the
/// new frame by under [`STEP_FIT`] of the best shift's error ([`zoomstep::fit`], to a
/// fraction of a cell); and the pairs on either side read a zoom under
/// [`STEP_NEIGHBOUR`] of it: an optical or crash zoom, or a push-in, spreads its scale
/// change over frames, an editor's punch-in puts it in one pair.
/// A fit that runs into the zoom search's limit ([`zoomstep::ZoomFit::pegged`]) located
/// no scale: the new frame is the old one smoothed (motion blur switching on as a fast
/// hand-held pan starts reads as a 1.8x zoom, session 25), not reframed.
fn zoom_step_cut(f: &[FrameFeatures], d: &[f32], i: usize) -> bool {
    if i < 3 || i + 2 > d.len() - 1 || d[i] < STEP_FLOOR {
        return false;
    }
    let layout = |j: usize| 4.0 * thumb_dist(&f[j - 1], &f[j]);
    let step = layout(i);
    // The neighbouring pairs, a repeated frame on each side passed over (see
    // [`neighbour_pairs`]).
    let (pb, pa) = neighbour_pairs(d, i);
    if step < STEP_LAYOUT || step < STEP_PEAK * layout(pb).max(layout(pa)) {
        return false;
    }
    if is_flash(f, i - 1, i, d[i]) {
        return false;
    }
    let fit = zoomstep::fit(&f[i - 1].thumb(), &f[i].thumb());
    let zoom = fit.log_zoom.abs();
    if zoom < STEP_ZOOM || fit.err > STEP_FIT * fit.err_shift || fit.pegged() {
        debug_zoom_step(f, i, &format!("no: step {step:.3} d {:.3} {fit:?}", d[i]));
        return false;
    }
    let before = zoomstep::fit(&f[pb - 1].thumb(), &f[pb].thumb());
    let after = zoomstep::fit(&f[pa - 1].thumb(), &f[pa].thumb());
    let spread = before.log_zoom.abs().max(after.log_zoom.abs());
    let yes = spread < STEP_NEIGHBOUR * zoom;
    debug_zoom_step(
        f,
        i,
        &format!(
            "{}: step {step:.3} d {:.3} {fit:?} neighbours {:.3} {:.3}",
            if yes { "cut" } else { "no (spread)" },
            d[i],
            before.log_zoom,
            after.log_zoom
        ),
    );
    yes
}

/// `STYLECUT_DEBUG_CUTS=1` prints every hard-cut candidate that passes the thresholds:
/// its step, the adaptive threshold, the change on each side and whether it is a sweep.
fn debug_cuts() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("STYLECUT_DEBUG_CUTS").is_some())
}

/// The hard cut at step `i` (at or above [`ABS_FLOOR`]) by the local threshold, peak,
/// flash and sweep rules, if any; `cuts` are the cuts found before it.
fn step_cut(f: &[FrameFeatures], d: &[f32], i: usize, cuts: &[Cut]) -> Option<Cut> {
    let n = f.len();
    let at = |j: usize| d.get(j).copied().unwrap_or(0.0);
    if d[i] < ABS_FLOOR || at(i - 1) > d[i] || at(i + 1) > d[i] {
        return None;
    }
    let thr = threshold(d, i, i.saturating_sub(1)..=i + 1);
    if d[i] < thr {
        return None;
    }
    let nb = at(i - 1).max(at(i + 1));
    let (first, last, strength) = if d[i] >= PEAK_RATIO * nb {
        (i, i, d[i])
    } else {
        // Two comparable steps: a blended frame between two shots.
        let j = if at(i - 1) > at(i + 1) { i - 1 } else { i + 1 };
        let (a, b) = (i.min(j), i.max(j));
        if a < 1 || b >= n {
            return None;
        }
        let joint = frame_dist(&f[a - 1], &f[b]);
        let outer = at(a - 1).max(at(b + 1));
        let thr2 = threshold(d, i, a.saturating_sub(1)..=b + 1);
        if joint < thr2 || joint < PEAK_RATIO * outer {
            return None;
        }
        (a, b, joint)
    };
    if is_flash(f, first - 1, last, strength) {
        return None;
    }
    if cuts.last().is_some_and(|c: &Cut| c.index + 1 >= first) {
        return None;
    }
    // A step into the clip's last frame has no frame after it to show that the new
    // picture holds: a subject's move starting on that frame reads the same (docs/
    // BENCHMARKS.md, session 23). It still bounds the gradual search.
    let sweep = last + 1 >= n || keeps_changing(f, d, first, last, strength);
    let confidence = (0.5 + (strength / thr - 1.0) / 2.0).clamp(0.0, 1.0);
    if debug_cuts() {
        let (before, after) = around(f, d, first, last, CONTINUE_SPAN);
        let (step_before, step_after) = side_steps(d, first, last);
        eprintln!(
            "cutdbg pts={:.4} strength={strength:.4} thr={thr:.4} conf={confidence:.4} \
             before={before:.4} after={after:.4} step_before={step_before:.4} \
             step_after={step_after:.4} sweep={sweep} move_before={:.4} ramp_from={:?} lands={}",
            f[i].pts_s,
            move_before(f, d, first, last),
            ramps_from_colour(f, first),
            last + 1 < n && lands(f, d, first, last, strength)
        );
    }
    Some(Cut {
        index: i,
        confidence,
        sweep,
    })
}

/// Finds hard cuts. `d` comes from [`pair_dists`].
pub fn detect_cuts(f: &[FrameFeatures], d: &[f32]) -> Vec<Cut> {
    let n = f.len();
    let mut cuts = Vec::new();
    for i in 1..n {
        let adjacent = |cuts: &[Cut], k: usize| cuts.last().is_some_and(|c| c.index + 1 >= k);
        if d[i] < ABS_FLOOR {
            let still = punch_in_cut(f, d, i);
            if (still || zoom_step_cut(f, d, i)) && !adjacent(&cuts, i) {
                if debug_cuts() {
                    eprintln!(
                        "cutdbg pts={:.4} strength={:.4} punch-in ({})",
                        f[i].pts_s,
                        d[i],
                        if still {
                            "a reframing between still frames"
                        } else {
                            "a zoom step in a moving picture"
                        }
                    );
                }
                cuts.push(Cut {
                    index: i,
                    confidence: 0.5,
                    sweep: false,
                });
            }
            continue;
        }
        // Above the floor, a step the rules below turn down (under the local threshold,
        // no clear peak) or read as a sweep is still a punch-in cut when the framing steps
        // in that one pair ([`zoom_step_cut`]): over a moving picture the neighbours' change
        // raises the threshold and keeps the picture changing beside the step.
        match step_cut(f, d, i, &cuts) {
            Some(c) if c.sweep && zoom_step_cut(f, d, i) => cuts.push(Cut { sweep: false, ..c }),
            Some(c) => cuts.push(c),
            None if !adjacent(&cuts, i) && zoom_step_cut(f, d, i) => cuts.push(Cut {
                index: i,
                confidence: 0.5,
                sweep: false,
            }),
            None => {}
        }
    }
    cuts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(pts: f64, shade: u8, pattern: u8) -> FrameFeatures {
        let (w, h) = (32usize, 18usize);
        let rgb: Vec<u8> = (0..w * h)
            .flat_map(|i| {
                let x = i % w;
                let v = if (x / 4) % 2 == pattern as usize % 2 {
                    shade
                } else {
                    shade / 3
                };
                [v, v / 2 + pattern * 20, 255 - v]
            })
            .collect();
        FrameFeatures::from_rgb(pts, w, h, &rgb)
    }

    /// A 32×18 view at `x` (in pixels of a 128-wide panorama of distinct coloured
    /// stripes), averaged over `blur` positions a pixel apart (motion blur).
    fn pan_frame(pts: f64, x: f32, blur: usize) -> FrameFeatures {
        let (w, h) = (32usize, 18usize);
        let px = |u: f32, y: usize| -> [f32; 3] {
            let u = u.rem_euclid(128.0);
            let band = (u / 16.0) as usize;
            let v = 40.0 + 25.0 * band as f32 + 30.0 * ((u * 0.9 + y as f32 * 0.7).sin());
            [v, 255.0 - v, (band * 31 % 256) as f32]
        };
        let rgb: Vec<u8> = (0..w * h)
            .flat_map(|i| {
                let (cx, y) = (i % w, i / w);
                let mut acc = [0f32; 3];
                for k in 0..blur {
                    let p = px(x + cx as f32 + k as f32, y);
                    (0..3).for_each(|c| acc[c] += p[c] / blur as f32);
                }
                acc.map(|c| c.clamp(0.0, 255.0) as u8)
            })
            .collect();
        FrameFeatures::from_rgb(pts, w, h, &rgb)
    }

    /// A whip pan: still, then the view sweeps three frame widths in five blurred frames,
    /// then still. Its steep steps are candidates, but the picture keeps changing next
    /// to each of them: sweeps, no cut. A cut between the two still views is one.
    #[test]
    fn a_whip_pan_is_a_sweep_not_a_cut() {
        let xs: Vec<(f32, usize)> = (0..60)
            .map(|i| match i {
                0..30 => (0.0, 1),
                30..35 => (((i - 29) as f32 / 6.0) * 96.0, 12),
                _ => (96.0, 1),
            })
            .collect();
        let f: Vec<FrameFeatures> = xs
            .iter()
            .enumerate()
            .map(|(i, &(x, b))| pan_frame(i as f64 / 25.0, x, b))
            .collect();
        let d = pair_dists(&f);
        let cands = detect_cuts(&f, &d);
        assert!(!cands.is_empty(), "the whip has no steep step: {d:?}");
        assert!(cands.iter().all(|c| c.sweep), "{cands:?}");
        let report = crate::video::shots::segment(&f, 25.0, 60.0 / 25.0);
        assert!(
            report.transitions.iter().all(|t| t.kind != "cut"),
            "{:?}",
            report.transitions
        );
        // The same two views joined by a cut.
        let g: Vec<FrameFeatures> = (0..60)
            .map(|i| pan_frame(i as f64 / 25.0, if i < 30 { 0.0 } else { 96.0 }, 1))
            .collect();
        let cuts = detect_cuts(&g, &pair_dists(&g));
        assert_eq!(cuts.len(), 1, "{cuts:?}");
        assert!(cuts[0].index == 30 && !cuts[0].sweep, "{cuts:?}");
    }

    /// A cut out of a fast pan into a still view (the round trip's edit of bikes.mp4 cuts
    /// from the panning taxi sign to the railings): two frames of the pan change by more
    /// than a cut's worth and by more than [`CONTINUE_SHARE`] of the cut, but one frame by
    /// under [`STEP_SHARE`] of it. A cut; before the step rule it read as a sweep and the
    /// shot boundary was lost.
    #[test]
    fn a_cut_out_of_a_fast_pan_is_a_cut() {
        let f: Vec<FrameFeatures> = (0..60)
            .map(|i| {
                let x = if i < 30 {
                    i as f32 * 2.5
                } else {
                    29.0 * 2.5 + 18.0
                };
                pan_frame(i as f64 / 25.0, x, if i < 30 { 2 } else { 1 })
            })
            .collect();
        let d = pair_dists(&f);
        let (before, after) = around(&f, &d, 30, 30, CONTINUE_SPAN);
        // What the rule without the step read as the move going on.
        assert!(
            before >= ABS_FLOOR && before >= CONTINUE_SHARE * d[30] && d[29] < STEP_SHARE * d[30],
            "{before} {after} {d:?}"
        );
        let c = detect_cuts(&f, &d);
        assert!(c.len() == 1 && c[0].index == 30 && !c[0].sweep, "{c:?}");
        let report = crate::video::shots::segment(&f, 25.0, 60.0 / 25.0);
        assert!(
            report.transitions.iter().any(|t| t.kind == "cut"),
            "{:?}",
            report.transitions
        );
    }

    /// A pan at 0.5 px per frame that speeds up to `fast` px per frame for frames 26..34,
    /// with the view jumping by `jump` px at frame 30.
    fn jump_in_burst(fast: f32, jump: f32) -> Vec<FrameFeatures> {
        let mut x = 0.0;
        (0..60)
            .map(|i| {
                x += if (26..34).contains(&i) { fast } else { 0.5 };
                if i == 30 {
                    x += jump;
                }
                pan_frame(i as f64 / 25.0, x, 2)
            })
            .collect()
    }

    /// A step inside a picture that keeps moving on both sides by a good share of the
    /// step (a subject flapping out of frame, a jump in a burst of movement) is a sweep,
    /// even though the move itself is below a cut's worth ([`ABS_FLOOR`]: on the rule
    /// before [`BOTH_SHARE`] this one read as a cut). A jump cut in a slow move and a cut
    /// between two moving views stay cuts.
    #[test]
    fn a_step_inside_a_move_on_both_sides_is_a_sweep() {
        let f = jump_in_burst(3.0, 8.0);
        let d = pair_dists(&f);
        let (before, after) = around(&f, &d, 30, 30, CONTINUE_SPAN);
        assert!(before.max(after) < ABS_FLOOR, "{before} {after}");
        let c = detect_cuts(&f, &d);
        assert!(c.len() == 1 && c[0].index == 30 && c[0].sweep, "{c:?}");
        let report = crate::video::shots::segment(&f, 25.0, 60.0 / 25.0);
        assert!(
            report.transitions.iter().all(|t| t.kind != "cut"),
            "{:?}",
            report.transitions
        );
        for (fast, jump) in [(0.5, 10.0), (3.0, 48.0)] {
            let f = jump_in_burst(fast, jump);
            let c = detect_cuts(&f, &pair_dists(&f));
            assert!(
                c.len() == 1 && c[0].index == 30 && !c[0].sweep,
                "{fast} {jump}: {c:?}"
            );
        }
    }

    /// A still view whose last frame alone changes (the close-up subject of
    /// `pan_cuts.py --set shake`'s `stop-cockatoo2-right26b` starts a quick move on the
    /// clip's last frame): the step has no frame after it to show the new picture holds,
    /// so it is no cut (a sweep: it still bounds the gradual search). A cut two frames
    /// before the end, and one in the middle, stay cuts.
    #[test]
    fn a_step_into_the_last_frame_is_no_cut() {
        let clip = |jump_at: usize| -> Vec<FrameFeatures> {
            (0..60)
                .map(|i| {
                    let x = if i >= jump_at { 40.0 } else { 0.0 };
                    let x = if i >= 30 { x + 70.0 } else { x };
                    pan_frame(i as f64 / 25.0, x, 1)
                })
                .collect()
        };
        let f = clip(59);
        let c = detect_cuts(&f, &pair_dists(&f));
        assert!(
            c.iter().any(|c| c.index == 30 && !c.sweep),
            "the control cut at 30 is lost: {c:?}"
        );
        assert!(
            c.iter().all(|c| c.index != 59 || c.sweep),
            "a cut into the last frame: {c:?}"
        );
        let report = crate::video::shots::segment(&f, 25.0, 60.0 / 25.0);
        let cuts: Vec<f64> = report
            .transitions
            .iter()
            .filter(|t| t.kind == "cut")
            .map(|t| t.start_s)
            .collect();
        assert!(
            cuts.len() == 1 && (cuts[0] - 1.2).abs() < 1e-6,
            "{:?}",
            report.transitions
        );
        let f = clip(57);
        let c = detect_cuts(&f, &pair_dists(&f));
        assert!(
            c.iter().any(|c| c.index == 57 && !c.sweep),
            "a cut three frames before the end is lost: {c:?}"
        );
    }

    /// A pale card with thin dark lines (the EBU ChID test card's kind of picture) seen
    /// at `zoom` about (`cx`, `cy`), `w`×`h` pixels, inside black bars `bar` pixels high
    /// above and below.
    fn card(
        pts: f64,
        zoom: f32,
        cx: f32,
        cy: f32,
        w: usize,
        h: usize,
        bar: usize,
    ) -> FrameFeatures {
        let ph = h - 2 * bar;
        let rgb: Vec<u8> = (0..w * h)
            .flat_map(|i| {
                let (x, y) = (i % w, i / w);
                if y < bar || y >= h - bar {
                    return [0u8; 3];
                }
                // Picture coordinates 0..1, zoomed about (cx, cy).
                let u = cx + ((x as f32 + 0.5) / w as f32 - 0.5) / zoom;
                let v = cy + ((y - bar) as f32 / ph as f32 - 0.5) / zoom;
                // Dark disks near the corners (the punch-in leaves part of them out),
                // two lines and a disk off the centre.
                let corner = [(0.1, 0.12), (0.9, 0.15), (0.12, 0.88), (0.88, 0.9)]
                    .iter()
                    .any(|&(a, b): &(f32, f32)| (u - a).hypot(v - b) < 0.13);
                let line = |t: f32, k: f32| ((t * k).fract() - 0.5).abs() < 0.05;
                let dark = corner
                    || line(u + 0.3 * v, 3.0)
                    || line(v, 2.5)
                    || (u - 0.62).hypot(v - 0.55) < 0.1;
                if dark {
                    [70, 72, 80]
                } else {
                    [205, 205, 208]
                }
            })
            .collect();
        FrameFeatures::from_rgb(pts, w, h, &rgb)
    }

    /// A punch-in split of a still picture (a plan's 1.25× framing after the plain one),
    /// at 16:9 and 1:1: the colours stay, so the pair distance is far under
    /// [`ABS_FLOOR`], but it is a cut ([`punch_in_cut`]). Session 23: none of the punch-in
    /// splits of the ChID test card at 1:1 read as cuts. (A picture between letterbox bars
    /// is not read: the warp over the whole thumbnail does not match the bars; not handled.) The same picture still throughout has none.
    #[test]
    fn a_punch_in_on_a_still_picture_is_a_cut() {
        for (w, h, bar) in [(128usize, 72usize, 0usize), (96, 96, 0)] {
            let f: Vec<FrameFeatures> = (0..48)
                .map(|i| {
                    let (z, cx, cy) = if i < 24 {
                        (1.0, 0.5, 0.5)
                    } else {
                        (1.25, 0.56, 0.45)
                    };
                    card(i as f64 / 24.0, z, cx, cy, w, h, bar)
                })
                .collect();
            let d = pair_dists(&f);
            assert!(d[24] < ABS_FLOOR && d[24] > 0.0, "{w}x{h}: {}", d[24]);
            let cuts = detect_cuts(&f, &d);
            assert!(
                cuts.len() == 1 && cuts[0].index == 24 && !cuts[0].sweep,
                "{w}x{h}: {cuts:?} d {} layout {}",
                d[24],
                4.0 * thumb_dist(&f[23], &f[24])
            );
            let still: Vec<FrameFeatures> = (0..48)
                .map(|i| card(i as f64 / 24.0, 1.0, 0.5, 0.5, w, h, bar))
                .collect();
            assert!(detect_cuts(&still, &pair_dists(&still)).is_empty());
        }
    }

    /// A textured picture (soft coloured blobs over a gradient and a few lines) viewed
    /// through a 16:9 window centred at (`x`, `y`) in picture units (the picture is 1.0
    /// high) at `zoom`, `w`×`h` pixels.
    fn moving_view(pts: f64, x: f32, y: f32, zoom: f32, w: usize, h: usize) -> FrameFeatures {
        let rgb: Vec<u8> = (0..w * h)
            .flat_map(|i| {
                let (px, py) = ((i % w) as f32 + 0.5, (i / w) as f32 + 0.5);
                let u = x + (px / w as f32 - 0.5) * (16.0 / 9.0) / zoom;
                let v = y + (py / h as f32 - 0.5) / zoom;
                let blob =
                    |a: f32, b: f32, r: f32| (-((u - a).powi(2) + (v - b).powi(2)) / (r * r)).exp();
                let r = 60.0 + 120.0 * blob(0.3, 0.4, 0.12) + 60.0 * (7.0 * u).sin().max(0.0);
                let g = 70.0 + 140.0 * blob(0.9, 0.6, 0.15) + 40.0 * (5.0 * v + 2.0 * u).cos();
                let b = 90.0 + 120.0 * blob(1.4, 0.3, 0.1) + 30.0 * (11.0 * v).sin()
                    - 80.0 * (((u * 4.0 + v * 3.0).fract() - 0.5).abs() < 0.04) as u8 as f32;
                [r, g, b].map(|c| c.clamp(0.0, 255.0) as u8)
            })
            .collect();
        FrameFeatures::from_rgb(pts, w, h, &rgb)
    }

    /// A punch-in split of a moving picture: the view pans (0.012 picture heights a
    /// frame, with a small seeded jitter) and steps to a 1.3× framing at frame 30 while
    /// the pan goes on. The colours stay, so the step is under [`ABS_FLOOR`], and the
    /// picture moves on both sides, so [`punch_in_cut`]'s still test fails: before session
    /// 24 there was no cut. The zoom in one frame pair is one ([`zoom_step_cut`]); a
    /// pull-out from the tight framing too.
    #[test]
    fn a_punch_in_over_a_moving_picture_is_a_cut() {
        for (before, after) in [(1.0f32, 1.3f32), (1.35, 1.0)] {
            let f: Vec<FrameFeatures> = (0..60)
                .map(|i| {
                    let jitter = 0.004 * ((i * 7919 % 13) as f32 / 6.0 - 1.0);
                    let x = 0.5 + 0.012 * i as f32 + jitter;
                    let y = 0.5 + 0.5 * jitter;
                    let z = if i < 30 { before } else { after };
                    moving_view(i as f64 / 25.0, x, y, z, 128, 72)
                })
                .collect();
            let d = pair_dists(&f);
            assert!(d[30] < ABS_FLOOR, "{before}->{after}: {}", d[30]);
            assert!(!punch_in_cut(&f, &d, 30), "the still rule reads it");
            assert!(
                (25..36).any(|j| d[j] >= STILL),
                "the picture holds still: {d:?}"
            );
            let cuts = detect_cuts(&f, &d);
            assert!(
                cuts.len() == 1 && cuts[0].index == 30 && !cuts[0].sweep,
                "{before}->{after}: {cuts:?} {d:?}"
            );
        }
    }

    /// The same smooth zooms at 30 fps written at 60 fps (every frame twice, as a render
    /// at 60 fps of a 30 fps source): each zoom step now sits between two repeated frames,
    /// whose pairs read no change and no zoom. The neighbours [`zoom_step_cut`] compares a
    /// step with pass over the repeat, so the zoom still spreads over frames and no step is
    /// a punch-in (session 28: before, every step of the animated title zoom of our own
    /// 60 fps render of `wannaworktogether` read as one).
    #[test]
    fn a_smooth_zoom_with_repeated_frames_is_no_cut() {
        for n in [3usize, 4, 6] {
            let f: Vec<FrameFeatures> = (0..120)
                .map(|i| {
                    let k = i / 2;
                    let t = ((k as f32 - 30.0 + n as f32 / 2.0) / n as f32).clamp(0.0, 1.0);
                    let z = 1.5f32.powf(t * t * (3.0 - 2.0 * t));
                    moving_view(i as f64 / 60.0, 0.5 + 0.01 * k as f32, 0.5, z, 128, 72)
                })
                .collect();
            let cuts = detect_cuts(&f, &pair_dists(&f));
            assert!(cuts.iter().all(|c| c.sweep), "{n} frames: {cuts:?}");
        }
    }

    /// An optical zoom of 1.5× spread over `n` frames (smoothstep) while the view pans,
    /// and a constant push-in of 1.2 % a frame: the scale change is not confined to one
    /// frame pair, so neither is a cut ([`STEP_NEIGHBOUR`]).
    #[test]
    fn a_fast_smooth_zoom_over_frames_is_no_cut() {
        for n in [3usize, 4, 6] {
            let f: Vec<FrameFeatures> = (0..60)
                .map(|i| {
                    let t = ((i as f32 - 30.0 + n as f32 / 2.0) / n as f32).clamp(0.0, 1.0);
                    let z = 1.5f32.powf(t * t * (3.0 - 2.0 * t));
                    moving_view(i as f64 / 25.0, 0.5 + 0.01 * i as f32, 0.5, z, 128, 72)
                })
                .collect();
            let cuts = detect_cuts(&f, &pair_dists(&f));
            assert!(cuts.iter().all(|c| c.sweep), "{n} frames: {cuts:?}");
        }
        let f: Vec<FrameFeatures> = (0..60)
            .map(|i| moving_view(i as f64 / 25.0, 0.6, 0.5, 1.012f32.powi(i), 128, 72))
            .collect();
        assert!(detect_cuts(&f, &pair_dists(&f)).is_empty());
    }

    #[test]
    fn finds_a_cut_and_ignores_a_flash() {
        let mut f = Vec::new();
        for i in 0..60 {
            let (shade, pat) = if i < 30 { (200, 0) } else { (60, 1) };
            f.push(frame(i as f64 / 25.0, shade, pat));
        }
        // A one-frame flash at 15 and a two-frame one at 40..=41.
        f[15] = frame(0.6, 255, 0);
        f[40] = frame(0.0, 255, 0);
        f[41] = frame(0.0, 250, 0);
        for (k, g) in f.iter_mut().enumerate() {
            g.pts_s = k as f64 / 25.0;
        }
        let d = pair_dists(&f);
        let cuts = detect_cuts(&f, &d);
        assert_eq!(cuts.len(), 1, "{cuts:?}");
        assert_eq!(cuts[0].index, 30);
        assert!(!cuts[0].sweep);
    }
}
