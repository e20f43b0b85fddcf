//! Fast pans are not wipes (issue 3, session 20): a 640×360 window panning at 36 px a
//! frame over a real shot scaled to 1920×1080 (as `bench/synth/pan_cuts.py` draws it).
//! A boundary in the scene (a dark object against a bright wall) crosses the frame at the
//! pan's pace, and the lines it has crossed keep their new look, so the moving-edge search
//! of `video::edge` measured it as a wipe's edge; main reported a wipe on each of these.
//! With the camera's motion taken out, the step under that edge vanishes: the new side is
//! the old picture moved by the camera. A true wipe while the camera pans keeps its edge.
//! Skipped when the media directory is absent.

mod common;

use common::{media_present, pan_window, transitions_by_frame};

/// A still view of `issue-195-aspect-ratio.mp4` from 7.3 s whose window starts panning
/// right at 36 px a frame at frame 29: main read a wipe (left) from frame 39, 720 ms long.
#[test]
fn a_pan_that_starts_is_not_a_wipe() {
    if !media_present() {
        return;
    }
    let fc = format!(
        "[0:v]{},trim=end_frame=60[v]",
        pan_window(7.3, "100+36*max(n-29\\,0)")
    );
    let t = transitions_by_frame(
        "start",
        "video/pyscenedetect/issue-195-aspect-ratio.mp4",
        &fc,
        true,
    );
    assert!(t.is_empty(), "{t:?}");
}

/// Big Buck Bunny from 3 s, the window panning right at 36 px a frame and stopping at
/// frame 29, motion-blurred (half the frame's travel) while it moves: main read a wipe
/// from frame 28, 1200 ms long.
#[test]
fn a_blurred_pan_that_stops_is_not_a_wipe() {
    if !media_present() {
        return;
    }
    let fc = format!(
        "[0:v]{},gblur=sigma=9.00:sigmaV=0.01:enable='lt(n\\,30)',trim=end_frame=60[v]",
        pan_window(3.0, "100+36*min(n\\,29)")
    );
    let t = transitions_by_frame(
        "stop",
        "video/moviepy-bbb/big_buck_bunny_0_30.webm",
        &fc,
        true,
    );
    assert!(t.is_empty(), "{t:?}");
}

/// The control: a wipe (left to right over 16 frames) between two shots of Big Buck
/// Bunny (from 3 s and from 12 s) while the camera pans right over both at 16 px a frame.
/// The edge crosses pictures that both move with the camera, but the new side is another
/// picture, so the camera does not explain it (0.91 of the edge's step is left with the
/// camera's motion taken out, against 0.00–0.22 on the pans of `pan_cuts.py`): the wipe
/// stays.
#[test]
fn a_wipe_during_a_pan_is_still_a_wipe() {
    if !media_present() {
        return;
    }
    let pan = "100+16*n";
    let fc = format!(
        "[0:v]split[x][y];[x]{},trim=end_frame=60,setpts=PTS-STARTPTS[a];\
         [y]{},trim=end_frame=60,setpts=PTS-STARTPTS[b];\
         [a][b]xfade=transition=wiperight:duration=0.64:offset=0.8[v]",
        pan_window(3.0, pan),
        pan_window(12.0, pan)
    );
    let t = transitions_by_frame(
        "wipe",
        "video/moviepy-bbb/big_buck_bunny_0_30.webm",
        &fc,
        true,
    );
    assert_eq!(t.len(), 1, "{t:?}");
    assert_eq!(t[0].0, "wipe", "{t:?}");
    assert!((t[0].1 - 20).abs() <= 3, "{t:?}");
}
