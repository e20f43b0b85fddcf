//! Grade estimator evaluation on real footage: known grades of the documented model applied
//! to thumbnails of ungraded clips, measured back, and the grade transfer that `apply`
//! would render for pairs of windows from different clips.
//!
//! `cargo run --release -p stylecut-style --example grade_eval -- [--stats] VIDEO...`
//! (for instance every video under `../shared/media/video`). Clips are cut into 2 s
//! windows (one estimate each, like a shot). Prints, per slider, the reading of the ungraded
//! windows (how far ordinary footage sits from 0), the error on graded windows and the share
//! within ±8, and the mean ΔE (CIE76) of the transfer against the truth next to leaving the
//! source untouched.

use std::process::Command;

use stylecut_analysis::video::grade::{self, Thumb};
use stylecut_style::apply::lut::LutSpec;
use stylecut_types::ColorGrade;

const W: usize = 256;
const H: usize = 144;
const WINDOW_S: f64 = 2.0;
const FPS: f64 = 5.0;
const MAX_WINDOWS: usize = 12;

fn thumbs(path: &str) -> Vec<Thumb> {
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-i", path, "-vf"])
        .arg(format!("fps={FPS},scale={W}:{H}"))
        .args(["-f", "rawvideo", "-pix_fmt", "rgb24", "-"])
        .output()
        .expect("ffmpeg");
    out.stdout
        .chunks_exact(W * H * 3)
        .enumerate()
        .map(|(i, f)| Thumb::from_frame(i as f64 / FPS, f, W, H))
        .collect()
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
    fn range(&mut self, a: f64) -> f64 {
        (self.next() * 2.0 - 1.0) * a
    }
}

fn lab(p: [f64; 3]) -> [f64; 3] {
    grade::linear_to_lab(p.map(stylecut_types::grade::srgb_to_linear))
}

fn de(a: &Thumb, b: &Thumb) -> f64 {
    let n = a.w * a.h;
    (0..n)
        .map(|i| {
            let (p, q) = (lab(a.px(i)), lab(b.px(i)));
            ((p[0] - q[0]).powi(2) + (p[1] - q[1]).powi(2) + (p[2] - q[2]).powi(2)).sqrt()
        })
        .sum::<f64>()
        / n as f64
}

fn refs(w: &[Thumb]) -> Vec<&Thumb> {
    w.iter().collect()
}

fn pct(mut v: Vec<f64>, q: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    v[((v.len() - 1) as f64 * q).round() as usize]
}

