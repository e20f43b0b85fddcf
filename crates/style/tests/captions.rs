//! Burned-in captions drawn with `drawtext` on real footage (changing lines in the
//! lower third) against the same footage without text and with a fixed watermark.

mod common;

use std::path::Path;

use common::{analyze, ffmpeg, media};

const FONT: &str = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf";

fn clip(dir: &Path, name: &str, vf: &str) -> bool {
    let out = dir.join(format!("{name}.mp4")).display().to_string();
    let src = media("video/imageio-cockatoo/cockatoo.mp4")
        .display()
        .to_string();
    ffmpeg(&[
        "-t", "8", "-i", &src, "-vf", vf, "-an", "-c:v", "libx264", "-crf", "18", &out,
    ]);
    analyze(Path::new(&out)).burned_in_captions
}

fn line(text: &str, from: f64, to: f64) -> String {
    format!(
        "drawtext=fontfile={FONT}:text='{text}':fontsize=h/14:fontcolor=white:borderw=2:\
         x=(w-text_w)/2:y=h*0.85:enable='between(t,{from},{to})'"
    )
}

#[test]
fn subtitles_are_detected_and_a_watermark_is_not() {
    let dir = tempfile::tempdir().expect("tempdir");
    let subs = [
        line("Where are we going today", 0.2, 2.6),
        line("Nobody told me about this", 2.8, 5.2),
        line("Fine, I will follow you", 5.4, 7.8),
    ]
    .join(",");
    assert!(clip(dir.path(), "subs", &subs), "captions missed");
    assert!(
        !clip(dir.path(), "plain", "null"),
        "caption on a clean clip"
    );
    let mark = line("stylecut sample", 0.0, 8.0);
    assert!(
        !clip(dir.path(), "mark", &mark),
        "a fixed watermark read as captions"
    );
}
