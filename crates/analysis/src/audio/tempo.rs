//! Tempo estimation with explicit metrical-level selection.
//!
//! 1. Periodicity: the unbiased autocorrelation `r(τ)` of the detrended onset envelope.
//! 2. Candidates: local maxima of `r` between 40 and 320 BPM, plus every metrical
//!    relative (×1/3, ×1/2, ×2/3, ×3/2, ×2, ×3) of the strongest one, each refined to
//!    the nearest autocorrelation peak.
//! 3. Each candidate is beat-tracked ([`super::beats::track`]), takes the tempo its
//!    beats follow, and is scored by how well its beats explain the onsets and whether
//!    kick and snare alternate at it (see `score`); the best-scoring level wins, unless
//!    a level at ¾ or 4⁄3 of its tempo has clearly stronger onsets at its beats (see
//!    `promote_metre_level`), or its half- or third-way points carry as much bass+mid
//!    onset as its beats, in which case the faster even level does (see
//!    `promote_split_level`). This is the octave rule documented in `docs/AUDIO.md`.

use super::beats;
use super::onset::{Onsets, TIMBRE_GROUPS};

pub const MIN_BPM: f64 = 40.0;
pub const MAX_BPM: f64 = 320.0;

/// One tempo hypothesis and the evidence for it.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub bpm: f64,
    /// Period in frames.
    pub period: f64,
    /// Normalised autocorrelation at the period.
    pub acf: f64,
    /// Beat frames tracked at this period.
    pub beats: Vec<usize>,
    /// Mean normalised onset strength at the beats.
    pub on: f64,
    /// Mean normalised onset strength half-way between beats.
    pub off: f64,
    /// Mean normalised onset strength at the thirds between beats.
    pub off3: f64,
    /// Cosine similarity of the onset spectral shape at beats and at half-way points.
    pub sim2: f64,
    /// The same at the thirds.
    pub sim3: f64,
    /// Share of salient onsets (peaks above the envelope's 80th percentile) within
    /// ±70 ms of a beat.
    pub recall: f64,
    /// Share of beats that fall on a salient onset.
    pub precision: f64,
    /// Evenness of the bass+mid accents across alternate beats: the smaller over the
    /// larger of the mean bass+mid onset strength at even and at odd beats (1 = every
    /// beat equally accented, near 0 = strong/weak alternation, i.e. a subdivision).
    pub alt: f64,
    /// Mean bass+mid onset strength half-way between beats over that at the beats.
    pub c2_low: f64,
    /// Mean bass+mid onset strength at the thirds between beats over that at the beats.
    pub c3_low: f64,
    /// [`Candidate::c2_low`] measured on the bass band (< 150 Hz) alone.
    pub c2_bass: f64,
    /// [`Candidate::c3_low`] measured on the bass band (< 150 Hz) alone.
    pub c3_bass: f64,
    /// Kick/snare alternation across consecutive beats: minus the correlation between
    /// the change of bass onset strength and the change of mid onset strength from one
    /// beat to the next (see [`backbeat`]). Near 1 when the bass (kick) and the mid
    /// (snare) accents alternate in anti-phase beat by beat, as at the quarter-note
    /// level of a backbeat; near 0 or negative at the half-note level (kicks only) and
    /// the eighth-note level (kick or snare, then hat).
    pub backbeat: f64,
    pub score: f64,
}

/// Unbiased, zero-lag-normalised autocorrelation up to `max_lag`.
pub fn autocorr(x: &[f64], max_lag: usize) -> Vec<f64> {
    let n = x.len();
    let mean = x.iter().sum::<f64>() / n.max(1) as f64;
    let d: Vec<f64> = x.iter().map(|v| v - mean).collect();
    let max_lag = max_lag.min(n.saturating_sub(1));
    let mut r = vec![0.0; max_lag + 1];
    for (lag, out) in r.iter_mut().enumerate() {
        let s: f64 = d[..n - lag].iter().zip(&d[lag..]).map(|(a, b)| a * b).sum();
        *out = s / (n - lag) as f64;
    }
    let r0 = r[0];
    if r0 > 0.0 {
        r.iter_mut().for_each(|v| *v /= r0);
    }
    r
}

/// Linear interpolation of `r` at a fractional lag.
fn at(r: &[f64], lag: f64) -> f64 {
    if lag < 0.0 || lag >= (r.len() - 1) as f64 {
        return 0.0;
    }
    let i = lag.floor() as usize;
    let f = lag - i as f64;
    r[i] * (1.0 - f) + r[i + 1] * f
}

