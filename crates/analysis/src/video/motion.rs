//! Global camera motion between consecutive frames.
//!
//! Each frame becomes a 128-px-wide grey image and a half-size copy. Textured 16×16
//! blocks on a fixed grid are matched against the previous frame: full search (±6 px)
//! on the half-size image, ±1 px refinement at full size, parabolic sub-pixel peak. The
//! block vectors are fitted with a translation + isotropic scale model about the centre
//! by iteratively reweighted least squares (Tukey weights), so moving objects count as
//! outliers. When an object covers most of the blocks it is the majority, so the camera is
//! chosen among several candidate fits by the support of blocks weighted towards the
//! borders and by their history, and by how well each explains the frame's edges
//! ([`Background`], `fit_vectors`). A zoom that adds up over the pairs is checked
//! against the frame's centre (`MotionTracker::check_zoom`). What the model does not
//! explain is the object (residual) motion.

const GW: usize = 128;
const BLOCK: usize = 16;
const COARSE_R: i32 = 6;

/// Camera motion between one frame and the previous one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairMotion {
    /// Presentation time of the later frame.
    pub pts_s: f64,
    /// Horizontal / vertical translation, fraction of frame width / height (+ = content
    /// moves right / down, i.e. the camera pans left / tilts up).
    pub tx: f32,
    pub ty: f32,
    /// Scale factor change (1.02 = content grew 2 %: a zoom in / push-in).
    pub scale: f32,
    /// Mean block motion the model leaves unexplained, fraction of frame width.
    pub residual: f32,
    /// False when too few textured blocks matched (flat or changing picture).
    pub valid: bool,
}

#[derive(Clone)]
struct Gray {
    w: usize,
    h: usize,
    px: Vec<u8>,
}

impl Gray {
    fn at(&self, x: i32, y: i32) -> i32 {
        let x = x.clamp(0, self.w as i32 - 1) as usize;
        let y = y.clamp(0, self.h as i32 - 1) as usize;
        self.px[y * self.w + x] as i32
    }

    fn half(&self) -> Gray {
        let (w, h) = (self.w / 2, self.h / 2);
        let mut px = vec![0u8; w * h];
        for y in 0..h {
            for x in 0..w {
                let s = self.px[2 * y * self.w + 2 * x] as u32
                    + self.px[2 * y * self.w + 2 * x + 1] as u32
                    + self.px[(2 * y + 1) * self.w + 2 * x] as u32
                    + self.px[(2 * y + 1) * self.w + 2 * x + 1] as u32;
                px[y * w + x] = (s / 4) as u8;
            }
        }
        Gray { w, h, px }
    }

    /// Bilinear sample at (x, y) (pixel indices), `None` outside the image.
    fn sample(&self, x: f32, y: f32) -> Option<f32> {
        if !(x >= 0.0 && y >= 0.0 && x <= (self.w - 1) as f32 && y <= (self.h - 1) as f32) {
            return None;
        }
        let (x0, y0) = (x.floor() as usize, y.floor() as usize);
        let (x1, y1) = ((x0 + 1).min(self.w - 1), (y0 + 1).min(self.h - 1));
        let (fx, fy) = (x - x0 as f32, y - y0 as f32);
        let p = |x: usize, y: usize| f32::from(self.px[y * self.w + x]);
        let top = p(x0, y0) * (1.0 - fx) + p(x1, y0) * fx;
        let bottom = p(x0, y1) * (1.0 - fx) + p(x1, y1) * fx;
        Some(top * (1.0 - fy) + bottom * fy)
    }

    fn sad(&self, other: &Gray, x0: i32, y0: i32, dx: i32, dy: i32, size: i32) -> i32 {
        let inside = |g: &Gray, x: i32, y: i32| {
            x >= 0 && y >= 0 && x + size <= g.w as i32 && y + size <= g.h as i32
        };
        if inside(self, x0, y0) && inside(other, x0 + dx, y0 + dy) {
            // Fast path: both blocks lie inside their images.
            let a = &self.px[y0 as usize * self.w + x0 as usize..];
            let b = &other.px[(y0 + dy) as usize * other.w + (x0 + dx) as usize..];
            match size {
                8 => return sad_fixed::<8>(a, self.w, b, other.w),
                16 => return sad_fixed::<16>(a, self.w, b, other.w),
                _ => {}
            }
            let mut s = 0i32;
            for y in 0..size as usize {
                let a = &self.px[(y0 as usize + y) * self.w + x0 as usize..][..size as usize];
                let b = &other.px[((y0 + dy) as usize + y) * other.w + (x0 + dx) as usize..]
                    [..size as usize];
                s += a
                    .iter()
                    .zip(b)
                    .map(|(p, q)| (*p as i32 - *q as i32).abs())
                    .sum::<i32>();
            }
            return s;
        }
        let mut s = 0;
        for y in y0..y0 + size {
            for x in x0..x0 + size {
                s += (self.at(x, y) - other.at(x + dx, y + dy)).abs();
            }
        }
        s
    }
}

/// Sum of absolute differences of two `N`×`N` blocks starting at `a[0]` and `b[0]`, rows
/// `aw` and `bw` apart (integer sums: the same value as the generic loop).
#[inline(always)]
fn sad_fixed<const N: usize>(a: &[u8], aw: usize, b: &[u8], bw: usize) -> i32 {
    let mut s = 0u32;
    for y in 0..N {
        let ra: &[u8; N] = a[y * aw..y * aw + N].try_into().unwrap();
        let rb: &[u8; N] = b[y * bw..y * bw + N].try_into().unwrap();
        for i in 0..N {
            s += ra[i].abs_diff(rb[i]) as u32;
        }
    }
    s as i32
}

fn to_gray(rgb: &[u8], width: usize, height: usize) -> Gray {
    let w = GW.min(width).max(BLOCK * 2);
    let h = ((height * w) / width.max(1)).max(BLOCK * 2) & !1;
    let w = w & !1;
    let mut px = vec![0u8; w * h];
    let sxs: Vec<usize> = (0..w).map(|x| (x * width / w).min(width - 1) * 3).collect();
    for (y, out) in px.chunks_exact_mut(w).enumerate() {
        let sy = (y * height / h).min(height - 1);
        let row = &rgb[sy * width * 3..(sy + 1) * width * 3];
        for (o, &sx) in out.iter_mut().zip(&sxs) {
            let p = &row[sx..sx + 3];
            *o = ((54 * p[0] as u32 + 183 * p[1] as u32 + 19 * p[2] as u32) >> 8) as u8;
        }
    }
    Gray { w, h, px }
}

/// Longest run of frames measured against one key frame.
const KEY_SPAN: usize = 45;
/// Largest displacement (px of the 128-px image, at a corner) between a key frame and the
/// current frame; beyond it the next frame starts a new run.
const KEY_REACH: f32 = 8.0;
/// Largest disagreement (px, at the image's corners) between the pair measured through
/// the key and the pair measured directly for the key's measurement to be used.
const KEY_AGREE: f32 = 0.75;
/// Search radius (px) around a block's predicted place in the key frame.
const KEY_R: i32 = 2;

