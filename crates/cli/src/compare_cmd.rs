//! `stylecut compare TEMPLATE SOURCE OUTPUT -o sheet.png`: a contact sheet built by one
//! ffmpeg filtergraph. One row per input (template, source, output; labelled): six frames
//! spread over the clip, under each its mean colour as a swatch, and a timeline strip of
//! the clip's cuts (white) and beats (yellow) from its analysis.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use stylecut_media::{probe, render::run_ffmpeg};
use stylecut_style::analyze;
use stylecut_types::Analysis;

/// Thumbnails per row and their size.
const THUMBS: u32 = 6;
const TW: u32 = 240;
const TH: u32 = 135;
const SWATCH_H: u32 = 24;
const TIMELINE_H: u32 = 16;

#[derive(Args, Debug)]
pub struct CompareArgs {
    /// The template video (top row).
    pub template: PathBuf,
    /// The source footage before the re-edit (middle row).
    pub source: PathBuf,
    /// The re-edited output, e.g. from `stylecut apply` (bottom row).
    pub output: PathBuf,
    /// PNG to write.
    #[arg(short = 'o', long = "out")]
    pub sheet: PathBuf,
}

/// The filtergraph of the sheet for inputs with these durations and analyses.
pub fn sheet_graph(rows: &[(&str, f64, &Analysis)]) -> String {
    let width = TW * THUMBS;
    let mut g = String::new();
    for (i, (label, dur, a)) in rows.iter().enumerate() {
        let d = dur.max(0.1);
        let step = d / f64::from(THUMBS);
        let _ = write!(
            g,
            "[{i}:v]trim=start={:.3},setpts=PTS-STARTPTS,fps=fps={:.6},scale={TW}:{TH}:force_original_aspect_ratio=decrease,setsar=1,format=rgb24,split[t{i}][c{i}];",
            step / 2.0,
            // A little faster than one per step, so rounding never loses the last frame.
            1.0 / (step * 0.97)
        );
        let _ = write!(
            g,
            "[t{i}]pad={TW}:{TH}:-1:-1,tile={THUMBS}x1,drawtext=text='{label}':x=8:y=8:fontsize=20:fontcolor=white:box=1:boxcolor=black@0.6[th{i}];"
        );
        let _ = write!(
            g,
            "[c{i}]scale=1:1:flags=area,scale={TW}:{SWATCH_H}:flags=neighbor,tile={THUMBS}x1[sw{i}];"
        );
        let _ = write!(
            g,
            "color=c=0x303030:s={width}x{TIMELINE_H}:r=1:d=1,format=rgb24"
        );
        let x_of = |t: f64| ((t / d).clamp(0.0, 1.0) * f64::from(width - 2)) as u32;
        for s in a.shots.iter().skip(1) {
            let _ = write!(
                g,
                ",drawbox=x={}:y=0:w=2:h={TIMELINE_H}:color=white:t=fill",
                x_of(s.start_s)
            );
        }
        for b in &a.beats {
            let _ = write!(
                g,
                ",drawbox=x={}:y={}:w=1:h={}:color=yellow:t=fill",
                x_of(b.time_s),
                TIMELINE_H / 2,
                TIMELINE_H / 2
            );
        }
        let _ = write!(g, "[tl{i}];[th{i}][sw{i}][tl{i}]vstack=3[row{i}];");
    }
    for i in 0..rows.len() {
        let _ = write!(g, "[row{i}]");
    }
    let _ = write!(g, "vstack={}[sheet]", rows.len());
    g
}

pub fn run(a: CompareArgs) -> anyhow::Result<()> {
    for (p, what) in [
        (&a.template, "template video"),
        (&a.source, "source video"),
        (&a.output, "output video"),
    ] {
        crate::paths::input_file(p, what)?;
    }
    crate::paths::output_file(
        &a.sheet,
        "contact sheet",
        &[&a.template, &a.source, &a.output],
    )?;
    let opts = crate::interrupt::run_opts();
    let mut analyses = Vec::new();
    for p in [&a.template, &a.source, &a.output] {
        let (info, an) = analyze::analyze_file(p, &opts, None, &mut |_, _| {})
            .with_context(|| format!("analysing {}", p.display()))?;
        analyses.push((info.duration_s, an));
    }
    let labels = ["TEMPLATE", "SOURCE", "OUTPUT"];
    let rows: Vec<(&str, f64, &Analysis)> = labels
        .iter()
        .zip(&analyses)
        .map(|(l, (d, an))| (*l, *d, an))
        .collect();
    let mut args: Vec<String> = Vec::new();
    for p in [&a.template, &a.source, &a.output] {
        probe::probe_video(p, &opts)?;
        args.push("-i".into());
        args.push(p.display().to_string());
    }
    args.extend([
        "-filter_complex".into(),
        sheet_graph(&rows),
        "-map".into(),
        "[sheet]".into(),
        "-frames:v".into(),
        "1".into(),
        "-update".into(),
        "1".into(),
        a.sheet.display().to_string(),
    ]);
    let longest = analyses.iter().map(|(d, _)| *d).fold(0.0, f64::max);
    run_ffmpeg(&args, &a.sheet, longest, &opts, |_| {})?;
    crate::output::line(a.sheet.display())?;
    Ok(())
}