/// Nearest local maximum of `r` within ±4 % of `lag`, refined by a parabola.
fn refine(r: &[f64], lag: f64) -> f64 {
    let lo = ((lag * 0.96).floor() as usize).max(1);
    let hi = ((lag * 1.04).ceil() as usize).min(r.len().saturating_sub(2));
    if lo >= hi {
        return lag;
    }
    let best = (lo..=hi)
        .max_by(|&a, &b| r[a].total_cmp(&r[b]))
        .unwrap_or(lo);
    if best == 0 || best + 1 >= r.len() || best == lo || best == hi {
        // No interior peak: keep the requested lag.
        return lag;
    }
    let (a, b, c) = (r[best - 1], r[best], r[best + 1]);
    let den = a - 2.0 * b + c;
    let shift = if den.abs() > 1e-12 {
        (0.5 * (a - c) / den).clamp(-0.5, 0.5)
    } else {
        0.0
    };
    best as f64 + shift
}

/// The final beat frames at a chosen candidate's period, tracked with
/// [`beats::TIGHTNESS_FINAL`] over the same normalised envelope as the search.
pub fn final_beats(onsets: &Onsets, fps: f64, period: f64) -> Vec<usize> {
    let det = super::onset::detrend(&onsets.all, (fps * 1.0).round() as usize);
    let norm = beats::normalize(&det);
    beats::track(&norm, period, beats::TIGHTNESS_FINAL)
}

/// Builds and scores the tempo candidates. `onset` is the raw onset envelope,
/// `fps` its frame rate. Returns candidates sorted by score, best first.
pub fn candidates(onsets: &Onsets, fps: f64) -> Vec<Candidate> {
    let onset = &onsets.all;
    let n = onset.len();
    let min_lag = 60.0 * fps / MAX_BPM;
    let max_lag = 60.0 * fps / MIN_BPM;
    if (n as f64) < 2.0 * min_lag * 4.0 {
        return Vec::new();
    }
    let det = super::onset::detrend(onset, (fps * 1.0).round() as usize);
    let det64: Vec<f64> = det.iter().map(|&v| v as f64).collect();
    let r = autocorr(&det64, (max_lag * 1.1).ceil() as usize);
    let top = (max_lag.ceil() as usize).min(r.len().saturating_sub(2));
    let bottom = min_lag.floor().max(1.0) as usize;
    let mut peaks: Vec<usize> = (bottom.max(1)..=top)
        .filter(|&i| r[i] > r[i - 1] && r[i] >= r[i + 1] && r[i] > 0.0)
        .collect();
    peaks.sort_by(|&a, &b| r[b].total_cmp(&r[a]));
    peaks.truncate(8);
    if peaks.is_empty() {
        return Vec::new();
    }
    let mut lags: Vec<f64> = peaks.iter().map(|&p| refine(&r, p as f64)).collect();
    for &p in peaks.iter().take(3) {
        let base = refine(&r, p as f64);
        for m in [1.0 / 3.0, 0.5, 2.0 / 3.0, 1.5, 2.0, 3.0] {
            let lag = base / m;
            if lag >= min_lag * 0.97 && lag <= max_lag * 1.03 {
                lags.push(refine(&r, lag));
            }
        }
    }
    lags.retain(|&l| l >= min_lag * 0.95 && l <= max_lag * 1.05);
    lags.sort_by(f64::total_cmp);
    lags.dedup_by(|a, b| (*a / *b - 1.0).abs() < 0.03);

    let norm = beats::normalize(&det);
    let salient = salient_onsets(&det, fps);
    let det_low = super::onset::detrend(&onsets.low, (fps * 1.0).round() as usize);
    let band = |k: usize| {
        beats::normalize(&super::onset::detrend(
            &onsets.band[k],
            (fps * 1.0).round() as usize,
        ))
    };
    let (bass, mid) = (band(0), band(1));
    let low = beats::normalize(&det_low);
    let env = Envelopes {
        det: &det,
        norm: &norm,
        timbre: &onsets.timbre,
        low: &low,
        bass: &bass,
        mid: &mid,
    };
    let mut out: Vec<Candidate> = lags
        .into_iter()
        .map(|period| evaluate(&r, &env, &salient, fps, period))
        .collect();
    out.sort_by(|a, b| b.score.total_cmp(&a.score));
    // Several lags can converge on the same tracked tempo: keep the best of each.
    let mut kept: Vec<Candidate> = Vec::with_capacity(out.len());
    for c in out {
        if !kept.iter().any(|k| (k.bpm / c.bpm - 1.0).abs() < 0.02) {
            kept.push(c);
        }
    }
    promote_metre_level(&mut kept, |period| {
        evaluate(&r, &env, &salient, fps, period)
    });
    promote_split_level(&mut kept, |period| {
        evaluate(&r, &env, &salient, fps, period)
    });
    kept
}

