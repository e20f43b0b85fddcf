//! A/V sync across every cut: a source whose picture flashes white exactly when its sound
//! beeps is re-edited (splits with punch-ins, jump cuts, dissolves, frame-rate change); in
//! the output every flash onset must still have a beep onset within one frame.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;
use stylecut_media::{probe, RunOpts};
use stylecut_style::apply;
use stylecut_types::{config::JobConfig, Span, TransitionStyle};

fn run_log(args: &[&str], input: &Path) -> String {
    let out = Command::new("ffmpeg")
        .args(["-hide_banner", "-nostats", "-i"])
        .arg(input)
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success());
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Output times where the picture turns bright.
fn flash_onsets(p: &Path) -> Vec<f64> {
    let log = run_log(
        &[
            "-vf",
            "signalstats,metadata=print:key=lavfi.signalstats.YAVG:file=-",
            "-an",
            "-f",
            "null",
            "-",
        ],
        p,
    );
    let mut t = 0.0;
    let mut prev = 0.0;
    let mut on = Vec::new();
    for l in log.lines() {
        if let Some(v) = l.split("pts_time:").nth(1) {
            t = v.trim().parse().unwrap_or(t);
        } else if let Some(v) = l.strip_prefix("lavfi.signalstats.YAVG=") {
            let y: f64 = v.trim().parse().unwrap();
            if y > 128.0 && prev <= 128.0 {
                on.push(t);
            }
            prev = y;
        }
    }
    on
}

/// Output times where the sound starts (ends of silence).
fn beep_onsets(p: &Path) -> Vec<f64> {
    let log = run_log(
        &[
            "-af",
            "silencedetect=n=-40dB:d=0.05",
            "-vn",
            "-f",
            "null",
            "-",
        ],
        p,
    );
    log.lines()
        .filter_map(|l| l.split("silence_end: ").nth(1))
        .filter_map(|v| v.split_whitespace().next()?.parse().ok())
        .collect()
}

#[test]
fn flashes_and_beeps_stay_together_through_the_edit() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("sync.mp4");
    // Flash and beep for 0.12 s at 0.52 s past every second (on the 25 fps frame grid; the
    // picture's window starts half a frame early so float rounding of `t` cannot drop it).
    let status = Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-f", "lavfi", "-i"])
        .arg("color=c=black:s=320x180:r=25:d=12,drawbox=c=white:t=fill:enable='between(mod(t\\,1)\\,0.51\\,0.63)'")
        .args(["-f", "lavfi", "-i"])
        .arg("aevalsrc='if(between(mod(t\\,1)\\,0.52\\,0.639)\\,0.5*sin(2*PI*880*t)\\,0)':s=48000:d=12")
        .args(["-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-shortest"])
        .arg(&src)
        .status()
        .unwrap();
    assert!(status.success());
    let info = probe::probe(&src, &RunOpts::default()).unwrap();
    let mut a = analysis(12.0, 320, 180, 25.0, &[4.02, 8.02]);
    a.audio.has_audio = true;
    // Speech between the beeps of seconds 5–7 leaves a gap that is dropped as a jump cut.
    a.speech_segments = vec![
        Span {
            start_s: 0.0,
            end_s: 4.9,
        },
        Span {
            start_s: 7.3,
            end_s: 12.0,
        },
    ];
    let mut st = style("16:9", 30, 40.0);
    st.primary_transition = TransitionStyle {
        kind: "dissolve".into(),
        duration_ms: 200,
        easing: "linear".into(),
    };
    st.audio_style.normalization_level = 0.6;
    st.audio_style.compression_ratio = 1.0;
    let mut plan = apply::plan(&src, &info, &a, Some(&st), &JobConfig::default()).unwrap();
    assert!(plan.segments.len() >= 6, "{:?}", plan.notes);
    // Joins outside speech dissolve; joins inside speech stay cuts.
    assert!(plan.transitions.iter().any(|t| t.frames > 0));
    assert!(plan.transitions.iter().any(|t| t.frames == 0));
    let out = dir.path().join("out.mp4");
    fast(&mut plan);
    apply::render(&plan, &out, &RunOpts::default(), |_| {}).unwrap();
    let flashes = flash_onsets(&out);
    let beeps = beep_onsets(&out);
    assert!(flashes.len() >= 5, "{flashes:?}");
    let frame = 1.0 / 30.0;
    for f in &flashes {
        assert!(
            beeps.iter().any(|b| (b - f).abs() <= frame + 0.005),
            "flash at {f:.3} has no beep within one frame: {beeps:?}"
        );
    }
}
