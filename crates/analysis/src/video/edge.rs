//! Straight wipes found by their moving edge, for the wipes the model fits of
//! [`super::gradual`] cannot read: between two framings of one picture (a plain shot and
//! its punch-in), whose end frames hardly differ over the whole picture, or over shots
//! that keep moving, so that no frame in between is a mix of the two end frames.
//!
//! A straight wipe has a signature of its own in the frame-to-frame change: the cells
//! that change are those the edge crosses, a narrow band of columns (left/right wipes)
//! or rows (up/down wipes) whose position moves monotonically across the frame, while
//! the picture on either side of the edge holds still. For every column (row) of the
//! thumbnail and every frame the *step* is measured: how far the mean of the next
//! [`STEP_SPAN`] frames lies from the mean of the previous ones, less how much each of
//! the two groups varies in itself (a cell crossed by the edge jumps once from one
//! steady picture to another; a moving subject changes it over many frames). The edge's
//! path is the monotone assignment of a crossing frame to every column that collects the
//! most step (dynamic programming over windows of up to [`MAX_SPAN_S`]). It is a wipe
//! when, on most columns ([`MIN_CLEAR`]), the step at the crossing is clear: a visible
//! change, [`TIME_CONTRAST`] times any other step of that column within [`FAR`] frames
//! (the two sides held still), and [`SPACE_CONTRAST`] times the median step of the
//! columns away from the edge at that frame (a band, not the whole picture); the edge
//! spends at least [`MIN_FRAMES`] frames crossing and never stalls for more than
//! [`MAX_STALL`] of that time, and the change it brings spreads along its whole length
//! ([`MIN_ACROSS`]). A cut, a whip pan or a flash changes every column at once; a subject
//! moving through the shot crosses a few columns, not all of them in order; objects moving
//! together across the frame change only their own part of each line they cross.
//!
//! A pan or tilt carries the scene's own boundaries across the frame at its pace, and the
//! lines they cross keep their new look: measured as the frames are, that is a wipe's
//! edge. So a track found that way must keep [`CAMERA_KEPT`] of its step when the same
//! lines and frames are measured with the camera's motion taken out: a wipe's new side is
//! another picture, a pan's the old one moved by the camera (session 20).

use super::frame::{FrameFeatures, Thumb, THUMB_H, THUMB_W};
use super::Gradual;

/// Frames averaged on each side of a step.
const STEP_SPAN: usize = 3;
/// Longest wipe looked for, seconds (the search window).
const MAX_SPAN_S: f64 = 2.5;
/// Fewest frames from the first crossing to the last: at most an eighth of the width
/// (32 columns) per frame, so the change of a frame stays a narrow band.
const MIN_FRAMES: usize = 8;
/// Largest wait between the crossings of two neighbouring columns, as a share of the
/// edge's whole travel (the edge moves on, eased or not; two separate events with a
/// pause between them are no wipe).
const MAX_STALL: f32 = 0.25;
/// Largest wait between two neighbouring crossings, in multiples of the median one (at
/// least 3 frames): an eased edge slows down gradually, it does not stop and restart.
const STALL_PACES: usize = 3;
/// Share of the lines, at either end of a path, where one long wait sends the path to
/// the search again in a window trimmed to the rest of it (see [`trimmed`]).
const END_LINES: f32 = 0.2;
/// Smallest step (mean absolute change of the column, 0..1) that counts as visible.
const MIN_STEP: f32 = 0.02;
/// A crossing's step over the largest other step of its column within [`FAR`] frames
/// (but more than [`NEAR`] frames away).
const TIME_CONTRAST: f32 = 1.5;
/// A fainter step, down to [`FAINT_STEP`], still counts as visible when it stands out of
/// its line over time this many times (instead of [`TIME_CONTRAST`]): two framings of a
/// flat picture (a test card, a sky) differ little under the edge, but such a line is
/// also quiet the rest of the time. Measured (session 14, tuning set): the crossings of
/// the shaken `ChID` wipes read 0.009–0.019 against 0.001–0.006 elsewhere in their line.
const FAINT_CONTRAST: f32 = 3.0;
/// Smallest step a crossing may have under [`FAINT_CONTRAST`] (half of [`MIN_STEP`]).
const FAINT_STEP: f32 = 0.01;
const NEAR: usize = 2;
const FAR: usize = 10;
/// A crossing's step over the median step, at the same frame, of the columns more than
/// three columns away from it.
const SPACE_CONTRAST: f32 = 3.0;
/// A line has changed back (or had already changed) when its look at the far end of the
/// wipe is this much closer to its look on the other side of its own crossing.
const REVERTED: f32 = 0.5;
/// Share of the columns whose crossing must be clear.
const MIN_CLEAR: f32 = 0.6;
/// Share of the columns whose crossing must stand out from the rest of the frame.
const MIN_BAND: f32 = 0.8;
/// How evenly the change at the clear crossings must spread along the edge (the
/// participation ratio of each cell's change summed over the crossings, see
/// [`participation`]): a straight edge changes the whole width of the picture it crosses,
/// objects moving together (icons scrolling up over a still background) change the same
/// few cells of every line. Measured (session 9): 0.54–0.99 on the wipes and slides of the
/// synthetic suite and on wipes between two framings of BBB, `bikes` and `cockatoo`
/// (flat sky changes little between two framings); 0.33 on scrolling icons in the
/// `wannaworktogether` template.
const MIN_ACROSS: f32 = 0.45;