/// At or above this ratio of the mean onset strength at a candidate's beats
/// ([`Candidate::on`]) to that at the winner's beats, a candidate at ¾ or 4⁄3 of the
/// winner's tempo replaces it (see [`promote_metre_level`]).
pub const METRE_ON_RATIO: f64 = 1.25;

/// The ¾ / 4⁄3 check on the winner. Between two levels a fourth apart in period
/// (3 pulses against 4) only one can sit on the accented notes: the other chain
/// falls on them once per 3 or 4 beats and on weaker notes in between, so the mean
/// onset strength at its beats is clearly lower. Recall and the prior can still
/// prefer the wrong one (a phrase of sixteenths at 90 BPM read every third note, at
/// 121 BPM: recall 0.64 against 0.40). So when a candidate within 4 % of ¾ or 4⁄3 of
/// the winner's tempo carries at least [`METRE_ON_RATIO`] times the winner's onset
/// strength at its beats, every one of its beats on a salient onset (precision not
/// below the winner's) and a positive score, it goes first. A 2× or 3× relative is not
/// judged this way: a slower level of a binary or ternary grouping always sits on the
/// stronger onsets. A kick/snare backbeat at the winner keeps it.
fn promote_metre_level(kept: &mut Vec<Candidate>, mut evaluate: impl FnMut(f64) -> Candidate) {
    let Some(best) = kept.first() else {
        return;
    };
    if best.score <= 0.0 || best.backbeat > BACKBEAT_PRESENT {
        return;
    }
    let (bpm, period) = (best.bpm, best.period);
    for m in [0.75, 4.0 / 3.0] {
        if !kept.iter().any(|c| (c.bpm / (m * bpm) - 1.0).abs() < 0.04) {
            kept.push(evaluate(period / m));
        }
    }
    let best = &kept[0];
    let pick = kept
        .iter()
        .enumerate()
        .skip(1)
        .filter(|(_, c)| {
            [0.75, 4.0 / 3.0]
                .iter()
                .any(|m| (c.bpm / (m * best.bpm) - 1.0).abs() < 0.04)
                && c.score > 0.0
                && c.on >= METRE_ON_RATIO * best.on
                && c.precision >= best.precision
        })
        .max_by(|a, b| a.1.score.total_cmp(&b.1.score))
        .map(|(i, _)| i);
    if let Some(i) = pick {
        let c = kept.remove(i);
        kept.insert(0, c);
    }
}

/// At or above this ratio of bass+mid onset strength half-way (or a third of the way)
/// between beats to that at the beats ([`Candidate::c2_low`], [`Candidate::c3_low`]) a
/// level is taken for a grouping of a faster, even pulse.
pub const SPLIT_LEVEL: f64 = 0.9;

/// At or above this ratio of bass (< 150 Hz) onset strength half-way (a third of the
/// way) between beats to that at the beats ([`Candidate::c2_bass`],
/// [`Candidate::c3_bass`]) the in-between points are not "as strong as the beats" but
/// clearly stronger: the chain sits off the beat, between the kicks or bass notes, and
/// is not split. Hard clipping makes this happen: it turns each hi-hat into a full-scale
/// broadband noise burst, so the off-beat hats carry as much bass+mid flux as the
/// kicks (`c2_low` ≥ [`SPLIT_LEVEL`]) and the strongest flux overall, and the tracker
/// can settle on them; only the bass band still tells the kicks (a techno loop at
/// 125 BPM clipped by +30 dB: `c2_bass` 9.0, read 250 BPM without this guard). On the
/// one annotated piece that is split (the jazz trio's walking bass) `c2_bass` is 1.0.
pub const OFFBEAT_BASS: f64 = 1.5;

/// Above this kick/snare alternation ([`Candidate::backbeat`]) a level is a backbeat's
/// quarter note and is never split.
pub const BACKBEAT_PRESENT: f64 = 0.5;

