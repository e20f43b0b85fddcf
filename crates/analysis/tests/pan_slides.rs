//! Fast pans over about a frame's width are not slides (the held-out set
//! `bench/synth/pan_cuts.py`, session 19): a 640×360 window panning right at 24 or 36 px
//! a frame over a real shot scaled to 1920×1080 (as `pan_cuts.py` draws it). Its end
//! frames are two neighbouring views of one scene, which the slide model explains as well
//! as a slide between them; main read each of these as a slide. Skipped when the media
//! directory is absent.

mod common;

use common::{media_present, pan_window, transitions_by_frame};

/// A pan at 24 px a frame over the rock texture of `testvideo.mp4` from the first frame,
/// stopping at frame 29 (696 px, 1.09 widths): main read a slide over frames 0–28 (the
/// model fits of `gradual`), as the move's start is not seen.
#[test]
fn a_pan_that_stops_is_not_a_slide() {
    if !media_present() {
        return;
    }
    let fc = format!(
        "[0:v]{},trim=end_frame=60[v]",
        pan_window(1.6, "100+24*min(n\\,29)")
    );
    let t = transitions_by_frame("stop", "video/pyscenedetect/testvideo.mp4", &fc, false);
    assert!(t.is_empty(), "{t:?}");
}

/// A still view of the dark monitor picture in `goldeneye-vfr-drop3.mp4` whose window
/// starts panning at 36 px a frame at frame 29 and pans on to the end: main read a slide
/// over frames 28–54, though the picture moves on at the same pace after it.
#[test]
fn a_pan_that_starts_is_not_a_slide() {
    if !media_present() {
        return;
    }
    let fc = format!(
        "[0:v]{},trim=end_frame=60[v]",
        pan_window(4.6, "100+36*max(n-29\\,0)")
    );
    let t = transitions_by_frame(
        "start",
        "video/pyscenedetect/goldeneye-vfr-drop3.mp4",
        &fc,
        false,
    );
    assert!(t.is_empty(), "{t:?}");
}

/// Two pans at 24 px a frame over Big Buck Bunny (from 16 s, then from 3 s), 30 frames
/// each, joined by a hard cut: main read the first one as a slide over frames 0–29 (the
/// run of moves in `slide`, from the segment's first pair to its last). The cut stays.
#[test]
fn a_pan_cut_into_is_not_a_slide() {
    if !media_present() {
        return;
    }
    let pan = "100+24*n";
    let fc = format!(
        "[0:v]split[x][y];[x]{},trim=end_frame=30,setpts=PTS-STARTPTS[a];\
         [y]{},trim=end_frame=30,setpts=PTS-STARTPTS[b];[a][b]concat=n=2:v=1:a=0[v]",
        pan_window(16.0, pan),
        pan_window(3.0, pan)
    );
    let t = transitions_by_frame(
        "cutpan",
        "video/moviepy-bbb/big_buck_bunny_0_30.webm",
        &fc,
        false,
    );
    assert_eq!(t, vec![("cut".to_string(), 30)], "{t:?}");
}
