//! A shadow or a light sweeping across one still picture is no transition: the picture
//! behind the moving edge is the same one, darker or brighter (session 29; the
//! `issue-195` close-up at source 16.8–18.6 s read as two wipes through the 9:16 crop of
//! `bench/qa_sweep.py`'s `asp-T-rot`). A wipe into another picture that the edge darkens
//! the same way is still a wipe. Clips are drawn here with ffmpeg from stills of the
//! shared media; skipped when the media directory is absent.

mod common;

use common::{analysed_transitions, encode_graph, media_present};
use std::path::PathBuf;

/// Filters making a 3 s, 25 fps, 640×360 still of their input's frame at `at_s` (decoded
/// from the start, never seeked).
fn still(at_s: f64) -> String {
    format!(
        "trim=start={at_s},setpts=PTS-STARTPTS,fps=25,trim=end_frame=1,\
         loop=loop=74:size=1,setpts=N/25/TB,scale=640:360,setsar=1,format=yuv420p"
    )
}

/// A soft-edged (60 px) shadow that darkens the picture to half its luma, sweeping from
/// the top to the bottom over 0.8 s from 1 s.
const SHADOW_DOWN: &str = "geq=lum='lum(X\\,Y)*(1-0.5*clip(((T-1.0)/0.8*(H+60)-Y)/60\\,0\\,1))':\
                           cb='cb(X\\,Y)':cr='cr(X\\,Y)'";
/// A soft-edged (80 px) light that brightens the picture by 60 % (clipped at white),
/// sweeping from the left to the right over 0.7 s from 1 s.
const LIGHT_RIGHT: &str =
    "geq=lum='min(255\\,lum(X\\,Y)*(1+0.6*clip(((T-1.0)/0.7*(W+80)-X)/80\\,0\\,1)))':\
                           cb='cb(X\\,Y)':cr='cr(X\\,Y)'";

fn scratch(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("stylecut-light-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Every transition read on the clip `fc` draws from `src`: (type, start s, duration ms).
fn read(tag: &str, src: &str, fc: &str) -> Vec<(String, f64, i64)> {
    let dir = scratch(tag);
    let out = dir.join("clip.mp4");
    encode_graph(src, fc, &out);
    let t = analysed_transitions(&out)
        .into_iter()
        .map(|t| (t.kind, t.start_s, t.duration_ms))
        .collect();
    let _ = std::fs::remove_dir_all(&dir);
    t
}

const ISSUE195: &str = "video/pyscenedetect/issue-195-aspect-ratio.mp4";
const BBB: &str = "video/moviepy-bbb/big_buck_bunny_0_30.webm";

/// The `issue-195` close-up (paper, two cylinders) with a shadow sweeping down over it
/// (main: a wipe at 1.0 s, 800 ms).
#[test]
fn a_shadow_sweeping_over_a_still_is_no_transition() {
    if !media_present() {
        return;
    }
    let fc = format!("[0:v]{},{SHADOW_DOWN}[v]", still(16.9));
    let t = read("shadow", ISSUE195, &fc);
    assert!(t.is_empty(), "{t:?}");
}

/// A Big Buck Bunny still with a light sweeping across it (main: a wipe at 1.0 s, 680 ms).
#[test]
fn a_light_sweeping_over_a_still_is_no_transition() {
    if !media_present() {
        return;
    }
    let fc = format!("[0:v]{},{LIGHT_RIGHT}[v]", still(4.0));
    let t = read("light", BBB, &fc);
    assert!(t.is_empty(), "{t:?}");
}

/// The control: the `issue-195` close-up wiping down (ffmpeg `xfade`, 0.8 s from 1 s)
/// into another picture of the same clip (its 5 s frame) at half the luma: every cell the
/// edge passes darkens as under the shadow, but the picture behind it is another one.
#[test]
fn a_wipe_into_a_darker_picture_is_still_a_wipe() {
    if !media_present() {
        return;
    }
    let fc = format!(
        "[0:v]split[x][y];[x]{}[a];[y]{},geq=lum='lum(X\\,Y)*0.5':cb='cb(X\\,Y)':cr='cr(X\\,Y)'[b];\
         [a][b]xfade=transition=wipedown:duration=0.8:offset=1.0,trim=duration=3,format=yuv420p[v]",
        still(16.9),
        still(5.0),
    );
    let t = read("wipe", ISSUE195, &fc);
    assert_eq!(t.len(), 1, "{t:?}");
    assert_eq!(t[0].0, "wipe", "{t:?}");
    assert!((t[0].1 - 1.0).abs() <= 0.08 + 1e-6, "{t:?}");
}
