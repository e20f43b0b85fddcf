//! Prints the global-motion estimate of a video over windows, to see where a push-in or a
//! pan is (or is not) read: `cargo run --release -p stylecut-analysis --example motion_eval
//! -- FILE [WINDOW_S [A-B ...]]`. One line per window: start, end, the window's `ShotMotion` (pan,
//! tilt, zoom rate, shake, object motion, has_zoom) and the median per-pair scale step,
//! with the same decode spec as `stylecut analyze`. `MOTION_EVAL_PAIRS=1` also prints
//! every frame pair (`pair pts valid tx ty scale residual`).

use std::path::Path;

use stylecut_analysis::video::{camera, motion::MotionTracker};
use stylecut_media::{decode_picture, RunOpts};

fn main() {
    let mut args = std::env::args().skip(1);
    let file = args.next().expect("FILE [WINDOW_S [A-B ...]]");
    let window: f64 = args.next().map_or(1.0, |w| w.parse().expect("WINDOW_S"));
    let opts = RunOpts::default();
    let path = Path::new(&file);
    let mut tracker = MotionTracker::default();
    let mut last = 0.0;
    decode_picture(path, &opts, |f| {
        last = f.pts_s;
        tracker.push(f.pts_s, &f.rgb, f.width as usize, f.height as usize);
    })
    .expect("decode");
    if std::env::var_os("MOTION_EVAL_PAIRS").is_some() {
        for p in &tracker.pairs {
            println!(
                "pair {:.4} {} {:.6} {:.6} {:.6} {:.6}",
                p.pts_s, p.valid, p.tx, p.ty, p.scale, p.residual
            );
        }
    }
    // Windows: `A-B` arguments after WINDOW_S, else consecutive windows of WINDOW_S.
    let mut spans: Vec<(f64, f64)> = args
        .map(|a| {
            let (x, y) = a.split_once('-').expect("A-B");
            (x.parse().expect("A"), y.parse().expect("B"))
        })
        .collect();
    if spans.is_empty() {
        let mut t = 0.0;
        while t < last {
            spans.push((t, (t + window).min(last + 1e-3)));
            t += window;
        }
    }
    for (t, e) in spans {
        let m = camera::shot_motion(&tracker.pairs, t, e);
        let mut steps: Vec<f64> = tracker
            .pairs
            .iter()
            .filter(|p| p.valid && p.pts_s > t && p.pts_s < e)
            .map(|p| f64::from(p.scale).log2())
            .collect();
        steps.sort_by(f64::total_cmp);
        let med = steps.get(steps.len() / 2).copied().unwrap_or(0.0);
        println!(
            "{t:6.2}-{e:6.2} pan {:6.1} tilt {:6.1} zoom {:+.3} (median step {:+.5}) shake {:5.2} obj {:5.1} has_zoom {}",
            m.pan_speed, m.tilt_speed, m.zoom_rate, med, m.shake, m.object_motion, m.has_zoom
        );
    }
}