/// The octave check on the winner: when the points half-way (or a third of the way)
/// between its beats carry about as much bass+mid onset as the beats themselves
/// (`c2_low` or `c3_low` ≥ [`SPLIT_LEVEL`]: a walking bass, comping or a kick on every
/// pulse, read every second or third pulse), the beat is that faster pulse, provided
/// the winner has no kick/snare backbeat, the faster level is even (its own `alt` ≥
/// [`MIN_EVENNESS`], i.e. not a subdivision) and within [`MAX_BPM`]. Without it the
/// broad prior centred on 70 BPM keeps fast music (a swing ride and walking bass near
/// 290 BPM) at a half or a third of its tempo. The faster level is moved to the front;
/// `evaluate` builds it when no candidate lies within 4 % of the multiple.
fn promote_split_level(kept: &mut Vec<Candidate>, mut evaluate: impl FnMut(f64) -> Candidate) {
    for _ in 0..2 {
        let Some(best) = kept.first() else {
            return;
        };
        if best.score <= 0.0 || best.backbeat > BACKBEAT_PRESENT {
            return;
        }
        let m = if best.c2_low >= SPLIT_LEVEL && best.c2_bass < OFFBEAT_BASS {
            2.0
        } else if best.c3_low >= SPLIT_LEVEL && best.c3_bass < OFFBEAT_BASS {
            3.0
        } else {
            return;
        };
        let target = m * best.bpm;
        if target > MAX_BPM * 1.04 {
            return;
        }
        let idx = match kept
            .iter()
            .position(|c| (c.bpm / target - 1.0).abs() < 0.04)
        {
            Some(i) => i,
            None => {
                let c = evaluate(best.period / m);
                if (c.bpm / target - 1.0).abs() >= 0.04 {
                    return;
                }
                kept.push(c);
                kept.len() - 1
            }
        };
        if kept[idx].score <= 0.0 || kept[idx].alt < MIN_EVENNESS {
            return;
        }
        let c = kept.remove(idx);
        kept.insert(0, c);
    }
}

/// Frames of onset peaks above the 80th percentile of the envelope, at least 50 ms apart.
fn salient_onsets(det: &[f32], fps: f64) -> Vec<usize> {
    let mut sorted: Vec<f32> = det.to_vec();
    sorted.sort_by(f32::total_cmp);
    let thr = sorted[(sorted.len() * 4 / 5).min(sorted.len() - 1)];
    let gap = (0.05 * fps).round().max(1.0) as usize;
    let mut out: Vec<usize> = Vec::new();
    for i in 1..det.len().saturating_sub(1) {
        if det[i] > thr && det[i] > det[i - 1] && det[i] >= det[i + 1] {
            match out.last() {
                Some(&l) if i - l < gap => {
                    if det[i] > det[l] {
                        if let Some(last) = out.last_mut() {
                            *last = i;
                        }
                    }
                }
                _ => out.push(i),
            }
        }
    }
    out
}

/// Fewest inter-beat intervals from which a candidate takes the tempo its beats follow
/// (median interval, least-squares period): two, i.e. the three beats a candidate needs
/// to be scored at all. A 3-second excerpt has three or four beats, and its tempo is
/// what those beats say, not the autocorrelation lag they were tracked from.
pub const MIN_INTERVALS: usize = 2;

/// Whether a beat chain keeps `period`: fewer than [`MIN_INTERVALS`] intervals, or a
/// median interval within 8 % of it.
fn follows(beats: &[usize], period: f64) -> bool {
    let mut ibi: Vec<usize> = beats.windows(2).map(|w| w[1] - w[0]).collect();
    ibi.sort_unstable();
    ibi.len() < MIN_INTERVALS || (ibi[ibi.len() / 2] as f64 / period - 1.0).abs() < 0.08
}

/// Least-squares inter-beat period over a run of at least [`MIN_INTERVALS`] + 1 beats.
fn regression_period(beats: &[usize]) -> Option<f64> {
    let n = beats.len();
    if n < MIN_INTERVALS + 1 {
        return None;
    }
    let mx = (n - 1) as f64 / 2.0;
    let my = beats.iter().map(|&b| b as f64).sum::<f64>() / n as f64;
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for (i, &b) in beats.iter().enumerate() {
        let dx = i as f64 - mx;
        sxy += dx * (b as f64 - my);
        sxx += dx * dx;
    }
    (sxx > 0.0).then(|| sxy / sxx)
}

