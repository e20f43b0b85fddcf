//! A hand-held camera that starts or stops a move is no transition (issue 3, session 24).
//! Over the hand-held cockatoo close-up (as `bench/synth/pan_cuts.py --set shake` draws
//! it: a 640×360 window over the source at 1920×1080, a seeded hand-held shake set per
//! frame through `sendcmd`), the window held and then tilting up at 16 px a frame from
//! frame 29: main read a wipe over frames 14–30, where the shake and the bird's own motion
//! carry the picture 1.1 frames (tracked) and the move starts at the window's end, so the
//! move is not seen going on beside it (`gradual::camera_runs_through`) and the end frames
//! no longer overlap for the camera check. Link by link, each stretch's later frame is its
//! earlier one moved (`gradual::camera_chain`). A wipe between two shots over the same
//! shaken window, spanning the start of a move, replaces the picture in a link that no
//! warp explains, and stays. Skipped when the media directory is absent.

mod common;

use common::{media_present, transitions_by_frame};

/// The window's top-left corner per frame (`start-cockatoo2-up16` of the shake set:
/// held at (640, 655) plus the shake, then moving up by 16 px a frame from frame 29).
const SHAKEN_START: [(i32, i32); 60] = [
    (640, 655),
    (637, 654),
    (628, 649),
    (621, 642),
    (614, 647),
    (613, 650),
    (611, 646),
    (608, 634),
    (611, 626),
    (621, 624),
    (620, 634),
    (624, 648),
    (626, 656),
    (627, 671),
    (624, 675),
    (626, 667),
    (635, 656),
    (647, 648),
    (653, 638),
    (663, 632),
    (661, 634),
    (657, 640),
    (651, 648),
    (647, 654),
    (637, 662),
    (636, 669),
    (640, 676),
    (641, 684),
    (641, 683),
    (635, 685),
    (634, 670),
    (632, 644),
    (635, 619),
    (634, 593),
    (632, 563),
    (634, 541),
    (640, 522),
    (638, 500),
    (636, 491),
    (639, 482),
    (643, 477),
    (646, 470),
    (648, 458),
    (644, 441),
    (646, 417),
    (644, 394),
    (643, 372),
    (645, 351),
    (646, 338),
    (640, 330),
    (640, 315),
    (640, 297),
    (638, 284),
    (629, 275),
    (625, 264),
    (634, 249),
    (634, 234),
    (635, 216),
    (627, 190),
    (630, 160),
];

/// A `sendcmd` file placing the window at `pos` per frame (25 fps), written under the
/// temp directory; returns its path.
fn commands(name: &str, pos: &[(i32, i32)]) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!(
        "stylecut-camstart-{name}-{}.cmd",
        std::process::id()
    ));
    let text: String = pos
        .iter()
        .enumerate()
        .map(|(i, (x, y))| format!("{:.3} crop x {x}, crop y {y};\n", i as f64 / 25.0))
        .collect();
    std::fs::write(&path, text).unwrap();
    path
}

/// The window of `cmd` over the source scaled to `w`×`h`, from `start_s` (decoded from the
/// file's start), 60 frames.
fn shaken(start_s: f64, w: u32, h: u32, cmd: &std::path::Path) -> String {
    format!(
        "trim=start={start_s}:duration=2.8,setpts=PTS-STARTPTS,fps=25,\
         scale={w}:{h}:flags=bicubic,setsar=1,sendcmd=f='{}',crop=640:360:640:655,\
         trim=end_frame=60,setpts=PTS-STARTPTS",
        cmd.display()
    )
}

/// The shake set's `start-cockatoo2-up16`: main read a wipe from frame 14 (640 ms).
#[test]
fn a_hand_held_tilt_that_starts_is_not_a_wipe() {
    if !media_present() {
        return;
    }
    let cmd = commands("start", &SHAKEN_START);
    let fc = format!("[0:v]{}[v]", shaken(2.4, 1920, 1080, &cmd));
    let t = transitions_by_frame("camstart", "video/imageio-cockatoo/cockatoo.mp4", &fc, true);
    let _ = std::fs::remove_file(&cmd);
    assert!(t.is_empty(), "{t:?}");
}

/// The control: two shots of `issue-195-aspect-ratio.mp4` (from 3.5 s and from 13 s) seen
/// through the same shaken window, held and then moving up at 18 px a frame from frame 29
/// (the source at 2400×1350), with a wipe to the left over frames 25–41 across the start
/// of the move. The camera travels 0.43 of the frame over the wipe (tracked), so the
/// chain check judges it, and the links over the wipe's edge show a new picture: the wipe
/// stays (found from frame 25 by main too).
#[test]
fn a_wipe_across_a_hand_held_start_is_still_a_wipe() {
    if !media_present() {
        return;
    }
    let pos: Vec<(i32, i32)> = SHAKEN_START
        .iter()
        .enumerate()
        .map(|(i, &(x, y))| {
            let i = i as i32;
            let shake = y - (655 - 16 * (i - 29).max(0));
            (x, 700 - 18 * (i - 29).max(0) + shake)
        })
        .collect();
    let cmd = commands("wipe", &pos);
    let view = shaken(0.0, 2400, 1350, &cmd);
    let fc = format!(
        "[0:v]split[x][y];[x]trim=start=3.5,setpts=PTS-STARTPTS,{view}[a];\
         [y]trim=start=13.0,setpts=PTS-STARTPTS,{view}[b];\
         [a][b]xfade=transition=wipeleft:duration=0.64:offset=1.0[v]"
    );
    let t = transitions_by_frame(
        "camwipe",
        "video/pyscenedetect/issue-195-aspect-ratio.mp4",
        &fc,
        true,
    );
    let _ = std::fs::remove_file(&cmd);
    assert_eq!(t.len(), 1, "{t:?}");
    assert_eq!(t[0].0, "wipe", "{t:?}");
    assert!((t[0].1 - 25).abs() <= 2, "{t:?}");
}