/// Smallest share of an edge's step, measured as the frames are, that must be left when
/// the camera's motion is taken out (see [`camera_explained`]). A pan or tilt carries the
/// scene's own boundaries (a dark object against a bright wall) across the frame at its
/// pace, and the lines they cross keep their new look, as under a wipe's edge; but the new
/// side is the old picture moved by the camera, so aligned on the camera the step is gone.
/// A wipe's new side is another picture (or another framing) whatever the camera does.
/// Measured (session 20): 0.00–0.22 on all 68 such tracks of the `pan_cuts.py` pans (the
/// tuning set), 0.84–1.10 on the true wipes of `handheld_wipes.py`, 0.91 on a wipe during
/// a 16 px/frame pan (`tests/pan_wipes.rs`); a slide reads about 0.05 (the motion estimate
/// follows it) and is left to the slide model.
const CAMERA_KEPT: f32 = 0.3;
/// Largest camera move between two frames that [`camera`] takes out, thumbnail cells (a
/// cell is 1/32 of the width, 1/18 of the height): the jitter and the short jerks of a
/// hand-held camera (the cockatoo's 0.2–1.6 cells a frame, a phone following cyclists
/// 1–1.6); a whip moves further, and the motion estimate searches no further than about
/// 3 cells.
const MAX_SHAKE: f32 = 2.5;
/// How far (cells) a line may have been outside the frame and still be measured: its
/// stand-in, the border cell, is then at most a cell away, no worse than the bilinear
/// reading elsewhere; a camera that moved further over the frames compared (a tilt
/// carrying a motion graphic out of the frame, `wannaworktogether` 19.9 s) would
/// otherwise move that stand-in across the lines like an edge.
const OUTSIDE: f32 = 1.0;
/// Resolution of the camera offsets, cells: offsets below half of it read as none.
const ALIGN_STEP: f32 = 0.05;

use super::gradual::debug;

/// `STYLECUT_DEBUG_EDGE_LINES=1` prints, for every edge path tested, each line's step at
/// its crossing and the gates it met (very verbose; for tuning only).
fn debug_lines() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("STYLECUT_DEBUG_EDGE_LINES").is_some())
}

/// Which lines of the thumbnail the edge crosses, and in which order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Travel {
    /// Columns from the left edge of the frame to the right.
    Right,
    Left,
    /// Rows from the top down.
    Down,
    Up,
}

impl Travel {
    fn lines(self) -> usize {
        match self {
            Travel::Right | Travel::Left => THUMB_W,
            Travel::Down | Travel::Up => THUMB_H,
        }
    }
    fn name(self) -> &'static str {
        match self {
            Travel::Right => "right",
            Travel::Left => "left",
            Travel::Down => "down",
            Travel::Up => "up",
        }
    }
}

/// The camera's position at every frame of `lo..hi` (index `x − lo`), in thumbnail cells
/// from its position at `lo`: the sum of the frames' [`FrameFeatures::shift`]. A frame
/// that moved more than [`MAX_SHAKE`] (a whip) adds nothing: its estimate is the least
/// reliable, and a whip is no shake to take out.
fn camera(f: &[FrameFeatures], lo: usize, hi: usize) -> Vec<[f32; 2]> {
    let mut at = [0f32; 2];
    f[lo..hi]
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let [dx, dy] = g.shift;
            if i > 0 && dx.abs() <= MAX_SHAKE && dy.abs() <= MAX_SHAKE {
                at = [at[0] + dx, at[1] + dy];
            }
            at
        })
        .collect()
}

/// Where the picture of frame `x` lies relative to frame `r` (indices into `cam`),
/// rounded to [`ALIGN_STEP`] of a cell: zero (no resampling) on a camera that held
/// still, so steady footage is measured exactly as without the compensation.
fn offset(cam: &[[f32; 2]], x: usize, r: usize) -> [f32; 2] {
    let q = |v: f32| (v / ALIGN_STEP).round() * ALIGN_STEP;
    [q(cam[x][0] - cam[r][0]), q(cam[x][1] - cam[r][1])]
}

/// Thumbnail value of cell (`cx`, `cy`), channel `k`, of a picture that moved by `d`
/// cells: read at (`cx + dx`, `cy + dy`) of `get` (a thumbnail by value index),
/// bilinearly, the border cells standing in for what moved in from outside.
fn sample(get: impl Fn(usize) -> f32, cx: usize, cy: usize, k: usize, d: [f32; 2]) -> f32 {
    let axis = |p: usize, d: f32, n: usize| -> (usize, usize, f32) {
        let v = (p as f32 + d).clamp(0.0, (n - 1) as f32);
        let a = v.floor() as usize;
        (a, (a + 1).min(n - 1), v - a as f32)
    };
    let (x0, x1, wx) = axis(cx, d[0], THUMB_W);
    let (y0, y1, wy) = axis(cy, d[1], THUMB_H);
    let at = |x: usize, y: usize| get((y * THUMB_W + x) * 3 + k);
    let top = at(x0, y0) + wx * (at(x1, y0) - at(x0, y0));
    let bottom = at(x0, y1) + wx * (at(x1, y1) - at(x0, y1));
    top + wy * (bottom - top)
}

/// `src` as seen from a camera position `d` cells away (see [`sample`]), into `out`.
fn shifted(src: &Thumb, d: [f32; 2], out: &mut Thumb) {
    for cy in 0..THUMB_H {
        for cx in 0..THUMB_W {
            for k in 0..3 {
                out[(cy * THUMB_W + cx) * 3 + k] = sample(|c| src[c], cx, cy, k, d);
            }
        }
    }
}

/// The thumbnail's lines along one axis and the cells along each line: its columns
/// (`columns`), each `THUMB_H` cells long, else its rows, each `THUMB_W` long.
fn axis(columns: bool) -> (usize, usize) {
    if columns {
        (THUMB_W, THUMB_H)
    } else {
        (THUMB_H, THUMB_W)
    }
}

