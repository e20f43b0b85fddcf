//! The planner's motion prediction per output segment against what the extractor reads on
//! the rendered output, shot by shot (issue 4, session 20: round-trip outputs read livelier
//! than planned).
//!
//! `cargo run --release -p stylecut-style --example motion_fit -- SOURCE_ANALYSIS.json
//! PLAN.json OUTPUT_ANALYSIS.json` (`stylecut analyze SOURCE`, `stylecut plan …`,
//! `stylecut analyze OUTPUT`). Per segment: its source span, crop width, punch-in, planned
//! move; the prediction (`motion::SourceMotion::segment` + `motion::predict`, with the
//! crop's magnification when the planner knows it) and the output shot holding the
//! segment's middle; then the predicted and read `motion_intensity` and `zoom_usage`.

use stylecut_analysis::video::camera;
use stylecut_style::apply::motion::{self, SegmentSpan, SourceMotion};
use stylecut_style::apply::{reframe, Segment};
use stylecut_types::{Analysis, ShotMotion};

fn read<T: serde::de::DeserializeOwned>(p: &str) -> T {
    let s = std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{p}: {e}"));
    serde_json::from_str(&s).unwrap_or_else(|e| panic!("{p}: {e}"))
}

fn row(tag: &str, m: &ShotMotion) -> String {
    format!(
        "{tag:>5} pan {:6.2} tilt {:6.2} zoom {:+.3}{} shake {:5.2} obj {:5.1} E {:6.1} I {:5.1}",
        m.pan_speed,
        m.tilt_speed,
        m.zoom_rate,
        if m.has_zoom { "Z" } else { " " },
        m.shake,
        m.object_motion,
        camera::shot_energy(m),
        camera::motion_intensity(std::slice::from_ref(m)),
    )
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // UNFRAMED=1: the prediction before session 20 (the source span as it is, whatever
    // the crop window).
    let framed = std::env::var("UNFRAMED").is_err();
    if args.len() != 3 {
        eprintln!("usage: motion_fit SOURCE_ANALYSIS.json PLAN.json OUTPUT_ANALYSIS.json");
        std::process::exit(2);
    }
    let src: Analysis = read(&args[0]);
    let plan: serde_json::Value = read(&args[1]);
    let out: Analysis = read(&args[2]);
    let f = &plan["format"];
    let fps = f["fps_num"].as_f64().unwrap() / f["fps_den"].as_f64().unwrap();
    let segs = plan["segments"].as_array().unwrap();
    let sm = SourceMotion {
        shots: &src.motion,
        track: &src.camera_track,
        fps: src.frame_rate,
    };
    let mut pred = Vec::new();
    for (i, s) in segs.iter().enumerate() {
        let seg: Segment = serde_json::from_value(s.clone()).unwrap();
        let dur_s = seg.frames as f64 / fps;
        let (window_pan, window_tilt) = reframe::window_speed(&seg, dur_s);
        let (crop_w, crop_h) = (seg.crop.w, seg.crop.h);
        let span = SegmentSpan {
            frame_w: if framed { crop_w } else { 1.0 },
            frame_h: if framed { crop_h } else { 1.0 },
            window_pan: if framed { window_pan } else { 0.0 },
            window_tilt: if framed { window_tilt } else { 0.0 },
            ..SegmentSpan::new(seg.src_in_s, seg.src_out_s, dur_s)
        };
        let mv = seg.motion;
        let own = span.read(&sm);
        let p = motion::predict(own.as_ref(), &mv, span.dur_s);
        let t0 = s["out_start_s"].as_f64().unwrap();
        let mid = t0 + 0.5 * span.dur_s;
        println!(
            "seg {i}: src {:.2}-{:.2} out {:.2}-{:.2} crop {:.3}x{:.3} punch {} path {} window {:.2}/{:.2} %/s move {:?}",
            span.src_in_s,
            span.src_out_s,
            t0,
            t0 + span.dur_s,
            crop_w,
            crop_h,
            seg.punch_in,
            seg.crop_path.len(),
            window_pan,
            window_tilt,
            mv
        );
        if let Some(o) = sm.segment(&span) {
            println!("{}", row("src", &o));
        }
        println!("{}", row("pred", &p));
        if let Some(o) = out
            .motion
            .iter()
            .find(|m| m.start_s <= mid && mid < m.end_s)
        {
            println!("{}   [{:.2}-{:.2}]", row("read", o), o.start_s, o.end_s);
        }
        pred.push(p);
    }
    println!(
        "predicted: motion_intensity {:.1} zoom_usage {:.1} | output reads: motion_intensity {:.1} zoom_usage {:.1} ({} shots)",
        camera::motion_intensity(&pred),
        camera::zoom_usage(&pred),
        camera::motion_intensity(&out.motion),
        camera::zoom_usage(&out.motion),
        out.motion.len()
    );
}
