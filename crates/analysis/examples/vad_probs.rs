//! Prints the Silero speech probability of every 32 ms chunk of a raw 16 kHz mono f32le
//! file, one per line, to compare the `rten` port with onnxruntime
//! (`bench/score/vad_probs_ort.py` reads the same file and diffs the two):
//! `ffmpeg -i IN -ac 1 -ar 16000 -f f32le x.f32 && cargo run --release -p
//! stylecut-analysis --example vad_probs -- x.f32 > rust.txt`.

use std::io::Write;

use stylecut_analysis::audio::vad;

fn main() {
    let path = std::env::args().nth(1).expect("usage: vad_probs FILE.f32");
    let bytes = std::fs::read(&path).expect("read");
    let x: Vec<f32> = bytes
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    let t = std::time::Instant::now();
    let s = vad::detect(&x, &vad::Params::default()).expect("vad");
    eprintln!(
        "{} chunks in {:.3} s ({:.1} µs per chunk); {} segments",
        s.probabilities.len(),
        t.elapsed().as_secs_f64(),
        t.elapsed().as_secs_f64() * 1e6 / s.probabilities.len().max(1) as f64,
        s.segments.len()
    );
    let mut out = std::io::stdout().lock();
    for p in &s.probabilities {
        writeln!(out, "{p}").unwrap();
    }
    for seg in &s.segments {
        eprintln!("{:.3} {:.3}", seg.start_s, seg.end_s);
    }
}