/// Where a frame's content was in a reference frame: position `p` (relative to the
/// image centre, px) came from `a·p + b`.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Map {
    a: f32,
    bx: f32,
    by: f32,
}

impl Map {
    const IDENTITY: Map = Map {
        a: 1.0,
        bx: 0.0,
        by: 0.0,
    };

    /// From a fit of the content displacement `d = p − p_ref = t + k·p`.
    fn from_fit(f: &Fit) -> Map {
        Map {
            a: 1.0 - f.k,
            bx: -f.tx,
            by: -f.ty,
        }
    }

    /// `self` (previous → reference) after `inner` (current → previous).
    fn then(self, inner: Map) -> Map {
        Map {
            a: self.a * inner.a,
            bx: self.a * inner.bx + self.bx,
            by: self.a * inner.by + self.by,
        }
    }

    /// Current → previous, from current → reference (`self`) and previous → reference.
    fn relative_to(self, prev: Map) -> Map {
        Map {
            a: self.a / prev.a,
            bx: (self.bx - prev.bx) / prev.a,
            by: (self.by - prev.by) / prev.a,
        }
    }

    fn apply(self, x: f32, y: f32) -> (f32, f32) {
        (self.a * x + self.bx, self.a * y + self.by)
    }

    /// Largest distance between where `self` and `other` take the corners of a `w`×`h`
    /// image.
    fn corner_gap(self, other: Map, w: f32, h: f32) -> f32 {
        [(-0.5, -0.5), (0.5, -0.5), (-0.5, 0.5), (0.5, 0.5)]
            .iter()
            .map(|&(u, v)| {
                let (p, q) = (self.apply(u * w, v * h), other.apply(u * w, v * h));
                (p.0 - q.0).hypot(p.1 - q.1)
            })
            .fold(0.0, f32::max)
    }
}

/// The frame a run of slow motion is measured against.
struct Key {
    gray: Gray,
    /// The previous frame's map to the key.
    prev: Map,
    /// Frames from the key to the previous frame.
    age: usize,
}

/// Streaming estimator: feed frames in order.
///
/// Every pair is measured directly (previous → current frame) and, inside a run of
/// frames, also against the run's first frame (the key). A block's sub-pixel position is
/// biased towards whole pixels; when a slow move shifts the picture by a tenth of a pixel
/// a frame (a push-in's edges, a slow pan on this 128-px image), each pair on its own
/// read about half the move. Against the key the displacement grows along the run, and a
/// pair's motion is the difference of two key measurements, so the bias no longer adds
/// up over the run. The direct pair gives the validity, the residual (object motion) and
/// the key measurement's prediction; where the two disagree by more than [`KEY_AGREE`]
/// the direct pair stands and a new run starts.
#[derive(Default)]
pub struct MotionTracker {
    prev: Option<(Gray, Gray)>,
    key: Option<Key>,
    bg: Background,
    anchor: Option<Anchor>,
    slow: super::slowzoom::SlowZoomCheck,
    pub pairs: Vec<PairMotion>,
}

impl MotionTracker {
    pub fn push(&mut self, pts_s: f64, rgb: &[u8], width: usize, height: usize) {
        let g = to_gray(rgb, width, height);
        let half = g.half();
        let (w, h) = (g.w as f32, g.h as f32);
        let mut next = None;
        self.bg.prepare(&g);
        let pushed = self.prev.is_some();
        if let Some((pg, ph)) = &self.prev {
            let measured = estimate(pg, ph, &g, &half, &self.bg);
            let direct = measured.as_ref().map(|m| m.0);
            match &measured {
                Some((d, vecs, at)) => self.bg.update(
                    vecs,
                    at,
                    Model {
                        tx: d.tx,
                        ty: d.ty,
                        k: d.k,
                    },
                ),
                None => self.bg.last = None,
            }
            let mut fit = direct;
            if let (Some(d), Some(key)) = (&direct, &self.key) {
                let step = Map::from_fit(d);
                if key.age == 0 {
                    next = Some(step);
                } else if let Some(cur) =
                    estimate_keyed(&key.gray, &g, key.prev.then(step), &self.bg)
                {
                    let pair = cur.relative_to(key.prev);
                    if pair.corner_gap(step, w, h) <= KEY_AGREE {
                        fit = Some(Fit {
                            tx: -pair.bx,
                            ty: -pair.by,
                            k: 1.0 - pair.a,
                            resid: d.resid,
                        });
                        next = Some(cur);
                    }
                }
            }
            self.pairs.push(match fit {
                Some(f) => PairMotion {
                    pts_s,
                    tx: f.tx / w,
                    ty: f.ty / h,
                    scale: 1.0 + f.k,
                    residual: f.resid / w,
                    valid: true,
                },
                None => PairMotion {
                    pts_s,
                    tx: 0.0,
                    ty: 0.0,
                    scale: 1.0,
                    residual: 0.0,
                    valid: false,
                },
            });
        }
        self.check_zoom(pts_s, &g, pushed);
        self.slow.push(pts_s, rgb, width, height, &self.pairs);
        match (next, self.key.as_mut()) {
            (Some(map), Some(key))
                if key.age + 1 < KEY_SPAN && map.corner_gap(Map::IDENTITY, w, h) <= KEY_REACH =>
            {
                key.prev = map;
                key.age += 1;
            }
            _ => {
                self.key = Some(Key {
                    gray: g.clone(),
                    prev: Map::IDENTITY,
                    age: 0,
                })
            }
        }
        self.prev = Some((g, half));
    }
}

impl MotionTracker {
    /// The slow-zoom checks made so far ([`super::slowzoom`]).
    pub fn scale_checks(&self) -> &[super::slowzoom::ScaleCheck] {
        &self.slow.checks
    }

    /// Clears the zoom of the `shots` whose checked steps do not show it
    /// ([`super::slowzoom::clear_unseen_zooms`]); returns their indices.
    pub fn clear_unseen_zooms(&mut self, shots: &[stylecut_types::Span]) -> Vec<usize> {
        super::slowzoom::clear_unseen_zooms(&mut self.pairs, &self.slow.checks, shots)
    }
}

