//! The service stores each video's analysis as JSON and later jobs plan from the stored
//! document: it must read back as exactly the analysis that was measured, every float to
//! the bit (`serde_json`'s `float_roundtrip`), or a reused analysis could plan a
//! different edit from a fresh one.

mod common;

use common::*;
use stylecut_media::RunOpts;
use stylecut_style::analyze::{analyze_file, engine_id};
use stylecut_types::Analysis;

#[test]
fn a_stored_analysis_reads_back_as_measured() {
    let dir = tempfile::tempdir().unwrap();
    let clip = make_clip(dir.path(), "av.mp4", 3.0, None);
    let (_, a) = analyze_file(&clip, &RunOpts::default(), None, &mut |_, _| {}).unwrap();
    // The key frames go with it: a reused analysis seeks the render as a fresh one does.
    assert!(!a.key_frames.is_empty());
    let json = serde_json::to_string(&a).unwrap();
    let back: Analysis = serde_json::from_str(&json).unwrap();
    assert_eq!(back, a);
    assert_eq!(serde_json::to_string(&back).unwrap(), json);
    // Floats that the default parser reads one unit in the last place off (about one
    // random float in ten is).
    for v in [2.0f64.sqrt() * 1e-7, 207.96181086732759, 985.6906946328695] {
        let s = serde_json::to_string(&v).unwrap();
        assert_eq!(
            serde_json::from_str::<f64>(&s).unwrap().to_bits(),
            v.to_bits(),
            "{s}"
        );
    }
}

#[test]
fn the_engine_is_named_by_version_and_executable() {
    let id = engine_id().expect("the test executable can be inspected");
    assert!(
        id.starts_with(concat!(env!("CARGO_PKG_VERSION"), "+")),
        "{id}"
    );
    assert_eq!(engine_id(), Some(id));
}