/// Step strength per frame and line, for frames `lo..hi` (row `t − lo`) along one axis:
/// `columns` true for the thumbnail's columns, else its rows, each frame seen from the
/// camera position of the step's frame (`cam`, see [`camera`]). Frames too close to the
/// segment's ends for a full step on both sides, and lines whose picture the camera
/// took out of the frame ([`inside`]), read −1.
fn steps(
    f: &[FrameFeatures],
    cam: &[[f32; 2]],
    lo: usize,
    hi: usize,
    columns: bool,
) -> Vec<Vec<f32>> {
    let (lines, len) = axis(columns);
    let cell = |line: usize, i: usize| -> usize {
        if columns {
            i * THUMB_W + line
        } else {
            line * THUMB_W + i
        }
    };
    let m = STEP_SPAN;
    let n = hi - lo;
    let mut out = vec![vec![-1f32; lines]; n];
    if n < 2 * m {
        return out;
    }
    let vals = (len * 3) as f32;
    let mut mb = vec![0f32; len * 3];
    let mut ma = vec![0f32; len * 3];
    // The 2m frames `t − m .. t + m` decoded, frame `x` in slot `(x − lo) % 2m`: each
    // frame of the segment is decoded once as the window slides, not once per line.
    let slot = |x: usize| (x - lo) % (2 * m);
    let mut ring: Vec<Thumb> = f[lo..lo + 2 * m].iter().map(FrameFeatures::thumb).collect();
    // The window's frames as seen from frame `t`'s camera position: frame `t − m + j` in
    // `win[j]`, the decoded thumbnail itself when the camera stood still.
    let mut moved: Vec<Thumb> = vec![[0f32; super::frame::THUMB_LEN]; 2 * m];
    let mut still = [true; 2 * STEP_SPAN];
    for t in lo + m..=hi - m {
        if t > lo + m {
            ring[slot(t + m - 1)] = f[t + m - 1].thumb();
        }
        // The range of the window's offsets along the axis the lines are numbered on:
        // a line whose picture was outside the frame in one of the window's frames is
        // not measured (its border stand-in would move across the lines as the camera
        // does, like an edge).
        let (mut least, mut most) = (0f32, 0f32);
        for j in 0..2 * m {
            let x = t - m + j;
            let d = offset(cam, x - lo, t - lo);
            still[j] = d == [0.0; 2];
            if !still[j] {
                shifted(&ring[slot(x)], d, &mut moved[j]);
            }
            let along = if columns { d[0] } else { d[1] };
            (least, most) = (least.min(along), most.max(along));
        }
        let win = |j: usize| -> &Thumb {
            if still[j] {
                &ring[slot(t - m + j)]
            } else {
                &moved[j]
            }
        };
        for (line, o) in out[t - lo].iter_mut().enumerate() {
            if !inside(line, least, lines) || !inside(line, most, lines) {
                continue;
            }
            mb.iter_mut().for_each(|v| *v = 0.0);
            ma.iter_mut().for_each(|v| *v = 0.0);
            for j in 0..m {
                let (b, a) = (win(j), win(m + j));
                for i in 0..len {
                    let c = cell(line, i) * 3;
                    for k in 0..3 {
                        mb[i * 3 + k] += b[c + k];
                        ma[i * 3 + k] += a[c + k];
                    }
                }
            }
            mb.iter_mut()
                .chain(ma.iter_mut())
                .for_each(|v| *v /= m as f32);
            let jump: f32 = mb.iter().zip(&ma).map(|(x, y)| (x - y).abs()).sum::<f32>() / vals;
            let mut spread = 0f32;
            for j in 0..m {
                let (b, a) = (win(j), win(m + j));
                for i in 0..len {
                    let c = cell(line, i) * 3;
                    for k in 0..3 {
                        spread +=
                            (b[c + k] - mb[i * 3 + k]).abs() + (a[c + k] - ma[i * 3 + k]).abs();
                    }
                }
            }
            *o = jump - spread / (vals * m as f32);
        }
    }
    out
}

/// The edge's path in `e[a..b]` (rows = frames relative to the segment start, columns
/// = lines in the order the edge crosses them): the crossing frame of every line,
/// non-decreasing along the lines and never more than `gap` frames after the previous
/// one, that collects the most step.
fn best_path(e: &[Vec<f32>], order: &[usize], a: usize, b: usize, gap: usize) -> Vec<usize> {
    let l = b - a;
    let n = order.len();
    let mut dp = vec![vec![f32::NEG_INFINITY; l]; n];
    let mut back = vec![vec![0usize; l]; n];
    for t in 0..l {
        dp[0][t] = e[a + t][order[0]];
    }
    for x in 1..n {
        for t in 0..l {
            let from = t.saturating_sub(gap);
            let (mut bj, mut bv) = (from, f32::NEG_INFINITY);
            for (j, &v) in dp[x - 1].iter().enumerate().take(t + 1).skip(from) {
                if v > bv {
                    (bj, bv) = (j, v);
                }
            }
            dp[x][t] = bv + e[a + t][order[x]];
            back[x][t] = bj;
        }
    }
    let mut t = (0..l)
        .max_by(|&p, &q| dp[n - 1][p].total_cmp(&dp[n - 1][q]))
        .unwrap_or(0);
    let mut path = vec![0usize; n];
    for x in (0..n).rev() {
        path[x] = a + t;
        t = back[x][t];
    }
    path
}

/// The window `[a, b)` trimmed to the run of a path that failed its pacing test on one
/// long wait between two crossings in its first or last [`END_LINES`] of the lines, or
/// `None`: the wait's far side ends the window at the allowed wait from its near side.
/// The path search gives every line a crossing inside the window, so a wipe's weakest
/// lines at the end it leaves the frame (the shake's own steps outdoing a faint crossing)
/// can be placed on a jerk of the camera frames later; forced back next to the rest of
/// the edge they are measured at their real crossing, and the path is tested as any other.
fn trimmed(path: &[usize], pace: usize, a: usize, b: usize) -> Option<(usize, usize)> {
    let n = path.len();
    let (x, _) = path
        .windows(2)
        .enumerate()
        .max_by_key(|(i, w)| (w[1] - w[0], usize::MAX - i))?;
    let ends = ((n as f32 * END_LINES).ceil() as usize).max(1);
    let allowed = (STALL_PACES * pace.max(1)).max(3);
    let w = if x + 1 >= n - ends {
        (a, (path[x] + allowed + 1).min(b))
    } else if x < ends {
        (path[x + 1].saturating_sub(allowed).max(a), b)
    } else {
        return None;
    };
    (w != (a, b) && w.1 > w.0 + MIN_FRAMES).then_some(w)
}

/// Whether line `line` of `lines`, seen from a camera `d` cells away along them, shows
/// picture that was inside the frame, give or take [`OUTSIDE`].
fn inside(line: usize, d: f32, lines: usize) -> bool {
    let at = line as f32 + d;
    at >= -OUTSIDE && at <= (lines - 1) as f32 + OUTSIDE
}