/// Accumulated content scale change (log2) since the anchor at which the zoom read over
/// those pairs is checked against the picture ([`MotionTracker::check_zoom`]): 15 %, a
/// displacement of ≥ 4 px at the edge of the checked centre region of the 128-px image.
const ZOOM_CHECK: f32 = 0.2;
/// Longest span (s) of pairs checked together: zooms slower than
/// [`ZOOM_CHECK`] / this (0.1 log2/s) are not checked.
const ANCHOR_SPAN_S: f64 = 2.0;
/// The zoom is rejected when the anchor without its scale leaves at most this share of
/// the magnified anchor's difference. Measured ratios (docs/BENCHMARKS.md, session 17):
/// the particle streams of wannaworktogether.mp4 0.2–0.45 (0.55–1.15 where the logo
/// changes or the stream converges), the hand-held cockatoo (a bird moving across the
/// centre) 0.95–1.6, the synthetic suite's real zooms 3.4–6.2.
const STILL_MARGIN: f32 = 0.75;
/// The zoom is confirmed when the magnified anchor leaves at most this share of the
/// unmagnified one's difference (the synthetic suite's zooms: 0.16–0.3).
const ZOOM_MARGIN: f32 = 0.5;
/// Smallest difference (grey levels a pixel) of the losing model for a verdict: a flat
/// centre says nothing about a zoom.
const CHECK_FLOOR: f32 = 2.0;

/// The frame the zoom of the following pairs is checked against.
struct Anchor {
    gray: Gray,
    /// The latest frame's map to the anchor, composed from the pairs' models.
    map: Map,
    /// Index of the first pair after the anchor in [`MotionTracker::pairs`].
    first: usize,
    pts_s: f64,
    /// The verdict of the check that ended just before this anchor, if one did.
    before: Option<Verdict>,
}

/// What the frame's centre says about an accumulated zoom.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Verdict {
    /// The magnified anchor matches clearly better: a zoom.
    Zoom,
    /// The anchor without the scale matches clearly better: no zoom.
    Still,
    /// Neither clearly better (the centre changed: a subject moving across it, a new
    /// element appearing); true when the magnified anchor is the closer by the margin
    /// that rejects a zoom ([`STILL_MARGIN`]) the other way round.
    Unclear(bool),
}

impl MotionTracker {
    /// Checks the zoom the pairs read since the anchor once it adds up to
    /// [`ZOOM_CHECK`], and clears it (scale 1) when the picture says otherwise.
    ///
    /// A zoom magnifies the whole picture, the middle too. Motion graphics often grow
    /// or stream things outwards from a still centre (particles flying out of a logo, a
    /// tunnel of icons): the blocks all over the frame then move like a push-in, and
    /// near the centre, where a zoom moves content by a fraction of a pixel a frame,
    /// the still subject agrees with the zoom within the fit's tolerance pair after
    /// pair. Over the accumulated change it does not: the anchor's centre, magnified by
    /// the read zoom, is compared with the current frame's centre, and so is the anchor
    /// shifted by the same pairs' translation alone ([`centre_verdict`]). When the
    /// unmagnified anchor wins the pairs' scale was object motion and is set to 1. When
    /// neither wins, the verdict of the check just before (back to back, same run of
    /// measured pairs) carries over: the logo in the middle of the particle stream
    /// changes every second, and a real push-in may cross a moving subject. A carried
    /// rejection yields to a check where the magnified anchor is the closer by the
    /// rejection's own margin (the start of a real zoom after a stream); with no verdict
    /// before, the reading stands.
    fn check_zoom(&mut self, pts_s: f64, g: &Gray, pushed: bool) {
        let (w, h) = (g.w as f32, g.h as f32);
        let mut before = None;
        if let (true, Some(a), Some(p)) = (pushed, self.anchor.as_mut(), self.pairs.last()) {
            if p.valid {
                let step = Map::from_fit(&Fit {
                    tx: p.tx * w,
                    ty: p.ty * h,
                    k: p.scale - 1.0,
                    resid: 0.0,
                });
                a.map = a.map.then(step);
                if a.map.a.log2().abs() < ZOOM_CHECK {
                    if pts_s - a.pts_s <= ANCHOR_SPAN_S
                        && a.map.bx.abs() <= w / 4.0
                        && a.map.by.abs() <= h / 4.0
                    {
                        return;
                    }
                } else {
                    let verdict = match centre_verdict(&a.gray, g, a.map) {
                        Verdict::Unclear(false) if a.before == Some(Verdict::Still) => {
                            Verdict::Still
                        }
                        Verdict::Unclear(_) if a.before == Some(Verdict::Zoom) => Verdict::Zoom,
                        v => v,
                    };
                    if verdict == Verdict::Still {
                        for q in &mut self.pairs[a.first..] {
                            q.scale = 1.0;
                        }
                    }
                    before = Some(verdict);
                }
            }
        }
        self.anchor = Some(Anchor {
            gray: g.clone(),
            map: Map::IDENTITY,
            first: self.pairs.len(),
            pts_s,
            before,
        });
    }
}

/// Which of `map` (current → anchor) and `map` without its scale explains the centre
/// half (in each direction) of `g` clearly better ([`STILL_MARGIN`], [`ZOOM_MARGIN`], [`CHECK_FLOOR`]):
/// mean absolute grey difference against bilinear samples of `anchor`, pixels either
/// model maps outside it skipped.
fn centre_verdict(anchor: &Gray, g: &Gray, map: Map) -> Verdict {
    let still = Map { a: 1.0, ..map };
    let (cx, cy) = (g.w as f32 / 2.0, g.h as f32 / 2.0);
    let (mut zoom, mut flat, mut n) = (0f32, 0f32, 0u32);
    for y in g.h / 4..3 * g.h / 4 {
        for x in g.w / 4..3 * g.w / 4 {
            let (u, v) = (x as f32 - cx, y as f32 - cy);
            let (zx, zy) = map.apply(u, v);
            let (sx, sy) = still.apply(u, v);
            if let (Some(a), Some(b)) = (
                anchor.sample(zx + cx, zy + cy),
                anchor.sample(sx + cx, sy + cy),
            ) {
                let c = f32::from(g.px[y * g.w + x]);
                zoom += (c - a).abs();
                flat += (c - b).abs();
                n += 1;
            }
        }
    }
    if n == 0 {
        return Verdict::Unclear(false);
    }
    let (zoom, flat) = (zoom / n as f32, flat / n as f32);
    if zoom >= CHECK_FLOOR && flat <= STILL_MARGIN * zoom {
        Verdict::Still
    } else if flat >= CHECK_FLOOR && zoom <= ZOOM_MARGIN * flat {
        Verdict::Zoom
    } else {
        Verdict::Unclear(zoom <= STILL_MARGIN * flat)
    }
}

/// One matched block: centre (relative to the image centre) and its displacement.
struct Vector {
    x: f32,
    y: f32,
    dx: f32,
    dy: f32,
}

/// A fitted pair: translation (px), scale change and mean residual (px).
#[derive(Debug, Clone, Copy)]
struct Fit {
    tx: f32,
    ty: f32,
    k: f32,
    resid: f32,
}

