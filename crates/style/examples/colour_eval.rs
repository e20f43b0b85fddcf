//! A render's colours against the intended result (session 7, colour management).
//!
//! `cargo run --release -p stylecut-style --example colour_eval -- PLAN.json OUTPUT.mp4`
//!
//! PLAN.json is the plan the output was rendered from (`stylecut apply --plan-out`). Source
//! and output are decoded by stylecut's own analysis decode at 320 px wide (each by its own
//! colour tags: matrix and range explicit, HDR tone-mapped to BT.709 SDR, see
//! `stylecut_media::decode::rgb_scale`). Output frame k of segment s shows the source frame
//! nearest `s.src_in_s + k / fps`; the intended picture is that frame through the segment's
//! LUT (`LutSpec::map`, in floating point) or the frame itself when the segment has none.
//! The first and last two frames of each segment are skipped. Prints CIEDE2000 per pixel
//! (mean, p99) and the output's colour tags (ffprobe).

use std::collections::HashMap;
use std::path::Path;

use stylecut_media::{probe, DecodeSpec, RunOpts, SkipLoopFilter};
use stylecut_style::apply::{lut_yuv, EditPlan};

fn frames(path: &Path) -> Vec<(f64, Vec<u8>)> {
    let opts = RunOpts::default();
    let info = probe(path, &opts).expect("probe");
    let spec = DecodeSpec {
        analysis_width: 320,
        audio: false,
        full_audio: false,
        skip_loop_filter: SkipLoopFilter::None,
        ..DecodeSpec::default()
    };
    let mut out = Vec::new();
    stylecut_media::decode(
        path,
        &info,
        &spec,
        &opts,
        |f| out.push((f.pts_s, f.rgb.clone())),
        |_| {},
    )
    .expect("decode");
    out
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [plan, output] = &args[..] else {
        eprintln!("usage: colour_eval PLAN.json OUTPUT.mp4");
        std::process::exit(2);
    };
    let plan: EditPlan =
        serde_json::from_str(&std::fs::read_to_string(plan).expect("plan")).expect("plan json");
    let src = frames(&plan.source);
    let out = frames(Path::new(output));
    let fps = plan.format.fps();
    let mut cache: Vec<HashMap<[u8; 3], [f64; 3]>> = vec![HashMap::new(); plan.luts.len()];
    let mut de = Vec::new();
    for (t, rgb) in &out {
        let Some(seg) = plan.segments.iter().find(|s| {
            s.out_start_s - 0.5 / fps <= *t
                && *t < s.out_start_s + s.frames as f64 / fps - 0.5 / fps
        }) else {
            continue;
        };
        let k = ((t - seg.out_start_s) * fps).round() as i64;
        if k < 2 || k + 2 >= seg.frames as i64 {
            continue;
        }
        let want_t = seg.src_in_s + k as f64 / fps;
        let Some((_, s)) = src
            .iter()
            .min_by(|a, b| (a.0 - want_t).abs().total_cmp(&(b.0 - want_t).abs()))
        else {
            continue;
        };
        if s.len() != rgb.len() {
            eprintln!("frame sizes differ: {} vs {}", s.len(), rgb.len());
            std::process::exit(1);
        }
        for (p, q) in s.chunks_exact(3).zip(rgb.chunks_exact(3)) {
            let px = [p[0], p[1], p[2]];
            let intended = match seg.lut {
                Some(l) => *cache[l]
                    .entry(px)
                    .or_insert_with(|| plan.luts[l].map(px.map(|v| f64::from(v) / 255.0))),
                None => px.map(|v| f64::from(v) / 255.0),
            };
            let got = [q[0], q[1], q[2]].map(|v| f64::from(v) / 255.0);
            de.push(lut_yuv::ciede2000(
                lut_yuv::lab(intended),
                lut_yuv::lab(got),
            ));
        }
    }
    de.sort_by(f64::total_cmp);
    let n = de.len().max(1);
    let mean = de.iter().sum::<f64>() / n as f64;
    let p99 = de
        .get(((n as f64 * 0.99) as usize).min(n - 1))
        .copied()
        .unwrap_or(f64::NAN);
    let info = probe(Path::new(output), &RunOpts::default()).expect("probe output");
    let c = info.video.expect("video").colour;
    println!(
        "{output}: pixels {} mean ΔE {mean:.3} p99 {p99:.3}; output tags: matrix {:?} range {:?} transfer {:?} primaries {:?}",
        de.len(),
        c.matrix,
        c.range,
        c.transfer,
        c.primaries
    );
}
