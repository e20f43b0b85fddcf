use std::path::PathBuf;
use stylecut_analysis::video::*;
use stylecut_media::{decode, probe, DecodeSpec, RunOpts};

#[test]
#[ignore]
fn dump() {
    let rel = std::env::var("CLIP").unwrap();
    let p = PathBuf::from(&rel);
    let p = if p.is_absolute() {
        p
    } else {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/media")
            .join(rel)
    };
    let info = probe::probe_video(&p, &RunOpts::default()).unwrap();
    let mut va = VideoAnalyzer::new();
    decode(
        &p,
        &info,
        &DecodeSpec {
            audio: false,
            ..Default::default()
        },
        &RunOpts::default(),
        |f| {
            va.push(&FrameRef {
                pts_s: f.pts_s,
                width: f.width as usize,
                height: f.height as usize,
                rgb: &f.rgb,
            });
        },
        |_| {},
    )
    .unwrap();
    let r = va.finish(info.duration_s);
    for t in &r.shots.transitions {
        println!(
            "{:8} {:8.3} {:5}ms {} {:.2}",
            t.kind, t.start_s, t.duration_ms, t.easing, t.confidence
        );
    }
    println!("shots {}", r.shots.shots.len());
}
