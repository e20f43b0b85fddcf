//! What pacing can do for `motion_intensity` on one source (issue 4, session 21: outputs
//! read livelier than their templates).
//!
//! `cargo run --release -p stylecut-style --example pacing_motion -- SOURCE_ANALYSIS.json
//! TEMPLATE_STYLE.json` (`stylecut analyze SOURCE`, `stylecut extract TEMPLATE`).
//!
//! Prints the source's `motion_intensity` per second (its camera track read by the
//! planner's rules, [`PacingInput::span_intensity`]), the whole source's, and the bound of
//! what any choice of kept material could read: the seconds nearest the template's value
//! that make up 40 % of the source (pacing's least kept share; no cut, beat or word rule,
//! no crop window). Then the pieces pacing keeps (`pacing::pace` with the planner's inputs,
//! [`pacing_input`])
//! and the intensity they read before the crop window and any planned move.

use stylecut_style::apply::pacing::{self, PacingInput, Piece, MIN_KEEP_SHARE};
use stylecut_style::apply::pacing_input;
use stylecut_types::config::ApplySwitches;
use stylecut_types::{Analysis, StyleJson};

fn read<T: serde::de::DeserializeOwned>(p: &str) -> T {
    let s = std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{p}: {e}"));
    serde_json::from_str(&s).unwrap_or_else(|e| panic!("{p}: {e}"))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() != 2 {
        eprintln!("usage: pacing_motion SOURCE_ANALYSIS.json TEMPLATE_STYLE.json");
        std::process::exit(2);
    }
    let src: Analysis = read(&args[0]);
    let st: StyleJson = read(&args[1]);
    let target = st.cut_frequency;
    // The planner's own inputs (all switches on; one frame at the template's frame rate).
    let inp = pacing_input(
        &src,
        &st,
        ApplySwitches::default(),
        1.0 / st.frame_rate as f64,
    );
    let music = !inp.beats.is_empty();
    let goal = st.motion_intensity;
    let end = src.duration_s;
    println!(
        "template: motion_intensity {goal:.1}, zoom_usage {:.1}, {target:.2} cuts/min; source {end:.2} s, {} shots, music {music}",
        st.zoom_usage,
        src.shots.len()
    );
    let secs: Vec<(f64, f64, f64)> = (0..end.ceil() as usize)
        .map(|k| {
            let (a, b) = (k as f64, (k as f64 + 1.0).min(end));
            (a, b, inp.span_intensity(a, b))
        })
        .filter(|s| s.1 > s.0 + 1e-3)
        .collect();
    println!(
        "per second: {}",
        secs.iter()
            .map(|s| format!("{:.0}", s.2))
            .collect::<Vec<_>>()
            .join(" ")
    );
    // ZOOM_SPANS="a-b,c-d": the zoom rate the planner reads on the source over those spans.
    if let Ok(spans) = std::env::var("ZOOM_SPANS") {
        let sm = stylecut_style::apply::motion::SourceMotion {
            shots: &src.motion,
            track: &src.camera_track,
            fps: src.frame_rate,
        };
        for sp in spans.split(',') {
            let (a, b) = sp.split_once('-').expect("a-b");
            let (a, b): (f64, f64) = (a.parse().unwrap(), b.parse().unwrap());
            if let Some(m) = sm.over(a, b) {
                println!(
                    "zoom over {a:.2}-{b:.2}: {:+.3} log2/s{}, pan {:.2} tilt {:.2} obj {:.1}",
                    m.zoom_rate,
                    if m.has_zoom { " (zoom move)" } else { "" },
                    m.pan_speed,
                    m.tilt_speed,
                    m.object_motion
                );
            }
        }
    }
    let whole: Vec<Piece> = pacing::from_shots(&src.shots, end);
    println!(
        "whole source (its shots): intensity {:.1}",
        inp.kept_intensity(&whole)
    );
    let mut by_fit = secs.clone();
    by_fit.sort_by(|x, y| (x.2 - goal).abs().total_cmp(&(y.2 - goal).abs()));
    let (mut len, mut sum) = (0.0, 0.0);
    for s in &by_fit {
        if len >= MIN_KEEP_SHARE * end {
            break;
        }
        len += s.1 - s.0;
        sum += (s.1 - s.0) * s.2;
    }
    println!(
        "bound: the {len:.0} s nearest the template read {:.1} (1 s pieces, no rule)",
        sum / len.max(1e-9)
    );
    let show = |tag: &str, kept: &[Piece], notes: &[String]| {
        println!("{tag}");
        for n in notes {
            println!("  {n}");
        }
        for x in kept {
            println!(
                "  {:7.2}-{:7.2} shot {:2} {:?}{} I {:5.1}",
                x.in_s,
                x.out_s,
                x.shot,
                x.origin,
                if x.punch_in { " punch-in" } else { "" },
                inp.span_intensity(x.in_s, x.out_s)
            );
        }
        println!(
            "  kept: {:.2} s of {end:.2}, rate {:.2} cuts/min, intensity {:.1} (template {goal:.1})",
            kept.iter().map(Piece::len).sum::<f64>(),
            inp.rate(kept),
            inp.kept_intensity(kept)
        );
    };
    // Without the template's motion: no trim, dropping by length and speech only.
    let plain = PacingInput {
        target_motion: None,
        beats: inp.beats.clone(),
        ..inp
    };
    let (kept, notes) = pacing::pace(whole.clone(), target, &plain);
    show("pacing without the template's motion:", &kept, &notes);
    // Too many cuts: every subset of the source's shots that breaks no word and keeps
    // 40 %, whose rate is within 10 % of the target (the round trip's tolerance).
    if inp.rate(&whole) > target * 1.03 && whole.len() <= 14 {
        let n = whole.len();
        let total: f64 = whole.iter().map(Piece::len).sum();
        let mut rows = Vec::new();
        for mask in 1u32..(1 << n) {
            let idx: Vec<usize> = (0..n).filter(|&i| mask & (1 << i) != 0).collect();
            let sub: Vec<Piece> = idx.iter().map(|&i| whole[i].clone()).collect();
            let kept: f64 = sub.iter().map(Piece::len).sum();
            let (first, last) = (idx[0], idx[idx.len() - 1]);
            let clean = (first == 0 || !inp.in_speech(whole[first].in_s))
                && (last + 1 == n || !inp.in_speech(whole[last].out_s))
                && idx.windows(2).all(|w| {
                    w[1] == w[0] + 1
                        || (!inp.in_speech(whole[w[0]].out_s) && !inp.in_speech(whole[w[1]].in_s))
                });
            let r = inp.rate(&sub);
            if clean && kept >= MIN_KEEP_SHARE * total - 1e-9 && (r - target).abs() <= 0.1 * target
            {
                rows.push((inp.kept_intensity(&sub), r, idx));
            }
        }
        rows.sort_by(|a, b| a.0.total_cmp(&b.0));
        println!("subsets of shots within 10 % of the rate, breaking no word:");
        for (i, r, idx) in rows {
            println!("  shots {idx:?}: rate {r:.2}, intensity {i:.1}");
        }
    }
    let (kept, notes) = pacing::pace(whole, target, &inp);
    show("pacing with the template's motion:", &kept, &notes);
}