/// Top-left corners of the blocks matched in a `g.w`×`g.h` image.
fn block_grid(g: &Gray) -> impl Iterator<Item = (i32, i32)> {
    let (w, h) = (g.w, g.h);
    (BLOCK / 2..)
        .step_by(BLOCK)
        .take_while(move |by| by + BLOCK + BLOCK / 2 <= h)
        .flat_map(move |by| {
            (BLOCK / 2..)
                .step_by(BLOCK)
                .take_while(move |bx| bx + BLOCK + BLOCK / 2 <= w)
                .map(move |bx| (bx as i32, by as i32))
        })
}

/// Tukey scale (px) at which a block counts towards a candidate model's support.
const SUPPORT_C: f32 = 1.5;
/// Share of a block's background history kept per frame pair (the rest is whether it
/// was an inlier of the camera model just chosen): about 5 pairs of memory.
const HISTORY_KEEP: f32 = 0.8;
/// Distance (px) within which block displacements vote for one translation mode.
const MODE_R: f32 = 1.0;

/// What earlier pairs say about which blocks show the background.
///
/// The camera model is the motion of the background, and the background is not always
/// the majority of the textured blocks: a close-up of a bird, a rider crossing the frame
/// cover most of them. The background is where the picture's motion is coherent with the
/// camera over time and, in most shots, towards the frame's borders, while the subject
/// sits nearer the centre. So each block of the grid keeps a history (0..1, exponential,
/// [`HISTORY_KEEP`]) of being an inlier of the chosen camera model, and a block's vote for
/// a candidate model is weighted by `(0.25 + history) · (0.1 + x² + y²)` (x, y: its
/// centre over the image's half sides): 5× for a block that kept with the camera against
/// one that never did; halfway to a corner 6×, and at the corners ≈ 20×, the centre's.
#[derive(Default)]
struct Background {
    /// Per grid block (row-major, [`Background::cols`] a row), 0.5 before any pair.
    history: Vec<f32>,
    cols: usize,
    /// The camera model of the previous direct pair, when it was measured.
    last: Option<Model>,
}

impl Background {
    fn index(&self, bx: i32, by: i32) -> usize {
        let (i, j) = (
            (by as usize - BLOCK / 2) / BLOCK,
            (bx as usize - BLOCK / 2) / BLOCK,
        );
        i * self.cols + j
    }

    fn prepare(&mut self, g: &Gray) {
        let cols = g.w / BLOCK + 1;
        let len = cols * (g.h / BLOCK + 1);
        if self.cols != cols || self.history.len() != len {
            self.cols = cols;
            self.history = vec![0.5; len];
            self.last = None;
        }
    }

    /// The weight of a block's vote (see the type's docs).
    fn prior(&self, g: &Gray, q: &Vector, at: (i32, i32)) -> f32 {
        let (u, v) = (q.x / (g.w as f32 / 2.0), q.y / (g.h as f32 / 2.0));
        let h = self
            .history
            .get(self.index(at.0, at.1))
            .copied()
            .unwrap_or(0.5);
        (0.25 + h) * (0.1 + u * u + v * v)
    }

    /// After a direct pair: each measured block's history moves towards whether it was
    /// an inlier of the chosen model.
    fn update(&mut self, vecs: &[Vector], at: &[(i32, i32)], m: Model) {
        for (q, &(bx, by)) in vecs.iter().zip(at) {
            let i = self.index(bx, by);
            if let Some(h) = self.history.get_mut(i) {
                let inlier = if m.residual(q) < SUPPORT_C { 1.0 } else { 0.0 };
                *h = HISTORY_KEEP * *h + (1.0 - HISTORY_KEEP) * inlier;
            }
        }
        self.last = Some(m);
    }
}

/// A fitted set of block vectors: the fit, the vectors and their blocks' corners.
type Measured = (Fit, Vec<Vector>, Vec<(i32, i32)>);

/// The block vectors of `g` (centres relative to the image centre) and their corners.
fn to_vectors(g: &Gray, vecs: Vec<(i32, i32, f32, f32)>) -> (Vec<Vector>, Vec<(i32, i32)>) {
    let (cx, cy) = (g.w as f32 / 2.0, g.h as f32 / 2.0);
    vecs.into_iter()
        .map(|(bx, by, dx, dy)| {
            (
                Vector {
                    x: bx as f32 + BLOCK as f32 / 2.0 - cx,
                    y: by as f32 + BLOCK as f32 / 2.0 - cy,
                    dx,
                    dy,
                },
                (bx, by),
            )
        })
        .unzip()
}

/// Up to two translation modes of the displacements: the displacement with the most
/// prior-weighted votes within [`MODE_R`], then the same among the blocks it did not
/// take (the other motion in the picture).
fn translation_modes(v: &[Vector], prior: &[f32]) -> Vec<Model> {
    let mut taken = vec![false; v.len()];
    let mut modes = Vec::new();
    for _ in 0..2 {
        let votes = |i: usize| -> f32 {
            v.iter()
                .zip(prior)
                .zip(&taken)
                .filter(|((q, _), t)| !**t && (q.dx - v[i].dx).hypot(q.dy - v[i].dy) < MODE_R)
                .map(|((_, p), _)| *p)
                .sum()
        };
        let Some(best) = (0..v.len())
            .filter(|&i| !taken[i])
            .max_by(|&i, &j| votes(i).total_cmp(&votes(j)))
        else {
            break;
        };
        let (dx, dy) = (v[best].dx, v[best].dy);
        modes.push(Model {
            tx: dx,
            ty: dy,
            k: 0.0,
        });
        for (t, q) in taken.iter_mut().zip(v) {
            if (q.dx - dx).hypot(q.dy - dy) < MODE_R {
                *t = true;
            }
        }
    }
    modes
}

/// A candidate camera model must match the frame's border this much better (share of
/// the majority model's border SAD) to be preferred to it.
const RING_MARGIN: f32 = 0.1;

/// Top-left corners of the 16×16 blocks along the image's edges (top and bottom rows,
/// left and right columns), outside most of the matched grid's reach.
fn ring_blocks(g: &Gray) -> impl Iterator<Item = (i32, i32)> {
    let (w, h, b) = (g.w as i32, g.h as i32, BLOCK as i32);
    let rows = (0..=w - b)
        .step_by(BLOCK)
        .flat_map(move |x| [(x, 0), (x, h - b)]);
    let sides = (b..=h - 2 * b)
        .step_by(BLOCK)
        .flat_map(move |y| [(0, y), (w - b, y)]);
    rows.chain(sides)
}

/// How well `m` explains the frame's border: the mean absolute difference (grey levels a
/// pixel) between the edge blocks of `g` and where `m` says they were in `prev` (whole
/// pixels). The subject of a close-up sits inside the frame and the background shows at
/// its edges, so the model of the background matches the edges best.
fn ring_cost(prev: &Gray, g: &Gray, m: &Model) -> f32 {
    let (cx, cy) = (g.w as f32 / 2.0, g.h as f32 / 2.0);
    let half = BLOCK as f32 / 2.0;
    let (mut sum, mut n) = (0i64, 0i64);
    for (bx, by) in ring_blocks(g) {
        let (x, y) = (bx as f32 + half - cx, by as f32 + half - cy);
        // Content moved by d: the block now at p was at p − d.
        let (dx, dy) = (m.tx + m.k * x, m.ty + m.k * y);
        sum += g.sad(
            prev,
            bx,
            by,
            -dx.round() as i32,
            -dy.round() as i32,
            BLOCK as i32,
        ) as i64;
        n += (BLOCK * BLOCK) as i64;
    }
    sum as f32 / n.max(1) as f32
}