/// The onset envelopes a candidate is judged on.
struct Envelopes<'a> {
    /// Detrended onset envelope (all bands).
    det: &'a [f32],
    /// The same divided by its standard deviation.
    norm: &'a [f64],
    timbre: &'a [[f32; TIMBRE_GROUPS]],
    /// Normalised detrended bass+mid flux.
    low: &'a [f64],
    /// Normalised detrended bass (< 150 Hz) flux.
    bass: &'a [f64],
    /// Normalised detrended mid (150 Hz – 4 kHz) flux.
    mid: &'a [f64],
}

/// Kick/snare alternation of a beat sequence: with `b_i`, `m_i` the bass and mid onset
/// strengths at beat `i`, minus the correlation (about zero) of the beat-to-beat
/// changes `b_{i+1} − b_i` and `m_{i+1} − m_i`. Kick, snare, kick, snare gives
/// changes of opposite sign every time (1); kicks only gives unrelated noise (≈ 0);
/// kick, hat, snare, hat gives changes of the same sign (< 0), as does a bass-only
/// or a full-band accent every other beat. Parity slips of the beat chain do not
/// matter: only consecutive beats are compared.
pub fn backbeat(bass: &[f64], mid: &[f64]) -> f64 {
    let (mut sbm, mut sbb, mut smm) = (0.0, 0.0, 0.0);
    for i in 1..bass.len().min(mid.len()) {
        let db = bass[i] - bass[i - 1];
        let dm = mid[i] - mid[i - 1];
        sbm += db * dm;
        sbb += db * db;
        smm += dm * dm;
    }
    if sbb * smm <= 1e-12 {
        0.0
    } else {
        -sbm / (sbb * smm).sqrt()
    }
}

