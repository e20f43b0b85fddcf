//! A slide between a picture and its own punch-in, drawn by ffmpeg's `xfade` from a real
//! shot in `../shared/media` (as `bench/synth/handheld_wipes.py` draws them, without the
//! shake): read as one slide with its start and duration within two frames. Skipped when
//! the media directory is absent.

mod common;

use common::{detected_transitions, encode_graph};
use std::path::{Path, PathBuf};

const MEDIA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/media");

/// Renders 3 s of `src` from `start_s` at 640×360, 25 fps, that slides (`kind`, an
/// `xfade` transition) into its 1.35× punch-in at the same source time over `dur` s from
/// `offset` s.
fn render(src: &str, start_s: f64, kind: &str, offset: f64, dur: f64, out: &Path) {
    let fc = format!(
        "[0:v]trim=start={start_s}:duration=3.5,setpts=PTS-STARTPTS,fps=25,scale=640:360,\
         setsar=1,split[a][p];[p]scale=864:486,crop=640:360[b];\
         [a][b]xfade=transition={kind}:duration={dur}:offset={offset},trim=duration=3,\
         format=yuv420p[v]"
    );
    encode_graph(src, &fc, out);
}

/// Every transition the shot detector reports: (type, start s, duration ms).
fn transitions(path: &Path) -> Vec<(String, f64, i64)> {
    detected_transitions(path)
        .into_iter()
        .map(|t| (t.kind, t.start_s, t.duration_ms))
        .collect()
}

/// A slide to the left over 0.48 s at 1.2 s between a steady shot of Big Buck Bunny and
/// its punch-in: the model fits read the end frames as a camera move and the edge search
/// finds no edge (both sides move), so main read nothing.
#[test]
fn a_slide_between_two_framings_is_read_as_a_slide() {
    if !Path::new(MEDIA).is_dir() {
        eprintln!("skipped: {MEDIA} absent");
        return;
    }
    let dir: PathBuf =
        std::env::temp_dir().join(format!("stylecut-framing-slide-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("slideleft.mp4");
    let (offset, dur) = (1.2, 0.48);
    render(
        "video/moviepy-bbb/big_buck_bunny_0_30.webm",
        12.0,
        "slideleft",
        offset,
        dur,
        &out,
    );
    let t = transitions(&out);
    let _ = std::fs::remove_dir_all(&dir);
    let frame = 1.0 / 25.0;
    assert_eq!(t.len(), 1, "{t:?}");
    let (kind, start, ms) = &t[0];
    assert_eq!(kind, "slide", "{t:?}");
    assert!((start - offset).abs() <= 2.0 * frame + 1e-6, "{t:?}");
    assert!(
        (*ms as f64 / 1000.0 - dur).abs() <= 2.0 * frame + 1e-6,
        "{t:?}"
    );
}
