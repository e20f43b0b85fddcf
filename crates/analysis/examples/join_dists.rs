//! Prints, per frame pair of a video, the cut detector's inputs: the frame distance
//! (`frame::frame_dist`), its histogram and thumbnail terms, and the hard-cut detector's
//! adaptive floor (0.2). With `T1,T2,...` after the file only the pairs within one frame
//! of those times are printed (e.g. a plan's joins), else every pair whose thumbnail term
//! reaches 0.05. `cargo run --release -p stylecut-analysis --example join_dists -- FILE [T,...]`

use std::path::Path;

use stylecut_analysis::video::frame::{frame_dist, hist_dist, thumb_dist, FrameFeatures};
use stylecut_media::{decode_picture, RunOpts};

fn main() {
    let mut args = std::env::args().skip(1);
    let file = args.next().expect("FILE [T,...]");
    let times: Vec<f64> = args
        .next()
        .map(|s| s.split(',').filter_map(|t| t.parse().ok()).collect())
        .unwrap_or_default();
    let mut feats = Vec::new();
    decode_picture(Path::new(&file), &RunOpts::default(), |f| {
        feats.push(FrameFeatures::from_rgb(
            f.pts_s,
            f.width as usize,
            f.height as usize,
            &f.rgb,
        ));
    })
    .expect("decode");
    let dt = if feats.len() > 1 {
        feats[1].pts_s - feats[0].pts_s
    } else {
        1.0
    };
    for i in 1..feats.len() {
        let (a, b) = (&feats[i - 1], &feats[i]);
        let t = b.pts_s;
        let th = thumb_dist(a, b);
        let near = times.iter().any(|&x| (x - t).abs() <= 1.01 * dt);
        if (times.is_empty() && th * 4.0 >= 0.05) || near {
            println!(
                "{i:5} {t:8.3} d {:.4} hist {:.4} thumb4 {:.4}",
                frame_dist(a, b),
                hist_dist(a, b),
                (th * 4.0).min(1.0)
            );
        }
    }
}