/// Mean of one line of the thumbnail (a column when `columns`, else a row) over the
/// frames `from..to`, each seen from the camera position of frame `at` (`cam` holds the
/// positions of the frames from `lo` on); `None` when the line's picture was outside the
/// frame in one of them.
#[allow(clippy::too_many_arguments)]
fn line_mean(
    f: &[FrameFeatures],
    cam: &[[f32; 2]],
    lo: usize,
    at: usize,
    columns: bool,
    line: usize,
    from: usize,
    to: usize,
) -> Option<Vec<f32>> {
    let (lines, len) = axis(columns);
    let mut out = vec![0f32; len * 3];
    for (x, g) in f.iter().enumerate().take(to).skip(from) {
        let d = offset(cam, x - lo, at - lo);
        if !inside(line, if columns { d[0] } else { d[1] }, lines) {
            return None;
        }
        for i in 0..len {
            let (cx, cy) = if columns { (line, i) } else { (i, line) };
            for k in 0..3 {
                out[i * 3 + k] += if d == [0.0; 2] {
                    g.thumb_at((cy * THUMB_W + cx) * 3 + k)
                } else {
                    sample(|c| g.thumb_at(c), cx, cy, k, d)
                };
            }
        }
    }
    let n = (to - from).max(1) as f32;
    out.iter_mut().for_each(|v| *v /= n);
    Some(out)
}

fn line_dist(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).sum::<f32>() / a.len() as f32
}

/// How evenly `c` (non-negative amounts) is spread over its entries: the participation
/// ratio `(Σc)² / (n·Σc²)`, 1 when all are alike, `k/n` when only `k` of the `n` carry it.
fn participation(c: &[f32]) -> f32 {
    let (sum, sq): (f32, f32) = (c.iter().sum(), c.iter().map(|x| x * x).sum());
    if sq <= 0.0 {
        return 0.0;
    }
    sum * sum / (c.len() as f32 * sq)
}

/// Which lines' crossings are clear, and the share of the lines whose crossing stands
/// out of the frame. A crossing is clear when its step is visible ([`MIN_STEP`]), alone
/// in its line over time ([`TIME_CONTRAST`]), stands out of the frame
/// ([`SPACE_CONTRAST`]), and the line keeps its two looks for the whole wipe: before the
/// edge came (at the path's first crossing) it looked like just before its own crossing,
/// and after the edge left (at the path's last crossing) like just after it: neither
/// look is [`REVERTED`] times closer to the other side's (the shots may move, so only a
/// clear return counts). A subject
/// moving across the shot changes a column back once it has passed; a wipe's new
/// picture stays. `e` holds the steps of frames `lo..hi`; `path` is relative to `lo`.
#[allow(clippy::too_many_arguments)]
fn clear_lines(
    e: &[Vec<f32>],
    f: &[FrameFeatures],
    cam: &[[f32; 2]],
    lo: usize,
    hi: usize,
    columns: bool,
    order: &[usize],
    path: &[usize],
) -> (Vec<bool>, f32, f32) {
    let n = order.len();
    let m = STEP_SPAN;
    let mut band = 0usize;
    let mut clear = Vec::with_capacity(n);
    let mut others = Vec::with_capacity(n);
    let mut along = vec![0f32; if columns { THUMB_H } else { THUMB_W }];
    let (first, last) = (lo + path[0], lo + path[n - 1]);
    for (x, (&line, &t)) in order.iter().zip(path).enumerate() {
        let v = e[t][line];
        let from = t.saturating_sub(FAR);
        let to = (t + FAR + 1).min(e.len());
        let bg = (from..to)
            .filter(|&u| u.abs_diff(t) > NEAR)
            .map(|u| e[u][line])
            .fold(f32::NEG_INFINITY, f32::max)
            .max(0.0);
        others.clear();
        others.extend(
            order
                .iter()
                .enumerate()
                .filter(|(y, _)| y.abs_diff(x) > 3)
                .map(|(_, &l)| e[t][l]),
        );
        others.sort_by(f32::total_cmp);
        let median = others
            .get(others.len() / 2)
            .copied()
            .unwrap_or(0.0)
            .max(0.0);
        let stands_out = v >= SPACE_CONTRAST * median;
        band += stands_out as usize;
        let visible = (v >= MIN_STEP && v >= TIME_CONTRAST * bg)
            || (v >= FAINT_STEP && v >= FAINT_CONTRAST * bg);
        let mut ok = stands_out && visible;
        let mut why = String::new();
        if debug_lines() {
            why = format!("{line}@{}: v {v:.3} med {median:.3} bg {bg:.3}", lo + t);
        }
        if ok {
            let at = lo + t;
            let mean =
                |a: usize, b: usize| line_mean(f, cam, lo, at, columns, line, a.max(lo), b.min(hi));
            let looks = (
                mean(at.saturating_sub(m), at),
                mean(at, at + m),
                mean(first.saturating_sub(m), first),
                mean(last, last + m),
            );
            // A line the camera took out of the frame around its own crossing is not
            // clear. Its look at a far end of the path may lie outside the frame while the
            // crossing itself is seen (a shaken camera over a long wipe): that end cannot
            // show a return, so only the end that was seen is checked.
            ok = false;
            if let (Some(pre), Some(post), (old, new)) = (looks.0, looks.1, (looks.2, looks.3)) {
                let reverted = new
                    .as_ref()
                    .is_some_and(|new| line_dist(new, &pre) < REVERTED * line_dist(new, &post));
                let early = old
                    .as_ref()
                    .is_some_and(|old| line_dist(old, &post) < REVERTED * line_dist(old, &pre));
                ok = !reverted && !early;
                if debug_lines() {
                    why += &format!(
                        " rev {reverted} early {early} seen {} {}",
                        old.is_some(),
                        new.is_some()
                    );
                }
                if ok {
                    for (i, (x, y)) in pre.chunks_exact(3).zip(post.chunks_exact(3)).enumerate() {
                        along[i] += x.iter().zip(y).map(|(p, q)| (p - q).abs()).sum::<f32>();
                    }
                }
            }
        }
        if debug_lines() {
            eprintln!("    line {why} -> {ok}");
        }
        clear.push(ok);
    }
    (clear, band as f32 / n as f32, participation(&along))
}

/// Share of a path's step that is left when the camera's motion is taken out: the step
/// of every crossing in `c` (the same lines and frames measured with the frames aligned
/// on the camera, see [`camera`]) summed over those in `e` (measured as the frames are),
/// over the crossings measured in both with a positive step in `e`; 1 when none is.
fn camera_explained(e: &[Vec<f32>], c: &[Vec<f32>], order: &[usize], path: &[usize]) -> f32 {
    let (mut raw, mut kept) = (0f32, 0f32);
    for (&line, &t) in order.iter().zip(path) {
        let (v, w) = (e[t][line], c[t][line]);
        // A line the camera took out of the frame reads −1 in `c` (see [`steps`]).
        if v > 0.0 && w > -1.0 {
            raw += v;
            kept += w.max(0.0);
        }
    }
    if raw > 0.0 {
        kept / raw
    } else {
        1.0
    }
}

