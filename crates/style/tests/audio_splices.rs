//! Hard cuts where the sound jumps (a dropped piece, a jump cut, a removed beat interval)
//! must not click: the sound of the two sides is joined sample to sample, and two unrelated
//! points of a waveform meet in a step (`bench/qa_sweep.py` found steps of 0.22 full scale
//! at two such joins of `wannaworktogether.mp4`, session 21). A source with a steady tone
//! and many short shots is paced down to a slow template, so pieces are dropped and the
//! remaining ones meet at hard cuts with the tone at another phase; at every such join the
//! output's largest sample step must stay near the tone's own, in a whole render and in a
//! chunked one.

mod common;

use std::path::Path;

use common::*;
use stylecut_media::{probe, RunOpts};
use stylecut_style::apply::{self, EditPlan};
use stylecut_types::config::JobConfig;

/// 12 s of a 320×180 picture with a 441.7 Hz tone at half scale (no whole number of
/// periods in a shot, so a dropped shot leaves the tone at another phase).
fn tone_source(path: &Path) {
    picture_and_sound(path, 12, "0.5*sin(2*PI*441.7*t)");
}

fn stereo_samples(path: &Path) -> Vec<[f32; 2]> {
    sound_f32(path, 2)
        .chunks_exact(2)
        .map(|c| [c[0], c[1]])
        .collect()
}

/// Output times (s) of the hard cuts whose sound jumps in the source.
fn jumping_cuts(plan: &EditPlan) -> Vec<f64> {
    let s = &plan.segments;
    (1..s.len())
        .filter(|&k| {
            let hard = plan
                .transitions
                .iter()
                .find(|t| t.after_segment == k - 1)
                .is_none_or(|t| t.frames == 0);
            hard && (s[k].src_in_s - s[k - 1].src_out_s).abs() > 1e-3
        })
        .map(|k| s[k].out_start_s)
        .collect()
}

/// Largest sample step within ±2 ms of each time, and the tone's own 99.9th percentile
/// step over the whole output away from those times (±10 ms).
fn steps(x: &[[f32; 2]], at: &[f64]) -> (Vec<f64>, f64) {
    let d: Vec<f64> = x
        .windows(2)
        .map(|w| ((w[1][0] - w[0][0]).abs().max((w[1][1] - w[0][1]).abs())) as f64)
        .collect();
    let near = |i: usize, r: usize| {
        at.iter()
            .any(|t| (i as f64 - t * 48_000.0).abs() <= r as f64)
    };
    let peaks = at
        .iter()
        .map(|t| {
            let n = (t * 48_000.0).round() as usize;
            d[n.saturating_sub(96)..(n + 96).min(d.len())]
                .iter()
                .cloned()
                .fold(0.0, f64::max)
        })
        .collect();
    let mut rest: Vec<f64> = (0..d.len())
        .filter(|&i| !near(i, 480))
        .map(|i| d[i])
        .collect();
    rest.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let p999 = rest[(rest.len() as f64 * 0.999) as usize];
    (peaks, p999)
}

fn check(chunk: Option<usize>) {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("tone.mp4");
    tone_source(&src);
    let info = probe::probe(&src, &RunOpts::default()).unwrap();
    // 9 shots of 1.3 s: 44 cuts a minute, paced down to 10 (pieces dropped, at most 8
    // left, so the plain plan is one render).
    let cuts: Vec<f64> = (1..9).map(|i| i as f64 * 1.3).collect();
    let mut a = analysis(12.0, 320, 180, 25.0, &cuts);
    a.audio.has_audio = true;
    let mut st = style("16:9", 25, 10.0);
    st.audio_style.compression_ratio = 1.0;
    st.audio_style.bass_boost = 0.0;
    let cfg = JobConfig::default();
    let mut plan = match chunk {
        None => apply::plan(&src, &info, &a, Some(&st), &cfg).unwrap(),
        Some(n) => apply::plan_chunked(&src, &info, &a, Some(&st), &cfg, n).unwrap(),
    };
    assert_eq!(plan.chunks.is_some(), chunk.is_some());
    let at = jumping_cuts(&plan);
    assert!(at.len() >= 2, "{:?}", plan.notes);
    fast(&mut plan);
    let out = dir.path().join("out.mp4");
    apply::render(&plan, &out, &RunOpts::default(), |_| {}).unwrap();
    let x = stereo_samples(&out);
    let (peaks, tone) = steps(&x, &at);
    eprintln!("cuts {at:?}: steps {peaks:?}, tone {tone:.4}");
    // The tone's own step at this level is ≈ 2π·441.7/48000 × amplitude; the AAC encode
    // adds a little. A join of two phases steps by up to twice the amplitude.
    for (t, p) in at.iter().zip(&peaks) {
        assert!(
            *p <= 1.5 * tone,
            "step {p:.3} at the cut at {t:.3} s; the tone's own steps reach {tone:.3} ({peaks:?})"
        );
    }
}

#[test]
fn dropped_pieces_join_without_a_click() {
    check(None);
}

#[test]
fn dropped_pieces_join_without_a_click_in_chunks() {
    check(Some(2));
}
