//! Letterbox and pillarbox bars: the active picture of an input.
//!
//! A 16:9 clip centred in a 9:16 reel, a 4:3 archive clip in 16:9 or a 2.39:1 film in
//! 16:9 shows its picture inside constant bars. Every measure that averages over the
//! frame (the cut distance, the gradual-transition models, camera motion, the grade's
//! statistics) is diluted by them: the picture of a 16:9 clip in 9:16 is a third of the
//! frame. [`find_active_area`] reads the bars off a few frames of the input (the analysis
//! reads its key frames: from its own decode of the whole frame when its first key frames
//! rule bars out, [`AreaSearch::settled_full`], else from a probe before a decode that
//! crops to the active picture, `stylecut_style::analyze`), so every analyser sees the
//! picture alone.
//!
//! In each frame, a bar is a run of whole rows (columns) from the frame's edge inwards in
//! which every pixel is within [`BAR_TOLERANCE`] of the edge row's (column's) colour. A
//! frame whose bars leave less than [`MIN_PICTURE_SHARE`] of either side (a solid frame: a
//! black leader, a fade's core, a title on black) says nothing and is skipped. Over the
//! frames left, each side's bar is the narrowest seen (the union of the pictures: bars
//! that only some shots show do not crop the others) and must have one colour in every
//! frame (within the tolerance); a side narrower than [`MIN_BAR_SHARE`] of the frame,
//! or an axis whose two bars together are narrower than [`MIN_AXIS_SHARE`], is no bar
//! (the few black columns of analogue blanking stay).
//!
//! Reels often fill the bars with a blurred, enlarged copy of the picture instead of one
//! colour: no edge line is uniform, so the test above finds nothing. [`BlurSearch`] reads
//! these surrounds from the same frames by their texture: per line (row, or column for
//! pillars) the mean luma step along it. A line of the blurred copy is smooth; the picture
//! starts at a straight line where that texture jumps ([`BLUR_JUMP`]) and stays, in every
//! frame, at the same place. A candidate boundary at `t` lines from an edge dies in the
//! first frame whose `t` lines are not much smoother than the picture between the two
//! candidates ([`BLUR_SMOOTH_RATIO`]); at the end each side takes the live boundary whose
//! jump at least half the frames with texture show ([`BLUR_CONFIRM_SHARE`]), the two
//! sides of an axis balanced as bars are and each at least [`BLUR_MIN_SHARE`] of the
//! frame. A shallow depth of field rarely passes: its blur follows the subject, not one
//! straight line at the same place in every key frame, and it is seldom balanced on two
//! opposite sides; and the picture inside must have one of the shapes clips are delivered
//! in ([`BLUR_PICTURE_SHAPES`]). Constant bars, when found, win.

use super::frame::FrameRef;

/// Largest difference of a bar pixel from its edge's colour, per channel (0..255): a
/// compressed constant pad reads 0–3 away; the rows next to the picture carry ringing and
/// the scale's blend and end the run.
pub const BAR_TOLERANCE: u8 = 10;
/// A frame whose bars leave less than this share of its width or height is skipped.
pub const MIN_PICTURE_SHARE: f64 = 0.1;
/// A side's bar narrower than this share of the frame is no bar.
pub const MIN_BAR_SHARE: f64 = 0.02;
/// The two bars of an axis together must take at least this share of the frame.
pub const MIN_AXIS_SHARE: f64 = 0.05;

/// Lines of the probed frame taken off the picture next to each bar found.
pub const EDGE_MARGIN: usize = 1;
/// Largest difference of an axis's two bars, as a share of the larger ([`balanced`]).
pub const MAX_BAR_IMBALANCE: f64 = 0.25;
/// Difference of an axis's two bars always allowed, analysis lines (rounding of the pad).
pub const BAR_IMBALANCE_PX: usize = 3;

