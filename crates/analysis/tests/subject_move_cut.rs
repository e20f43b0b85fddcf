//! A hard cut right after a fast subject move is a cut, not a sweep (issue 3, session 26).
//! The jitter set's `cut-still-cockatoo7-bbb17-down44` (`bench/synth/pan_cuts.py --set
//! jitter`): a 640×360 window over the cockatoo from 7.3 s (the source at 3122×1756)
//! tilting down at 44 px a frame with a hand-held shake, cut at frame 30 to a still,
//! shaken window over Big Buck Bunny from 17.8 s. The cockatoo's head moves fast in the
//! frames before the cut (the tight view is mostly head), which no warp of the whole
//! picture follows, so the cut detector's sweep rule (`cuts::keeps_changing`) read the
//! step as the move going on: main reported no cut at 30. The Bunny picture holds from
//! its first frame (the two frames after the step change by under a fifth of it), which a
//! subject's move does not do: a cut (`cuts::lands`). Skipped when the media directory
//! is absent.

mod common;

use common::{analysed_transitions, media, media_present};

/// The cockatoo window's top-left corner per frame (the clip's `.a.cmd` positions).
const TILT: [(i32, i32); 30] = [
    (1242, 60),
    (1248, 105),
    (1251, 144),
    (1246, 190),
    (1246, 236),
    (1248, 285),
    (1250, 331),
    (1252, 372),
    (1252, 417),
    (1245, 467),
    (1238, 517),
    (1224, 559),
    (1221, 608),
    (1221, 663),
    (1217, 702),
    (1210, 739),
    (1208, 780),
    (1204, 827),
    (1201, 867),
    (1201, 905),
    (1201, 939),
    (1210, 976),
    (1217, 1017),
    (1226, 1063),
    (1243, 1111),
    (1252, 1151),
    (1261, 1188),
    (1261, 1227),
    (1259, 1269),
    (1252, 1315),
];

/// The Bunny window's top-left corner per frame (the clip's `.b.cmd` positions).
const HELD: [(i32, i32); 30] = [
    (1241, 60),
    (1247, 62),
    (1246, 60),
    (1253, 57),
    (1244, 57),
    (1235, 48),
    (1228, 42),
    (1220, 43),
    (1221, 46),
    (1226, 51),
    (1231, 53),
    (1238, 57),
    (1242, 58),
    (1242, 58),
    (1231, 56),
    (1222, 53),
    (1214, 55),
    (1215, 51),
    (1206, 48),
    (1201, 40),
    (1201, 31),
    (1203, 33),
    (1206, 35),
    (1206, 41),
    (1210, 45),
    (1210, 47),
    (1214, 47),
    (1213, 43),
    (1223, 44),
    (1230, 46),
];

fn sendcmd(path: &std::path::Path, pos: &[(i32, i32)]) {
    let text: String = pos
        .iter()
        .enumerate()
        .map(|(i, (x, y))| format!("{:.3} crop x {x}, crop y {y};\n", i as f64 / 25.0))
        .collect();
    std::fs::write(path, text).unwrap();
}

/// The jitter set's `cut-still-cockatoo7-bbb17-down44`: main missed the cut at frame 30.
#[test]
fn a_cut_right_after_a_fast_subject_move_is_a_cut() {
    if !media_present() {
        return;
    }
    let dir = std::env::temp_dir().join(format!("stylecut-subjectcut-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (a, b, out) = (dir.join("a.cmd"), dir.join("b.cmd"), dir.join("clip.mp4"));
    sendcmd(&a, &TILT);
    sendcmd(&b, &HELD);
    let part = |input: usize, start: f64, cmd: &std::path::Path, pos: (i32, i32), label: &str| {
        format!(
            "[{input}:v]trim=start={start:.3},setpts=PTS-STARTPTS,fps=25,\
             scale=3122:1756:flags=bicubic,setsar=1,sendcmd=f='{}',\
             crop=640:360:{}:{},trim=end_frame=30,setpts=PTS-STARTPTS[{label}]",
            cmd.display(),
            pos.0,
            pos.1
        )
    };
    let fc = format!(
        "{};{};[a][b]concat=n=2:v=1:a=0[v]",
        part(0, 7.3, &a, TILT[0], "a"),
        part(1, 17.8, &b, HELD[0], "b")
    );
    let ok = std::process::Command::new("ffmpeg")
        .args(["-nostdin", "-y", "-v", "error", "-t", "8.7", "-i"])
        .arg(media("video/imageio-cockatoo/cockatoo.mp4"))
        .args(["-t", "19.2", "-i"])
        .arg(media("video/moviepy-bbb/big_buck_bunny_0_30.webm"))
        .args([
            "-filter_complex",
            &fc,
            "-map",
            "[v]",
            "-an",
            "-c:v",
            "libx264",
        ])
        .args([
            "-preset", "veryfast", "-crf", "18", "-pix_fmt", "yuv420p", "-r", "25",
        ])
        .arg(&out)
        .status()
        .expect("ffmpeg")
        .success();
    assert!(ok, "ffmpeg failed");
    let t: Vec<(String, i64)> = analysed_transitions(&out)
        .into_iter()
        .map(|t| (t.kind, (t.start_s * 25.0).round() as i64))
        .collect();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        t.iter().any(|(k, f)| k == "cut" && (f - 30).abs() <= 1),
        "{t:?}"
    );
}
