//! Scores the speech segments of the presence analysis against the silero-VAD v6
//! segments stored in `../shared/media/index.json` (a reference, not truth), on the same
//! 10 ms grid as `bench/score/metrics.py::vad_agreement`: frame agreement and speech IoU
//! (1 when neither side has speech). Decoded audio is cached as raw f32 in
//! `$TMPDIR/stylecut-vad-cache`. `cargo run --release --example vad_eval -p
//! stylecut-analysis [-- NAME_SUBSTRING]`.

use std::io::Write;
use std::path::{Path, PathBuf};

use stylecut_analysis::audio::{onset, presence, spectrum};
use stylecut_media::{decode::decode_audio, probe, RunOpts};

const RATE: u32 = 22_050;
const STEP: f64 = 0.01;

fn media_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/media")
}

fn load(path: &Path) -> Vec<f32> {
    let cache = std::env::temp_dir().join("stylecut-vad-cache");
    let _ = std::fs::create_dir_all(&cache);
    let key = path.to_string_lossy().replace('/', "_");
    let file = cache.join(format!("{key}.f32"));
    if let Ok(bytes) = std::fs::read(&file) {
        return bytes
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
    }
    let opts = RunOpts::default();
    let info = probe::probe(path, &opts).expect("probe");
    let mono = decode_audio(path, &info, RATE, false, None, &opts)
        .expect("decode")
        .mono;
    let bytes: Vec<u8> = mono.iter().flat_map(|x| x.to_le_bytes()).collect();
    let _ = std::fs::write(&file, bytes);
    mono
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
    // VAD_DUMP=file.csv writes the features of every speech window with the share of
    // it the reference calls speech.
    let mut dump = std::env::var("VAD_DUMP").ok().map(|p| {
        let mut f = std::fs::File::create(p).expect("dump file");
        writeln!(
            f,
            "file,t,ref,active,band_share,depth,spread,clarity,band_depth"
        )
        .expect("write");
        f
    });
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
        let mono = load(&dir.join(rel));
        let spec = spectrum::compute(&mono, RATE);
        let on = onset::compute(&spec);
        let pres = presence::analyze(&spec, &on.all);
        let est: Vec<(f64, f64)> = pres.speech.iter().map(|s| (s.start_s, s.end_s)).collect();
        let (r, e) = (mask(&reference, duration), mask(&est, duration));
        if let Some(out) = dump.as_mut() {
            dump_windows(out, rel, &spec, &on.all, &r);
        }
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

fn dump_windows(
    out: &mut std::fs::File,
    rel: &str,
    spec: &spectrum::Spectrogram,
    onset: &[f32],
    reference: &[bool],
) {
    let (level, active) = presence::levels(spec);
    let n = spec.frames();
    let win = spec.fps.round() as usize;
    let hop = (spec.fps / 4.0).round() as usize;
    let mut a = 0;
    while a + win <= n {
        let w = presence::window_features(spec, &level, &active, onset, a, a + win);
        let (t0, t1) = (a as f64 / spec.fps, (a + win) as f64 / spec.fps);
        let (i0, i1) = (
            ((t0 / STEP) as usize).min(reference.len()),
            ((t1 / STEP) as usize).min(reference.len()),
        );
        let share =
            reference[i0..i1].iter().filter(|&&x| x).count() as f64 / (i1 - i0).max(1) as f64;
        writeln!(
            out,
            "{rel},{t0:.2},{share:.2},{:.3},{:.3},{:.3},{:.3},{:.3},{:.3}",
            w.active, w.band_share, w.depth, w.spread, w.clarity, w.band_depth
        )
        .expect("write");
        a += hop;
    }
}