/// A blurred-copy surround on one side takes at least this share of the frame's side (16:9
/// in 4:3 leaves 12.5 % on each side; 16:9 in 9:16 34 %).
pub const BLUR_MIN_SHARE: f64 = 0.08;
/// ... and at most this share (the picture keeps a tenth of the side).
pub const BLUR_MAX_SHARE: f64 = 0.45;
/// Frames whose centre lines (the middle fifth of the rows, and of the columns) carry less
/// texture than this (median of the lines' mean absolute luma step, 0..255) along both
/// say nothing about a surround: black, flat or faded frames.
pub const BLUR_MIN_TEXTURE: f64 = 0.5;
/// The surround's lines carry at most this share of the texture of the picture between
/// the two candidate boundaries, in every frame with texture.
pub const BLUR_SMOOTH_RATIO: f64 = 0.5;
/// Texture of the [`BLUR_JUMP_LINES`] picture lines past the boundary over that of the
/// surround lines before it, at least: the straight edge of the inserted picture.
pub const BLUR_JUMP: f64 = 2.0;
/// Lines each side of a boundary its jump is measured over.
pub const BLUR_JUMP_LINES: usize = 3;
/// Share of the frames with texture that must show a side's jump at its boundary.
pub const BLUR_CONFIRM_SHARE: f64 = 0.5;
/// Shapes of the picture a blurred surround may hold (width over height): the shapes clips
/// are shot and delivered in. A smooth surround round another shape is scene content (a
/// framed graphic on a dark ground, a subject against a soft background).
pub const BLUR_PICTURE_SHAPES: [f64; 12] = [
    16.0 / 9.0,
    4.0 / 3.0,
    1.0,
    4.0 / 5.0,
    9.0 / 16.0,
    3.0 / 4.0,
    2.39,
    1.85,
    2.0,
    5.0 / 4.0,
    3.0 / 2.0,
    2.0 / 3.0,
];
/// Largest relative difference of the picture's shape (inside the boundaries found, before
/// [`BLUR_EDGE_MARGIN`]) from one of [`BLUR_PICTURE_SHAPES`].
pub const BLUR_SHAPE_TOLERANCE: f64 = 0.05;
/// Lines of the analysis frame taken off the picture next to a blurred surround (the
/// overlay's blend and a thin frame some reels draw round the picture).
pub const BLUR_EDGE_MARGIN: usize = 2;

/// The active picture, in fractions of the frame (display geometry) from its top left.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ActiveArea {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

impl ActiveArea {
    /// The whole frame.
    pub const FULL: ActiveArea = ActiveArea {
        x: 0.0,
        y: 0.0,
        width: 1.0,
        height: 1.0,
    };

    /// Whether this is the whole frame (no bar).
    pub fn is_full(&self) -> bool {
        *self == Self::FULL
    }

    /// The pixels of `f` inside the area (packed RGB24, row by row), with their size: what
    /// a decode cropped to the area gives, at this frame's scale.
    pub fn crop(&self, f: &FrameRef<'_>) -> (Vec<u8>, usize, usize) {
        let (x0, y0, w, h) = self.pixels(f.width, f.height);
        let mut out = Vec::with_capacity(w * h * 3);
        for y in y0..y0 + h {
            let row = (y * f.width + x0) * 3;
            out.extend_from_slice(&f.rgb[row..row + w * 3]);
        }
        (out, w, h)
    }

    /// The area in pixels of a `width`×`height` frame: (x, y, w, h).
    pub fn pixels(&self, width: usize, height: usize) -> (usize, usize, usize, usize) {
        let x0 = (self.x * width as f64).round() as usize;
        let y0 = (self.y * height as f64).round() as usize;
        let x1 = ((self.x + self.width) * width as f64).round() as usize;
        let y1 = ((self.y + self.height) * height as f64).round() as usize;
        (x0, y0, x1.min(width) - x0, y1.min(height) - y0)
    }
}

/// One side's bar in one frame: its width in rows (columns) and its colour.
#[derive(Debug, Clone, Copy)]
struct Bar {
    size: usize,
    colour: [u8; 3],
}

fn close(a: [u8; 3], b: [u8; 3]) -> bool {
    a.iter()
        .zip(&b)
        .all(|(p, q)| p.abs_diff(*q) <= BAR_TOLERANCE)
}

/// The bar along one edge: `line(k)` yields the pixels of the `k`-th line from that edge
/// (`lines` in all). The edge line must be uniform; the bar runs while lines stay within
/// the tolerance of its colour.
fn edge_bar<'a, I>(lines: usize, line: impl Fn(usize) -> I) -> Bar
where
    I: Iterator<Item = [u8; 3]> + 'a,
{
    let mut first = line(0);
    let Some(colour) = first.next() else {
        return Bar {
            size: 0,
            colour: [0; 3],
        };
    };
    let mut size = 0;
    while size < lines && line(size).all(|p| close(p, colour)) {
        size += 1;
    }
    Bar { size, colour }
}

/// The four bars of one frame (top, bottom, left, right), or None when they leave too
/// little picture for the frame to say where the picture is.
fn frame_bars(f: &FrameRef<'_>) -> Option<[Bar; 4]> {
    let (w, h) = (f.width, f.height);
    if w == 0 || h == 0 || f.rgb.len() < w * h * 3 {
        return None;
    }
    let px = |x: usize, y: usize| {
        let i = (y * w + x) * 3;
        [f.rgb[i], f.rgb[i + 1], f.rgb[i + 2]]
    };
    let top = edge_bar(h, |k| (0..w).map(move |x| px(x, k)));
    let bottom = edge_bar(h, |k| (0..w).map(move |x| px(x, h - 1 - k)));
    let left = edge_bar(w, |k| (0..h).map(move |y| px(k, y)));
    let right = edge_bar(w, |k| (0..h).map(move |y| px(w - 1 - k, y)));
    let left_h = h.saturating_sub(top.size + bottom.size) as f64 / h as f64;
    let left_w = w.saturating_sub(left.size + right.size) as f64 / w as f64;
    if left_h < MIN_PICTURE_SHARE || left_w < MIN_PICTURE_SHARE {
        return None;
    }
    Some([top, bottom, left, right])
}

