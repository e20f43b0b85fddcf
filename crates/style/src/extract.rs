//! Analysis → StyleJSON. Every field is computed from the analysis; the definitions,
//! units and rounding rules are written in `docs/STYLEJSON.md`.

use std::collections::HashMap;

use stylecut_analysis::video::camera;
use stylecut_types::{
    audio_map, Analysis, AudioStyle, Beat, ColorGrade, StyleBeat, StyleJson, TransitionEvent,
    TransitionStyle, STYLE_VERSION,
};

use crate::StyleError;

/// `aspect_ratio` of a displayed picture: the nearest allowed ratio in log space; the
/// boundaries are the geometric means 4:3 and 3:4 (a 4:3 picture counts as 16:9).
pub fn aspect_ratio(width: u32, height: u32) -> &'static str {
    let r = width as f64 / height.max(1) as f64;
    if r >= 4.0 / 3.0 {
        "16:9"
    } else if r <= 3.0 / 4.0 {
        "9:16"
    } else {
        "1:1"
    }
}

/// `frame_rate`: the allowed rate nearest to the real rate (ties go to the lower).
pub fn frame_rate(fps: f64) -> i64 {
    let mut best = 24;
    for r in [24i64, 30, 60] {
        if (fps - r as f64).abs() < (fps - best as f64).abs() {
            best = r;
        }
    }
    best
}

/// StyleJSON family of an analysis transition kind.
pub fn family(kind: &str) -> &'static str {
    match kind {
        "cut" => "cut",
        "fade" | "fade_in" | "fade_out" => "fade",
        "dissolve" => "dissolve",
        "wipe" => "wipe",
        "slide" => "slide",
        "zoom" => "zoom",
        _ => "dissolve",
    }
}

fn round_to(v: f64, decimals: i32) -> f64 {
    let p = 10f64.powi(decimals);
    // `+ 0.0` turns a rounded −0.0 into 0.0 in the JSON.
    (v * p).round() / p + 0.0
}

/// The most and second most frequent transition families with their median duration
/// and most frequent easing. Ties in count go to the family seen first.
fn transition_styles(events: &[TransitionEvent]) -> Vec<TransitionStyle> {
    let mut order: Vec<&'static str> = Vec::new();
    let mut groups: HashMap<&'static str, Vec<&TransitionEvent>> = HashMap::new();
    for e in events {
        let f = family(&e.kind);
        if !groups.contains_key(f) {
            order.push(f);
        }
        groups.entry(f).or_default().push(e);
    }
    order.sort_by_key(|f| std::cmp::Reverse(groups[f].len()));
    order
        .into_iter()
        .map(|f| {
            let g = &groups[f];
            let mut d: Vec<i64> = g.iter().map(|e| e.duration_ms).collect();
            d.sort_unstable();
            let mut easings: Vec<(&str, usize)> = Vec::new();
            for e in g {
                match easings.iter_mut().find(|(k, _)| *k == e.easing) {
                    Some(slot) => slot.1 += 1,
                    None => easings.push((&e.easing, 1)),
                }
            }
            easings.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
            TransitionStyle {
                kind: f.into(),
                duration_ms: d[d.len() / 2].clamp(0, 10_000),
                easing: easings.first().map_or("linear", |e| e.0).to_string(),
            }
        })
        .collect()
}

/// A logistic model `P(field right) = σ(intercept + Σ coef·x)`.
struct Logit {
    intercept: f64,
    coef: &'static [f64],
}

impl Logit {
    fn p(&self, x: &[f64]) -> f64 {
        let z = self.intercept + self.coef.iter().zip(x).map(|(c, v)| c * v).sum::<f64>();
        1.0 / (1.0 + (-z).exp())
    }
}

// The per-field models of `extraction_confidence`, fitted by `bench/score/confidence.py
// --fit` on 276 windows (whole clips and 3/6/12 s excerpts) of 63 sources with ground truth
// (docs/BENCHMARKS.md, "Extraction confidence"). The script mirrors these models; change
// both together and refit.