/// The camera model of one set of block vectors.
///
/// Candidates: the plain robust fit (the majority's motion), fits started from `starts`
/// (the previous pair's camera) and from the two strongest translation modes. Each
/// converged candidate is scored by the prior-weighted support of its inliers
/// ([`Background`]). With `ring` (the previous and current frame of a direct pair), a
/// candidate that matches the frame's edges ([`ring_cost`]) at least [`RING_MARGIN`]
/// better than the best-supported one is the camera instead: where a subject covers most
/// of the grid, the few background blocks lose the vote but the edges still show the
/// background. Where the background is the majority every start converges to the same
/// model, so ordinary shots read as before.
fn fit_vectors(
    g: &Gray,
    vecs: Vec<(i32, i32, f32, f32)>,
    bg: &Background,
    starts: &[Model],
    ring: Option<&Gray>,
) -> Option<Measured> {
    let (vecs, at) = to_vectors(g, vecs);
    if vecs.len() < 6 {
        return None;
    }
    let prior: Vec<f32> = vecs
        .iter()
        .zip(&at)
        .map(|(q, &a)| bg.prior(g, q, a))
        .collect();
    let support = |m: &Model| -> f32 {
        vecs.iter()
            .zip(&prior)
            .map(|(q, p)| p * tukey(m.residual(q), SUPPORT_C))
            .sum()
    };
    let mut cands: Vec<Model> = starts.iter().map(|&s| irls(&vecs, Some(s)).0).collect();
    if ring.is_some() {
        cands.push(irls(&vecs, None).0);
        let modes = translation_modes(&vecs, &prior);
        cands.extend(modes.iter().map(|&s| irls(&vecs, Some(s)).0));
    }
    let sup: Vec<f32> = cands.iter().map(support).collect();
    let mut best = (0..cands.len())
        .max_by(|&i, &j| sup[i].total_cmp(&sup[j]))
        .unwrap_or(0);
    if let Some(prev) = ring {
        let cost: Vec<f32> = cands.iter().map(|m| ring_cost(prev, g, m)).collect();
        let edge = (0..cands.len())
            .min_by(|&i, &j| cost[i].total_cmp(&cost[j]))
            .unwrap_or(best);
        if cost[edge] < (1.0 - RING_MARGIN) * cost[best] {
            best = edge;
        }
    }
    let m = cands[best];
    let fit = Fit {
        tx: m.tx,
        ty: m.ty,
        k: m.k,
        resid: mean_residual(&vecs, &m),
    };
    Some((fit, vecs, at))
}

/// The pair previous → current, searched around no motion.
fn estimate(pg: &Gray, ph: &Gray, g: &Gray, half: &Gray, bg: &Background) -> Option<Measured> {
    let vecs = measured_blocks(g, |bx, by| match_block(pg, ph, g, half, bx, by));
    let starts: Vec<Model> = bg.last.into_iter().collect();
    fit_vectors(g, vecs, bg, &starts, Some(pg))
}

/// Current → key, each block searched within [`KEY_R`] of where `predicted` puts it.
fn estimate_keyed(key: &Gray, g: &Gray, predicted: Map, bg: &Background) -> Option<Map> {
    let (cx, cy) = (g.w as f32 / 2.0, g.h as f32 / 2.0);
    let half = BLOCK as f32 / 2.0;
    let vecs = measured_blocks(g, |bx, by| {
        let (px, py) = predicted.apply(bx as f32 + half - cx, by as f32 + half - cy);
        let (ox, oy) = (
            (px + cx - half - bx as f32).round() as i32,
            (py + cy - half - by as f32).round() as i32,
        );
        refine(key, g, bx, by, ox, oy, KEY_R)
    });
    fit_vectors(g, vecs, bg, &[Model::from_map(predicted)], None).map(|(f, _, _)| Map::from_fit(&f))
}

/// Textured blocks at least this many: the faint ones are not needed.
const ENOUGH_TEXTURED: usize = 12;
/// Mean absolute deviation (grey levels) from which a block is textured.
const TEXTURED_DEV: i32 = 4;
/// Mean absolute deviation (grey levels) from which a block may be faint-but-usable.
const FAINT_DEV: i32 = 1;
/// Curvature of a faint block's SAD surface at its match, as a share of the SAD there,
/// for the match to be kept (in both directions).
const FAINT_SHARPNESS: f32 = 0.5;

/// The displacement of every usable block of `g`, measured by `locate` (block corner →
/// displacement and the match's [`Match`] quality).
///
/// Textured blocks (mean absolute deviation ≥ [`TEXTURED_DEV`]) are always used. A
/// nearly flat picture (sky, fog, a pale cloud) has too few of them for a fit, yet its
/// gentle shading still pins a block down: when fewer than [`ENOUGH_TEXTURED`] blocks
/// are textured, the faint ones (deviation ≥ [`FAINT_DEV`]) are measured too and kept
/// where their match is a clear minimum in both directions (a SAD curvature of at least
/// [`FAINT_SHARPNESS`] times the noise left at the match, no lower neighbour): a
/// block of pure noise or of a one-way ramp has no such minimum. On textured pictures
/// the measurement is the same as before (session 13).
fn measured_blocks(
    g: &Gray,
    mut locate: impl FnMut(i32, i32) -> Match,
) -> Vec<(i32, i32, f32, f32)> {
    let devs: Vec<(i32, i32, i32)> = block_grid(g)
        .map(|(bx, by)| (bx, by, block_dev(g, bx, by)))
        .collect();
    let textured = devs.iter().filter(|d| d.2 >= TEXTURED_DEV).count();
    let use_faint = textured < ENOUGH_TEXTURED;
    devs.into_iter()
        .filter(|&(_, _, dev)| dev >= TEXTURED_DEV || (use_faint && dev >= FAINT_DEV))
        .filter_map(|(bx, by, dev)| {
            let m = locate(bx, by);
            (dev >= TEXTURED_DEV || m.sharp).then_some((bx, by, m.dx, m.dy))
        })
        .collect()
}

/// Mean absolute deviation (grey levels) of the block at (bx, by): flat blocks match
/// anywhere, so only those with enough of it are measured.
fn block_dev(g: &Gray, bx: i32, by: i32) -> i32 {
    let size = BLOCK as i32;
    let mean: i32 = (by..by + size)
        .flat_map(|y| (bx..bx + size).map(move |x| (x, y)))
        .map(|(x, y)| g.at(x, y))
        .sum::<i32>()
        / (size * size);
    (by..by + size)
        .flat_map(|y| (bx..bx + size).map(move |x| (x, y)))
        .map(|(x, y)| (g.at(x, y) - mean).abs())
        .sum::<i32>()
        / (size * size)
}