/// Bars pad a centred picture: the two bars of an axis differ by at most
/// [`MAX_BAR_IMBALANCE`] of the larger, or [`BAR_IMBALANCE_PX`] lines. Uniform scene
/// content at an edge (a dark sky above, a plain wall to one side, a dark background
/// around a subject that moves later, with few key frames to probe) is rarely balanced
/// so, and cropping it away would cut off picture the rest of the clip uses.
fn balanced(a: usize, b: usize) -> bool {
    let (lo, hi) = (a.min(b), a.max(b));
    hi - lo <= BAR_IMBALANCE_PX.max((MAX_BAR_IMBALANCE * hi as f64).round() as usize)
}

/// The active picture of frames of one input (every frame the same size), or
/// [`ActiveArea::FULL`] when they show no bar (or none says where the picture is).
pub fn find_active_area<'a>(frames: impl IntoIterator<Item = FrameRef<'a>>) -> ActiveArea {
    let mut search = AreaSearch::default();
    for f in frames {
        search.push(&f);
    }
    search.finish()
}

/// [`find_active_area`] a frame at a time: [`AreaSearch::push`] each frame, then
/// [`AreaSearch::finish`]. [`AreaSearch::settled_full`] says, before the last frame, when
/// no later frame can give a bar any more (what lets the analysis decode the whole frame
/// at once instead of probing first).
#[derive(Debug, Clone, Default)]
pub struct AreaSearch {
    /// Each side's narrowest bar so far, and whether it kept one colour.
    seen: Option<([Bar; 4], [bool; 4])>,
    width: usize,
    height: usize,
    /// Frames of another size came: no bar.
    mixed: bool,
    /// The blurred-copy surround read from the same frames.
    blur: BlurSearch,
}

impl AreaSearch {
    /// Reads one frame's bars.
    pub fn push(&mut self, f: &FrameRef<'_>) {
        if self.mixed {
            return;
        }
        if self.seen.is_some() && (f.width, f.height) != (self.width, self.height) {
            self.mixed = true;
            return;
        }
        if self.seen.is_none() && self.blur.size.is_some_and(|s| s != (f.width, f.height)) {
            self.mixed = true;
            return;
        }
        self.blur.push(f);
        let Some(bars) = frame_bars(f) else {
            return;
        };
        (self.width, self.height) = (f.width, f.height);
        match &mut self.seen {
            None => self.seen = Some((bars, [true; 4])),
            Some((acc, same)) => {
                for k in 0..4 {
                    same[k] &= close(acc[k].colour, bars[k].colour);
                    acc[k].size = acc[k].size.min(bars[k].size);
                }
            }
        }
    }

    /// Whether a frame that says where the picture is has been read (a solid frame does
    /// not).
    pub fn has_picture(&self) -> bool {
        self.mixed || self.seen.is_some()
    }

    /// Whether the search ends in [`ActiveArea::FULL`] whatever frames follow: each
    /// side's bar only narrows (or loses its colour) with more frames, so once both axes'
    /// bars together fall short of [`MIN_AXIS_SHARE`], they stay short; and no blurred
    /// surround is left ([`BlurSearch::settled`]).
    pub fn settled_full(&self) -> bool {
        self.mixed || (self.blur.settled() && self.bars_settled())
    }

    /// Whether no bar of one colour can come of the frames pushed and any that follow
    /// (only a blurred-copy surround may still be undecided): see [`Self::settled_full`].
    pub fn bars_settled(&self) -> bool {
        self.mixed
            || self.seen.as_ref().is_some_and(|(bars, same)| {
                let s = self.sides(bars, same);
                let (w, h) = (self.width as f64, self.height as f64);
                ((s[0] + s[1]) as f64) < MIN_AXIS_SHARE * h
                    && ((s[2] + s[3]) as f64) < MIN_AXIS_SHARE * w
            })
    }

    /// Each side's bar (top, bottom, left, right) after [`MIN_BAR_SHARE`] and the colour
    /// test.
    fn sides(&self, bars: &[Bar; 4], same: &[bool; 4]) -> [usize; 4] {
        let side = |k: usize, len: usize| {
            let s = if same[k] { bars[k].size } else { 0 };
            if (s as f64) < MIN_BAR_SHARE * len as f64 {
                0
            } else {
                s
            }
        };
        let (w, h) = (self.width, self.height);
        [side(0, h), side(1, h), side(2, w), side(3, w)]
    }

