//! The grade's Y'CbCr form against its exact chain, on real frames rendered by ffmpeg.
//!
//! `cargo run --release -p stylecut-style --example grade_yuv_eval -- [PLAN.json...] VIDEO...`
//!
//! Grades: every LUT of the given plans (`stylecut plan` output) and a fixed set of
//! transfers (white balance, saturation, contrast and tone moves of several sizes, taken
//! through `transfer_target` as the planner does). For each grade and video, frames (1 a
//! second, up to 8, at 640×360) are rendered by ffmpeg through the exact chain
//! (`LutSpec::rgb_filters`) and through the Y'CbCr fit (`lut_yuv::fit`, rendered whether or
//! not it passes the gate); prints CIEDE2000 between the two outputs per pixel (mean, p99),
//! the fit's own figures on the sample grid, both renders against the documented model
//! (`LutSpec::map` applied in floating point to the untouched frame's pixels), the grade's
//! size (the model against the untouched frame), and whether `LutSpec::filters` would pick
//! the Y'CbCr form. ΔE is computed on one pixel per chroma sample (4:2:0, read as BT.709
//! limited range, the render's working space since session 7, then as sRGB; the frames are
//! the untagged source's BT.601 codes, so the figures compare the two forms on the same
//! codes, not against the source's own colours).

use std::process::Command;

use stylecut_style::apply::lut::{self, LutSpec};
use stylecut_style::apply::lut_yuv;
use stylecut_types::ColorGrade;

const W: usize = 640;
const H: usize = 360;
const FRAMES: usize = 8;

fn render(video: &str, filters: &[String]) -> Vec<u8> {
    let mut vf = format!("fps=1,scale={W}:{H},format=yuv420p");
    for f in filters {
        vf.push(',');
        vf.push_str(f);
    }
    vf.push_str(",format=yuv420p");
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-i", video, "-frames:v"])
        .arg(FRAMES.to_string())
        .args(["-vf", &vf, "-f", "rawvideo", "-pix_fmt", "yuv420p", "-"])
        .output()
        .expect("ffmpeg");
    assert!(out.status.success(), "ffmpeg failed on {video}: {vf}");
    out.stdout
}

/// Per-pixel ΔE2000 between two yuv420p buffers (chroma by nearest sample); with `model`,
/// `a` is the untouched frame and the documented model (`LutSpec::map`) is applied to it
/// in floating point first.
fn delta_e(a: &[u8], b: &[u8], model: Option<&LutSpec>) -> Vec<f64> {
    let fsz = W * H * 3 / 2;
    let n = a.len().min(b.len()) / fsz;
    let mut out = Vec::with_capacity(n * W * H / 4);
    for f in 0..n {
        let (fa, fb) = (&a[f * fsz..(f + 1) * fsz], &b[f * fsz..(f + 1) * fsz]);
        // Every other pixel of every other row: one per chroma sample.
        for y in (0..H).step_by(2) {
            for x in (0..W).step_by(2) {
                let c = W * H + (y / 2) * (W / 2) + x / 2;
                let d = W * H / 4;
                let p = |fr: &[u8]| {
                    [
                        f64::from(fr[y * W + x]),
                        f64::from(fr[c]),
                        f64::from(fr[c + d]),
                    ]
                };
                let pa = match model {
                    Some(l) => lut_yuv::rgb_to_ycbcr(l.map(lut_yuv::ycbcr_to_rgb(p(fa)))),
                    None => p(fa),
                };
                out.push(lut_yuv::delta_e_ycbcr(pa, p(fb)));
            }
        }
    }
    out
}

fn stats(mut v: Vec<f64>) -> (f64, f64) {
    v.sort_by(f64::total_cmp);
    let n = v.len().max(1);
    (
        v.iter().sum::<f64>() / n as f64,
        v[((n as f64 * 0.99) as usize).min(n - 1)],
    )
}

fn g(a: [f64; 6]) -> ColorGrade {
    ColorGrade::from_array(a)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut specs: Vec<(String, LutSpec)> = Vec::new();
    for p in args.iter().filter(|a| a.ends_with(".json")) {
        let plan: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(p).expect("plan")).expect("json");
        let luts: Vec<LutSpec> = serde_json::from_value(plan["luts"].clone()).expect("plan luts");
        for (k, l) in luts.into_iter().enumerate() {
            specs.push((format!("{p}#{k}"), l));
        }
    }
    // Readings (temperature, tint, saturation, contrast, highlights, shadows) of a source
    // and a template; the LUT is from → transfer_target(from, to), as the planner makes it.
    let pairs: [(&str, [f64; 6], [f64; 6]); 8] = [
        ("contrast +60", [0.0; 6], [0.0, 0.0, 0.0, 110.0, 0.0, 0.0]),
        ("contrast -50", [0.0; 6], [0.0, 0.0, 0.0, -100.0, 0.0, 0.0]),
        ("saturation +50", [0.0; 6], [0.0, 0.0, 110.0, 0.0, 0.0, 0.0]),
        (
            "highlights/shadows",
            [0.0; 6],
            [0.0, 0.0, 0.0, 0.0, -180.0, 150.0],
        ),
        ("warmer by 60", [0.0; 6], [147.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
        (
            "cooler by 100, tint",
            [20.0, 0.0, 0.0, 0.0, 0.0, 0.0],
            [-167.0, 90.0, 0.0, 0.0, 0.0, 0.0],
        ),
        (
            "warmer by 150",
            [-60.0, 0.0, 0.0, 0.0, 0.0, 0.0],
            [177.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        ),
        (
            "all moved",
            [30.0, -20.0, 70.0, 60.0, 110.0, 80.0],
            [-120.0, 40.0, -100.0, -90.0, -150.0, -120.0],
        ),
    ];
    for (name, from, to) in pairs {
        let from = g(from);
        let target = lut::transfer_target(&from, &g(to));
        specs.push((
            name.to_string(),
            LutSpec {
                size: lut::LUT_SIZE,
                from,
                to: target,
            },
        ));
    }
    let videos: Vec<&String> = args.iter().filter(|a| !a.ends_with(".json")).collect();
    println!("| grade | from → to | grid ΔE mean / p99 | cast | picked | video | Y'CbCr vs chain | chain vs model | Y'CbCr vs model | grade size (model vs untouched) |");
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for (name, spec) in &specs {
        let (fit, err) = lut_yuv::fit(spec);
        let picked = if err.passes() { "Y'CbCr" } else { "exact" };
        for v in &videos {
            let untouched = render(v, &[]);
            let exact = render(v, &spec.rgb_filters());
            let yuv = render(v, &fit.filters());
            let (m, p) = stats(delta_e(&exact, &yuv, None));
            let (cm, cp) = stats(delta_e(&untouched, &exact, Some(spec)));
            let (ym, yp) = stats(delta_e(&untouched, &yuv, Some(spec)));
            let (gm, gp) = stats(delta_e(&untouched, &untouched, Some(spec)));
            let short = v.rsplit('/').next().unwrap_or(v);
            println!(
                "| {name} | {:?} → {:?} | {:.2} / {:.2} | {} | {picked} | {short} | {m:.2} / {p:.2} | {cm:.2} / {cp:.2} | **{ym:.2} / {yp:.2}** | {gm:.2} / {gp:.2} |",
                spec.from.as_array().map(|x| x.round() as i64),
                spec.to.as_array().map(|x| x.round() as i64),
                err.mean,
                err.p99,
                if fit.has_cast() { "yes" } else { "no" },
            );
        }
    }
}