/// A block's match: the content displacement (current − reference) and whether the SAD
/// has a clear minimum there (see [`measured_blocks`]).
#[derive(Debug, Clone, Copy)]
struct Match {
    dx: f32,
    dy: f32,
    sharp: bool,
}

/// Where the block at (bx, by) of the current frame came from in the previous frame,
/// as the content displacement (current − previous).
fn match_block(pg: &Gray, ph: &Gray, g: &Gray, half: &Gray, bx: i32, by: i32) -> Match {
    let (hx, hy, hs) = (bx / 2, by / 2, BLOCK as i32 / 2);
    let mut best = (i32::MAX, 0, 0);
    for dy in -COARSE_R..=COARSE_R {
        for dx in -COARSE_R..=COARSE_R {
            let s = half.sad(ph, hx, hy, dx, dy, hs);
            if s < best.0 {
                best = (s, dx, dy);
            }
        }
    }
    refine(pg, g, bx, by, best.1 * 2, best.2 * 2, 1)
}

/// Best whole-pixel offset within `r` of (ox, oy), then a parabolic sub-pixel peak; the
/// content displacement (current − reference) of the block at (bx, by).
fn refine(pg: &Gray, g: &Gray, bx: i32, by: i32, ox: i32, oy: i32, r: i32) -> Match {
    let size = BLOCK as i32;
    let mut fine = (i32::MAX, 0, 0);
    for dy in -r..=r {
        for dx in -r..=r {
            let s = g.sad(pg, bx, by, ox + dx, oy + dy, size);
            if s < fine.0 {
                fine = (s, dx, dy);
            }
        }
    }
    let (bdx, bdy) = (ox + fine.1, oy + fine.2);
    let sub = |a: i32, b: i32, c: i32| -> f32 {
        let den = (a - 2 * b + c) as f32;
        if den > 0.0 {
            (0.5 * (a - c) as f32 / den).clamp(-0.5, 0.5)
        } else {
            0.0
        }
    };
    let c0 = g.sad(pg, bx, by, bdx, bdy, size);
    let (xl, xr) = (
        g.sad(pg, bx, by, bdx - 1, bdy, size),
        g.sad(pg, bx, by, bdx + 1, bdy, size),
    );
    let (yu, yd) = (
        g.sad(pg, bx, by, bdx, bdy - 1, size),
        g.sad(pg, bx, by, bdx, bdy + 1, size),
    );
    let (sx, sy) = (sub(xl, c0, xr), sub(yu, c0, yd));
    // A clear minimum: no neighbour lower (the window's edge may hide one), and the SAD
    // rises on every side by a share of what is left at the match (the noise).
    let floor = FAINT_SHARPNESS * c0.max(BLOCK as i32 * BLOCK as i32 / 4) as f32;
    let sharp = c0 <= xl.min(xr).min(yu).min(yd)
        && (xl - 2 * c0 + xr) as f32 >= floor
        && (yu - 2 * c0 + yd) as f32 >= floor;
    // The block sits at (bx, by) now and matched (bx + d) before: content moved by −d.
    Match {
        dx: -(bdx as f32 + sx),
        dy: -(bdy as f32 + sy),
        sharp,
    }
}

/// A translation + scale model of the block displacements: `d = t + k·p`.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Model {
    tx: f32,
    ty: f32,
    k: f32,
}

impl Model {
    fn residual(&self, q: &Vector) -> f32 {
        (q.dx - self.tx - self.k * q.x).hypot(q.dy - self.ty - self.k * q.y)
    }

    fn from_map(m: Map) -> Model {
        Model {
            tx: -m.bx,
            ty: -m.by,
            k: 1.0 - m.a,
        }
    }
}

/// Tukey's biweight of residual `r` at scale `c`.
fn tukey(r: f32, c: f32) -> f32 {
    let u = r / c;
    if u < 1.0 {
        (1.0 - u * u).powi(2)
    } else {
        0.0
    }
}

/// Tukey scale (px) of the first reweighting when a fit starts from a given model: a
/// block within it of the start counts as one of the start's set.
const START_C: f32 = 1.5;

/// IRLS fit of `d = t + k·p` (translation + scale about the centre) with Tukey weights.
///
/// From `None`, the first step is least squares over every block and the Tukey scale is
/// set by the median residual of all blocks: the fit settles on the majority's motion
/// (the estimator until session 14). From `Some(model)`, the first weights come from the
/// residuals to that model and the Tukey scale stays [`START_C`]: the fit stays in the
/// start's basin (a scale set by the median would widen to take in the majority), so a
/// minority (the background behind a large moving object) can be fitted. Returns the model and the
/// final weights.
fn irls(v: &[Vector], start: Option<Model>) -> (Model, Vec<f32>) {
    let mut m = start.unwrap_or(Model {
        tx: 0.0,
        ty: 0.0,
        k: 0.0,
    });
    let mut w: Vec<f32> = match start {
        None => vec![1f32; v.len()],
        Some(s) => v.iter().map(|q| tukey(s.residual(q), START_C)).collect(),
    };
    for _ in 0..6 {
        // Normal equations for [tx, ty, k]: dx = tx + k·x, dy = ty + k·y.
        let (mut sw, mut sx, mut sy, mut sxx, mut sdx, mut sdy, mut sxd) =
            (0f32, 0f32, 0f32, 0f32, 0f32, 0f32, 0f32);
        for (q, wi) in v.iter().zip(&w) {
            sw += wi;
            sx += wi * q.x;
            sy += wi * q.y;
            sxx += wi * (q.x * q.x + q.y * q.y);
            sdx += wi * q.dx;
            sdy += wi * q.dy;
            sxd += wi * (q.x * q.dx + q.y * q.dy);
        }
        if sw < 1e-3 {
            break;
        }
        // Solve by eliminating tx, ty.
        let den = sxx - (sx * sx + sy * sy) / sw;
        m.k = if den.abs() > 1e-3 {
            (sxd - (sx * sdx + sy * sdy) / sw) / den
        } else {
            0.0
        };
        m.tx = (sdx - m.k * sx) / sw;
        m.ty = (sdy - m.k * sy) / sw;
        let res: Vec<f32> = v.iter().map(|q| m.residual(q)).collect();
        let c = match start {
            None => {
                let mut sorted = res.clone();
                sorted.sort_by(f32::total_cmp);
                (4.685 * 1.4826 * sorted[sorted.len() / 2]).max(1.0)
            }
            Some(_) => START_C,
        };
        for (wi, r) in w.iter_mut().zip(&res) {
            *wi = tukey(*r, c);
        }
    }
    (m, w)
}

