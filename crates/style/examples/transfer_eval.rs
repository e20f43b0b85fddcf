//! Grade transfer against truth, in process: the pairs of `bench/score/grade_transfer.py`
//! (graded shot A as template, ungraded shot B as source, graded B as truth) measured with
//! the library's estimator and transfer rule, without rendering. Mean CIEDE2000 of the
//! source moved by the [`LutSpec`] against the truth, next to leaving it untouched. Used to
//! tune the estimator and transfer rule quickly; the harness (which runs `stylecut apply`)
//! gives the figures that are reported.
//!
//! `cargo run -p stylecut-style --example transfer_eval -- bench/out/synth [--rows]`
//! (`RULE=library,within` picks rules by name). Rules: `library` ([`lut::transfer_target`]),
//! `within` (the difference beyond [`lut::SCENE_SPREAD`] on every slider, the rule before
//! session 4), `between` (the same with the between-clip 80th percentile), `wb-within-rest-between`,
//! `banded-all` (both readings with [`lut::ORDINARY_BAND`] removed, every slider),
//! `wiener` (`d³/(d² + spread²)`), `firm-wb-1.5x|2x|3x` (white balance by firm thresholding:
//! nothing below `SCENE_SPREAD`, the whole difference beyond k times it, a ramp between;
//! the rest as `library`) and `none`. `CLAMP=both|template` reads the unclamped estimates
//! (held to ±400 on white balance and saturation) instead of the StyleJSON's ±100 as `apply`
//! does (docs/BENCHMARKS.md, Colour, Session 6).

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

use stylecut_analysis::video::grade::{self, Thumb};
use stylecut_style::apply::lut::{self, LutSpec};
use stylecut_style::apply::lut_yuv::{ciede2000, lab};
use stylecut_types::grade::LUMA;
use stylecut_types::ColorGrade;

/// Thumbnail source frames (the analysis scales to about this size).
const AW: usize = 256;
const AH: usize = 144;
const FPS: f64 = 5.0;
/// Comparison frames: the harness's times and size.
const CW: usize = 320;
const CH: usize = 180;
const TIMES: [f64; 4] = [0.2, 0.9, 1.6, 2.3];
const PAIRS: [(usize, usize); 3] = [(0, 1), (1, 2), (2, 0)];

fn decode(path: &Path, vf: &str, w: usize, h: usize, ss: Option<f64>) -> Vec<Vec<u8>> {
    let mut c = Command::new("ffmpeg");
    c.args(["-v", "error"]);
    if let Some(t) = ss {
        c.args(["-ss", &t.to_string()]);
    }
    c.arg("-i").arg(path).args(["-vf", vf]);
    if ss.is_some() {
        c.args(["-frames:v", "1"]);
    }
    let out = c
        .args(["-f", "rawvideo", "-pix_fmt", "rgb24", "-"])
        .output()
        .expect("ffmpeg");
    out.stdout
        .chunks_exact(w * h * 3)
        .map(<[u8]>::to_vec)
        .collect()
}

fn thumbs(path: &Path) -> Vec<Thumb> {
    decode(path, &format!("fps={FPS},scale={AW}:{AH}"), AW, AH, None)
        .iter()
        .enumerate()
        .map(|(i, f)| Thumb::from_frame(i as f64 / FPS, f, AW, AH))
        .collect()
}

fn frames(path: &Path) -> Vec<Vec<u8>> {
    TIMES
        .iter()
        .flat_map(|t| decode(path, &format!("scale={CW}:{CH}"), CW, CH, Some(*t)))
        .collect()
}

fn mapper(spec: &LutSpec) -> impl Fn([f64; 3]) -> [f64; 3] {
    let tables: Vec<Vec<f64>> = (0..3)
        .map(|c| {
            (0..=1024)
                .map(|i| spec.channel_map(c, i as f64 / 1024.0).clamp(0.0, 1.0))
                .collect()
        })
        .collect();
    let (ki, ko) = (spec.chroma_in(), spec.chroma_out());
    move |rgb| {
        let y = LUMA[0] * rgb[0] + LUMA[1] * rgb[1] + LUMA[2] * rgb[2];
        let p: [f64; 3] = std::array::from_fn(|c| {
            let x = (y + (rgb[c] - y) * ki).clamp(0.0, 1.0) * 1024.0;
            let i = (x.floor() as usize).min(1023);
            let f = x - i as f64;
            tables[c][i] * (1.0 - f) + tables[c][i + 1] * f
        });
        let y = LUMA[0] * p[0] + LUMA[1] * p[1] + LUMA[2] * p[2];
        p.map(|v| (y + (v - y) * ko).clamp(0.0, 1.0))
    }
}

fn mean_de(out: &[Vec<[f64; 3]>], truth: &[Vec<u8>]) -> f64 {
    let mut s = 0.0;
    let mut n = 0usize;
    for (o, t) in out.iter().zip(truth) {
        for (i, p) in o.iter().enumerate() {
            let q = [0, 1, 2].map(|k| t[i * 3 + k] as f64 / 255.0);
            let pr = p.map(|v| (v * 255.0).round() / 255.0);
            s += ciede2000(lab(pr), lab(q));
            n += 1;
        }
    }
    s / n as f64
}

