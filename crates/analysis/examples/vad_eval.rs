//! Scores the speech segments of the Silero port ([`audio::vad`], run by `rten` on the
//! 16 kHz audio the analysis decodes) against the silero-VAD v6 segments stored in
//! `../shared/media/index.json` (computed by onnxruntime and silero's own Python
//! post-processing), on the same 10 ms grid as `bench/score/metrics.py::vad_agreement`:
//! frame agreement and speech IoU (1 when neither side has speech). `cargo run --release
//! --example vad_eval -p stylecut-analysis [-- NAME_SUBSTRING]`.

use std::path::{Path, PathBuf};

use stylecut_analysis::audio::vad;
use stylecut_media::{decode::decode_audio, probe, RunOpts};

const STEP: f64 = 0.01;

fn media_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/media")
}

/// Speech segments of a file, as the analysis finds them.
fn detect(path: &Path) -> Vec<(f64, f64)> {
    let opts = RunOpts::default();
    let info = probe::probe(path, &opts).expect("probe");
    let a = decode_audio(path, &info, 22_050, false, None, &opts).expect("decode");
    let mut v = vad::Vad::new().expect("model");
    a.for_each_speech_chunk(4096, |c| v.push(c).expect("vad"))
        .expect("speech audio");
    v.finish(&vad::Params::default())
        .expect("vad")
        .segments
        .iter()
        .map(|s| (s.start_s, s.end_s))
        .collect()
}

/// As `segments_to_mask` in `bench/score/metrics.py`.
fn mask(segments: &[(f64, f64)], duration: f64) -> Vec<bool> {
    let n = (duration / STEP).ceil() as usize;
    let mut m = vec![false; n];
    for &(a, b) in segments {
        let i0 = ((a / STEP) as usize).min(n);
        let i1 = ((b / STEP).ceil() as usize).min(n);
        m[i0..i1].iter_mut().for_each(|x| *x = true);
    }
    m
}

fn main() {
    let filter = std::env::args().nth(1).unwrap_or_default();
    let dir = media_dir();
    let index: serde_json::Value =
        // Python's json writes -Infinity for silent true peaks; serde_json does not read it.
        serde_json::from_str(
            &std::fs::read_to_string(dir.join("index.json"))
                .expect("index")
                .replace("-Infinity", "null"),
        )
        .expect("json");
    let files = index["files"].as_array().expect("files");
    println!(
        "{:<44} {:>6} {:>6} {:>6} {:>6} {:>6}",
        "file", "dur", "silero", "ours", "agree", "IoU"
    );
    let (mut sum_acc, mut sum_iou, mut count) = (0.0, 0.0, 0usize);
    for f in files {
        let Some(vad) = f.get("measured_speech_silero_vad_v6") else {
            continue;
        };
        let rel = f["path"].as_str().expect("path");
        if !rel.contains(&filter) {
            continue;
        }
        let duration = f["duration_s"].as_f64().expect("duration");
        let reference: Vec<(f64, f64)> = vad["segments"]
            .as_array()
            .expect("segments")
            .iter()
            .map(|s| (s[0].as_f64().unwrap_or(0.0), s[1].as_f64().unwrap_or(0.0)))
            .collect();
        let est = detect(&dir.join(rel));
        let (r, e) = (mask(&reference, duration), mask(&est, duration));
        let agree = r.iter().zip(&e).filter(|(a, b)| a == b).count() as f64 / r.len() as f64;
        let inter = r.iter().zip(&e).filter(|(a, b)| **a && **b).count();
        let union = r.iter().zip(&e).filter(|(a, b)| **a || **b).count();
        let iou = if union > 0 {
            inter as f64 / union as f64
        } else {
            1.0
        };
        let ratio = |m: &[bool]| m.iter().filter(|&&x| x).count() as f64 / m.len() as f64;
        let name = Path::new(rel).file_name().unwrap().to_string_lossy();
        println!(
            "{:<44} {:>6.1} {:>6.2} {:>6.2} {:>6.3} {:>6.3}",
            &name[..name.len().min(44)],
            duration,
            ratio(&r),
            ratio(&e),
            agree,
            iou
        );
        sum_acc += agree;
        sum_iou += iou;
        count += 1;
    }
    let n = count.max(1) as f64;
    println!(
        "mean over {count} files: agreement {:.3}, IoU {:.3}",
        sum_acc / n,
        sum_iou / n
    );
}