/// Mean distance (px) between the blocks' displacements and what `m` predicts.
fn mean_residual(v: &[Vector], m: &Model) -> f32 {
    v.iter().map(|q| m.residual(q)).sum::<f32>() / v.len() as f32
}

/// Smooth non-repeating texture for tests: hashed lattice values every `period` px,
/// bilinear between them (a periodic pattern would let a block match a whole period away).
#[cfg(test)]
pub(crate) fn value_noise(u: f32, t: f32, seed: u32, period: f32) -> f32 {
    let lattice = |i: i32, j: i32| -> f32 {
        let mut x =
            (i as u32).wrapping_mul(0x9E37_79B1) ^ (j as u32).wrapping_mul(0x85EB_CA77) ^ seed;
        x ^= x >> 15;
        x = x.wrapping_mul(0x2C1B_3C6D);
        x ^= x >> 12;
        (x & 0xff) as f32
    };
    let (fu, ft) = (u / period, t / period);
    let (i, j) = (fu.floor() as i32, ft.floor() as i32);
    let (a, b) = (fu - fu.floor(), ft - ft.floor());
    let top = lattice(i, j) * (1.0 - a) + lattice(i + 1, j) * a;
    let bottom = lattice(i, j + 1) * (1.0 - a) + lattice(i + 1, j + 1) * a;
    top * (1.0 - b) + bottom * b
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texture(w: usize, h: usize, ox: f32, oy: f32, zoom: f32) -> Vec<u8> {
        let mut v = Vec::with_capacity(w * h * 3);
        for y in 0..h {
            for x in 0..w {
                let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
                let u = (x as f32 - cx) / zoom + cx - ox;
                let t = (y as f32 - cy) / zoom + cy - oy;
                let val = 128.0
                    + 60.0 * (u * 0.21).sin() * (t * 0.17).cos()
                    + 40.0 * (u * 0.05 + t * 0.09).sin();
                let b = val.clamp(0.0, 255.0) as u8;
                v.extend([b, b, b]);
            }
        }
        v
    }

    /// A pale, gently shaded picture (luma spread ≈ 0.015, no 16-px block of the
    /// 128-px image with the texture the estimator required until session 13) panning
    /// 1 px a frame at 256 px: every pair is measured and the pan read at its rate.
    #[test]
    fn a_pan_over_a_faint_picture_is_read() {
        let (w, h) = (256usize, 144usize);
        let pale = |ox: f32| -> Vec<u8> {
            (0..w * h)
                .flat_map(|i| {
                    let (x, y) = ((i % w) as f32 - ox, (i / w) as f32);
                    let v = 212.0
                        + 4.0 * (x * 0.045).sin() * (y * 0.06).cos()
                        + 3.0 * (x * 0.02 + y * 0.035).sin();
                    [v.round() as u8 + 10, v.round() as u8, v.round() as u8 + 6]
                })
                .collect()
        };
        let g = to_gray(&pale(0.0), w, h);
        assert!(block_grid(&g).all(|(bx, by)| block_dev(&g, bx, by) < TEXTURED_DEV));
        let frames = 50;
        let mut t = MotionTracker::default();
        for i in 0..frames {
            t.push(i as f64 / 25.0, &pale(i as f32), w, h);
        }
        assert!(t.pairs.iter().all(|p| p.valid), "{:?}", t.pairs);
        let read: f32 = t.pairs.iter().map(|m| m.tx).sum::<f32>() * w as f32;
        let truth = (frames - 1) as f32;
        assert!(
            (read / truth - 1.0).abs() < 0.1,
            "pan read {read} px for {truth}"
        );
        let tilt: f32 = t.pairs.iter().map(|m| m.ty).sum::<f32>() * h as f32;
        assert!(tilt.abs() < 0.1 * truth, "tilt read {tilt} px");
    }

    /// A flat grey card under fresh grain every frame has no motion to read: the faint
    /// blocks' matches are noise, with no clear minimum, so no pair claims a move.
    #[test]
    fn grain_on_a_flat_card_is_no_motion() {
        let (w, h) = (256usize, 144usize);
        let mut x = 99u32;
        let mut t = MotionTracker::default();
        for i in 0..30 {
            let grain: Vec<u8> = (0..w * h)
                .flat_map(|_| {
                    x ^= x << 13;
                    x ^= x >> 17;
                    x ^= x << 5;
                    let v = 120 + (x >> 29) as u8;
                    [v, v, v]
                })
                .collect();
            t.push(i as f64 / 25.0, &grain, w, h);
        }
        for p in &t.pairs {
            assert!(
                !p.valid || (p.tx.abs() < 1e-3 && p.ty.abs() < 1e-3),
                "{p:?}"
            );
        }
    }

    #[test]
    fn recovers_translation_and_zoom() {
        let (w, h) = (256, 144);
        let mut t = MotionTracker::default();
        t.push(0.0, &texture(w, h, 0.0, 0.0, 1.0), w, h);
        t.push(0.04, &texture(w, h, 6.0, -4.0, 1.0), w, h);
        let m = t.pairs[0];
        assert!(m.valid);
        // 6 px at 256 wide = 0.0234 of the width; content moved right and up.
        assert!((m.tx - 6.0 / 256.0).abs() < 0.004, "{m:?}");
        assert!((m.ty + 4.0 / 144.0).abs() < 0.006, "{m:?}");
        assert!((m.scale - 1.0).abs() < 0.01, "{m:?}");
        let mut z = MotionTracker::default();
        z.push(0.0, &texture(w, h, 0.0, 0.0, 1.0), w, h);
        z.push(0.04, &texture(w, h, 0.0, 0.0, 1.05), w, h);
        let m = z.pairs[0];
        assert!((m.scale - 1.05).abs() < 0.015, "{m:?}");
    }

    /// A scene seen through a camera that pans `pan` px a frame and zooms `rate` log2 a
    /// frame about the centre (256×144): a textured still background and, in front of
    /// it, a large textured card (60 % × 70 % of the frame, about 2/3 of the matched
    /// grid) swinging sideways by up to 40 px (4.2 px a frame).
    fn object_scene(i: usize, pan: f32, rate: f32) -> Vec<u8> {
        let (w, h) = (256usize, 144usize);
        let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
        let z = 2f32.powf(rate * i as f32);
        let swing = 40.0 * (2.0 * std::f32::consts::PI * i as f32 / 60.0).sin();
        let mut v = Vec::with_capacity(w * h * 3);
        for y in 0..h {
            for x in 0..w {
                // World point seen at (x, y): the content moved right by `pan` a frame.
                let u = (x as f32 - cx) / z - pan * i as f32;
                let t = (y as f32 - cy) / z;
                let card = (u - swing).abs() < 0.3 * w as f32 && t.abs() < 0.35 * h as f32;
                let val = if card {
                    value_noise(u - swing + 500.0, t + 500.0, 7, 5.0)
                } else {
                    value_noise(u + 500.0, t + 500.0, 1, 5.0)
                };
                let b = val.clamp(0.0, 255.0) as u8;
                v.extend([b, b, b]);
            }
        }
        v
    }

    /// A push-in (0.1 log2/s at 30 fps) behind a card that covers about 2/3 of the grid
    /// and swings sideways: the zoom is read from the background (the frame's edges
    /// decide between the card's motion and the camera's), within 0.02 log2/s — half the
    /// rate from which a shot counts as a zoom (`camera::ZOOM_MIN_RATE`), a fifth of this
    /// rate. Main's estimator (session 14, one majority fit) reads 0.133 log2/s here
    /// (docs/BENCHMARKS.md, session 15).
    #[test]
    fn push_in_is_read_behind_a_dominant_moving_object() {
        let frames = 90;
        let rate = 0.1f32 / 30.0;
        let mut z = MotionTracker::default();
        for i in 0..frames {
            z.push(i as f64 / 30.0, &object_scene(i, 0.0, rate), 256, 144);
        }
        let valid = z.pairs.iter().filter(|p| p.valid).count();
        assert!(valid + 2 >= z.pairs.len(), "{valid} of {}", z.pairs.len());
        let read: f32 =
            z.pairs.iter().map(|p| p.scale.log2()).sum::<f32>() * 30.0 / (frames - 1) as f32;
        assert!((read - 0.1).abs() < 0.02, "zoom read {read} log2/s for 0.1");
    }

    /// Motion graphics seen by a still camera (256×144), then pushed into by the camera
    /// at `push` log2 a frame: a textured logo (a disc of radius 36 px) still in the
    /// middle of a flat grey card, and 48 textured particles streaming out of it, each
    /// placed and sized as a zoom of `stream` log2 a frame about the centre would carry
    /// it (2^(stream·age) times its start, from the logo's rim until it leaves the
    /// frame, then again from the rim) — the tunnel of icons of wannaworktogether.mp4
    /// 34–44 s.
    fn particle_scene(i: usize, stream: f32, push: f32) -> Vec<u8> {
        let (w, h) = (256usize, 144usize);
        let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
        let cam = 2f32.powf(push * i as f32);
        // Each particle's centre and size (half side) in the card's coordinates.
        let parts: Vec<(f32, f32, f32, u32)> = (0..48u32)
            .map(|j| {
                let angle = j as f32 * 2.399_963;
                // The life from the rim (radius 40) to past the corner (radius 160) is
                // 2 log2; particles are spread evenly over it.
                let life = 2.0;
                let age = if stream > 0.0 {
                    (stream * i as f32 + life * (j as f32 * 0.618_034).fract()) % life
                } else {
                    life * (j as f32 * 0.618_034).fract()
                };
                let f = 2f32.powf(age);
                let r = 40.0 * f;
                (r * angle.cos(), r * angle.sin(), 4.0 * f, j)
            })
            .collect();
        let mut v = Vec::with_capacity(w * h * 3);
        for y in 0..h {
            for x in 0..w {
                let (u, t) = ((x as f32 - cx) / cam, (y as f32 - cy) / cam);
                let mut val = 110.0;
                if u.hypot(t) < 36.0 {
                    val = value_noise(u + 300.0, t + 300.0, 5, 5.0);
                }
                for &(px, py, half, j) in &parts {
                    if (u - px).abs() < half && (t - py).abs() < half {
                        // The particle's texture grows with it.
                        let k = 4.0 / half;
                        val = value_noise((u - px) * k + 50.0, (t - py) * k + 50.0, 11 + j, 5.0);
                    }
                }
                let b = val.clamp(0.0, 255.0) as u8;
                v.extend([b, b, b]);
            }
        }
        v
    }

    /// Zoom read over `frames` frames at 30 fps (log2/s) of [`particle_scene`].
    fn particle_zoom(stream: f32, push: f32, frames: usize) -> f32 {
        let mut z = MotionTracker::default();
        for i in 0..frames {
            z.push(i as f64 / 30.0, &particle_scene(i, stream, push), 256, 144);
        }
        z.pairs.iter().map(|p| p.scale.log2()).sum::<f32>() * 30.0 / (frames - 1) as f32
    }

    /// Particles streaming out of a still logo are object motion, not a zoom: every
    /// block they cover moves as a push-in of 1.5 log2/s would move it, and the logo in
    /// the middle agrees with such a push-in within the fit's tolerance pair by pair,
    /// but over the accumulated change the logo keeps its size (`check_zoom`). Read
    /// within 0.04 log2/s of none (`camera::ZOOM_MIN_RATE`, below which a shot holds no
    /// zoom). Main's estimator (session 16) reads most of the stream as a zoom here. A
    /// real push-in of 0.3 log2/s on the same picture with the particles at rest is
    /// still read within 0.03 log2/s (a tenth of the rate).
    #[test]
    fn particles_streaming_from_a_still_logo_are_no_zoom() {
        let read = particle_zoom(1.5 / 30.0, 0.0, 90);
        assert!(read.abs() < 0.04, "zoom read {read} log2/s for none");
        let read = particle_zoom(0.0, 0.3 / 30.0, 90);
        assert!((read - 0.3).abs() < 0.03, "zoom read {read} log2/s for 0.3");
    }

    /// A slow push-in and a slow pan (a tenth of a pixel a frame on the 128-px image)
    /// are read at their rate over a run of frames. Measured pair by pair, whole-pixel
    /// bias swallowed about half of such moves (session 12).
    #[test]
    fn slow_moves_are_read_at_their_rate() {
        let (w, h) = (256, 144);
        let frames = 90;
        // 0.06 log2 per second at 30 fps, about the centre.
        let rate = 0.06f32 / 30.0;
        let mut z = MotionTracker::default();
        for i in 0..frames {
            z.push(
                i as f64 / 30.0,
                &texture(w, h, 0.0, 0.0, 2f32.powf(rate * i as f32)),
                w,
                h,
            );
        }
        assert!(z.pairs.iter().all(|p| p.valid));
        let read: f32 = z.pairs.iter().map(|p| p.scale.log2()).sum();
        let truth = rate * (frames - 1) as f32;
        assert!(
            (read / truth - 1.0).abs() < 0.05,
            "zoom read {read} for {truth}"
        );
        // A pan of 0.2 px a frame at 256 px (0.1 px on the 128-px image).
        let step = 0.2f32;
        let mut p = MotionTracker::default();
        for i in 0..frames {
            p.push(
                i as f64 / 30.0,
                &texture(w, h, step * i as f32, 0.0, 1.0),
                w,
                h,
            );
        }
        let read: f32 = p.pairs.iter().map(|m| m.tx).sum::<f32>() * w as f32;
        let truth = step * (frames - 1) as f32;
        assert!(
            (read / truth - 1.0).abs() < 0.05,
            "pan read {read} px for {truth}"
        );
    }
}
