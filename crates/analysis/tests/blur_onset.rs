//! A fast hand-held pan that starts with its motion blur is no cut (issue 3, session 25).
//! The drift set's `start-bbb19-left42b` (`bench/synth/pan_cuts.py --set drift`): a 640×360
//! window over Big Buck Bunny from 19.5 s (the source at 1976×1112), held with a slow
//! drift and a rolling jitter, then panning left at 42 px a frame from frame 30, blurred
//! along the travel (`dblur`, radius 10.5) from that frame on. The step into frame 31
//! passes the cut thresholds and is a sweep (the pan goes on after it), but the punch-in
//! rule for moving pictures (`cuts::zoom_step_cut`) read the blurred frame as a 1.8× zoom
//! of the sharp one, the zoom search's limit: main reported a cut at 31. A fit that runs
//! into the search's limit located no scale (`zoomstep::ZoomFit::pegged`). Skipped when
//! the media directory is absent.

mod common;

use common::{media_present, transitions_by_frame};

/// The window's top-left corner per frame (`start-bbb19-left42b`'s `sendcmd` positions).
const SHAKEN_START: [(i32, i32); 60] = [
    (1279, 380),
    (1275, 379),
    (1267, 376),
    (1263, 372),
    (1267, 369),
    (1271, 368),
    (1269, 371),
    (1262, 376),
    (1260, 380),
    (1265, 381),
    (1274, 379),
    (1278, 376),
    (1275, 375),
    (1272, 377),
    (1273, 378),
    (1277, 381),
    (1278, 383),
    (1273, 383),
    (1267, 380),
    (1268, 377),
    (1275, 375),
    (1281, 375),
    (1281, 377),
    (1279, 379),
    (1283, 381),
    (1290, 381),
    (1299, 377),
    (1302, 372),
    (1301, 364),
    (1301, 358),
    (1262, 353),
    (1225, 350),
    (1185, 349),
    (1138, 351),
    (1092, 350),
    (1050, 347),
    (1014, 343),
    (975, 342),
    (930, 342),
    (882, 345),
    (839, 348),
    (800, 350),
    (761, 350),
    (717, 347),
    (670, 346),
    (625, 347),
    (585, 353),
    (544, 360),
    (498, 367),
    (446, 371),
    (395, 376),
    (350, 379),
    (309, 381),
    (265, 382),
    (216, 386),
    (164, 390),
    (117, 393),
    (76, 395),
    (34, 394),
    (-11, 391),
];

/// The drift set's `start-bbb19-left42b`: main read a cut at frame 31.
#[test]
fn a_fast_pan_starting_blurred_is_no_punch_in() {
    if !media_present() {
        return;
    }
    let path = std::env::temp_dir().join(format!("stylecut-bluronset-{}.cmd", std::process::id()));
    let text: String = SHAKEN_START
        .iter()
        .enumerate()
        .map(|(i, (x, y))| format!("{:.3} crop x {x}, crop y {y};\n", i as f64 / 25.0))
        .collect();
    std::fs::write(&path, text).unwrap();
    let fc = format!(
        "[0:v]trim=start=19.5:duration=2.8,setpts=PTS-STARTPTS,fps=25,\
         scale=1976:1112:flags=bicubic,setsar=1,sendcmd=f='{}',crop=640:360:1279:380,\
         dblur=angle=180:radius=10.5:enable='gte(n\\,30)',\
         trim=end_frame=60,setpts=PTS-STARTPTS[v]",
        path.display()
    );
    let t = transitions_by_frame(
        "bluronset",
        "video/moviepy-bbb/big_buck_bunny_0_30.webm",
        &fc,
        true,
    );
    let _ = std::fs::remove_file(&path);
    assert!(t.is_empty(), "{t:?}");
}