fn px(f: &[u8]) -> Vec<[f64; 3]> {
    f.chunks_exact(3)
        .map(|p| [0, 1, 2].map(|k| p[k] as f64 / 255.0))
        .collect()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let synth = Path::new(args.first().map_or("bench/out/synth", String::as_str)).to_path_buf();
    let rows = args.iter().any(|a| a == "--rows");
    let sets = [
        ("grades", "grade", GRADES.as_slice()),
        ("model-grades", "model", MODEL.as_slice()),
    ];
    let mut est: HashMap<String, ColorGrade> = HashMap::new();
    let mut estimate = |p: &Path| -> ColorGrade {
        let k = p.display().to_string();
        *est.entry(k).or_insert_with(|| {
            let th = thumbs(p);
            grade::estimate(&th.iter().collect::<Vec<_>>()).expect("estimate")
        })
    };
    struct Pair {
        set: &'static str,
        grade: String,
        ab: (usize, usize),
        from: ColorGrade,
        to: ColorGrade,
        src: Vec<Vec<u8>>,
        truth: Vec<Vec<u8>>,
    }
    let mut pairs = Vec::new();
    for (dir, prefix, grades) in sets {
        let d = synth.join(dir);
        for g in grades {
            for (a, b) in PAIRS {
                let tmpl = d.join(format!("{prefix}-{a}-{g}.mp4"));
                let src = d.join(format!("{prefix}-{b}-neutral.mp4"));
                let truth_p = d.join(format!("{prefix}-{b}-{g}.mp4"));
                // As `apply` sees them: both readings clamped to the StyleJSON's ±100 and
                // rounded to 0.1. `CLAMP=both` holds both to `limit_reading` instead (the
                // analysis's unclamped readings, session 6 experiment), `CLAMP=template` only
                // the template's.
                let clamp = std::env::var("CLAMP").unwrap_or_default();
                let clamp = if clamp == "both" || clamp == "template" {
                    clamp
                } else {
                    "stylejson".to_string()
                };
                let round = |g: ColorGrade, clamp: bool| {
                    let g = if clamp {
                        g.clamped()
                    } else {
                        limit_reading(&g)
                    };
                    ColorGrade::from_array(g.as_array().map(|v| (v * 10.0).round() / 10.0))
                };
                pairs.push(Pair {
                    set: dir,
                    grade: g.to_string(),
                    ab: (a, b),
                    to: round(estimate(&tmpl), clamp == "stylejson" || clamp == "template"),
                    from: round(estimate(&src), clamp == "stylejson"),
                    src: frames(&src),
                    truth: frames(&truth_p),
                });
            }
        }
    }
    let rules: Vec<(&str, Rule)> = vec![
        ("library", Box::new(lut::transfer_target)),
        (
            "wiener",
            Box::new(|f: &ColorGrade, t: &ColorGrade| {
                let (a, b) = (f.as_array(), t.as_array());
                ColorGrade::from_array(std::array::from_fn(|k| {
                    let d = b[k] - a[k];
                    let tau = lut::SCENE_SPREAD[k];
                    a[k] + d * d * d / (d * d + tau * tau)
                }))
            }),
        ),
    ];
    // Between-clip 80th percentile of the scene difference (grade_eval, "scene difference p80").
    const BETWEEN: [f64; 6] = [163.0, 57.0, 73.0, 66.0, 134.0, 102.0];
    let soft = |tau: [f64; 6]| {
        move |f: &ColorGrade, t: &ColorGrade| {
            let (a, b) = (f.as_array(), t.as_array());
            ColorGrade::from_array(std::array::from_fn(|k| {
                let d = b[k] - a[k];
                a[k] + d.signum() * (d.abs() - tau[k]).max(0.0)
            }))
        }
    };
    let mut rules = rules;
    rules.push(("within", Box::new(soft(lut::SCENE_SPREAD))));
    rules.push(("between", Box::new(soft(BETWEEN))));
    let mut mixed = BETWEEN;
    mixed[0] = lut::SCENE_SPREAD[0];
    mixed[1] = lut::SCENE_SPREAD[1];
    rules.push(("wb-within-rest-between", Box::new(soft(mixed))));
    rules.push(("none", Box::new(|f: &ColorGrade, _: &ColorGrade| *f)));
    // Both estimates with the ordinary band removed, on every slider.
    rules.push((
        "banded-all",
        Box::new(|f: &ColorGrade, t: &ColorGrade| {
            let (a, b) = (f.as_array(), t.as_array());
            let sh = |v: f64, k: usize| v.signum() * (v.abs() - lut::ORDINARY_BAND[k]).max(0.0);
            ColorGrade::from_array(std::array::from_fn(|k| a[k] + sh(b[k], k) - sh(a[k], k)))
        }),
    ));
    // White balance by firm thresholding of the difference (0 below SCENE_SPREAD, the whole
    // difference beyond twice it, a linear ramp between), the rest as the library rule.
    for (name, hi) in [
        ("firm-wb-2x", 2.0),
        ("firm-wb-1.5x", 1.5),
        ("firm-wb-3x", 3.0),
    ] {
        rules.push((
            name,
            Box::new(move |f: &ColorGrade, t: &ColorGrade| {
                let lib = lut::transfer_target(f, t).as_array();
                let (a, b) = (f.as_array(), t.as_array());
                let g: [f64; 6] = std::array::from_fn(|k| {
                    if k >= 2 {
                        return lib[k];
                    }
                    let (d, s1) = (b[k] - a[k], lut::SCENE_SPREAD[k]);
                    let s2 = hi * s1;
                    let m = if d.abs() <= s1 {
                        0.0
                    } else if d.abs() >= s2 {
                        d.abs()
                    } else {
                        s2 * (d.abs() - s1) / (s2 - s1)
                    };
                    a[k] + d.signum() * m
                });
                limit_reading(&ColorGrade::from_array(g))
            }),
        ));
    }
    let only: Option<String> = std::env::var("RULE").ok();
    for (name, rule) in &rules {
        if only
            .as_deref()
            .is_some_and(|o| !o.split(',').any(|x| x == *name))
        {
            continue;
        }
        println!("== rule {name}");
        for set in ["grades", "model-grades"] {
            let (mut id, mut ours) = (Vec::new(), Vec::new());
            let mut by_grade: Vec<(String, f64, f64)> = Vec::new();
            for p in pairs.iter().filter(|p| p.set == set) {
                let target = rule(&p.from, &p.to);
                let spec = LutSpec {
                    size: lut::LUT_SIZE,
                    from: p.from,
                    to: target,
                };
                let m = mapper(&spec);
                let src_f: Vec<Vec<[f64; 3]>> = p.src.iter().map(|f| px(f)).collect();
                let e_id = mean_de(&src_f, &p.truth);
                let moved: Vec<Vec<[f64; 3]>> = src_f
                    .iter()
                    .map(|f| f.iter().map(|q| m(*q)).collect())
                    .collect();
                let e = mean_de(&moved, &p.truth);
                if rows {
                    let (fa, ta, tg) = (p.from.as_array(), p.to.as_array(), target.as_array());
                    println!(
                        "{set} {:16} {}->{} id {e_id:5.2} ours {e:5.2} | src {:?} tmpl {:?} move {:?}",
                        p.grade,
                        p.ab.0,
                        p.ab.1,
                        fa.map(|v| v.round()),
                        ta.map(|v| v.round()),
                        std::array::from_fn::<f64, 6, _>(|k| (tg[k] - fa[k]).round())
                    );
                }
                match by_grade.iter_mut().find(|g| g.0 == p.grade) {
                    Some(g) => {
                        g.1 += e_id / 3.0;
                        g.2 += e / 3.0;
                    }
                    None => by_grade.push((p.grade.clone(), e_id / 3.0, e / 3.0)),
                }
                id.push(e_id);
                ours.push(e);
            }
            let mean = |v: &Vec<f64>| v.iter().sum::<f64>() / v.len() as f64;
            if rows {
                for (g, i, o) in &by_grade {
                    println!("  {set} {g:16} identity {i:5.2} ours {o:5.2}");
                }
            }
            println!(
                "{set}: identity {:.2} ours {:.2} (worse than identity on {}/{})",
                mean(&id),
                mean(&ours),
                id.iter().zip(&ours).filter(|(i, o)| o > i).count(),
                id.len()
            );
        }
    }
}

/// A reading held to ±400 on temperature, tint and saturation and ±100 on the tone sliders
/// (the range the LUT handles; the analysis's readings are not clamped to the StyleJSON's
/// ±100): used by `CLAMP=both|template`.
fn limit_reading(g: &ColorGrade) -> ColorGrade {
    let a = g.as_array();
    ColorGrade::from_array(std::array::from_fn(|k| {
        let lim = if k < 3 { 400.0 } else { 100.0 };
        a[k].clamp(-lim, lim)
    }))
}

/// A transfer rule: (source reading, template reading) → the grade the source is moved to.
type Rule = Box<dyn Fn(&ColorGrade, &ColorGrade) -> ColorGrade>;

const GRADES: [&str; 10] = [
    "contrast-down",
    "contrast-up",
    "cool",
    "desaturated",
    "green",
    "highlights-down",
    "magenta",
    "saturated",
    "shadows-up",
    "warm",
];
const MODEL: [&str; 11] = [
    "combo",
    "contrast+30",
    "contrast-25",
    "highlights-40",
    "sat+40",
    "sat-40",
    "shadows+40",
    "temp+30",
    "temp-30",
    "tint+30",
    "tint-30",
];
