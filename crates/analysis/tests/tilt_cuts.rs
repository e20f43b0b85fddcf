//! Hard cuts out of fast tilts over hand-held footage (issue 3, session 22): a 640×360
//! window moving down and left (0.6, 0.8 of 38 px a frame) over the hand-held cockatoo
//! from 10 s, scaled to 2422×1362 (as `bench/synth/pan_cuts.py --set shake` draws it,
//! without its shake, decoded from the file's start), cut at frame 30 to the cockatoo
//! from 2.4 s held still. Two frames of the tilt change by 0.67 of the cut's change and
//! one frame by 0.37 of it, over `STEP_SHARE` (0.33): main read the cut as a sweep (the
//! tilt going on) and reported nothing. The tilt's change is one picture moving, which a
//! warp of the thumbnail matches, and the cut's is not, so it is a cut
//! (`cuts::keeps_changing`). The same tilt stopping without a cut stays no cut.
//! Skipped when the media directory is absent.

mod common;

use common::{media_present, transitions_by_frame};

const COCKATOO: &str = "video/imageio-cockatoo/cockatoo.mp4";

/// The cockatoo from `start_s` at 25 fps, scaled to 2422×1362, through a 640×360 window
/// at (`x`, `y`) (ffmpeg expressions of the frame number `n`), `extra` filters after the
/// crop, 30 frames (`frames`).
fn part(start_s: f64, x: &str, y: &str, extra: &str, frames: u32) -> String {
    format!(
        "trim=start={start_s}:duration=2.8,setpts=PTS-STARTPTS,fps=25,\
         scale=2422:1362:flags=bicubic,setsar=1,crop=640:360:x='{x}':y='{y}'{extra},\
         trim=end_frame={frames},setpts=PTS-STARTPTS"
    )
}

/// A cut at frame 30 out of the tilt (blurred along its travel when `blur`) into the held
/// view; the (type, frame) of every transition `analyze` reports.
fn cut_out_of_tilt(name: &str, blur: bool) -> Vec<(String, i64)> {
    let extra = if blur {
        ",dblur=angle=126.9:radius=9.5"
    } else {
        ""
    };
    let fc = format!(
        "[0:v]split[x][y];[x]{}[a];[y]{}[b];[a][b]concat=n=2:v=1:a=0[v]",
        part(10.0, "1722-22.8*n", "60+30.4*n", extra, 30),
        part(2.4, "1722", "60", "", 30),
    );
    transitions_by_frame(name, COCKATOO, &fc, true)
}

#[test]
fn a_cut_out_of_a_blurred_fast_tilt_is_a_cut() {
    if !media_present() {
        return;
    }
    let t = cut_out_of_tilt("tilt-cut-blur", true);
    assert!(
        t.iter().any(|(k, i)| k == "cut" && (i - 30).abs() <= 1),
        "{t:?}"
    );
    assert!(t.iter().all(|(_, i)| (i - 30).abs() <= 1), "{t:?}");
}

#[test]
fn a_cut_out_of_a_sharp_fast_tilt_is_a_cut() {
    if !media_present() {
        return;
    }
    let t = cut_out_of_tilt("tilt-cut-sharp", false);
    assert!(
        t.iter().any(|(k, i)| k == "cut" && (i - 30).abs() <= 1),
        "{t:?}"
    );
    assert!(t.iter().all(|(_, i)| (i - 30).abs() <= 1), "{t:?}");
}

/// The control: the same tilt stopping at frame 29 without a cut (one take of the
/// cockatoo from 10 s) reads no cut.
#[test]
fn the_same_tilt_stopping_is_no_cut() {
    if !media_present() {
        return;
    }
    let fc = format!(
        "[0:v]{}[v]",
        part(10.0, "1722-22.8*min(n\\,29)", "60+30.4*min(n\\,29)", "", 60)
    );
    let t = transitions_by_frame("tilt-stop-cut", COCKATOO, &fc, true);
    assert!(t.iter().all(|(k, _)| k != "cut"), "{t:?}");
}
