//! A 30 fps picture written at 60 fps reads no cut the 30 fps picture does not (issue 3,
//! session 28).
//!
//! `bench/qa_sweep.py` case `wanna-z60-1080-high`: our own 60 fps render of
//! `wannaworktogether.mp4` (29.97 fps) repeats every source frame. In its punched-in
//! framing of the title animation (the Creative Commons logo zooming in and bouncing,
//! source 0.96–1.96 s) main read five cuts in 0.4 s where the same stretch at its own
//! frame rate reads one: each step of the logo's zoom sits between two repeated frames,
//! so the zoom-step rule (`cuts::zoom_step_cut`) saw neighbours with no change and no zoom,
//! as at an editor's punch-in. `bench/score/plan_truth.py` scores the render against its
//! plan: no join there. Skipped when the media directory is absent.

mod common;

use common::{analysed_transitions, encode_graph, media_present};

/// The plan's second segment (source from 0.96 s, crop 0.8 × 0.614 of the frame at
/// (0.446, 0.482)) at 1280×720, at the source's rate (`FPS` empty) or its frames
/// repeated to 60 fps.
fn graph(fps: &str) -> String {
    format!(
        "[0:v]trim=start=0.96:duration=1.0,setpts=PTS-STARTPTS,\
crop=384:216:22:62,scale=1280:720:flags=bicubic{fps},format=yuv420p[v]"
    )
}

#[test]
fn a_zooming_title_at_doubled_frame_rate_reads_no_new_cut() {
    if !media_present() {
        return;
    }
    let dir = std::env::temp_dir().join(format!("stylecut-tests-repeats-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let src = "video/openboard-cc/wannaworktogether.mp4";
    let (own, doubled) = (dir.join("title30.mp4"), dir.join("title60.mp4"));
    encode_graph(src, &graph(""), &own);
    encode_graph(src, &graph(",fps=60"), &doubled);
    let (a, b) = (analysed_transitions(&own), analysed_transitions(&doubled));
    let _ = std::fs::remove_dir_all(&dir);
    // Every boundary of the doubled copy is one of the source-rate copy's (which reads
    // one cut, at 0.23 s, a step of the logo's bounce that is no join either).
    for y in &b {
        assert!(
            a.iter()
                .any(|x| x.kind == y.kind && (x.start_s - y.start_s).abs() <= 1.0 / 30.0),
            "30 fps {a:?}\n60 fps {b:?}"
        );
    }
}