    /// The active picture of the frames pushed: constant bars when there are any, else a
    /// blurred-copy surround ([`BlurSearch`]).
    pub fn finish(&self) -> ActiveArea {
        if self.mixed {
            return ActiveArea::FULL;
        }
        let bars = self.finish_bars();
        if bars.is_full() {
            self.blur.finish()
        } else {
            bars
        }
    }

    /// The active picture inside constant bars.
    fn finish_bars(&self) -> ActiveArea {
        let Some((bars, same)) = &self.seen else {
            return ActiveArea::FULL;
        };
        let (w, h) = (self.width, self.height);
        let [top, bottom, left, right] = self.sides(bars, same);
        let axis = |a: usize, b: usize, len: usize| {
            if ((a + b) as f64) < MIN_AXIS_SHARE * len as f64 || !balanced(a, b) {
                (0, 0)
            } else {
                (a, b)
            }
        };
        let (top, bottom) = axis(top, bottom, h);
        let (left, right) = axis(left, right, w);
        if top + bottom + left + right == 0 {
            return ActiveArea::FULL;
        }
        // The line next to a bar blends bar and picture (the encoder's ringing, the
        // scale's area average): it goes with the bar, or a white frame of the picture
        // would keep a dark line and not read as solid (a fade through white read as two
        // dissolves).
        let margin = |s: usize| if s > 0 { s + EDGE_MARGIN } else { 0 };
        let (top, bottom, left, right) = (margin(top), margin(bottom), margin(left), margin(right));
        ActiveArea {
            x: left as f64 / w as f64,
            y: top as f64 / h as f64,
            width: (w - left - right) as f64 / w as f64,
            height: (h - top - bottom) as f64 / h as f64,
        }
    }
}

/// Texture of each line of a frame's luma: per row the mean absolute step between
/// neighbouring pixels along it, and per column the same down it.
fn line_texture(f: &FrameRef<'_>) -> (Vec<f64>, Vec<f64>) {
    let (w, h) = (f.width, f.height);
    let luma: Vec<i32> = f.rgb[..w * h * 3]
        .chunks_exact(3)
        .map(|p| (77 * i32::from(p[0]) + 150 * i32::from(p[1]) + 29 * i32::from(p[2])) >> 8)
        .collect();
    let mut rows = vec![0.0; h];
    let mut cols = vec![0u64; w];
    for y in 0..h {
        let line = &luma[y * w..(y + 1) * w];
        let sum: u64 = line.windows(2).map(|p| p[0].abs_diff(p[1]) as u64).sum();
        rows[y] = sum as f64 / (w - 1).max(1) as f64;
        if y + 1 < h {
            let next = &luma[(y + 1) * w..(y + 2) * w];
            for (c, (a, b)) in cols.iter_mut().zip(line.iter().zip(next)) {
                *c += a.abs_diff(*b) as u64;
            }
        }
    }
    let cols = cols
        .into_iter()
        .map(|c| c as f64 / (h - 1).max(1) as f64)
        .collect();
    (rows, cols)
}

/// One axis of a [`BlurSearch`] (rows: surrounds above and below; columns: left and
/// right). Index `t` of a side is a boundary `t` lines from that side's edge.
#[derive(Debug, Clone, Default)]
struct BlurAxis {
    /// Per side, the boundaries no frame has ruled out (None before the first frame with
    /// texture).
    alive: [Option<Vec<bool>>; 2],
    /// Per side and boundary, the frames showing the jump there (within a line).
    confirmed: [Vec<u32>; 2],
    /// Per side and boundary, the summed log of the jump (the strongest wins a tie).
    strength: [Vec<f64>; 2],
    /// Frames with texture read.
    frames: u32,
}

impl BlurAxis {
    /// Lowest and highest boundary (exclusive) considered on a side of `n` lines.
    fn range(n: usize) -> (usize, usize) {
        let lo = ((BLUR_MIN_SHARE * n as f64).ceil() as usize).max(BLUR_JUMP_LINES);
        let hi = (BLUR_MAX_SHARE * n as f64) as usize;
        (lo, hi.min(n.saturating_sub(BLUR_JUMP_LINES) / 2))
    }

    /// The median texture of the middle fifth of the lines.
    fn centre(texture: &[f64]) -> f64 {
        let n = texture.len();
        let mut centre = texture[(n * 2 / 5)..=(n * 3 / 5).min(n - 1)].to_vec();
        centre.sort_by(f64::total_cmp);
        centre[centre.len() / 2]
    }