/// One edge path that passed.
#[derive(Debug, Clone)]
struct Track {
    travel: Travel,
    /// Crossing frame per line, in the order the edge crosses them.
    path: Vec<usize>,
    clear: f32,
}

impl Track {
    /// Last frame of the old picture and first frame of the new one: a line's crossing
    /// frame is where the edge passes its middle, so the edge entered the frame half a
    /// line's time before the first crossing and left it half a line's time after the
    /// last (the pace over the four lines at that end, rounded down).
    fn span(&self) -> (usize, usize) {
        let p = &self.path;
        let n = p.len();
        let k = 4.min(n - 1);
        let pace_in = (p[k] - p[0]) as f32 / k as f32;
        let pace_out = (p[n - 1] - p[n - 1 - k]) as f32 / k as f32;
        let s = p[0].saturating_sub(1 + (0.5 * pace_in) as usize);
        let e = p[n - 1] + (0.5 * pace_out) as usize;
        (s, e)
    }

    /// Share of the lines the edge has crossed, for every frame strictly between `s` and `e`.
    fn progress(&self, s: usize, e: usize) -> Vec<f32> {
        let n = self.path.len() as f32;
        (s + 1..e)
            .map(|t| self.path.iter().filter(|&&c| c <= t).count() as f32 / n)
            .collect()
    }
}

/// Straight wipes in `[lo, hi)` (a segment between hard cuts) whose frames are all still
/// free in `taken` (marked taken when found).
///
/// `found` holds what the model fits of [`super::gradual`] found in the segment. A wipe
/// there that wholly contains an edge track (one that passes every test above) takes the
/// track's span and progress: the track's crossings are the frames the edge passes each line,
/// while the model's located span can run early or late over a moving shot (a wipe
/// between two framings of BBB's 24–28 s read 13 frames early).
pub fn detect_in_segment(
    f: &[FrameFeatures],
    lo: usize,
    hi: usize,
    fps: f64,
    taken: &mut [bool],
    found: &mut [Gradual],
) -> Vec<Gradual> {
    let win = ((MAX_SPAN_S * fps).round() as usize).max(MIN_FRAMES + 2);
    let gap = ((0.25 * fps).round() as usize).max(3);
    if hi < lo + 2 * STEP_SPAN + MIN_FRAMES {
        return Vec::new();
    }
    // Measured twice when the camera moved: as the frames are, and with the camera's
    // motion taken out (see [`camera`]). The motion estimate is wrong on the frames of
    // the wipe itself when the edge is the strongest thing moving (a wipe up over a still
    // picture reads as the camera tilting), which spoils the second measure of wipes a
    // still camera shows clearly; shake spoils the first. Tracks of both pass the same
    // tests and are pooled, the clearest first.
    let held = vec![[0f32; 2]; hi - lo];
    let moved = camera(f, lo, hi);
    let cams: &[&[[f32; 2]]] = if moved.iter().any(|d| *d != [0.0; 2]) {
        &[&held, &moved]
    } else {
        &[&held]
    };
    let mut tracks: Vec<Track> = Vec::new();
    // The steps of each axis with the camera's motion taken out, to ask of a track found
    // as the frames are whether the camera explains it (see [`camera_explained`]).
    let compensated: Option<[Vec<Vec<f32>>; 2]> = (cams.len() > 1).then(|| {
        [
            steps(f, &moved, lo, hi, true),
            steps(f, &moved, lo, hi, false),
        ]
    });
    for (k, (cam, columns)) in cams
        .iter()
        .flat_map(|c| [(*c, true), (*c, false)])
        .enumerate()
    {
        let own = k >= 2;
        let measured;
        let e: &[Vec<f32>] = match (&compensated, own) {
            (Some(c), true) => &c[usize::from(!columns)],
            _ => {
                measured = steps(f, cam, lo, hi, columns);
                &measured
            }
        };
        let explained_by = compensated
            .as_ref()
            .filter(|_| !own)
            .map(|c| &c[usize::from(!columns)]);
        let travels = if columns {
            [Travel::Right, Travel::Left]
        } else {
            [Travel::Down, Travel::Up]
        };
        for travel in travels {
            let n = travel.lines();
            let order: Vec<usize> = match travel {
                Travel::Right | Travel::Down => (0..n).collect(),
                Travel::Left | Travel::Up => (0..n).rev().collect(),
            };
            let stride = (win / 4).max(1);
            let mut a = 0;
            while a + MIN_FRAMES < e.len() {
                let b = (a + win).min(e.len());
                // The window's best path, and once more in a window trimmed to it when it
                // stalls near one end (see [`trimmed`]).
                let mut window = Some((a, b));
                let mut retried = false;
                while let Some((a1, b1)) = window.take() {
                    let path = best_path(e, &order, a1, b1, gap);
                    let travelled = path[n - 1] - path[0];
                    let mut paces: Vec<usize> = path.windows(2).map(|w| w[1] - w[0]).collect();
                    paces.sort_unstable();
                    let stall = paces[paces.len() - 1];
                    let pace = paces[paces.len() / 2];
                    let paced = travelled >= MIN_FRAMES
                        && stall as f32 <= MAX_STALL * travelled as f32
                        && stall <= (STALL_PACES * pace).max(3);
                    if !paced {
                        if debug_lines() {
                            eprintln!(
                                "  edge path {} {}-{}: travel {travelled} stall {stall} pace {pace}: not paced [{}]",
                                travel.name(),
                                lo + path[0],
                                lo + path[n - 1],
                                path.iter().map(|t| (lo + t).to_string()).collect::<Vec<_>>().join(" ")
                            );
                        }
                        if !std::mem::replace(&mut retried, true) {
                            window = trimmed(&path, pace, a1, b1);
                        }
                        continue;
                    }
                    let (lines, band, across) =
                        clear_lines(e, f, cam, lo, hi, columns, &order, &path);
                    let clear = lines.iter().filter(|c| **c).count() as f32 / n as f32;
                    if debug() && clear >= 0.4 {
                        let marks: String = path
                            .iter()
                            .zip(&lines)
                            .map(|(t, c)| format!("{}{}", lo + t, if *c { "" } else { "?" }))
                            .collect::<Vec<_>>()
                            .join(" ");
                        eprintln!(
                            "edge {} {}-{}: clear {clear:.2} band {band:.2} across {across:.2} stall {stall} [{marks}]",
                            travel.name(),
                            lo + path[0],
                            lo + path[n - 1]
                        );
                    }
                    let kept = explained_by.map_or(1.0, |c| camera_explained(e, c, &order, &path));
                    if debug() && clear >= 0.4 {
                        eprintln!(
                            "  edge {} {}-{} ({}): step left with the camera taken out {kept:.2}",
                            travel.name(),
                            lo + path[0],
                            lo + path[n - 1],
                            if own {
                                "camera taken out"
                            } else {
                                "as the frames are"
                            }
                        );
                    }
                    if clear >= MIN_CLEAR
                        && band >= MIN_BAND
                        && across >= MIN_ACROSS
                        && kept >= CAMERA_KEPT
                    {
                        tracks.push(Track {
                            travel,
                            path: path.iter().map(|t| lo + t).collect(),
                            clear,
                        });
                    }
                }
                if b == e.len() {
                    break;
                }
                a += stride;
            }
        }
    }
    // The clearest tracks first; overlapping windows find the same edge more than once.
    tracks.sort_by(|x, y| y.clear.total_cmp(&x.clear));
    let mut out = Vec::new();
    // Which of `found` took an edge's span already (the clearest track refines a wipe;
    // the weaker tracks of the same edge in other windows must not refine it again).
    let mut refined = vec![false; found.len()];
    for tr in tracks {
        let (s, e) = tr.span();
        let e = e.min(hi - 1);
        let s = s.max(lo);
        if f[s..=e].iter().any(|g| g.is_solid()) {
            continue;
        }
        if taken[s..=e].iter().any(|t| *t) {
            refine(found, &mut refined, &tr, s, e, taken);
            continue;
        }
        taken[s..=e].iter_mut().for_each(|t| *t = true);
        if debug() {
            eprintln!(
                "  found wipe {s}-{e} from its edge ({}, clear {:.2}, crossings {}-{})",
                tr.travel.name(),
                tr.clear,
                tr.path[0],
                tr.path[tr.path.len() - 1]
            );
        }
        let progress = tr.progress(s, e);
        out.push(Gradual::new("wipe", s, e, progress, tr.clear));
    }
    out
}

