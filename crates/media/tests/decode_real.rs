//! Decode pass against real files in ../shared/media.

use std::path::PathBuf;

use stylecut_media::{decode, probe, DecodeSpec, RunOpts};

fn media(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/media")
        .join(rel)
}

#[test]
fn vfr_clip_keeps_presentation_times() {
    let p = media("video/pyscenedetect/goldeneye-vfr-drop3.mp4");
    let info = probe::probe_video(&p, &RunOpts::default()).unwrap();
    let mut pts = Vec::new();
    let mut dims = (0, 0);
    let audio = decode(
        &p,
        &info,
        &DecodeSpec::default(),
        &RunOpts::default(),
        |f| {
            pts.push(f.pts_s);
            dims = (f.width, f.height);
            assert_eq!(f.rgb.len(), (f.width * f.height * 3) as usize);
        },
        |_| {},
    )
    .unwrap();
    assert!(audio.is_none(), "the clip has no audio");
    assert_eq!(pts.len(), 160);
    assert_eq!(dims, (256, 108));
    // Decoded frame 60 is the first frame of the second shot, at 3.754 s.
    assert!((pts[60] - 3.754).abs() < 0.01, "{}", pts[60]);
    assert!(pts.windows(2).all(|w| w[1] > w[0]));
}

#[test]
fn rotated_clip_decodes_upright_with_audio() {
    let p = media("video/pyscenedetect/issue-134-rotate.mp4");
    let info = probe::probe_video(&p, &RunOpts::default()).unwrap();
    let mut n = 0;
    let mut dims = (0, 0);
    let audio = decode(
        &p,
        &info,
        &DecodeSpec::default(),
        &RunOpts::default(),
        |f| {
            n += 1;
            dims = (f.width, f.height);
        },
        |_| {},
    )
    .unwrap()
    .expect("audio");
    assert_eq!(n, 240);
    assert_eq!(dims, (256, 602));
    let secs = audio.mono.len() as f64 / audio.mono_rate as f64;
    assert!((secs - 10.0).abs() < 0.2, "{secs}");
    let mut full = 0usize;
    audio
        .for_each_full_chunk(4096, |c| full += c.len())
        .unwrap();
    assert!((full as f64 / 2.0 / 44_100.0 - secs).abs() < 0.1);
}

#[test]
fn garbage_file_is_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x.mp4");
    std::fs::write(&p, b"this is not a video at all").unwrap();
    let err = probe::probe_video(&p, &RunOpts::default()).unwrap_err();
    assert!(
        matches!(err, stylecut_media::MediaError::BadInput { .. }),
        "{err:?}"
    );
}

#[test]
fn cancelling_mid_decode_stops_promptly() {
    // The frame reader runs on its own thread: a cancel seen by the consumer must still
    // end the decode at once (no hang on a full channel, no frames after the cancel).
    let p = media("video/pyscenedetect/issue-134-rotate.mp4");
    let info = probe::probe_video(&p, &RunOpts::default()).unwrap();
    let opts = RunOpts::default();
    let flag = opts.cancel.clone();
    let mut seen = 0usize;
    let started = std::time::Instant::now();
    let err = decode(
        &p,
        &info,
        &DecodeSpec::default(),
        &opts,
        |_| {
            seen += 1;
            if seen == 5 {
                flag.cancel();
            }
        },
        |_| {},
    )
    .unwrap_err();
    assert!(
        matches!(err, stylecut_media::MediaError::Cancelled),
        "{err:?}"
    );
    assert_eq!(seen, 5, "no frame is delivered after the cancel");
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
}