fn evaluate(r: &[f64], env: &Envelopes, salient: &[usize], fps: f64, period: f64) -> Candidate {
    let (det, norm, timbre, low) = (env.det, env.norm, env.timbre, env.low);
    let mut beats = beats::track(norm, period, beats::TIGHTNESS_SEARCH);
    let mut period = period;
    // When the tracker settled on another tempo (median inter-beat interval more than
    // 8 % from the lag, over at least MIN_INTERVALS intervals), the candidate is that
    // tempo: re-track at it, so the features and the final beats describe the reported
    // tempo.
    let mut ibi: Vec<usize> = beats.windows(2).map(|w| w[1] - w[0]).collect();
    ibi.sort_unstable();
    if let Some(&median) = ibi.get(ibi.len() / 2) {
        if ibi.len() >= MIN_INTERVALS && (median as f64 / period - 1.0).abs() >= 0.08 {
            period = median as f64;
            beats = beats::track(norm, period, beats::TIGHTNESS_SEARCH);
        }
    }
    // Second pass at the period the beats actually kept (least-squares slope of beat
    // frame against beat index): removes the autocorrelation's lag quantisation.
    // It only refines: when the re-tracked chain no longer follows the slope (median
    // interval 8 % or more away, as a few-second excerpt can jump to another level),
    // the first chain and its period stay.
    if let Some(slope) = regression_period(&beats) {
        if (slope / period - 1.0).abs() < 0.04 {
            let refined = beats::track(norm, slope, beats::TIGHTNESS_SEARCH);
            if follows(&refined, slope) {
                period = slope;
                beats = refined;
            }
        }
    }
    let reach = (0.035 * fps).round() as usize;
    let tol = (0.07 * fps).round() as usize;
    let mean_in = |env: &[f64], frames: &mut dyn Iterator<Item = usize>| {
        let (mut s, mut c) = (0.0, 0usize);
        for f in frames {
            if f < env.len() {
                s += env[f.saturating_sub(reach)..(f + reach + 1).min(env.len())]
                    .iter()
                    .copied()
                    .fold(0.0, f64::max);
                c += 1;
            }
        }
        if c == 0 {
            0.0
        } else {
            s / c as f64
        }
    };
    let mean_at = |frames: &mut dyn Iterator<Item = usize>| mean_in(norm, frames);
    let on = mean_at(&mut beats.iter().copied());
    let even = mean_in(low, &mut beats.iter().copied().step_by(2));
    let odd = mean_in(low, &mut beats.iter().copied().skip(1).step_by(2));
    let alt = if even.max(odd) > 0.0 {
        even.min(odd) / even.max(odd)
    } else {
        0.0
    };
    let off = mean_at(&mut beats.windows(2).map(|w| (w[0] + w[1]) / 2));
    let thirds = || {
        beats
            .windows(2)
            .flat_map(|w| [w[0] + (w[1] - w[0]) / 3, w[0] + 2 * (w[1] - w[0]) / 3])
    };
    let off3 = mean_at(&mut thirds());
    let halves = || beats.windows(2).map(|w| (w[0] + w[1]) / 2);
    let at_beats = profile(timbre, det, beats.iter().copied(), reach);
    let sim2 = cosine(&at_beats, &profile(timbre, det, halves(), reach));
    let sim3 = cosine(&at_beats, &profile(timbre, det, thirds(), reach));
    let near = |f: usize, set: &[usize]| {
        let k = set.partition_point(|&x| x + tol < f);
        k < set.len() && set[k] <= f + tol
    };
    let (first, last) = (
        beats.first().copied().unwrap_or(0),
        beats.last().copied().unwrap_or(0),
    );
    let covered: Vec<usize> = salient
        .iter()
        .copied()
        .filter(|&s| s + tol >= first && s <= last + tol)
        .collect();
    let on_low = mean_in(low, &mut beats.iter().copied());
    let c2_low = if on_low > 0.0 {
        mean_in(low, &mut beats.windows(2).map(|w| (w[0] + w[1]) / 2)) / on_low
    } else {
        0.0
    };
    let peaks = |x: &[f64]| -> Vec<f64> {
        beats
            .iter()
            .map(|&f| mean_in(x, &mut std::iter::once(f)))
            .collect()
    };
    let backbeat = backbeat(&peaks(env.bass), &peaks(env.mid));
    let c3_low = if on_low > 0.0 {
        mean_in(low, &mut thirds()) / on_low
    } else {
        0.0
    };
    let on_bass = mean_in(env.bass, &mut beats.iter().copied());
    let (c2_bass, c3_bass) = if on_bass > 0.0 {
        (
            mean_in(env.bass, &mut halves()) / on_bass,
            mean_in(env.bass, &mut thirds()) / on_bass,
        )
    } else {
        (0.0, 0.0)
    };
    let recall = if covered.is_empty() {
        0.0
    } else {
        covered.iter().filter(|&&s| near(s, &beats)).count() as f64 / covered.len() as f64
    };
    let precision = if beats.is_empty() {
        0.0
    } else {
        beats.iter().filter(|&&b| near(b, salient)).count() as f64 / beats.len() as f64
    };
    let mut c = Candidate {
        bpm: 60.0 * fps / period,
        period,
        acf: at(r, period),
        beats,
        on,
        off,
        off3,
        sim2,
        sim3,
        recall,
        precision,
        alt,
        c2_low,
        c3_low,
        c2_bass,
        c3_bass,
        backbeat,
        score: 0.0,
    };
    c.score = score(&c);
    c
}

/// Centre of the log-normal tempo prior, BPM.
pub const PRIOR_CENTER_BPM: f64 = 70.0;
/// Width of the tempo prior, octaves (one standard deviation).
pub const PRIOR_OCTAVES: f64 = 1.3;

/// Below this evenness of the bass+mid accents across alternate beats
/// ([`Candidate::alt`]) a level is taken for a subdivision and its score scaled down
/// in proportion.
pub const MIN_EVENNESS: f64 = 0.3;

/// Weight of the kick/snare alternation ([`Candidate::backbeat`]) in the score: a level
/// whose beats alternate kick and snare scores up to `1 + BACKBEAT_WEIGHT` times more.
pub const BACKBEAT_WEIGHT: f64 = 0.5;

/// The metrical-level score:
/// `sqrt(on) × recall × prior(bpm) × min(1, alt / 0.3) × (1 + 0.5 · max(0, backbeat))`.
///
/// `recall` (share of salient onsets that fall on a beat) grows when the level gets
/// faster and covers subdivisions; `on` (mean onset strength at the beats) and the
/// broad prior centred on 70 BPM pull towards slower, accented levels. The evenness
/// term stops the subdivision level of a drum pattern from winning on recall alone:
/// on eighths, every other "beat" is a hi-hat with no bass or mid onset (kick/snare
/// vs hat), whereas the beats of the real level all carry a kick, a snare, a bass note
/// or a chord. The backbeat term favours the level at which kick and snare alternate
/// beat by beat (the quarter note of a rock pattern), so a fast pattern is not read at
/// its half-note level (kicks only) just because that is nearer the prior's centre.
/// A candidate needs at least three beats.
fn score(c: &Candidate) -> f64 {
    if c.beats.len() < 3 {
        return 0.0;
    }
    let octaves = (c.bpm / PRIOR_CENTER_BPM).log2() / PRIOR_OCTAVES;
    let evenness = (c.alt / MIN_EVENNESS).min(1.0);
    let backbeat = 1.0 + BACKBEAT_WEIGHT * c.backbeat.max(0.0);
    c.on.max(0.0).sqrt() * c.recall * (-0.5 * octaves * octaves).exp() * evenness * backbeat
}

