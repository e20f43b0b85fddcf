//! A picture inside letterbox bars is analysed inside them (`video::bars`, docs/ANALYSIS.md
//! "Letterbox and pillarbox bars"): 6 s of `testvideo.mp4` around its dissolve
//! (17.5–18.6 s of the file), at 320x180 and centred in a 9:16 frame (320x568, the picture
//! under a third of it), against the same 6 s without bars. Over the whole 9:16 frame
//! the bars dilute the blend: main read no transition (one shot) and a grade far from
//! the picture's (highlights −100 for −50).

mod common;

use common::{analyze, ffmpeg, media};

#[test]
fn a_letterboxed_clip_reads_like_the_clip_without_bars() {
    let dir = tempfile::tempdir().unwrap();
    let src = media("video/pyscenedetect/testvideo.mp4")
        .display()
        .to_string();
    let make = |vf: &str, name: &str| {
        let out = dir.path().join(name).display().to_string();
        ffmpeg(&[
            "-ss", "14", "-t", "6", "-i", &src, "-vf", vf, "-an", "-c:v", "libx264", "-crf", "16",
            &out,
        ]);
        analyze(std::path::Path::new(&out))
    };
    let plain = make("scale=320:180,setsar=1", "plain.mp4");
    let boxed = make(
        "scale=320:180,setsar=1,pad=320:568:0:194:black",
        "letterboxed.mp4",
    );
    assert_eq!(plain.active_area, None);
    let area = boxed.active_area.expect("bars found");
    assert_eq!((area.x, area.width), (0, 320), "{area:?}");
    assert!(area.y.abs_diff(194) <= 3, "{area:?}");
    assert!(area.height.abs_diff(180) <= 6, "{area:?}");
    // The frame stays the displayed one.
    assert_eq!((boxed.width, boxed.height), (320, 568));
    // The dissolve is read as without bars.
    let kinds = |a: &stylecut_types::Analysis| {
        a.transitions
            .iter()
            .map(|t| (t.kind.clone(), (t.start_s * 10.0).round() as i64))
            .collect::<Vec<_>>()
    };
    assert!(
        plain.transitions.iter().any(|t| t.kind == "dissolve"),
        "{:?}",
        plain.transitions
    );
    assert_eq!(kinds(&boxed), kinds(&plain));
    assert_eq!(boxed.shots.len(), plain.shots.len());
    // The grade within a few points of the plain clip's on every slider.
    let (p, b) = (plain.color_grade, boxed.color_grade);
    for (name, x, y) in [
        ("temperature", p.temperature, b.temperature),
        ("tint", p.tint, b.tint),
        ("saturation", p.saturation, b.saturation),
        ("contrast", p.contrast, b.contrast),
        ("highlights", p.highlights, b.highlights),
        ("shadows", p.shadows, b.shadows),
    ] {
        assert!((x - y).abs() <= 8.0, "{name}: plain {x}, letterboxed {y}");
    }
    // Saliency stays in fractions of the displayed frame: inside the picture's rows.
    assert!(!boxed.saliency.is_empty());
    for s in &boxed.saliency {
        assert!((0.33..=0.67).contains(&s.y), "{s:?}");
    }
}

/// The same 6 s over a blurred, enlarged copy of themselves (the reel's blurred background,
/// session 26: `bars::BlurSearch`): no edge line is uniform, so main found no bars and read
/// the whole 9:16 frame. The surround is read as bars and the clip reads as without it.
#[test]
fn a_clip_over_a_blurred_copy_of_itself_reads_like_the_clip_alone() {
    let dir = tempfile::tempdir().unwrap();
    let src = media("video/pyscenedetect/testvideo.mp4")
        .display()
        .to_string();
    let make = |vf: &str, name: &str| {
        let out = dir.path().join(name).display().to_string();
        ffmpeg(&[
            "-ss", "14", "-t", "6", "-i", &src, "-vf", vf, "-an", "-c:v", "libx264", "-crf", "16",
            &out,
        ]);
        analyze(std::path::Path::new(&out))
    };
    let plain = make("scale=320:180,setsar=1", "plain.mp4");
    let blurred = make(
        "split[a][b];[a]scale=-2:568,crop=320:568,gblur=sigma=8,\
         colorchannelmixer=rr=0.7:gg=0.7:bb=0.7[bg];[b]scale=320:180,setsar=1[fg];\
         [bg][fg]overlay=0:194,setsar=1",
        "blurred.mp4",
    );
    assert_eq!(plain.active_area, None);
    let area = blurred.active_area.expect("blurred surround found");
    assert_eq!((area.x, area.width), (0, 320), "{area:?}");
    assert!(area.y.abs_diff(194) <= 6, "{area:?}");
    assert!(area.height.abs_diff(180) <= 12, "{area:?}");
    let kinds = |a: &stylecut_types::Analysis| {
        a.transitions
            .iter()
            .map(|t| (t.kind.clone(), (t.start_s * 10.0).round() as i64))
            .collect::<Vec<_>>()
    };
    assert_eq!(kinds(&blurred), kinds(&plain));
    assert_eq!(blurred.shots.len(), plain.shots.len());
    let (p, b) = (plain.color_grade, blurred.color_grade);
    for (name, x, y) in [
        ("temperature", p.temperature, b.temperature),
        ("tint", p.tint, b.tint),
        ("saturation", p.saturation, b.saturation),
        ("contrast", p.contrast, b.contrast),
        ("highlights", p.highlights, b.highlights),
        ("shadows", p.shadows, b.shadows),
    ] {
        assert!(
            (x - y).abs() <= 8.0,
            "{name}: plain {x}, blurred surround {y}"
        );
    }
}
