//! The analysis runs the source's completeness check (`probe::check_complete`) beside its
//! decode since session 12, not before it. A file cut short after its index (MP4 with
//! `+faststart`, which probes with its full duration) must still be refused as truncated
//! invalid media, not analysed as far as its data goes and not failed with another error,
//! and the whole file must still analyse.

mod common;

use common::*;
use stylecut_media::{MediaError, RunOpts};
use stylecut_style::{analyze, StyleError};

#[test]
fn a_file_cut_after_its_index_is_refused_as_truncated() {
    let dir = tempfile::tempdir().unwrap();
    let whole = dir.path().join("whole.mp4");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "testsrc2=s=320x180:r=30:d=6",
        "-f",
        "lavfi",
        "-i",
        "sine=f=440:d=6",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-g",
        "30",
        "-c:a",
        "aac",
        "-movflags",
        "+faststart",
        whole.to_str().unwrap(),
    ]);
    let (_, a) = analyze::analyze_file(&whole, &RunOpts::default(), None, &mut |_, _| {})
        .expect("the whole file analyses");
    assert!((a.duration_s - 6.0).abs() < 0.1, "{}", a.duration_s);

    let bytes = std::fs::read(&whole).unwrap();
    let cut = dir.path().join("cut.mp4");
    std::fs::write(&cut, &bytes[..bytes.len() * 3 / 10]).unwrap();
    let err = analyze::analyze_file(&cut, &RunOpts::default(), None, &mut |_, _| {})
        .expect_err("a truncated file is refused");
    match err {
        StyleError::Media(MediaError::BadInput { message, .. }) => {
            assert!(message.contains("truncated"), "{message}")
        }
        e => panic!("{e:?}"),
    }
}