/// `cut_frequency` is right when the boundary count is within 10 % of the truth, i.e. the
/// net errors (misses, false boundaries) stay within floor(0.1·n). Errors are modelled as
/// Poisson with mean `a + b·n + c·m`, with n the boundaries found and m the motion intensity
/// / 100: every boundary found is a chance to have missed or added one, and fast motion is
/// where the detectors miss wipes and slides (the moving edge reads as motion inside a
/// shot) and find transitions that are not there.
const CUT_ERRORS: [f64; 3] = [0.0, 0.01753, 0.2449];
/// Share of windows with boundaries whose `primary_transition` family was right (115 of
/// 117; the fit caps a share at 0.98).
const PRIMARY_RIGHT: f64 = 0.98;
/// `tempo_bpm` right (within 4 %, or null on speech) when there is audio, against
/// [tempo reported, · ln(duration s), · music ratio, · beat jitter] (each term zero when no
/// tempo is reported): a null tempo is nearly always right, a reported one more often the
/// longer the clip and the steadier its beat grid.
const TEMPO: Logit = Logit {
    intercept: 2.742,
    coef: &[-3.351, 1.536, 0.504, -5.363],
};
/// Inter-beat-interval coefficient of variation that counts as no steady pulse at all
/// (`beat_jitter` = 1). Measured: synthetic drums 0.01, music 0.01–0.08, speech 0.04–0.12.
const BEAT_JITTER_FULL: f64 = 0.1;
/// Ceiling of `extraction_confidence`: the fit caps every measured share at 0.98, and a
/// window on which no error was observed (a still, silent single shot) is not certain.
const CONFIDENCE_MAX: f64 = 0.98;

/// P(X ≤ k) for X ~ Poisson(mean).
fn poisson_cdf(k: u32, mean: f64) -> f64 {
    let mut term = (-mean).exp();
    let mut total = term;
    for i in 1..=k {
        term *= mean / f64::from(i);
        total += term;
    }
    total.min(1.0)
}

/// Irregularity of the beat grid in 0..1: the coefficient of variation (population standard
/// deviation over mean) of the intervals between consecutive beats, over
/// `BEAT_JITTER_FULL`, capped at 1. Fewer than three beats give 1: no evidence of a pulse.
pub fn beat_jitter(beats: &[Beat]) -> f64 {
    if beats.len() < 3 {
        return 1.0;
    }
    let mut t: Vec<f64> = beats.iter().map(|b| b.time_s).collect();
    t.sort_by(f64::total_cmp);
    let ibi: Vec<f64> = t.windows(2).map(|w| w[1] - w[0]).collect();
    let n = ibi.len() as f64;
    let mean = ibi.iter().sum::<f64>() / n;
    if mean <= 0.0 {
        return 1.0;
    }
    let var = ibi.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / n;
    (var.sqrt() / mean / BEAT_JITTER_FULL).min(1.0)
}

/// `extraction_confidence` in 0..1 (docs/STYLEJSON.md, *Confidence*): the probability
/// that the fields with ground truth in the benchmarks (`cut_frequency`,
/// `primary_transition`, `tempo_bpm`) are all right, as the product of per-field
/// models of the evidence, calibrated on measured errors. Grade, motion and
/// loudness are not part of it (see the docs).
pub fn extraction_confidence(a: &Analysis) -> f64 {
    let n = a.transitions.len() as f64;
    let tolerance = (0.1 * n + 1e-9).floor() as u32;
    let motion = camera::motion_intensity(&a.motion) / 100.0;
    let errors = CUT_ERRORS[0] + CUT_ERRORS[1] * n + CUT_ERRORS[2] * motion;
    let mut p = poisson_cdf(tolerance, errors.max(1e-9));
    if !a.transitions.is_empty() {
        p *= PRIMARY_RIGHT;
    }
    if a.audio.has_audio {
        let has = if a.tempo_bpm.is_some() { 1.0 } else { 0.0 };
        let x = [
            has,
            has * a.duration_s.max(0.1).ln(),
            has * a.audio.music_ratio,
            has * beat_jitter(&a.beats),
        ];
        p *= TEMPO.p(&x);
    }
    p.clamp(0.0, CONFIDENCE_MAX)
}