    fn push(&mut self, texture: &[f64]) {
        let n = texture.len();
        let (lo, hi) = Self::range(n);
        if lo >= hi {
            return;
        }
        self.frames += 1;
        for side in 0..2 {
            let line: Vec<f64> = if side == 0 {
                texture.to_vec()
            } else {
                texture.iter().rev().copied().collect()
            };
            let mut prefix = vec![0.0; n + 1];
            for (k, v) in line.iter().enumerate() {
                prefix[k + 1] = prefix[k] + v;
            }
            let mean = |a: usize, b: usize| (prefix[b] - prefix[a]) / (b - a) as f64;
            let alive = self.alive[side].get_or_insert_with(|| {
                let mut v = vec![false; n];
                v[lo..hi].iter_mut().for_each(|a| *a = true);
                v
            });
            if self.confirmed[side].len() != n {
                self.confirmed[side] = vec![0; n];
                self.strength[side] = vec![0.0; n];
            }
            let mut jump = vec![false; n + 1];
            for t in lo..hi {
                // The picture between this boundary and the same one on the far side.
                if mean(0, t) > BLUR_SMOOTH_RATIO * mean(t, n - t) {
                    alive[t] = false;
                    continue;
                }
                let j = mean(t, t + BLUR_JUMP_LINES) / mean(t - BLUR_JUMP_LINES, t).max(0.05);
                jump[t] = j >= BLUR_JUMP;
                self.strength[side][t] += j.ln();
            }
            for t in lo..hi {
                if alive[t] && (jump[t - 1] || jump[t] || jump[t + 1]) {
                    self.confirmed[side][t] += 1;
                }
            }
        }
    }

    /// Whether no boundary is left on one side (nothing can come of this axis).
    fn dead(&self) -> bool {
        self.alive
            .iter()
            .any(|a| a.as_ref().is_some_and(|a| !a.contains(&true)))
    }

    /// The boundary of each side (lines from its edge), when both hold.
    fn finish(&self) -> Option<(usize, usize)> {
        if self.frames == 0 || self.dead() {
            return None;
        }
        let need = (BLUR_CONFIRM_SHARE * f64::from(self.frames))
            .ceil()
            .max(1.0) as u32;
        let side = |k: usize| {
            let alive = self.alive[k].as_ref()?;
            (0..alive.len())
                .filter(|&t| alive[t] && self.confirmed[k][t] >= need)
                .max_by(|&a, &b| self.strength[k][a].total_cmp(&self.strength[k][b]))
        };
        let (a, b) = (side(0)?, side(1)?);
        balanced(a, b).then_some((a, b))
    }
}

/// The blurred-copy surround of frames of one input (see the module's documentation), a
/// frame at a time like [`AreaSearch`], which holds one.
#[derive(Debug, Clone, Default)]
pub struct BlurSearch {
    /// Surrounds above and below the picture.
    rows: BlurAxis,
    /// Surrounds left and right of it.
    cols: BlurAxis,
    /// The frame size of the first frame pushed; frames of another size are not read.
    size: Option<(usize, usize)>,
}

impl BlurSearch {
    /// Reads one frame's line textures.
    pub fn push(&mut self, f: &FrameRef<'_>) {
        let (w, h) = (f.width, f.height);
        if w < 2 || h < 2 || f.rgb.len() < w * h * 3 {
            return;
        }
        if *self.size.get_or_insert((w, h)) != (w, h) {
            return;
        }
        let (rows, cols) = line_texture(f);
        if BlurAxis::centre(&rows).max(BlurAxis::centre(&cols)) < BLUR_MIN_TEXTURE {
            return;
        }
        self.rows.push(&rows);
        self.cols.push(&cols);
    }

    /// Whether no surround can come out whatever frames follow: a frame with texture has
    /// ruled out every boundary of one side of each axis (boundaries only die).
    pub fn settled(&self) -> bool {
        self.rows.dead() && self.cols.dead()
    }