/// Mean onset spectral shape at the strongest frame within ±`reach` of each point.
fn profile(
    timbre: &[[f32; TIMBRE_GROUPS]],
    det: &[f32],
    points: impl Iterator<Item = usize>,
    reach: usize,
) -> [f64; TIMBRE_GROUPS] {
    let mut acc = [0f64; TIMBRE_GROUPS];
    for p in points {
        let a = p.saturating_sub(reach);
        let b = (p + reach + 1).min(det.len());
        if a >= b {
            continue;
        }
        let k = (a..b)
            .max_by(|&x, &y| det[x].total_cmp(&det[y]))
            .unwrap_or(a);
        for (s, v) in acc.iter_mut().zip(&timbre[k]) {
            *s += *v as f64;
        }
    }
    acc
}

fn cosine(a: &[f64], b: &[f64]) -> f64 {
    let dot: f64 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let na = a.iter().map(|x| x * x).sum::<f64>().sqrt();
    let nb = b.iter().map(|x| x * x).sum::<f64>().sqrt();
    if na * nb <= 1e-12 {
        0.0
    } else {
        dot / (na * nb)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backbeat_reads_kick_snare_alternation() {
        // (bass, mid) onset strength at each beat.
        let kick = (3.0, 0.5);
        let snare = (0.8, 3.0);
        let hat = (0.1, 0.3);
        let bb = |beats: &[(f64, f64)]| {
            let (b, m): (Vec<f64>, Vec<f64>) = beats.iter().copied().unzip();
            backbeat(&b, &m)
        };
        let quarters: Vec<_> = (0..16)
            .map(|i| if i % 2 == 0 { kick } else { snare })
            .collect();
        assert!(bb(&quarters) > 0.95, "{}", bb(&quarters));
        // Half notes: kicks only, with small level changes.
        let halves: Vec<_> = (0..16)
            .map(|i| {
                (
                    kick.0 + 0.1 * ((i * 7) % 3) as f64,
                    kick.1 + 0.1 * ((i * 5) % 4) as f64,
                )
            })
            .collect();
        assert!(bb(&halves).abs() < 0.5, "{}", bb(&halves));
        // Eighth notes: kick, hat, snare, hat.
        let eighths: Vec<_> = (0..16).map(|i| [kick, hat, snare, hat][i % 4]).collect();
        assert!(bb(&eighths) < 0.0, "{}", bb(&eighths));
        // A bass-only accent every other beat is no backbeat.
        let bass_only: Vec<_> = (0..16)
            .map(|i| if i % 2 == 0 { kick } else { hat })
            .collect();
        assert!(bb(&bass_only) < 0.0, "{}", bb(&bass_only));
    }

    fn level(bpm: f64, c2_low: f64, backbeat: f64, alt: f64, score: f64) -> Candidate {
        Candidate {
            bpm,
            period: 60.0 * 86.0 / bpm,
            acf: 0.0,
            beats: vec![0; 8],
            on: 3.0,
            off: 0.0,
            off3: 0.0,
            sim2: 0.0,
            sim3: 0.0,
            recall: 0.5,
            precision: 1.0,
            alt,
            c2_low,
            c3_low: 0.0,
            c2_bass: c2_low,
            c3_bass: 0.0,
            backbeat,
            score,
        }
    }

    #[test]
    fn a_level_with_midpoints_as_strong_as_its_beats_is_split() {
        let none = |_: f64| -> Candidate { panic!("the doubled level is a candidate") };
        // Half-way points carry more bass+mid than the beats (walking bass read every
        // other note): the doubled level, even and scored, goes first.
        let mut c = vec![
            level(145.0, 1.2, -0.1, 0.9, 0.54),
            level(290.0, 0.46, -0.1, 0.6, 0.33),
        ];
        promote_split_level(&mut c, none);
        assert_eq!(c[0].bpm, 290.0);
        // The same with a kick/snare backbeat at the winner: kept.
        let mut c = vec![
            level(145.0, 1.2, 0.9, 0.9, 0.54),
            level(290.0, 0.46, -0.1, 0.6, 0.33),
        ];
        promote_split_level(&mut c, none);
        assert_eq!(c[0].bpm, 145.0);
        // Weaker half-way points (an ordinary off-beat): kept.
        let mut c = vec![
            level(100.0, 0.63, 0.1, 0.6, 0.54),
            level(200.0, 0.39, -0.1, 0.6, 0.53),
        ];
        promote_split_level(&mut c, none);
        assert_eq!(c[0].bpm, 100.0);
        // Half-way points carrying far more bass than the beats: the chain sits on the
        // off-beats (hats made broadband by clipping, kicks in between): kept.
        let mut offbeat = level(125.0, 1.16, 0.04, 0.6, 0.56);
        offbeat.c2_bass = 9.0;
        let mut c = vec![offbeat, level(250.0, 0.28, -0.02, 0.86, 0.52)];
        promote_split_level(&mut c, none);
        assert_eq!(c[0].bpm, 125.0);
        // The doubled level is a subdivision (uneven): kept.
        let mut c = vec![
            level(145.0, 1.2, -0.1, 0.9, 0.54),
            level(290.0, 0.46, -0.1, 0.1, 0.33),
        ];
        promote_split_level(&mut c, none);
        assert_eq!(c[0].bpm, 145.0);
    }

    #[test]
    fn a_level_three_quarters_away_with_stronger_beats_wins() {
        // The trumpet loop's readings (`audio_eval --candidates`): 121.3 wins on recall,
        // the ¾ level (88.3) has every beat on a salient onset and 1.3× its onset strength.
        let level = |bpm: f64, on: f64, precision: f64, score: f64| {
            let mut c = level(bpm, 0.0, 0.0, 0.6, score);
            c.on = on;
            c.precision = precision;
            c
        };
        let asked = std::cell::RefCell::new(Vec::new());
        let eval = |bpm: f64, on: f64, precision: f64, score: f64| {
            let asked = &asked;
            move |period: f64| {
                asked.borrow_mut().push(60.0 * 86.0 / period);
                level(bpm, on, precision, score)
            }
        };
        let mut c = vec![level(121.3, 5.05, 1.0, 1.19), level(95.4, 6.9, 1.0, 0.99)];
        // ¾ of 121.3 is 91 (95.4 is 4.9 % away): evaluated, tracked at 88.3.
        promote_metre_level(&mut c, eval(88.3, 6.56, 1.0, 0.9));
        assert_eq!(c[0].bpm, 88.3);
        let asked = asked.take();
        assert!((asked[0] - 0.75 * 121.3).abs() < 0.1, "{asked:?}");
        // Onsets at the ¾ level only slightly stronger (1.1×): kept.
        let mut c = vec![level(121.3, 5.05, 1.0, 1.19), level(91.0, 5.6, 1.0, 0.9)];
        promote_metre_level(&mut c, |_| level(161.7, 4.4, 0.67, 0.6));
        assert_eq!(c[0].bpm, 121.3);
        // Stronger but some of its beats off the salient onsets: kept.
        let mut c = vec![level(121.3, 5.05, 1.0, 1.19), level(91.0, 6.6, 0.75, 0.9)];
        promote_metre_level(&mut c, |_| level(161.7, 4.4, 0.67, 0.6));
        assert_eq!(c[0].bpm, 121.3);
        // A 4⁄3 level with stronger beats wins as well.
        let mut c = vec![level(90.0, 4.0, 0.9, 1.0), level(120.0, 5.2, 1.0, 0.8)];
        promote_metre_level(&mut c, |_| level(67.5, 4.2, 0.9, 0.5));
        assert_eq!(c[0].bpm, 120.0);
        // A kick/snare backbeat at the winner keeps it.
        let mut c = vec![level(121.3, 5.05, 1.0, 1.19), level(91.0, 6.6, 1.0, 0.9)];
        c[0].backbeat = 0.9;
        promote_metre_level(&mut c, |_| level(161.7, 4.4, 0.67, 0.6));
        assert_eq!(c[0].bpm, 121.3);
    }
}