/// Builds the StyleJSON of an analysed video.
pub fn extract(a: &Analysis) -> Result<StyleJson, StyleError> {
    let grade = ColorGrade::from_array(a.color_grade.clamped().as_array().map(|v| round_to(v, 1)));
    let minutes = a.duration_s / 60.0;
    let boundaries = a.shots.len().saturating_sub(1) as f64;
    let cut_frequency = if minutes > 0.0 {
        boundaries / minutes
    } else {
        0.0
    };
    let mut styles = transition_styles(&a.transitions).into_iter();
    // A video without any transition has nothing to blend: its join is a plain cut.
    let primary = styles.next().unwrap_or(TransitionStyle {
        kind: "cut".into(),
        duration_ms: 0,
        easing: "linear".into(),
    });
    let secondary = styles.next();
    let audio_style = AudioStyle {
        // Silence or no audio reads as the bottom of the map (−∞ LUFS).
        normalization_level: round_to(
            a.loudness
                .integrated_lufs
                .map_or(0.0, audio_map::normalization_level_from_lufs),
            3,
        ),
        compression_ratio: round_to(
            a.audio
                .estimated_compression_ratio
                .unwrap_or(1.0)
                .clamp(1.0, 100.0),
            2,
        ),
        bass_boost: round_to(
            a.audio
                .bass_excess_db
                .map_or(0.0, audio_map::bass_boost_from_excess_db),
            1,
        ),
        enhance_speech: a.audio.speech_enhanced,
    };
    let style = StyleJson {
        version: STYLE_VERSION.into(),
        color_grade: grade,
        aspect_ratio: aspect_ratio(a.width, a.height).into(),
        frame_rate: frame_rate(a.frame_rate),
        audio_style,
        cut_frequency: round_to(cut_frequency, 2),
        motion_intensity: round_to(camera::motion_intensity(&a.motion), 1),
        zoom_usage: round_to(camera::zoom_usage(&a.motion), 1),
        primary_transition: primary,
        secondary_transition: secondary,
        use_subtitles: a.has_subtitle_stream || a.burned_in_captions,
        detected_beats: a
            .beats
            .iter()
            .map(|b| StyleBeat {
                timestamp_ms: (b.time_s * 1000.0).round() as i64,
                confidence: round_to(b.confidence.clamp(0.0, 1.0), 3),
                frequency: b.band,
            })
            .collect(),
        tempo_bpm: a
            .tempo_bpm
            .filter(|t| (20.0..=400.0).contains(t))
            .map(|t| round_to(t, 2)),
        // No genre classifier with measured accuracy exists here: never guess.
        music_genre: None,
        created_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        source_duration_seconds: round_to(a.duration_s, 3),
        extraction_confidence: round_to(extraction_confidence(a), 3),
    };
    style.validate().map_err(|errs| {
        StyleError::Unsupported(format!("invalid StyleJSON: {}", errs.join("; ")))
    })?;
    Ok(style)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_rules() {
        assert_eq!(aspect_ratio(1920, 1080), "16:9");
        assert_eq!(aspect_ratio(1080, 1920), "9:16");
        assert_eq!(aspect_ratio(1080, 1080), "1:1");
        assert_eq!(aspect_ratio(1440, 1080), "16:9");
        assert_eq!(aspect_ratio(1200, 1080), "1:1");
        assert_eq!(frame_rate(23.976), 24);
        assert_eq!(frame_rate(25.0), 24);
        assert_eq!(frame_rate(27.0), 24);
        assert_eq!(frame_rate(29.97), 30);
        assert_eq!(frame_rate(50.0), 60);
        assert_eq!(frame_rate(16.0), 24);
        assert!(round_to(-0.0001, 1).is_sign_positive());
    }

    #[test]
    fn transitions_rank_by_frequency() {
        let ev = |k: &str, d: i64, e: &str| TransitionEvent {
            kind: k.into(),
            start_s: 0.0,
            duration_ms: d,
            easing: e.into(),
            confidence: 1.0,
        };
        let s = transition_styles(&[
            ev("cut", 0, "linear"),
            ev("fade_in", 900, "ease-in"),
            ev("cut", 0, "linear"),
            ev("fade_out", 1100, "ease-in"),
            ev("fade", 1000, "linear"),
            ev("dissolve", 500, "linear"),
        ]);
        assert_eq!(s[0].kind, "fade");
        assert_eq!(s[0].duration_ms, 1000);
        assert_eq!(s[0].easing, "ease-in");
        assert_eq!(s[1].kind, "cut");
    }

    fn clip(duration_s: f64, boundaries: usize, audio: Option<(Option<f64>, f64)>) -> Analysis {
        let ev = |i: usize| TransitionEvent {
            kind: "cut".into(),
            start_s: i as f64,
            duration_ms: 0,
            easing: "linear".into(),
            confidence: 1.0,
        };
        Analysis {
            duration_s,
            width: 1280,
            height: 720,
            frame_rate: 25.0,
            shots: Vec::new(),
            transitions: (0..boundaries).map(ev).collect(),
            tempo_bpm: audio.and_then(|a| a.0),
            beats: Vec::new(),
            loudness: stylecut_types::Loudness {
                integrated_lufs: None,
                range_lu: None,
                true_peak_dbtp: None,
            },
            speech_segments: Vec::new(),
            speech_pauses: Vec::new(),
            motion: Vec::new(),
            color: Vec::new(),
            color_grade: ColorGrade::default(),
            audio: stylecut_types::AudioFeatures {
                has_audio: audio.is_some(),
                music_ratio: audio.map_or(0.0, |a| a.1),
                ..Default::default()
            },
            has_subtitle_stream: false,
            burned_in_captions: false,
            saliency: Vec::new(),
            picture_change: Default::default(),
            camera_track: Default::default(),
            key_frames: Vec::new(),
            active_area: None,
        }
    }

    /// Beats every `period` s over `duration_s`, every other interval stretched by
    /// `1 + wobble` and the others shrunk by `1 − wobble` (inter-beat CV = `wobble`).
    fn beats(duration_s: f64, period: f64, wobble: f64) -> Vec<Beat> {
        let mut out = Vec::new();
        let mut t = 0.1;
        let mut i = 0;
        while t < duration_s {
            out.push(Beat {
                time_s: t,
                confidence: 0.95,
                band: stylecut_types::Band::Bass,
            });
            t += period
                * if i % 2 == 0 {
                    1.0 + wobble
                } else {
                    1.0 - wobble
                };
            i += 1;
        }
        out
    }

    /// A clip whose single shot moves at the given pan speed (% of width per second).
    fn moving(mut a: Analysis, pan_speed: f64) -> Analysis {
        let mut m = stylecut_types::ShotMotion::still(0.0, a.duration_s);
        m.pan_speed = pan_speed;
        a.motion = vec![m];
        a
    }

    fn music(duration_s: f64, music_ratio: f64, wobble: f64) -> Analysis {
        let mut a = clip(duration_s, 0, Some((Some(120.0), music_ratio)));
        a.beats = beats(duration_s, 0.5, wobble);
        a
    }

    #[test]
    fn beat_jitter_is_the_inter_beat_spread() {
        // A steady grid has no jitter, whatever its tempo.
        assert!(beat_jitter(&beats(10.0, 0.5, 0.0)) < 1e-9);
        assert!(beat_jitter(&beats(10.0, 0.3, 0.0)) < 1e-9);
        // Intervals alternating 0.52 / 0.48 s: CV 0.04, i.e. 0.4 of the full-scale 0.1.
        let j = beat_jitter(&beats(20.0, 0.5, 0.04));
        assert!((j - 0.4).abs() < 0.02, "{j}");
        // Saturates at 1; fewer than three beats are no evidence of a pulse.
        assert_eq!(beat_jitter(&beats(20.0, 0.5, 0.3)), 1.0);
        assert_eq!(beat_jitter(&beats(0.6, 0.5, 0.0)), 1.0);
        assert_eq!(beat_jitter(&[]), 1.0);
        // Order does not matter.
        let mut shuffled = beats(20.0, 0.5, 0.04);
        shuffled.reverse();
        assert!((beat_jitter(&shuffled) - j).abs() < 1e-12);
    }

    #[test]
    fn confidence_follows_the_measured_error_rates() {
        // Silent, still single shot: every checked field is usually right.
        let calm = extraction_confidence(&clip(10.0, 0, None));
        assert!(calm > 0.9, "{calm}");
        // ... but never certain: no observed error is not proof of none.
        assert!(calm <= CONFIDENCE_MAX, "{calm}");
        // A boundary adds the chance of a wrong primary transition; the count's error
        // model never pushes a long fast-cut template to zero (the 10 % tolerance grows).
        let cut = extraction_confidence(&clip(10.0, 2, None));
        assert!(cut < calm, "{cut} {calm}");
        let long_fast = extraction_confidence(&clip(180.0, 40, None));
        assert!(long_fast > 0.5, "{long_fast}");
        // Fast motion is where boundaries are missed or invented: the same clip with a
        // fast pan (motion intensity near 100) falls out of the reliable band.
        let fast = moving(clip(10.0, 0, None), 200.0);
        let fast_c = extraction_confidence(&fast);
        assert!(camera::motion_intensity(&fast.motion) > 95.0);
        assert!(fast_c < 0.85 && fast_c < calm - 0.1, "{fast_c} {calm}");
        let slow_c = extraction_confidence(&moving(clip(10.0, 0, None), 5.0));
        assert!(slow_c > fast_c + 0.1, "{slow_c} {fast_c}");
    }

    #[test]
    fn tempo_confidence_follows_the_beat_grid() {
        // A tempo over a steady beat grid from 30 s of music is nearly always right.
        let steady_long = extraction_confidence(&music(30.0, 1.0, 0.0));
        assert!(steady_long > 0.9, "{steady_long}");
        // The same with a jittery grid (inter-beat CV 0.1, as on speech) is not.
        let jittery_long = extraction_confidence(&music(30.0, 1.0, 0.1));
        assert!(jittery_long < 0.6, "{jittery_long}");
        // Shorter is less sure at the same jitter; so is audio that is not mostly music.
        let steady_short = extraction_confidence(&music(3.0, 1.0, 0.0));
        assert!(
            steady_short < steady_long - 0.05,
            "{steady_short} {steady_long}"
        );
        let jittery_short = extraction_confidence(&music(3.0, 1.0, 0.1));
        assert!(
            jittery_short < 0.2 && jittery_short < jittery_long,
            "{jittery_short}"
        );
        let speechy = extraction_confidence(&music(10.0, 0.3, 0.03));
        let musical = extraction_confidence(&music(10.0, 1.0, 0.03));
        assert!(speechy < musical, "{speechy} {musical}");
        // A tempo with fewer than three beats behind it counts as no steady pulse.
        let beatless = extraction_confidence(&clip(30.0, 0, Some((Some(120.0), 1.0))));
        assert!(beatless < 0.6, "{beatless}");
        // Audio without music and no tempo: the null tempo is nearly always right.
        let null = extraction_confidence(&clip(10.0, 0, Some((None, 0.0))));
        assert!(null > 0.9 && null > jittery_long + 0.3, "{null}");
    }
}
