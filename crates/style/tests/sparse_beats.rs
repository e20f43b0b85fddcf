//! Music whose beats were found in one stretch only (`big_buck_bunny_0_30.webm`: music
//! throughout, three beats at 20.5–22.1 s) must still be cut at the template's rate:
//! splits fall on beats where the tracker found them and anywhere (the middle rule) where
//! it found none. Before session 21 every split had to be a beat, the pieces away from
//! them were never split, and a 90-cuts-a-minute template gave that clip 8 cuts a minute
//! (`bench/qa_sweep.py`, case `bbb-cut90-low480`).

mod common;

use common::*;
use stylecut_media::{probe, RunOpts};
use stylecut_style::apply;
use stylecut_types::config::JobConfig;
use stylecut_types::{Band, Beat};

#[test]
fn music_with_a_few_beats_is_cut_at_the_template_rate() {
    let dir = tempfile::tempdir().unwrap();
    let src = make_clip(dir.path(), "music.mp4", 30.0, None);
    let info = probe::probe(&src, &RunOpts::default()).unwrap();
    // BBB's analysis: shots at 2.0 / 11.8 / 15.67 / 22.96 s, tempo 74, three beats.
    let mut a = analysis(30.0, 320, 240, 25.0, &[2.0, 11.8, 15.67, 22.96]);
    a.audio.has_audio = true;
    a.audio.music_ratio = 0.8;
    a.tempo_bpm = Some(74.4);
    let beats = [20.5, 21.34, 22.11];
    a.beats = beats
        .iter()
        .map(|&t| Beat {
            time_s: t,
            confidence: 0.8,
            band: Band::Bass,
        })
        .collect();
    let st = style("1:1", 25, 90.0);
    let plan = apply::plan(&src, &info, &a, Some(&st), &JobConfig::default()).unwrap();
    let segs = &plan.segments;
    let rate = (segs.len() - 1) as f64 / (plan.output_duration_s / 60.0);
    assert!(
        rate >= 72.0,
        "{rate:.1} cuts a minute for 90: {:?}",
        plan.notes
    );
    // Where the beats are (within two beat intervals), splits are still beats.
    let step = 0.81;
    for s in segs
        .iter()
        .filter(|s| s.origin == apply::pacing::Origin::Split)
    {
        let t = s.src_in_s;
        if beats.iter().any(|b| (b - t).abs() <= 2.0 * step) {
            assert!(
                beats.iter().any(|b| (b - t).abs() <= 0.05),
                "split at {t:.3} s near the beats {beats:?} is not on one"
            );
        }
    }
}