/// Gives the model-found wipe of `found` that covers most of `[s, e]` the track's span
/// and progress, and updates `taken`: frees the frames it no longer covers, takes the few
/// the track adds (only if they are free). A wipe already within a frame of the track's
/// span, or a transition of another kind, is left as found.
fn refine(
    found: &mut [Gradual],
    refined: &mut [bool],
    tr: &Track,
    s: usize,
    e: usize,
    taken: &mut [bool],
) {
    let overlap = |g: &Gradual| (e.min(g.end) + 1).saturating_sub(s.max(g.start));
    let Some(k) = found
        .iter()
        .position(|g| g.kind == "wipe" && 2 * overlap(g) >= e + 1 - s)
    else {
        return;
    };
    if std::mem::replace(&mut refined[k], true) {
        return;
    }
    let g = &mut found[k];
    if g.start.abs_diff(s) <= 1 && g.end.abs_diff(e) <= 1 {
        return;
    }
    if (s..g.start).chain(g.end + 1..=e).any(|i| taken[i]) {
        return;
    }
    if debug() {
        eprintln!(
            "  wipe {}-{} takes the span {s}-{e} of its edge ({}, clear {:.2})",
            g.start,
            g.end,
            tr.travel.name(),
            tr.clear
        );
    }
    taken[g.start..=g.end].iter_mut().for_each(|t| *t = false);
    taken[s..=e].iter_mut().for_each(|t| *t = true);
    let confidence = g.confidence.max(tr.clear);
    *g = Gradual::new("wipe", s, e, tr.progress(s, e), confidence);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::video::gradual;
    use crate::video::shots;

    const W: usize = 64;
    const H: usize = 36;
    const FPS: f64 = 25.0;

    /// A textured picture at continuous position (`x`, `y`) whose texture drifts a little
    /// with time `t` (the shot keeps moving).
    fn picture(x: f32, y: f32, t: f32) -> [u8; 3] {
        let v = 128.0
            + 60.0 * (x * 0.21 + 0.4 * (y * 0.17).sin()).sin() * (y * 0.27 + 0.03 * x).cos()
            + 25.0 * (x * 0.05 + y * 0.09 + 0.15 * t).sin();
        let v = v.clamp(0.0, 255.0);
        [v as u8, (0.8 * v + 20.0) as u8, (255.0 - v) as u8]
    }

    /// `picture` magnified `z` times about (0.6, 0.6) of the frame: a punch-in.
    fn punched(x: f32, y: f32, t: f32, z: f32) -> [u8; 3] {
        let (cx, cy) = (0.6 * W as f32, 0.6 * H as f32);
        picture(cx + (x - cx) / z, cy + (y - cy) / z, t)
    }

    fn features(n: usize, rgb: &[u8]) -> FrameFeatures {
        FrameFeatures::from_rgb(n as f64 / FPS, W, H, rgb)
    }

    /// [`steps`] as written before its decoded sliding window: every value read from the
    /// features one by one.
    fn steps_reference(f: &[FrameFeatures], lo: usize, hi: usize, columns: bool) -> Vec<Vec<f32>> {
        let (lines, len) = axis(columns);
        let cell = |line: usize, i: usize| {
            if columns {
                i * THUMB_W + line
            } else {
                line * THUMB_W + i
            }
        };
        let m = STEP_SPAN;
        let mut out = vec![vec![-1f32; lines]; hi - lo];
        if hi - lo < 2 * m {
            return out;
        }
        let vals = (len * 3) as f32;
        for t in lo + m..=hi - m {
            for (line, o) in out[t - lo].iter_mut().enumerate() {
                let (mut mb, mut ma) = (vec![0f32; len * 3], vec![0f32; len * 3]);
                for j in 0..m {
                    for i in 0..len {
                        for k in 0..3 {
                            let c = cell(line, i) * 3 + k;
                            mb[i * 3 + k] += f[t - m + j].thumb_at(c);
                            ma[i * 3 + k] += f[t + j].thumb_at(c);
                        }
                    }
                }
                mb.iter_mut()
                    .chain(ma.iter_mut())
                    .for_each(|v| *v /= m as f32);
                let jump: f32 = mb.iter().zip(&ma).map(|(x, y)| (x - y).abs()).sum::<f32>() / vals;
                let mut spread = 0f32;
                for j in 0..m {
                    for i in 0..len {
                        for k in 0..3 {
                            let c = cell(line, i) * 3 + k;
                            spread += (f[t - m + j].thumb_at(c) - mb[i * 3 + k]).abs()
                                + (f[t + j].thumb_at(c) - ma[i * 3 + k]).abs();
                        }
                    }
                }
                *o = jump - spread / (vals * m as f32);
            }
        }
        out
    }

    /// The sliding window of decoded frames gives every step exactly as reading each
    /// frame's values one by one does, on segments starting anywhere (not only on a
    /// multiple of the window) and as short as one window.
    #[test]
    fn step_window_matches_per_frame_reads() {
        let f = framing_wipe(20, 12, 60);
        for (lo, hi) in [(0, 60), (7, 53), (13, 19), (25, 31), (4, 9)] {
            for columns in [true, false] {
                let got = steps(&f, &camera(&f, lo, hi), lo, hi, columns);
                let want = steps_reference(&f, lo, hi, columns);
                assert_eq!(got.len(), want.len());
                for (t, (g, w)) in got.iter().zip(&want).enumerate() {
                    let (g, w): (Vec<u32>, Vec<u32>) = (
                        g.iter().map(|v| v.to_bits()).collect(),
                        w.iter().map(|v| v.to_bits()).collect(),
                    );
                    assert_eq!(g, w, "{lo}..{hi} columns {columns} frame {t}");
                }
            }
        }
    }

    /// 110 frames painted pixel by pixel by `paint(frame, x, y)`: the edge path finds
    /// no wipe in them.
    fn assert_no_wipe(paint: impl Fn(usize, f32, f32) -> [u8; 3]) {
        let f: Vec<FrameFeatures> = (0..110)
            .map(|n| {
                let rgb: Vec<u8> = (0..W * H)
                    .flat_map(|i| paint(n, (i % W) as f32, (i / W) as f32))
                    .collect();
                features(n, &rgb)
            })
            .collect();
        let mut taken = vec![false; f.len()];
        let found = detect_in_segment(&f, 0, f.len(), FPS, &mut taken, &mut []);
        assert!(found.is_empty(), "{found:?}");
    }

    /// One picture, then from frame `start` over `len` frames an eased (`u·(2 − u)`)
    /// wipe to the left, to its 1.25× punch-in; both framings keep moving.
    fn framing_wipe(start: usize, len: usize, total: usize) -> Vec<FrameFeatures> {
        (0..total)
            .map(|n| {
                let t = n as f32;
                let u = ((t - start as f32) / len as f32).clamp(0.0, 1.0);
                let edge = W as f32 * (1.0 - u * (2.0 - u));
                let rgb: Vec<u8> = (0..W * H)
                    .flat_map(|i| {
                        let (x, y) = ((i % W) as f32, (i / W) as f32);
                        if x >= edge {
                            punched(x, y, t, 1.25)
                        } else {
                            picture(x, y, t)
                        }
                    })
                    .collect();
                features(n, &rgb)
            })
            .collect()
    }

    /// A hand-held camera's path over `n` frames, pixels of the test frames (x, y): a
    /// mean-reverting random walk with seeded (xorshift) kicks, moving 0.8 px a frame on
    /// average and up to 2.5 px (0.4 and 1.2 thumbnail cells; the cockatoo's 0.2–1.6)
    /// within ±3.4 px of its centre (5 % of the width).
    fn shake(n: usize) -> Vec<[f32; 2]> {
        let mut s = 0x9E37_79B9_7F4A_7C15u64;
        let mut kick = move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 40) as f32 / (1u64 << 24) as f32 - 0.5
        };
        let (mut p, mut v) = ([0f32; 2], [0f32; 2]);
        (0..n)
            .map(|_| {
                for k in 0..2 {
                    v[k] = 0.4 * v[k] + 3.0 * kick() - 0.4 * p[k];
                    p[k] += v[k];
                }
                p
            })
            .collect()
    }

    /// The one transition the edge detector finds in `f`: a wipe within a frame of
    /// `start` and three of `start + len` (an eased end moves slowly).
    fn the_one_wipe(f: &[FrameFeatures], start: usize, len: usize) -> Gradual {
        let mut taken = vec![false; f.len()];
        let found = detect_in_segment(f, 0, f.len(), FPS, &mut taken, &mut []);
        assert_eq!(found.len(), 1, "{found:?}");
        let g = found.into_iter().next().unwrap();
        assert_eq!(g.kind, "wipe");
        assert!(g.start.abs_diff(start) <= 1, "{g:?}");
        assert!(g.end.abs_diff(start + len) <= 3, "{g:?}");
        g
    }

    /// `paint(frame, x, y)` over 110 frames seen through [`shake`]: the picture moves by
    /// the camera's path, and every frame carries the move since the previous one as the
    /// motion estimate would (in cells: 2 px of the 64×36 frame).
    fn shaken(paint: impl Fn(usize, f32, f32) -> [u8; 3]) -> Vec<FrameFeatures> {
        let cam = shake(110);
        (0..110)
            .map(|n| {
                let [dx, dy] = cam[n];
                let rgb: Vec<u8> = (0..W * H)
                    .flat_map(|i| paint(n, (i % W) as f32 - dx, (i / W) as f32 - dy))
                    .collect();
                let mut g = features(n, &rgb);
                if n > 0 {
                    let c = (W / THUMB_W) as f32;
                    g.shift = [(dx - cam[n - 1][0]) / c, (dy - cam[n - 1][1]) / c];
                }
                g
            })
            .collect()
    }

    /// A linear wipe to the left (as ffmpeg's `xfade` draws them) between a still picture
    /// and its 1.5× punch-in filmed hand-held: the shake
    /// moves every column of the picture in every frame, so without the camera's motion
    /// no crossing stands out and nothing is found; with it taken out, the wipe is found
    /// within a frame of its start and three of its end. The edge itself stays put on the
    /// screen, as an editor's wipe over shaky footage does.
    #[test]
    fn a_wipe_over_a_shaking_camera_is_found() {
        let (s, len) = (40usize, 30usize);
        let edge = |n: usize| {
            let u = ((n as f32 - s as f32) / len as f32).clamp(0.0, 1.0);
            W as f32 * (1.0 - u)
        };
        let cam = shake(110);
        let f = shaken(|n, x, y| {
            // `x`, `y` are picture coordinates; the edge is at a screen column.
            if x + cam[n][0] >= edge(n) {
                punched(x, y, 0.0, 1.5)
            } else {
                picture(x, y, 0.0)
            }
        });
        let mut still = f.clone();
        still.iter_mut().for_each(|g| g.shift = [0.0; 2]);
        let mut taken = vec![false; f.len()];
        let found = detect_in_segment(&still, 0, f.len(), FPS, &mut taken, &mut []);
        assert!(found.is_empty(), "found without the camera: {found:?}");
        the_one_wipe(&f, s, len);
    }

    /// The same shaking camera over the subject crossing a still shot of
    /// [`a_subject_crossing_the_shot_is_no_wipe`] reads no wipe with its motion taken out.
    #[test]
    fn a_shaking_camera_alone_is_no_wipe() {
        let f = shaken(|n, x, y| {
            let left = 2.0 * (n as f32 - 30.0) - 26.0;
            if x >= left && x < left + 26.0 && (9.0..27.0).contains(&y) {
                [200, 40, 40]
            } else {
                picture(x, y, 0.0)
            }
        });
        let mut taken = vec![false; f.len()];
        let found = detect_in_segment(&f, 0, f.len(), FPS, &mut taken, &mut []);
        assert!(found.is_empty(), "{found:?}");
    }

    /// A wipe between a picture and its punch-in: the model fits over the end frames read
    /// nothing (the two framings share their colours, so the long-range change is small),
    /// the edge finds the wipe, within a frame of its start and two of its end (the
    /// eased end moves slowly).
    #[test]
    fn a_wipe_between_two_framings_of_one_picture_is_found() {
        let (s, len) = (40usize, 30usize);
        let f = framing_wipe(s, len, 110);
        let mut taken = vec![false; f.len()];
        let models = gradual::detect_in_segment(&f, 0, f.len(), FPS, &mut taken);
        assert!(models.is_empty(), "the models read it: {models:?}");
        let g = the_one_wipe(&f, s, len);
        assert_eq!(g.easing, "ease-out", "{g:?}");
        // The whole detector reports it as the one transition, no cut.
        let report = shots::segment(&f, FPS, f.len() as f64 / FPS);
        let kinds: Vec<&str> = report.transitions.iter().map(|t| t.kind.as_str()).collect();
        assert_eq!(kinds, vec!["wipe"]);
    }

    /// A wipe the model fits found with a span that runs early and late (frames 25–75 for
    /// a wipe over 40–70) takes the span of its clear edge, and frees the frames it no
    /// longer covers; a transition of another kind is left alone.
    #[test]
    fn a_found_wipe_takes_the_span_of_its_edge() {
        let (s, len) = (40usize, 30usize);
        let f = framing_wipe(s, len, 110);
        let model = |kind: &'static str| Gradual::new(kind, 25, 75, vec![0.5; 49], 0.3);
        let mut taken = vec![false; f.len()];
        taken[25..=75].iter_mut().for_each(|t| *t = true);
        let mut found = vec![model("wipe")];
        let new = detect_in_segment(&f, 0, f.len(), FPS, &mut taken, &mut found);
        assert!(new.is_empty(), "{new:?}");
        let g = &found[0];
        assert!(g.start.abs_diff(s) <= 1, "{g:?}");
        assert!(g.end.abs_diff(s + len) <= 3, "{g:?}");
        assert_eq!(g.easing, "ease-out", "{g:?}");
        assert!(g.confidence >= MIN_CLEAR, "{g:?}");
        assert!(!taken[25..g.start].iter().any(|t| *t));
        assert!(taken[g.start..=g.end].iter().all(|t| *t));
        assert!(!taken[g.end + 1..=75].iter().any(|t| *t));

        let mut taken = vec![false; f.len()];
        taken[25..=75].iter_mut().for_each(|t| *t = true);
        let mut found = vec![model("dissolve")];
        detect_in_segment(&f, 0, f.len(), FPS, &mut taken, &mut found);
        assert_eq!((found[0].start, found[0].end), (25, 75));
    }

    /// A still shot with a subject (a box half the frame high and 13 columns wide) moving
    /// across it from the left edge to the right at a column per frame: its leading edge
    /// sweeps every column in order, but each column changes back once it has passed.
    #[test]
    fn a_subject_crossing_the_shot_is_no_wipe() {
        assert_no_wipe(|n, x, y| {
            let left = 2.0 * (n as f32 - 30.0) - 26.0;
            if x >= left && x < left + 26.0 && (9.0..27.0).contains(&y) {
                [200, 40, 40]
            } else {
                picture(x, y, 0.0)
            }
        });
    }

    /// Objects rising together over a still background (a column of icons scrolling up
    /// over a grid, as in the `wannaworktogether` template): the top of the column crosses
    /// every row in order and the rows it has crossed stay changed (the flat grey of the
    /// icons' discs), as under an upward wipe, but only across the third of the width the
    /// column covers.
    #[test]
    fn objects_rising_over_a_still_background_are_no_wipe() {
        assert_no_wipe(|n, x, y| {
            let top = H as f32 + 10.0 - (n as f32 - 30.0);
            if (22.0..44.0).contains(&x) && y >= top {
                [150, 150, 150]
            } else {
                picture(x, y, 0.0)
            }
        });
    }

    /// A whip pan: every column changes at once, no band moves across the picture.
    #[test]
    fn a_pan_is_no_wipe() {
        assert_no_wipe(|n, x, y| picture(x + 3.0 * (n.clamp(40, 70) - 40) as f32, y, 0.0));
    }
}
