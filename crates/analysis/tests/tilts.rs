//! Fast tilts over hand-held footage are not slides, wipes or fades (issue 3, session 21):
//! a 640×360 window moving down or diagonally at 20–44 px a frame over the hand-held
//! cockatoo close-up scaled to 1920×1080 or more (as `bench/synth/pan_cuts.py --set tilt`
//! draws it, the source decoded from its start). The camera travels more than a frame
//! over the window main reported, so the end frames do not overlap and the camera check
//! cannot match them; the close-up's flat feathers, its own hand-held motion and the
//! 20 → 25 fps conversion's repeated frames let a wipe mask, the slide model or a fade
//! through the dark area the tilt reveals fit the frames. The tracked camera keeps
//! moving beside the window (`gradual::camera_runs_through`). A slide between two held
//! shots, which travels a whole frame too, stays.
//! Skipped when the media directory is absent.

mod common;

use common::{media_present, transitions_by_frame};

const COCKATOO: &str = "video/imageio-cockatoo/cockatoo.mp4";

/// The cockatoo from `start_s` (decoded from the file's start: a seek past 3.8 s decodes
/// garbage), 25 fps, scaled to `w`×`h`, seen through a 640×360 window at (`x`, `y`)
/// (ffmpeg expressions of the frame number `n`), 60 frames.
fn tilt(start_s: f64, w: u32, h: u32, x: &str, y: &str) -> String {
    format!(
        "[0:v]trim=start={start_s}:duration=2.8,setpts=PTS-STARTPTS,fps=25,\
         scale={w}:{h}:flags=bicubic,setsar=1,crop=640:360:x='{x}':y='{y}',\
         trim=end_frame=60[v]"
    )
}

/// The cockatoo from 4.2 s, the window tilting down at 20 px a frame and stopping at
/// frame 29: main read a slide from frame 14.
#[test]
fn a_tilt_that_stops_over_a_hand_held_close_up_is_not_a_slide() {
    if !media_present() {
        return;
    }
    let fc = tilt(4.2, 1920, 1080, "640", "20+20*min(n\\,29)");
    let t = transitions_by_frame("tilt-stop", COCKATOO, &fc, true);
    assert!(t.is_empty(), "{t:?}");
}

/// The same span, the window moving up and left (0.6, 0.8 of 44 px a frame) and stopping
/// at frame 29: main read a wipe from frame 14.
#[test]
fn a_fast_diagonal_tilt_that_stops_is_not_a_wipe() {
    if !media_present() {
        return;
    }
    // pan_cuts.py's geometry for this travel: the source at 2524×1420, the window from
    // its bottom right corner.
    let fc = tilt(
        4.2,
        2524,
        1420,
        "1864-26.4*min(n\\,29)",
        "1040-35.2*min(n\\,29)",
    );
    let t = transitions_by_frame("tilt-diag", COCKATOO, &fc, true);
    assert!(t.is_empty(), "{t:?}");
}

/// The control: a slide up (16 frames) between two shots of Big Buck Bunny (from 3 s and
/// from 12 s): the tracked picture travels a whole frame over the slide (1.03 of the
/// frame), as over the tilts, but is held beside it, so the slide stays.
#[test]
fn a_slide_between_held_shots_is_still_found() {
    if !media_present() {
        return;
    }
    let view = |s: f64| {
        format!(
            "trim=start={s}:duration=2.6,setpts=PTS-STARTPTS,fps=25,scale=640:360,setsar=1,\
             trim=end_frame=60,setpts=PTS-STARTPTS"
        )
    };
    let fc = format!(
        "[0:v]split[x][y];[x]{}[a];[y]{}[b];\
         [a][b]xfade=transition=slideup:duration=0.64:offset=0.8[v]",
        view(3.0),
        view(12.0)
    );
    let t = transitions_by_frame(
        "tilt-slide",
        "video/moviepy-bbb/big_buck_bunny_0_30.webm",
        &fc,
        true,
    );
    assert_eq!(t.len(), 1, "{t:?}");
    assert_eq!(t[0].0, "slide", "{t:?}");
    assert!((t[0].1 - 20).abs() <= 3, "{t:?}");
}
