//! Source analysis + target StyleJSON → edit plan → one ffmpeg render.

use std::path::Path;

use serde::{Deserialize, Serialize};
use stylecut_media::{render::run_ffmpeg, MediaInfo, RunOpts};
use stylecut_types::{config::JobConfig, Analysis, StyleJson};

use crate::StyleError;

/// Everything the render needs, inspectable as JSON (`stylecut plan`, job result).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EditPlan {
    /// Expected output duration, seconds.
    pub output_duration_s: f64,
    /// ffmpeg arguments after `ffmpeg -y` up to and including the output path
    /// placeholder `{output}`.
    pub ffmpeg_args: Vec<String>,
    /// Human readable notes on what the plan does per dimension.
    pub notes: Vec<String>,
}

/// Plans the render of `source` in `style` (None: keep the source's own style).
pub fn plan(
    source_path: &Path,
    _info: &MediaInfo,
    source: &Analysis,
    _style: Option<&StyleJson>,
    cfg: &JobConfig,
) -> Result<EditPlan, StyleError> {
    let (preset, crf, abr) = cfg.quality.encoder_settings();
    let mut args: Vec<String> = vec!["-i".into(), source_path.display().to_string()];
    let mut dur = source.duration_s;
    if let Some(m) = cfg.max_duration_seconds {
        args.extend(["-t".into(), format!("{m:.3}")]);
        dur = dur.min(m);
    }
    args.extend(
        [
            "-map", "0:v:0", "-map", "0:a:0?", "-c:v", "libx264", "-preset", preset, "-crf",
        ]
        .map(String::from),
    );
    args.push(crf.to_string());
    args.extend(["-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a"].map(String::from));
    args.push(format!("{abr}k"));
    args.extend(["-movflags", "+faststart", "{output}"].map(String::from));
    Ok(EditPlan {
        output_duration_s: dur,
        ffmpeg_args: args,
        notes: vec!["plain re-encode of the source (style application not implemented yet)".into()],
    })
}

/// Renders `plan` to `output` with one ffmpeg run; `progress` gets 0..1.
pub fn render(
    plan: &EditPlan,
    output: &Path,
    opts: &RunOpts,
    progress: impl FnMut(f64) + Send + 'static,
) -> Result<(), StyleError> {
    let out = output.display().to_string();
    let args: Vec<String> = plan
        .ffmpeg_args
        .iter()
        .map(|a| {
            if a == "{output}" {
                out.clone()
            } else {
                a.clone()
            }
        })
        .collect();
    run_ffmpeg(&args, output, plan.output_duration_s, opts, progress)?;
    Ok(())
}