const NAMES: [&str; 6] = ["temp", "tint", "sat", "contrast", "highl", "shadows"];

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let stats = args.first().is_some_and(|a| a == "--stats");
    if stats {
        args.remove(0);
    }
    // (clip index, window thumbnails)
    let mut windows: Vec<(usize, Vec<Thumb>)> = Vec::new();
    for (ci, p) in args.iter().enumerate() {
        let th = thumbs(p);
        let per = (WINDOW_S * FPS) as usize;
        let chunks: Vec<&[Thumb]> = th.chunks_exact(per).collect();
        // At most MAX_WINDOWS per clip, evenly spread, so one long clip does not dominate.
        let take = chunks.len().min(MAX_WINDOWS);
        for i in 0..take {
            windows.push((ci, chunks[i * chunks.len() / take].to_vec()));
        }
        eprintln!("{p}: {} thumbnails", th.len());
    }
    if stats {
        // Raw statistics, for the neutral constants: medians over windows.
        let mut q = vec![Vec::new(); 13];
        let (mut ch, mut gw0, mut gw1, mut ge0, mut ge1) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for (ci, w) in &windows {
            let (qq, c, gw, ge) = grade::raw_stats(&refs(w));
            println!(
                "clip {ci}: gw [{:.2} {:.2}] ge [{:.2} {:.2}] chroma {:.3} q10 {:.2} q50 {:.2} q90 {:.2}",
                gw[0], gw[1], ge[0], ge[1], c, qq[3], qq[6], qq[9]
            );
            for k in 0..13 {
                q[k].push(qq[k]);
            }
            ch.push(c);
            gw0.push(gw[0]);
            gw1.push(gw[1]);
            ge0.push(ge[0]);
            ge1.push(ge[1]);
        }
        let m = |v: &Vec<f64>| pct(v.clone(), 0.5);
        let s = |v: &Vec<f64>| (pct(v.clone(), 0.9) - pct(v.clone(), 0.1)) / 2.0;
        println!("windows {}", windows.len());
        println!(
            "q medians {:?}",
            q.iter()
                .map(|v| (m(v) * 1000.0).round() / 1000.0)
                .collect::<Vec<_>>()
        );
        println!("chroma median {:.4} half-80%-range {:.4}", m(&ch), s(&ch));
        println!(
            "gw rb {:.3} ±{:.3}  g {:.3} ±{:.3}",
            m(&gw0),
            s(&gw0),
            m(&gw1),
            s(&gw1)
        );
        println!(
            "ge rb {:.3} ±{:.3}  g {:.3} ±{:.3}",
            m(&ge0),
            s(&ge0),
            m(&ge1),
            s(&ge1)
        );
        // Correlation of the two WB readings' deviations.
        let mix: Vec<f64> = gw0.iter().zip(&ge0).map(|(a, b)| 0.5 * (a + b)).collect();
        let mixg: Vec<f64> = gw1.iter().zip(&ge1).map(|(a, b)| 0.5 * (a + b)).collect();
        println!("mix rb ±{:.3}  g ±{:.3}", s(&mix), s(&mixg));
        return;
    }
    let mut rng = Rng(7);
    let mut ungraded = vec![Vec::new(); 6];
    let mut err = vec![Vec::new(); 6];
    let mut rel = vec![Vec::new(); 6];
    let mut all_within = 0usize;
    let mut trials = 0usize;
    let mut e0s = Vec::new();
    for (_, w) in &windows {
        let e0 = grade::estimate(&refs(w)).unwrap().as_array();
        for k in 0..6 {
            ungraded[k].push(e0[k]);
        }
        e0s.push(e0);
    }
    // Scene spread of the difference between ungraded windows of different clips, per
    // slider: half the 80 % range (the soft threshold of the transfer).
    let mut tau = [0.0; 6];
    let mut tau2 = [0.0; 6];
    for k in 0..6 {
        let mut d = Vec::new();
        for (i, a) in windows.iter().enumerate() {
            for (j, b) in windows.iter().enumerate() {
                if a.0 != b.0 && i < j {
                    d.push((e0s[i][k] - e0s[j][k]).abs());
                }
            }
        }
        tau[k] = pct(d.clone(), 0.8);
        tau2[k] = pct(d, 0.5);
    }
    // The same within clips (one grade pipeline, different scenes): pairs of windows of one
    // clip at least two windows apart.
    let within: [f64; 6] = std::array::from_fn(|k| {
        let mut d = Vec::new();
        for (i, a) in windows.iter().enumerate() {
            for (j, b) in windows.iter().enumerate() {
                if a.0 == b.0 && i + 2 <= j {
                    d.push((e0s[i][k] - e0s[j][k]).abs());
                }
            }
        }
        if d.is_empty() {
            0.0
        } else {
            pct(d, 0.8)
        }
    });
    println!(
        "within-clip scene difference p80 per slider {:?}",
        within.map(|v| v.round())
    );
    println!(
        "scene difference p80 per slider {:?}, p50 {:?}",
        tau.map(|v| v.round()),
        tau2.map(|v| v.round())
    );
    let mut de_ours = Vec::new();
    let mut de_half = Vec::new();
    let mut de_soft = Vec::new();
    let mut de_soft2 = Vec::new();
    let mut de_rep = Vec::new();
    let band: [f64; 6] =
        std::array::from_fn(|k| pct(ungraded[k].iter().map(|v| v.abs()).collect(), 0.8));
    println!(
        "ordinary band (p80 |ungraded|) {:?}",
        band.map(|v| v.round())
    );
    let mut de_id = Vec::new();
    for (wi, (ci, w)) in windows.iter().enumerate() {
        for _ in 0..3 {
            let g = [
                rng.range(40.0),
                rng.range(30.0),
                rng.range(40.0),
                rng.range(30.0),
                rng.range(40.0),
                rng.range(40.0),
            ];
            let cg = ColorGrade::from_array(g);
            let graded: Vec<Thumb> = w
                .iter()
                .map(|t| t.map(|p| stylecut_types::grade::apply(p, &cg)))
                .collect();
            let e = grade::estimate(&refs(&graded)).unwrap().as_array();
            let mut ok = true;
            for k in 0..6 {
                err[k].push((e[k].clamp(-100.0, 100.0) - g[k]).abs());
                rel[k].push((e[k] - e0s[wi][k] - g[k]).abs());
                ok &= (e[k].clamp(-100.0, 100.0) - g[k]).abs() <= 8.0;
            }
            all_within += ok as usize;
            trials += 1;
            // Transfer: a window of another clip as the source.
            let others: Vec<usize> = (0..windows.len())
                .filter(|&j| windows[j].0 != *ci)
                .collect();
            if others.is_empty() {
                continue;
            }
            let j = others[(rng.next() * others.len() as f64) as usize % others.len()];
            let src = &windows[j].1;
            let spec = LutSpec {
                size: 33,
                from: ColorGrade::from_array(e0s[j]).clamped(),
                to: ColorGrade::from_array(e).clamped(),
            };
            let moved = |f: &dyn Fn(usize, f64) -> f64| {
                let to: [f64; 6] = std::array::from_fn(|k| e0s[j][k] + f(k, e[k] - e0s[j][k]));
                LutSpec {
                    size: 33,
                    from: ColorGrade::from_array(e0s[j]),
                    to: ColorGrade::from_array(to),
                }
            };
            let half = moved(&|_, d| 0.5 * d);
            // Both estimates soft-thresholded by the band of ordinary footage.
            let sh = |v: f64, k: usize| v.signum() * (v.abs() - band[k]).max(0.0);
            let rep = LutSpec {
                size: 33,
                from: ColorGrade::from_array(std::array::from_fn(|k| sh(e0s[j][k], k))),
                to: ColorGrade::from_array(std::array::from_fn(|k| sh(e[k], k))),
            };
            let soft = moved(&|k, d| d.signum() * (d.abs() - tau[k]).max(0.0));
            let soft2 = moved(&|k, d| d.signum() * (d.abs() - within[k]).max(0.0));
            for t in src.iter().step_by(5) {
                let truth = t.map(|p| stylecut_types::grade::apply(p, &cg));
                de_ours.push(de(&t.map(|p| spec.map(p)), &truth));
                de_half.push(de(&t.map(|p| half.map(p)), &truth));
                de_soft.push(de(&t.map(|p| soft.map(p)), &truth));
                de_soft2.push(de(&t.map(|p| soft2.map(p)), &truth));
                de_rep.push(de(&t.map(|p| rep.map(p)), &truth));
                de_id.push(de(t, &truth));
            }
        }
    }
    println!("windows {} trials {trials}", windows.len());
    println!("slider    | ungraded |med| p90 | graded err med p90 ≤8 | additivity med p90");
    for k in 0..6 {
        let u: Vec<f64> = ungraded[k].iter().map(|v| v.abs()).collect();
        let within = err[k].iter().filter(|e| **e <= 8.0).count() as f64 / err[k].len() as f64;
        println!(
            "{:9} | {:6.1} {:6.1} | {:6.1} {:6.1} {:4.0}% | {:6.1} {:6.1}",
            NAMES[k],
            pct(u.clone(), 0.5),
            pct(u, 0.9),
            pct(err[k].clone(), 0.5),
            pct(err[k].clone(), 0.9),
            100.0 * within,
            pct(rel[k].clone(), 0.5),
            pct(rel[k].clone(), 0.9)
        );
    }
    let mean = |v: &Vec<f64>| v.iter().sum::<f64>() / v.len() as f64;
    println!(
        "all six within ±8: {all_within}/{trials}; transfer ΔE76 mean: full {:.2}, half {:.2}, soft p80 {:.2}, soft within-clip p80 {:.2}, banded estimates {:.2}, untouched {:.2}",
        mean(&de_ours),
        mean(&de_half),
        mean(&de_soft),
        mean(&de_soft2),
        mean(&de_rep),
        mean(&de_id)
    );
}