    /// The picture inside the surround, or [`ActiveArea::FULL`].
    pub fn finish(&self) -> ActiveArea {
        let Some((w, h)) = self.size else {
            return ActiveArea::FULL;
        };
        let (top, bottom) = self.rows.finish().unwrap_or((0, 0));
        let (left, right) = self.cols.finish().unwrap_or((0, 0));
        if top + bottom + left + right == 0 {
            return ActiveArea::FULL;
        }
        let shape = (w - left - right) as f64 / (h - top - bottom) as f64;
        if !BLUR_PICTURE_SHAPES
            .iter()
            .any(|s| (shape / s - 1.0).abs() <= BLUR_SHAPE_TOLERANCE)
        {
            return ActiveArea::FULL;
        }
        let margin = |s: usize| if s > 0 { s + BLUR_EDGE_MARGIN } else { 0 };
        let (top, bottom, left, right) = (margin(top), margin(bottom), margin(left), margin(right));
        ActiveArea {
            x: left as f64 / w as f64,
            y: top as f64 / h as f64,
            width: (w - left - right) as f64 / w as f64,
            height: (h - top - bottom) as f64 / h as f64,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::video::VideoAnalyzer;

    const W: usize = 128;
    const H: usize = 228;

    /// A 16:9 picture (128×72) of `scene` at frame `k`, its brightness times `gain`,
    /// centred in a 9:16 frame (128×228) over bars of `pad`.
    fn letterboxed(scene: usize, k: usize, gain: f32, pad: [u8; 3]) -> Vec<u8> {
        let top = (H - 72) / 2;
        let mut rgb = Vec::with_capacity(W * H * 3);
        for y in 0..H {
            for x in 0..W {
                if y < top || y >= top + 72 {
                    rgb.extend_from_slice(&pad);
                    continue;
                }
                // Two scenes of blocks of a seeded hash, the second warmer: a cut whose change
                // the bars dilute to a third over the whole frame. A little grain changes every frame.
                let (bx, by) = ((x / 8) as u32, ((y - top) / 8) as u32);
                let hash = |a: u32| {
                    let mut v = a.wrapping_mul(0x9E37_79B9) ^ (a >> 15);
                    v = v.wrapping_mul(0x85EB_CA6B);
                    (v ^ (v >> 13)) as f32 / u32::MAX as f32
                };
                let cell = bx * 31 + by * 977 + scene as u32 * 100_003;
                let grain = hash((x * 7 + y * 131 + k * 7919) as u32) * 0.1 - 0.05;
                let v = hash(cell) * 2.0 - 1.0 + grain;
                let warm = scene as f32 * 25.0;
                let c = [
                    110.0 + 90.0 * v + warm,
                    120.0 - 70.0 * v,
                    100.0 + 40.0 * v * v - warm,
                ];
                rgb.extend(c.map(|c| (c * gain).clamp(0.0, 255.0) as u8));
            }
        }
        rgb
    }

    /// The hard cuts' start times of an analysis.
    fn cuts(r: &crate::video::VideoReport) -> Vec<f64> {
        r.shots
            .transitions
            .iter()
            .filter(|t| t.kind == "cut")
            .map(|t| t.start_s)
            .collect()
    }

    /// The analysis of `frames` (25 fps) cropped to `area`.
    fn analyse_inside(area: &ActiveArea, frames: &[Vec<u8>]) -> crate::video::VideoReport {
        let mut inside = VideoAnalyzer::new();
        for (k, f) in frames.iter().enumerate() {
            let (rgb, w, h) = area.crop(&frame(f, k));
            inside.push(&FrameRef {
                pts_s: k as f64 / 25.0,
                width: w,
                height: h,
                rgb: &rgb,
            });
        }
        inside.finish(2.0, &mut |_| {})
    }

    fn frame(rgb: &[u8], k: usize) -> FrameRef<'_> {
        FrameRef {
            pts_s: k as f64 / 25.0,
            width: W,
            height: H,
            rgb,
        }
    }

    #[test]
    fn bars_are_found_and_a_fade_to_black_is_no_bar() {
        // Black bars, and a constant blue-grey pad: the 16:9 picture's rows.
        for pad in [[0u8; 3], [40, 60, 90]] {
            let frames: Vec<Vec<u8>> = (0..6).map(|k| letterboxed(k / 3, k, 1.0, pad)).collect();
            let a = find_active_area(frames.iter().enumerate().map(|(k, f)| frame(f, k)));
            // The picture's rows less one line next to each bar (`EDGE_MARGIN`).
            assert_eq!(a.pixels(W, H), (0, 79, W, 70), "{pad:?}: {a:?}");
        }
        // A full-frame picture fading to black, black frames, and fading in again: the
        // black frames are skipped, the dimmed ones show picture to the edges.
        let full: Vec<Vec<u8>> = (0..12)
            .map(|k| {
                stretched(
                    k,
                    [1.0, 0.6, 0.3, 0.1, 0.0, 0.0, 0.0, 0.1, 0.3, 0.6, 1.0, 1.0][k],
                )
            })
            .collect();
        let a = find_active_area(full.iter().enumerate().map(|(k, f)| frame(f, k)));
        assert!(a.is_full(), "{a:?}");
        // Only the black frames of the fade: nothing to go by, no bars.
        let a = find_active_area(full[4..7].iter().enumerate().map(|(k, f)| frame(f, k)));
        assert!(a.is_full(), "{a:?}");
        // Bars in one shot only: the other shot's full picture keeps the frame whole.
        let mixed = [letterboxed(0, 0, 1.0, [0; 3]), full[0].clone()];
        let a = find_active_area(mixed.iter().enumerate().map(|(k, f)| frame(f, k)));
        assert!(a.is_full(), "{a:?}");
    }

    /// `letterboxed`'s picture rows stretched over the whole frame (no bars).
    fn stretched(k: usize, gain: f32) -> Vec<u8> {
        let rgb = letterboxed(0, k, gain, [0; 3]);
        let row = (H - 72) / 2;
        (0..H)
            .flat_map(|y| {
                let src = row + y * 72 / H;
                rgb[src * W * 3..(src + 1) * W * 3].to_vec()
            })
            .collect()
    }

    #[test]
    fn a_settled_search_ends_with_the_whole_frame_whatever_follows() {
        let black = vec![0u8; W * H * 3];
        let boxed = letterboxed(0, 0, 1.0, [0; 3]);
        let boxed_grey = letterboxed(1, 1, 1.0, [40, 60, 90]);
        let full = stretched(2, 1.0);
        let dim = stretched(3, 0.3);
        let mut s = AreaSearch::default();
        assert!(!s.has_picture() && !s.settled_full());
        // A black frame says nothing.
        s.push(&frame(&black, 0));
        assert!(!s.has_picture() && !s.settled_full());
        // Bars: undecided (a later frame could still show picture over them).
        s.push(&frame(&boxed, 1));
        assert!(s.has_picture() && !s.settled_full());
        assert!(!s.finish().is_full());
        // Picture to the edges settles it, and no frame after it brings a bar back.
        s.push(&frame(&full, 2));
        assert!(s.settled_full());
        for (k, f) in [&boxed, &boxed_grey, &black, &dim].into_iter().enumerate() {
            s.push(&frame(f, 3 + k));
            assert!(s.settled_full());
            assert!(s.finish().is_full());
        }
        // A dimmed picture to the edges settles it on its own.
        let mut s = AreaSearch::default();
        s.push(&frame(&dim, 0));
        assert!(s.settled_full());
        // Every prefix of every order of these frames: settled means `find_active_area`
        // of the whole sequence is the whole frame, and the search is `find_active_area`.
        let pool = [&black, &boxed, &boxed_grey, &full, &dim];
        for a in 0..pool.len() {
            for b in 0..pool.len() {
                for c in 0..pool.len() {
                    let seq = [pool[a], pool[b], pool[c], pool[(a + b) % pool.len()]];
                    let whole = find_active_area(seq.iter().enumerate().map(|(k, f)| frame(f, k)));
                    let mut s = AreaSearch::default();
                    for (k, f) in seq.iter().enumerate() {
                        s.push(&frame(f, k));
                        if s.settled_full() {
                            assert!(whole.is_full(), "{a} {b} {c}: settled at {k}, {whole:?}");
                        }
                    }
                    assert_eq!(s.finish(), whole);
                }
            }
        }
    }

    #[test]
    fn a_uniform_edge_off_centre_is_no_bar() {
        // The same picture 10 rows from the top over a uniform dark ground: a dark
        // backdrop the subject crosses later (what one key frame of a short clip shows),
        // not the pad of a centred picture.
        let top = (H - 72) / 2;
        let frames: Vec<Vec<u8>> = (0..3)
            .map(|k| {
                let rgb = letterboxed(0, k, 1.0, [20; 3]);
                let mut out = vec![20u8; W * H * 3];
                out[10 * W * 3..(10 + 72) * W * 3]
                    .copy_from_slice(&rgb[top * W * 3..(top + 72) * W * 3]);
                out
            })
            .collect();
        let a = find_active_area(frames.iter().enumerate().map(|(k, f)| frame(f, k)));
        assert!(a.is_full(), "{a:?}");
    }

    /// A cut between two scenes of the same colours inside a letterboxed picture: over
    /// the whole 9:16 frame the bars hold two thirds of it still and the pair distance
    /// falls under the cut floor (no cut, as main read it); cropped to the active area the
    /// analyser finds the cut.
    #[test]
    fn a_cut_inside_a_letterboxed_picture_is_found_in_the_active_area() {
        let frames: Vec<Vec<u8>> = (0..50)
            .map(|k| letterboxed(usize::from(k >= 25), k, 1.0, [0; 3]))
            .collect();
        let mut whole = VideoAnalyzer::new();
        for (k, f) in frames.iter().enumerate() {
            whole.push(&frame(f, k));
        }
        let whole = whole.finish(2.0, &mut |_| {});
        assert!(cuts(&whole).is_empty(), "{:?}", whole.shots);

        let area = find_active_area(frames.iter().enumerate().map(|(k, f)| frame(f, k)));
        assert!(!area.is_full());
        let inside = analyse_inside(&area, &frames);
        assert_eq!(cuts(&inside), vec![1.0], "{:?}", inside.shots);
    }

    /// `letterboxed`'s 16:9 picture of `scene` at frame `k` over a blurred copy of itself
    /// (scaled to fill the 9:16 frame, box-blurred over `radius` pixels, times `dim`):
    /// the reel's blurred background. The picture keeps its rows 78..150.
    fn blur_surrounded(scene: usize, k: usize, radius: usize, dim: f32) -> Vec<u8> {
        let top = (H - 72) / 2;
        let boxed = letterboxed(scene, k, 1.0, [0; 3]);
        let pic = |x: usize, y: usize, c: usize| f32::from(boxed[((top + y) * W + x) * 3 + c]);
        // Scaled to fill the height (72 -> 228 rows), the centre columns kept.
        let s = H as f32 / 72.0;
        let big: Vec<f32> = (0..H)
            .flat_map(|y| {
                (0..W).flat_map(move |x| {
                    let sx = ((x as f32 - W as f32 / 2.0) / s + W as f32 / 2.0) as usize;
                    let sy = ((y as f32 / s) as usize).min(71);
                    (0..3).map(move |c| pic(sx.min(W - 1), sy, c))
                })
            })
            .collect();
        // A box blur along rows, then along columns (edges clamped).
        let blur = |v: &[f32], along_rows: bool| -> Vec<f32> {
            let mut out = vec![0.0; v.len()];
            for y in 0..H {
                for x in 0..W {
                    for c in 0..3 {
                        let mut sum = 0.0;
                        for d in 0..=2 * radius {
                            let o = d as isize - radius as isize;
                            let (xx, yy) = if along_rows {
                                ((x as isize + o).clamp(0, W as isize - 1) as usize, y)
                            } else {
                                (x, (y as isize + o).clamp(0, H as isize - 1) as usize)
                            };
                            sum += v[(yy * W + xx) * 3 + c];
                        }
                        out[(y * W + x) * 3 + c] = sum / (2 * radius + 1) as f32;
                    }
                }
            }
            out
        };
        let bg = blur(&blur(&big, true), false);
        let mut rgb: Vec<u8> = bg
            .iter()
            .map(|v| (v * dim).clamp(0.0, 255.0) as u8)
            .collect();
        rgb[top * W * 3..(top + 72) * W * 3]
            .copy_from_slice(&boxed[top * W * 3..(top + 72) * W * 3]);
        rgb
    }

    /// A cut inside a 16:9 picture over a blurred copy of itself in a 9:16 frame: no edge
    /// line is uniform, so constant bars are not found (main read the whole frame and
    /// missed the cut); the blurred surround is read as bars and the cut is found inside.
    #[test]
    fn a_blurred_copy_surround_is_read_as_bars() {
        for (radius, dim) in [(4, 1.0), (9, 0.6)] {
            let frames: Vec<Vec<u8>> = (0..50)
                .map(|k| blur_surrounded(usize::from(k >= 25), k, radius, dim))
                .collect();
            let key = [0, 10, 30, 45].map(|k| frame(&frames[k], k));
            let area = find_active_area(key);
            let (x, y, w, h) = area.pixels(W, H);
            // The picture's rows 78..150, less at most a few lines each side.
            assert!(x == 0 && w == W, "{radius}: {area:?}");
            assert!(
                (78..=82).contains(&y) && y + h <= 150 && h >= 64,
                "{radius}: {area:?}"
            );
            // Not settled: a later frame could not give the surround back, but the search
            // must not stop reading before it.
            let mut s = AreaSearch::default();
            s.push(&frame(&frames[0], 0));
            assert!(!s.settled_full(), "{radius}");

            let inside = analyse_inside(&area, &frames);
            assert_eq!(cuts(&inside), vec![1.0], "{radius}: {:?}", inside.shots);
        }
    }

    /// A sharp subject over a soft background (shallow depth of field, the subject a disc
    /// that moves between key frames) is no surround, nor is the blurred-copy frame once
    /// a key frame shows picture over the surround.
    #[test]
    fn a_soft_background_round_a_sharp_subject_is_no_surround() {
        let soft = blur_surrounded(0, 0, 9, 1.0);
        let sharp = stretched(1, 1.0);
        let frames: Vec<Vec<u8>> = (0..4)
            .map(|k| {
                let (cx, cy, r) = (40.0 + 15.0 * k as f32, 100.0 + 8.0 * k as f32, 36.0);
                let mut rgb = soft.clone();
                for y in 0..H {
                    for x in 0..W {
                        let d = ((x as f32 - cx).powi(2) + (y as f32 - cy).powi(2)).sqrt();
                        if d < r {
                            let i = (y * W + x) * 3;
                            rgb[i..i + 3].copy_from_slice(&sharp[i..i + 3]);
                        }
                    }
                }
                // The surround's own rows are soft: no picture there.
                let top = (H - 72) / 2;
                rgb[top * W * 3..(top + 72) * W * 3].copy_from_slice(&soft[..72 * W * 3]);
                rgb
            })
            .collect();
        let a = find_active_area(frames.iter().enumerate().map(|(k, f)| frame(f, k)));
        assert!(a.is_full(), "{a:?}");
        // The blurred-copy frame, then a frame with picture to the edges: settled, full.
        let mut s = AreaSearch::default();
        s.push(&frame(&blur_surrounded(0, 0, 9, 1.0), 0));
        // After the first frame no bar of one colour can come, but a blurred surround can
        // (what lets the analysis decode hold on for later key frames instead of probing).
        assert!(s.bars_settled());
        assert!(!s.settled_full());
        s.push(&frame(&sharp, 1));
        assert!(s.settled_full());
        assert!(s.finish().is_full());
    }
}
