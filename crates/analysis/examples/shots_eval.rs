//! Runs the shot/transition detectors alone over video files and prints, per file, one
//! JSON line `{"file", "fps", "frames", "transitions": [{"type", "start_frame",
//! "end_frame", "start_s", "duration_ms"}]}` (the same fields as `stylecut analyze`,
//! plus frame indices). The per-frame features are decoded once (same decode spec as
//! `stylecut analyze`) and cached as raw little-endian f32 in
//! `$TMPDIR/stylecut-shots-cache`, so re-running after a detector change takes
//! milliseconds per clip. `cargo run --example shots_eval -p stylecut-analysis -- FILES…`

use std::path::Path;

use stylecut_analysis::video::frame::{FrameFeatures, HIST_BINS, THUMB_CELLS};
use stylecut_analysis::video::shots;
use stylecut_media::{decode_picture, RunOpts};

const REC: usize = 3 + HIST_BINS + THUMB_CELLS * 3;

fn load(path: &Path) -> (Vec<FrameFeatures>, f64) {
    let cache = std::env::temp_dir().join("stylecut-shots-cache");
    let _ = std::fs::create_dir_all(&cache);
    let key = path.to_string_lossy().replace('/', "_");
    let file = cache.join(format!("{key}.f32"));
    let meta = std::fs::metadata(path).and_then(|m| m.modified()).ok();
    let fresh = std::fs::metadata(&file)
        .and_then(|m| m.modified())
        .ok()
        .zip(meta)
        .is_some_and(|(c, m)| c >= m);
    if fresh {
        if let Ok(bytes) = std::fs::read(&file) {
            let v: Vec<f32> = bytes
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect();
            let duration = f64::from(v[0]);
            let feats = v[1..]
                .chunks_exact(REC)
                .map(|r| {
                    let mut hist = [0f32; HIST_BINS];
                    hist.copy_from_slice(&r[3..3 + HIST_BINS]);
                    FrameFeatures::from_parts(
                        f64::from(r[0]),
                        r[1],
                        r[2],
                        hist,
                        &r[3 + HIST_BINS..],
                    )
                    .expect("a cache record holds a whole thumbnail")
                })
                .collect();
            return (feats, duration);
        }
    }
    let opts = RunOpts::default();
    let mut feats = Vec::new();
    let mut last = 0.0;
    let info = decode_picture(path, &opts, |f| {
        last = f.pts_s;
        feats.push(FrameFeatures::from_rgb(
            f.pts_s,
            f.width as usize,
            f.height as usize,
            &f.rgb,
        ));
    })
    .expect("decode");
    let duration = if info.duration_s > 0.0 {
        info.duration_s
    } else {
        last
    };
    let mut out: Vec<f32> = vec![duration as f32];
    for g in &feats {
        out.extend([g.pts_s as f32, g.luma_mean, g.luma_std]);
        out.extend_from_slice(&g.hist);
        out.extend_from_slice(&g.thumb());
    }
    let bytes: Vec<u8> = out.iter().flat_map(|x| x.to_le_bytes()).collect();
    let _ = std::fs::write(&file, bytes);
    (feats, duration)
}

fn main() {
    for arg in std::env::args().skip(1) {
        let path = Path::new(&arg);
        let (feats, duration) = load(path);
        let n = feats.len();
        let fps = if duration > 0.0 {
            n as f64 / duration
        } else {
            1.0
        };
        let report = shots::segment(&feats, fps.max(1.0), duration);
        let frame_of = |t: f64| feats.iter().position(|g| g.pts_s >= t - 1e-6).unwrap_or(n);
        let trans: Vec<serde_json::Value> = report
            .transitions
            .iter()
            .map(|t| {
                let s = frame_of(t.start_s);
                let e = frame_of(t.start_s + t.duration_ms as f64 / 1000.0);
                serde_json::json!({"type": t.kind, "start_frame": s, "end_frame": e,
                    "start_s": t.start_s, "duration_ms": t.duration_ms})
            })
            .collect();
        println!(
            "{}",
            serde_json::json!({"file": arg, "fps": fps, "frames": n, "transitions": trans})
        );
    }
}
